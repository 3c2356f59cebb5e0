// HMAC-SHA1 (RFC 2104) with the key absorbed once: the inner and outer SHA-1 states after
// the padded key blocks are kept, and each message starts from a copy of them. Plain
// structs, so authenticating a packet allocates nothing (RFC 3711 §4.2.1).
#pragma once
#include <cstddef>
#include <cstdint>

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED  // SHA1_* are deprecated in OpenSSL 3 but exported by node
#endif
#include <openssl/sha.h>

namespace firstring {
namespace srtp {

class HmacSha1 {
 public:
  static constexpr size_t kDigestLen = 20;

  // key_len at most 64 bytes (SRTP auth keys are 20).
  bool SetKey(const uint8_t* key, size_t key_len);

  // MAC of part1 || part2 (part2 may be empty) into out[20].
  void Compute(const uint8_t* part1, size_t len1, const uint8_t* part2, size_t len2,
               uint8_t out[kDigestLen]) const;

  ~HmacSha1();

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

}  // namespace srtp
}  // namespace firstring
