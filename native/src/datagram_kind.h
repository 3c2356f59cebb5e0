// Demultiplexing of the datagrams that share one ICE pair's UDP socket, by their first
// bytes: RFC 7983 §7 (STUN 0-3, DTLS 20-63, RTP/RTCP 128-191) and, for RTP and RTCP
// multiplexed on one port, RFC 5761 §4 (second byte 192-223, i.e. payload type 64-95
// with the marker bit, is RTCP).
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

enum class DatagramKind : uint8_t { Other = 0, Stun = 1, Dtls = 2, Rtp = 3, Rtcp = 4 };

inline DatagramKind classifyDatagram(const uint8_t* p, size_t len) {
  if (len == 0) return DatagramKind::Other;
  const uint8_t b0 = p[0];
  if (b0 >= 128 && b0 <= 191) {
    if (len < 2) return DatagramKind::Other;
    const uint8_t pt = p[1] & 0x7f;
    if (pt >= 64 && pt <= 95) return DatagramKind::Rtcp;
    // An RTP packet has at least its 12-byte fixed header (RFC 3550 §5.1).
    return len >= 12 ? DatagramKind::Rtp : DatagramKind::Other;
  }
  if (b0 <= 3) return DatagramKind::Stun;
  if (b0 >= 20 && b0 <= 63) return DatagramKind::Dtls;
  return DatagramKind::Other;
}

}  // namespace firstring
