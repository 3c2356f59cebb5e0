// SRTP protection profiles and result codes shared by the SRTP modules.
// Profile ids are the DTLS-SRTP values of RFC 5764 §4.1.2 / RFC 7714 §14.2
// (the same numbers werift uses).
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {
namespace srtp {

enum class Profile : uint16_t {
  kAesCm128HmacSha1_80 = 0x0001,  // RFC 3711 §4.1.1 + §4.2.1, 80-bit tag
  kAeadAes128Gcm = 0x0007,        // RFC 7714, 128-bit tag
};

// Per-packet outcome. Every entry point returns the new packet length (>= 0) or one of
// these negative codes; none of them throws for a bad packet.
enum Status : int32_t {
  kOk = 0,
  kAuthFailed = -1,       // tag mismatch (RFC 3711 §3.3 step 5)
  kReplayed = -2,         // index already seen inside the replay window (§3.3.2)
  kTooOld = -3,           // index left of the replay window (§3.3.2)
  kMalformed = -4,        // not a parsable RTP/RTCP packet, or lengths out of bounds
  kNoRoom = -5,           // buffer too small for the tag/trailer that protect appends
  kSsrcLimit = -6,        // too many SSRCs on one context
  kBadSession = -7,       // batch: unknown or closed session handle
  kIndexExhausted = -8,   // 2^48 RTP / 2^31 RTCP packets: rekey required (§9.2)
  kCryptoError = -9,      // OpenSSL refused an operation (should not happen)
  kBadDescriptor = -10,   // batch: offset/length/capacity outside the shared buffer
  kSendFailed = -11,      // protectRtpSendTo: the kernel refused the datagram (sendto failed)
};

struct ProfileParams {
  size_t key_len;       // master and session encryption key
  size_t salt_len;      // master salt as exported by DTLS-SRTP (RFC 5764 §4.2)
  size_t rtp_tag_len;   // bytes appended to an RTP packet
  size_t rtcp_tag_len;  // tag bytes of an SRTCP packet (the 4-byte E||index comes on top)
};

// Returns false for an unknown profile id.
inline bool LookupProfile(uint32_t id, Profile* profile, ProfileParams* params) {
  switch (id) {
    case static_cast<uint32_t>(Profile::kAesCm128HmacSha1_80):
      *profile = Profile::kAesCm128HmacSha1_80;
      *params = {16, 14, 10, 10};
      return true;
    case static_cast<uint32_t>(Profile::kAeadAes128Gcm):
      *profile = Profile::kAeadAes128Gcm;
      *params = {16, 12, 16, 16};  // RFC 7714 §12: 96-bit master salt
      return true;
    default:
      return false;
  }
}

constexpr size_t kSrtcpTrailerLen = 4;    // E flag + 31-bit SRTCP index (RFC 3711 §3.4)
constexpr size_t kMaxPacketLen = 65535;   // one UDP datagram

}  // namespace srtp
}  // namespace firstring
