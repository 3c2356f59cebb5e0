// Bounds-checked reads of the RTP and RTCP fields SRTP needs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {
namespace srtp {

inline uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline void WriteU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

constexpr size_t kRtpFixedHeaderLen = 12;   // RFC 3550 §5.1
constexpr size_t kRtcpHeaderLen = 8;        // first RTCP header + sender SSRC (RFC 3711 §3.4)

// Length of the RTP header (fixed part, CSRC list and header extension, RFC 3550 §5.1 and
// §5.3.1) of a packet whose first `len` bytes are covered by the header and payload.
// Returns false if the version is not 2 or the header does not fit in `len`.
inline bool RtpHeaderLength(const uint8_t* p, size_t len, size_t* header_len) {
  if (len < kRtpFixedHeaderLen || (p[0] >> 6) != 2) return false;
  size_t n = kRtpFixedHeaderLen + 4u * (p[0] & 0x0fu);  // CSRC count
  if (p[0] & 0x10u) {                                   // X bit: extension header
    if (n + 4 > len) return false;
    n += 4 + 4u * ReadU16(p + n + 2);  // profile-defined 16 bits, then length in words
  }
  if (n > len) return false;
  *header_len = n;
  return true;
}

inline bool RtcpHeaderValid(const uint8_t* p, size_t len) {
  return len >= kRtcpHeaderLen && (p[0] >> 6) == 2;
}

}  // namespace srtp
}  // namespace firstring
