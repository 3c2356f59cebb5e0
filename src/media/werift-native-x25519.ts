import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * werift's DTLS does its X25519 ECDHE (RFC 8422 §5.11, RFC 7748 §5) with tweetnacl in
 * JavaScript: one key pair and one shared secret per handshake blocked a media worker
 * for 5–20 ms each (profile: bench/README.md, BENCHMARKS.md "Call load"). werift calls
 * `nacl.box.keyPair()` and `nacl.scalarMult(n, p)` through the shared tweetnacl module
 * object, so replacing those two functions on it in a media worker moves the curve
 * arithmetic to OpenSSL (node:crypto) without touching werift. Same inputs, same
 * bytes (RFC 7748 §5 clamping is done by both).
 */

// DER prefixes of a raw 32-byte X25519 key (RFC 8410 §4 SubjectPublicKeyInfo, §7 OneAsymmetricKey).
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const KEY_BYTES = 32;

interface NaclLike {
  box: { keyPair: () => { publicKey: Uint8Array; secretKey: Uint8Array } };
  scalarMult: (n: Uint8Array, p: Uint8Array) => Uint8Array;
}

/** A copy in its own 32-byte ArrayBuffer: werift reads `keys.secretKey.buffer`. */
function own(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(KEY_BYTES);
  out.set(bytes);
  return out;
}

function checkKey(what: string, k: Uint8Array): void {
  if (!(k instanceof Uint8Array) || k.length !== KEY_BYTES) throw new RangeError(`X25519 ${what} must be ${KEY_BYTES} bytes`);
}

/** A fresh X25519 key pair, raw 32-byte keys (tweetnacl's `box.keyPair` shape). */
export function x25519KeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { publicKey: own(spki.subarray(spki.length - KEY_BYTES)), secretKey: own(pkcs8.subarray(pkcs8.length - KEY_BYTES)) };
}

/**
 * X25519(scalar, point) (RFC 7748 §5). OpenSSL refuses a peer key of small order (an
 * all-zero result, RFC 7748 §6.1): that throws, which fails the handshake.
 */
export function x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  checkKey('private key', scalar);
  checkKey('public key', point);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
  return own(diffieHellman({ privateKey, publicKey }));
}

/** The tweetnacl instance werift imports (resolved from werift's own location). */
export function weriftNacl(): NaclLike {
  const req = createRequire(createRequire(import.meta.url).resolve('werift'));
  return req('tweetnacl') as NaclLike;
}

/** Routes werift's X25519 to node:crypto in this thread (idempotent). */
export function installNativeX25519(nacl: NaclLike = weriftNacl()): void {
  if ((nacl.scalarMult as { native?: boolean }).native) return;
  // Keep tweetnacl's own properties of scalarMult (`base`, lengths) for any other user.
  const scalarMult = Object.assign((n: Uint8Array, p: Uint8Array) => x25519(n, p), nacl.scalarMult, { native: true });
  nacl.box.keyPair = x25519KeyPair;
  nacl.scalarMult = scalarMult;
}
