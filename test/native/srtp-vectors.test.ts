/** RFC 3711 Appendix B test vectors: B.2 AES-CM keystream, B.3 key derivation. */
import { describe, expect, it } from 'vitest';
import { aesCmKeystream, deriveSrtpSessionKey, SrtpKdfLabel } from '../../src/media/native-srtp.js';
import { hex } from './srtp-fixtures.js';

describe('SRTP AES-CM keystream (RFC 3711 B.2)', () => {
  const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const sessionSalt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');
  // SSRC 0, ROC 0, SEQ 0: the counter runs from F0F1...FCFD0000 to ...FCFDFF01.
  const keystream = aesCmKeystream(sessionKey, sessionSalt, 0, 0, 16 * 0xff02);
  const block = (i: number) => Buffer.from(keystream.subarray(16 * i, 16 * i + 16)).toString('hex').toUpperCase();

  it('matches the first three counter blocks', () => {
    expect(block(0)).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(block(1)).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(block(2)).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
  });

  it('matches the last three counter blocks (FEFF, FF00, FF01)', () => {
    expect(block(0xfeff)).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
    expect(block(0xff00)).toBe('362B7C3C6773516318A077D7FC5073AE');
    expect(block(0xff01)).toBe('6A2CC3787889374FBEB4C81B17BA6C44');
  });

  it('places SSRC and packet index in the counter as §4.1.1 says', () => {
    // IV = k_s*2^16 XOR SSRC*2^64 XOR i*2^16: with a zero salt the counter block is
    // 00000000 | SSRC | i (48 bits) | 0000, so block 0 equals AES(key, that block).
    const zeroSalt = Buffer.alloc(14);
    const ks = aesCmKeystream(sessionKey, zeroSalt, 0x01020304, 0x0a0b0c0d0e0f, 16);
    const counterAsSalt = hex('00000000010203040A0B0C0D0E0F');
    expect(Buffer.from(ks)).toEqual(Buffer.from(aesCmKeystream(sessionKey, counterAsSalt, 0, 0, 16)));
  });
});

describe('SRTP key derivation (RFC 3711 B.3)', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');
  const derive = (label: SrtpKdfLabel, n: number) =>
    Buffer.from(deriveSrtpSessionKey(masterKey, masterSalt, label, n)).toString('hex').toUpperCase();

  it('derives the cipher key', () => {
    expect(derive(SrtpKdfLabel.rtpEncryption, 16)).toBe('C61E7A93744F39EE10734AFE3FF7A087');
  });
  it('derives the cipher salt', () => {
    expect(derive(SrtpKdfLabel.rtpSalt, 14)).toBe('30CBBC08863D8C85D49DB34A9AE1');
  });
  it('derives the authentication key', () => {
    expect(derive(SrtpKdfLabel.rtpAuth, 20)).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
    expect(derive(SrtpKdfLabel.rtpAuth, 94)).toBe(
      'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4' +
        '8F0A0ACF3C34E2359E6CDBCEE049646C43D9327A' +
        'D175578EF72270986371C10C9A369AC2F94A8C5F' +
        'BCDDDC256D6E919A48B610EF17C2041E47403576' +
        '6B68642C59BBFC2F34DB60DBDFB2',
    );
  });
  it('rejects a master key of the wrong size', () => {
    expect(() => deriveSrtpSessionKey(Buffer.alloc(15), masterSalt, SrtpKdfLabel.rtpEncryption, 16)).toThrow(RangeError);
  });
});
