#include "srtp_hmac.h"

#include <openssl/crypto.h>

#include <cstring>

namespace firstring {
namespace srtp {

bool HmacSha1::SetKey(const uint8_t* key, size_t key_len) {
  if (key_len > SHA_CBLOCK) return false;
  uint8_t ipad[SHA_CBLOCK];
  uint8_t opad[SHA_CBLOCK];
  std::memset(ipad, 0x36, sizeof ipad);
  std::memset(opad, 0x5c, sizeof opad);
  for (size_t i = 0; i < key_len; ++i) {
    ipad[i] ^= key[i];
    opad[i] ^= key[i];
  }
  bool ok = SHA1_Init(&inner_) == 1 && SHA1_Update(&inner_, ipad, sizeof ipad) == 1 &&
            SHA1_Init(&outer_) == 1 && SHA1_Update(&outer_, opad, sizeof opad) == 1;
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  return ok;
}

void HmacSha1::Compute(const uint8_t* part1, size_t len1, const uint8_t* part2, size_t len2,
                       uint8_t out[kDigestLen]) const {
  SHA_CTX ctx = inner_;
  SHA1_Update(&ctx, part1, len1);
  if (len2 > 0) SHA1_Update(&ctx, part2, len2);
  uint8_t inner_digest[kDigestLen];
  SHA1_Final(inner_digest, &ctx);
  ctx = outer_;
  SHA1_Update(&ctx, inner_digest, sizeof inner_digest);
  SHA1_Final(out, &ctx);
}

HmacSha1::~HmacSha1() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

}  // namespace srtp
}  // namespace firstring
