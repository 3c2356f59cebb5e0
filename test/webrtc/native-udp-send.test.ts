import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { NativeSrtpSession, SrtpProfile, SrtpStatus, udpSockaddr } from '../../src/media/native-srtp.js';
import { UdpSocketFd } from '../../src/media/udp-socket-fd.js';

const keys = (a: number, b: number) => ({
  localMasterKey: new Uint8Array(16).fill(a),
  localMasterSalt: new Uint8Array(14).fill(a + 1),
  remoteMasterKey: new Uint8Array(16).fill(b),
  remoteMasterSalt: new Uint8Array(14).fill(b + 1),
});

function bound(type: 'udp4' | 'udp6', address: string): Promise<Socket> {
  const s = createSocket(type);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, address, () => resolve(s));
  });
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('native SRTP send on a Node UDP socket (the lean path without dgram send)', () => {
  for (const [type, address] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
    it(`protects and sends one datagram with one sendto on ${type}; the peer unprotects the same RTP`, async () => {
      const tx = await bound(type, address);
      const rx = await bound(type, address);
      sockets.push(tx, rx);
      const fd = new UdpSocketFd(tx).current();
      expect(fd).toBeGreaterThan(2);
      const a = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys(1, 3));
      const b = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys(3, 1));
      const rtp = new Uint8Array(12 + 80);
      rtp[0] = 0x80;
      rtp[1] = 111;
      rtp[3] = 7;
      rtp[11] = 9;
      for (let i = 12; i < rtp.length; i++) rtp[i] = i;
      const buf = Buffer.alloc(1500);
      buf.set(rtp);
      const got = new Promise<Buffer>((resolve) => rx.once('message', (m) => resolve(m)));
      const sent = a.protectRtpSendTo(buf, rtp.length, fd!, udpSockaddr(address, rx.address().port));
      expect(sent).toBe(rtp.length + a.params.rtpOverhead);
      const msg = await got;
      expect(msg.length).toBe(sent);
      expect(b.unprotectRtp(msg, msg.length)).toBe(rtp.length);
      expect([...msg.subarray(0, rtp.length)]).toEqual([...rtp]);
      a.close();
      b.close();
    });
  }

  it('reports a refused datagram as sendFailed, and a closed socket has no descriptor', async () => {
    const tx = await bound('udp4', '127.0.0.1');
    const fds = new UdpSocketFd(tx);
    const fd = fds.current()!;
    const a = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys(1, 3));
    const buf = Buffer.alloc(1500);
    buf[0] = 0x80;
    // An IPv6 destination on an IPv4 socket: the kernel refuses it (EAFNOSUPPORT/EINVAL).
    expect(a.protectRtpSendTo(buf, 40, fd, udpSockaddr('::1', 9))).toBe(SrtpStatus.sendFailed);
    // A packet that is not RTP is refused before any send.
    expect(a.protectRtpSendTo(Buffer.alloc(1500), 4, fd, udpSockaddr('127.0.0.1', 9))).toBe(SrtpStatus.malformed);
    await new Promise<void>((resolve) => tx.close(resolve));
    expect(fds.current()).toBeUndefined();
    a.close();
  });

  it('refuses what is not an address literal or a port, and a foreign sockaddr', () => {
    expect(() => udpSockaddr('example.com', 5000)).toThrow(RangeError);
    expect(() => udpSockaddr('fe80::1%eth0', 5000)).toThrow(RangeError);
    expect(() => udpSockaddr('127.0.0.1', 0)).toThrow(RangeError);
    expect(() => udpSockaddr('127.0.0.1', 70000)).toThrow(RangeError);
    expect(udpSockaddr('10.0.0.1', 5000).length).toBe(16);
    expect(udpSockaddr('2001:db8::1', 5000).length).toBe(28);
    const a = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys(1, 3));
    expect(() => a.protectRtpSendTo(Buffer.alloc(100), 20, 0, new Uint8Array(5))).toThrow(/udpSockaddr/);
    expect(() => a.protectRtpSendTo(Buffer.alloc(100), 20, -1, udpSockaddr('127.0.0.1', 9))).toThrow(RangeError);
    a.close();
  });
});
