// SRTP/SRTCP replay list as a sliding window (RFC 3711 §3.3.2).
//
// Use it in two steps, as werift's packages/rtp/src/srtp/replay.ts does: Check() before
// any cryptographic work, Accept() only after the packet authenticated. A forged packet
// therefore never moves the window, so it cannot make later genuine packets look old.
#pragma once
#include <cstdint>

namespace firstring {
namespace srtp {

enum class ReplayVerdict { kFresh, kDuplicate, kTooOld };

class ReplayWindow {
 public:
  // Window width in packets (RFC 3711 §3.3.2 requires at least 64).
  static constexpr uint64_t kSize = 128;

  ReplayVerdict Check(uint64_t index) const;
  void Accept(uint64_t index);

  bool empty() const { return empty_; }
  uint64_t highest() const { return highest_; }

 private:
  bool TestBit(uint64_t index) const;
  void SetBit(uint64_t index);
  void ClearBit(uint64_t index);

  // Bit (index mod kSize) records whether that index inside [highest-kSize+1, highest]
  // was received.
  uint64_t bits_[kSize / 64] = {};
  uint64_t highest_ = 0;
  bool empty_ = true;
};

}  // namespace srtp
}  // namespace firstring
