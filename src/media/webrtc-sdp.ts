/**
 * SDP edits on the gateway's answer.
 *
 * Opus (RFC 7587 §6.1): in an answer, `maxplaybackrate` and `sprop-maxcapturerate`
 * tell the browser the gateway plays and captures at most 16 kHz, so it encodes
 * wideband; `stereo=0` asks for mono; `useinbandfec=1` says we can use in-band FEC.
 */
export const OPUS_FMTP = 'minptime=10;useinbandfec=1;stereo=0;sprop-stereo=0;maxplaybackrate=16000;sprop-maxcapturerate=16000';

export function setOpusFmtp(sdp: string, fmtp: string = OPUS_FMTP): string {
  const pt = /^a=rtpmap:(\d+) opus\/48000/im.exec(sdp)?.[1];
  if (!pt) throw new Error('answer has no Opus payload type');
  const line = `a=fmtp:${pt} ${fmtp}`;
  const fmtpRe = new RegExp(`^a=fmtp:${pt} .*$`, 'm');
  if (fmtpRe.test(sdp)) return sdp.replace(fmtpRe, line);
  return sdp.replace(new RegExp(`^(a=rtpmap:${pt} opus/48000.*)$`, 'im'), `$1\r\n${line}`);
}

const HOST_CANDIDATE = /^candidate:(\S+) (\d+) (udp|tcp) (\d+) (\S+) (\d+) typ host(.*)$/i;

/**
 * For a gateway behind 1:1 NAT (like mediasoup's announcedIp): a copy of a host
 * candidate carrying the public address and the same port (RFC 8445 §5.1.1.1).
 * Returns undefined for candidates that are not IPv4 host candidates.
 */
export function announcedCandidate(candidate: string, announcedIp: string): string | undefined {
  const m = HOST_CANDIDATE.exec(candidate.replace(/^a=/, ''));
  if (!m || !/^\d+\.\d+\.\d+\.\d+$/.test(m[5] ?? '') || m[5] === announcedIp) return undefined;
  const priority = Math.max(0, Number(m[4]) - 1);
  return `candidate:${m[1]}a ${m[2]} ${m[3]} ${priority} ${announcedIp} ${m[6]} typ host${m[7] ?? ''}`;
}

/** Adds announced copies of the host candidates already in an SDP. */
export function announceInSdp(sdp: string, announcedIp: string): string {
  return sdp
    .split('\r\n')
    .flatMap((line) => {
      if (!line.startsWith('a=candidate:')) return [line];
      const extra = announcedCandidate(line, announcedIp);
      return extra ? [line, `a=${extra}`] : [line];
    })
    .join('\r\n');
}
