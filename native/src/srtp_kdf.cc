#include "srtp_kdf.h"

#include <openssl/evp.h>

#include <climits>
#include <cstring>

namespace firstring {
namespace srtp {

bool AesCmKeystream(const uint8_t key[16], const uint8_t iv[16], uint8_t* out, size_t len) {
  if (len > static_cast<size_t>(INT_MAX)) return false;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return false;
  bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key, iv) == 1;
  std::memset(out, 0, len);
  int out_len = 0;
  // Encrypting zeros in counter mode yields the keystream itself.
  ok = ok && (len == 0 || EVP_EncryptUpdate(ctx, out, &out_len, out, static_cast<int>(len)) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

bool DeriveSessionKey(const uint8_t* master_key, size_t key_len, const uint8_t* master_salt,
                      size_t salt_len, KdfLabel label, uint8_t* out, size_t out_len) {
  if (key_len != 16 || salt_len > 14) return false;
  // x = key_id XOR master_salt, key_id = label || r with r = 0 (48-bit index DIV kdr).
  // The label is the byte at position 7 of the 14-byte value (RFC 3711 §4.3.1).
  uint8_t iv[16] = {0};
  std::memcpy(iv, master_salt, salt_len);
  iv[7] ^= static_cast<uint8_t>(label);
  return AesCmKeystream(master_key, iv, out, out_len);
}

void AesCmIv(const uint8_t session_salt[14], uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
  std::memcpy(iv, session_salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  iv[4] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<uint8_t>(ssrc);
  for (int i = 0; i < 6; ++i) {
    iv[8 + i] ^= static_cast<uint8_t>(index >> (8 * (5 - i)));
  }
}

}  // namespace srtp
}  // namespace firstring
