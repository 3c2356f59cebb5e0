// One direction of an SRTP session (RFC 3711 §3.2): the session keys derived once from a
// master key and salt, the OpenSSL contexts keyed once and re-initialised with a fresh IV
// per packet, and the per-SSRC rollover counters and replay windows.
//
// Packets are processed in place. Protect appends the tag (and for SRTCP the E||index
// trailer) after `len`, so the buffer needs `capacity >= len + overhead`. Unprotect
// verifies the tag before anything else changes and strips it. Each call returns the new
// length (>= 0) or a negative srtp::Status; a bad packet never throws or aborts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "srtp_hmac.h"
#include "srtp_profile.h"
#include "srtp_replay.h"
#include "srtp_ssrc_table.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace firstring {
namespace srtp {

enum class Direction { kProtect, kUnprotect };

class SrtpContext {
 public:
  // Streams (SSRCs) tracked per context and per packet kind.
  static constexpr size_t kMaxStreams = 16;

  // Returns nullptr and sets *error for a bad profile or key/salt length.
  static std::unique_ptr<SrtpContext> Create(uint32_t profile_id, Direction direction,
                                             const uint8_t* master_key, size_t key_len,
                                             const uint8_t* master_salt, size_t salt_len,
                                             std::string* error);
  ~SrtpContext();
  SrtpContext(const SrtpContext&) = delete;
  SrtpContext& operator=(const SrtpContext&) = delete;

  int32_t ProtectRtp(uint8_t* buf, size_t len, size_t capacity);
  int32_t UnprotectRtp(uint8_t* buf, size_t len);
  int32_t ProtectRtcp(uint8_t* buf, size_t len, size_t capacity);
  int32_t UnprotectRtcp(uint8_t* buf, size_t len);

  Direction direction() const { return direction_; }
  const ProfileParams& params() const { return params_; }

 private:
  struct RtpStream {
    uint32_t ssrc = 0;
    uint32_t roc = 0;      // rollover counter (RFC 3711 §3.3.1)
    uint16_t s_l = 0;      // highest sequence number seen (receiver) / sent (sender)
    ReplayWindow replay;   // receiver only
  };
  struct RtcpStream {
    uint32_t ssrc = 0;
    uint32_t next_index = 0;  // sender: SRTCP index of the next packet (§3.4, starts at 0)
    ReplayWindow replay;      // receiver only
  };

  // Per-direction key material of one packet kind (RTP or RTCP).
  struct Keys {
    EVP_CIPHER_CTX* cipher = nullptr;  // AES-128-CTR or AES-128-GCM, keyed once
    HmacSha1 auth;                     // AES-CM profile only
    uint8_t salt[14] = {};             // session salt (12 bytes used by GCM)
  };

  SrtpContext(Profile profile, const ProfileParams& params, Direction direction);
  bool Init(const uint8_t* master_key, size_t key_len, const uint8_t* master_salt,
            size_t salt_len, std::string* error);
  bool InitKeys(Keys* keys, const uint8_t* master_key, size_t key_len,
                const uint8_t* master_salt, size_t salt_len, bool rtcp);

  // Counter mode over data[0, len) with the given IV (RFC 3711 §4.1.1).
  bool AesCtr(Keys* keys, const uint8_t iv[16], uint8_t* data, size_t len);
  // AES-GCM over data[0, len) with the AAD parts (RFC 7714 §§7-9). For encryption tag is
  // written; for decryption it is checked and false is returned on mismatch.
  bool AesGcm(Keys* keys, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, uint8_t* data, size_t len, uint8_t* tag);

  Profile profile_;
  ProfileParams params_;
  Direction direction_;
  Keys rtp_;
  Keys rtcp_;
  SsrcTable<RtpStream, kMaxStreams> rtp_streams_;
  SsrcTable<RtcpStream, kMaxStreams> rtcp_streams_;
};

}  // namespace srtp
}  // namespace firstring
