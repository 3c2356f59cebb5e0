/**
 * Keys from a real DTLS-SRTP handshake (werift's DtlsClient/DtlsServer over an in-memory
 * datagram pair): the exporter output (RFC 5764 §4.2) split by role keys both ends.
 */
import { describe, expect, it } from 'vitest';
import {
  DtlsClient,
  DtlsServer,
  HashAlgorithm,
  NamedCurveAlgorithm,
  SignatureAlgorithm,
  SrtpSession,
  createSelfSignedCertificate,
} from 'werift';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  NativeSrtpSession,
  dtlsSrtpKeyingMaterialLength,
  splitDtlsSrtpKeyingMaterial,
  type SrtpProfile,
} from '../../src/media/native-srtp.js';
import { profiles, rtpPacket, seededRandom, withRoom } from './srtp-fixtures.js';

interface Datagram {
  type: string;
  address: { address: string; port: number; family: string };
  closed: boolean;
  onData: (data: Buffer) => void;
  send: (data: Buffer) => Promise<void>;
  close: () => Promise<void>;
}

/** Two datagram endpoints wired to each other, delivering on the next turn. */
function datagramPair(): [Datagram, Datagram] {
  const make = (): Datagram => ({
    type: 'udp',
    address: { address: '127.0.0.1', port: 9, family: 'IPv4' },
    closed: false,
    onData: () => {},
    send: async () => {},
    close: async () => {},
  });
  const a = make();
  const b = make();
  a.send = async (d) => void setImmediate(() => b.onData(d));
  b.send = async (d) => void setImmediate(() => a.onData(d));
  return [a, b];
}

async function handshake(profile: SrtpProfile) {
  const signatureHash = { hash: HashAlgorithm.sha256_4, signature: SignatureAlgorithm.ecdsa_3 };
  const cert = await createSelfSignedCertificate(signatureHash, NamedCurveAlgorithm.secp256r1_23);
  const [toServer, toClient] = datagramPair();
  const common = { cert: cert.certPem, key: cert.keyPem, signatureHash, srtpProfiles: [profile], extendedMasterSecret: true };
  const server = new DtlsServer({ ...common, transport: toClient as never, certificateRequest: true });
  const client = new DtlsClient({ ...common, transport: toServer as never });
  const connected = Promise.all([
    new Promise((r) => server.onConnect.subscribe(r)),
    new Promise((r) => client.onConnect.subscribe(r)),
  ]);
  await client.connect();
  await connected;
  return { client, server };
}

describe.each(profiles)('SRTP keyed by DTLS-SRTP (%s)', (_name, profile) => {
  it('client and server sessions from the split exporter output talk to each other and to werift', async () => {
    const { client, server } = await handshake(profile);
    expect(client.srtp.srtpProfile).toBe(profile);
    const length = dtlsSrtpKeyingMaterialLength(profile);
    const material = client.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, length);
    expect(Buffer.compare(material, server.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, length))).toBe(0);

    const ourClient = NativeSrtpSession.fromDtls(profile, material, 'client');
    const ourServer = NativeSrtpSession.fromDtls(profile, material, 'server');
    // werift's own role split (DtlsSocket.extractSessionKeys) keys its SrtpSession.
    const { keyLength, saltLength } = ourClient.params;
    const k = server.extractSessionKeys(keyLength, saltLength);
    const weriftServer = new SrtpSession({
      profile,
      keys: { localMasterKey: k.localKey, localMasterSalt: k.localSalt, remoteMasterKey: k.remoteKey, remoteMasterSalt: k.remoteSalt },
    });
    const split = splitDtlsSrtpKeyingMaterial(material, profile, 'server');
    expect(Buffer.compare(Buffer.from(split.localMasterKey), k.localKey)).toBe(0);
    expect(Buffer.compare(Buffer.from(split.remoteMasterSalt), k.remoteSalt)).toBe(0);

    const rng = seededRandom(21);
    for (let seq = 1; seq <= 5; seq++) {
      const { header, payload, bytes } = rtpPacket(rng, { seq, ssrc: 0xd715 });
      // client -> server (ours -> ours)
      const buf = withRoom(bytes, ourClient.params.rtpOverhead);
      const n = ourClient.protectRtp(buf, bytes.length);
      const copy = Buffer.from(buf.subarray(0, n));
      expect(ourServer.unprotectRtp(buf, n)).toBe(bytes.length);
      expect(Buffer.compare(buf.subarray(0, bytes.length), bytes)).toBe(0);
      // the same client packet is readable by werift's server session
      expect(Buffer.compare(weriftServer.decrypt(copy), bytes)).toBe(0);
      // werift server -> our client
      const back = weriftServer.encrypt(payload, header);
      expect(ourClient.unprotectRtp(back, back.length)).toBe(bytes.length);
      expect(Buffer.compare(back.subarray(0, bytes.length), bytes)).toBe(0);
    }
    ourClient.close();
    ourServer.close();
    client.close();
    server.close();
  });

  it('refuses keying material of the wrong length', () => {
    expect(() => splitDtlsSrtpKeyingMaterial(new Uint8Array(10), profile, 'client')).toThrow(RangeError);
  });
});
