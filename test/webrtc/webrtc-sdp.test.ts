import { describe, expect, it } from 'vitest';
import { announcedCandidate, announceInSdp, OPUS_FMTP, setOpusFmtp } from '../../src/media/webrtc-sdp.js';

const ANSWER = [
  'v=0', 'o=- 1 0 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1;stereo=1', 'a=candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host', '',
].join('\r\n');

describe('answer SDP edits', () => {
  it('asks for wideband mono Opus with in-band FEC (RFC 7587 fmtp)', () => {
    const out = setOpusFmtp(ANSWER);
    expect(out).toContain(`a=fmtp:111 ${OPUS_FMTP}`);
    expect(out).not.toContain('stereo=1');
    expect(OPUS_FMTP).toMatch(/maxplaybackrate=16000/);
    expect(OPUS_FMTP).toMatch(/sprop-maxcapturerate=16000/);
    expect(OPUS_FMTP).toMatch(/useinbandfec=1/);
    const withoutFmtp = ANSWER.replace(/a=fmtp:.*\r\n/, '');
    expect(setOpusFmtp(withoutFmtp)).toContain(`a=rtpmap:111 opus/48000/2\r\na=fmtp:111 ${OPUS_FMTP}`);
    expect(() => setOpusFmtp(ANSWER.replace(/opus/g, 'PCMU'))).toThrow(/no Opus/);
  });

  it('adds announced copies of IPv4 host candidates, same port, lower priority', () => {
    expect(announcedCandidate('candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host', '203.0.113.7')).toBe('candidate:1a 1 udp 2130706430 203.0.113.7 50000 typ host');
    expect(announcedCandidate('candidate:2 1 udp 1694498815 198.51.100.2 40000 typ srflx raddr 10.0.0.5 rport 50000', '203.0.113.7')).toBeUndefined();
    const sdp = announceInSdp(ANSWER, '203.0.113.7');
    expect(sdp.match(/a=candidate:/g)).toHaveLength(2);
    expect(sdp).toContain('203.0.113.7 50000 typ host');
  });
});
