// SRTP key derivation (RFC 3711 §4.3) and the AES-CM counter block (§4.1.1).
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {
namespace srtp {

// Key derivation labels, RFC 3711 §4.3.1 / §4.3.2.
enum class KdfLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuth = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuth = 0x04,
  kRtcpSalt = 0x05,
};

// Derives `out_len` bytes for `label` with the AES-CM PRF of RFC 3711 §4.3.3:
// x = (label || r) XOR master_salt, output = AES-CM(master_key, x * 2^16), with
// key_derivation_rate 0 (r = 0, as DTLS-SRTP requires, RFC 5764 §4.1.2).
// master_salt may be shorter than 14 bytes (RFC 7714 §12: the 12-byte GCM salt is
// zero-padded on the right). Returns false if OpenSSL fails or lengths are invalid.
bool DeriveSessionKey(const uint8_t* master_key, size_t key_len, const uint8_t* master_salt,
                      size_t salt_len, KdfLabel label, uint8_t* out, size_t out_len);

// AES-CM counter block of RFC 3711 §4.1.1:
// IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), with a 14-byte session salt k_s
// and a 48-bit packet index i (SRTCP uses its 31-bit index as i, §3.4).
void AesCmIv(const uint8_t session_salt[14], uint32_t ssrc, uint64_t index, uint8_t iv[16]);

// Writes the AES-128-CM keystream for (key, iv) into out (testing and diagnostics:
// RFC 3711 Appendix B.2).
bool AesCmKeystream(const uint8_t key[16], const uint8_t iv[16], uint8_t* out, size_t len);

}  // namespace srtp
}  // namespace firstring
