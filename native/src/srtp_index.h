// SRTP packet index estimation: RFC 3711 §3.3.1 and Appendix A.
#pragma once
#include <cstdint>

namespace firstring {
namespace srtp {

constexpr uint64_t kMaxRtpIndex = (uint64_t{1} << 48) - 1;

// Guesses the 48-bit index i = 2^16 * v + SEQ of a packet from the stream's rollover
// counter (ROC) and highest received sequence number s_l, exactly as Appendix A:
//   if s_l < 2^15: v = ROC - 1 if SEQ - s_l > 2^15, else ROC
//   else:          v = ROC + 1 if s_l - 2^15 > SEQ, else ROC
// Returns -1 when the guess is v = -1 (a packet from before the stream began), which the
// caller treats as too old. The ROC/s_l update (ROC = v and s_l = SEQ when i is the new
// highest index) is done by the caller only once the packet has authenticated.
inline int64_t EstimateRtpIndex(uint32_t roc, uint16_t s_l, uint16_t seq) {
  int64_t v = roc;
  if (s_l < 32768) {
    if (static_cast<int32_t>(seq) - static_cast<int32_t>(s_l) > 32768) v = static_cast<int64_t>(roc) - 1;
  } else {
    if (static_cast<int32_t>(s_l) - 32768 > static_cast<int32_t>(seq)) v = static_cast<int64_t>(roc) + 1;
  }
  if (v < 0) return -1;
  return (v << 16) | seq;
}

}  // namespace srtp
}  // namespace firstring
