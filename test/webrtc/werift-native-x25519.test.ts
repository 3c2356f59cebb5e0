import { describe, expect, it } from 'vitest';
import { installNativeX25519, weriftNacl, x25519, x25519KeyPair } from '../../src/media/werift-native-x25519.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 7748 §6.1 Diffie-Hellman test vector.
const ALICE_PRIV = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_PUB = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const BOB_PRIV = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
const BOB_PUB = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

describe('native X25519 for werift DTLS', () => {
  it('computes the RFC 7748 §6.1 shared secret both ways', () => {
    expect(toHex(x25519(hex(ALICE_PRIV), hex(BOB_PUB)))).toBe(SHARED);
    expect(toHex(x25519(hex(BOB_PRIV), hex(ALICE_PUB)))).toBe(SHARED);
  });

  it('makes key pairs tweetnacl agrees with, each key in its own 32-byte buffer', () => {
    const nacl = weriftNacl() as ReturnType<typeof weriftNacl> & { scalarMult: { base: (n: Uint8Array) => Uint8Array } };
    const mine = x25519KeyPair();
    expect(mine.secretKey.buffer.byteLength).toBe(32);
    expect(mine.publicKey.buffer.byteLength).toBe(32);
    expect(toHex(nacl.scalarMult.base(mine.secretKey))).toBe(toHex(mine.publicKey));
    const theirs = nacl.box.keyPair();
    expect(toHex(x25519(mine.secretKey, theirs.publicKey))).toBe(toHex(nacl.scalarMult(theirs.secretKey, mine.publicKey)));
  });

  it('refuses a bad key length and a small-order peer key with an error', () => {
    expect(() => x25519(new Uint8Array(31), hex(BOB_PUB))).toThrow(RangeError);
    expect(() => x25519(hex(ALICE_PRIV), new Uint8Array(32))).toThrow();
  });

  it('routes the tweetnacl functions werift calls to node:crypto, keeping scalarMult.base', () => {
    const scalarMult = Object.assign((n: Uint8Array, p: Uint8Array) => new Uint8Array(32).fill(n[0] ?? 0).fill(p[0] ?? 0, 16), { base: (n: Uint8Array) => n });
    const fake = { box: { keyPair: () => ({ publicKey: new Uint8Array(32), secretKey: new Uint8Array(32) }) }, scalarMult };
    installNativeX25519(fake);
    expect(toHex(fake.scalarMult(hex(ALICE_PRIV), hex(BOB_PUB)))).toBe(SHARED);
    expect(fake.box.keyPair().publicKey.some((b) => b !== 0)).toBe(true);
    expect((fake.scalarMult as unknown as { base: unknown }).base).toBe(scalarMult.base);
    const patched = fake.scalarMult;
    installNativeX25519(fake);
    expect(fake.scalarMult).toBe(patched);
  });
});
