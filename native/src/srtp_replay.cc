#include "srtp_replay.h"

namespace firstring {
namespace srtp {

bool ReplayWindow::TestBit(uint64_t index) const {
  uint64_t pos = index % kSize;
  return (bits_[pos / 64] >> (pos % 64)) & 1u;
}

void ReplayWindow::SetBit(uint64_t index) {
  uint64_t pos = index % kSize;
  bits_[pos / 64] |= uint64_t{1} << (pos % 64);
}

void ReplayWindow::ClearBit(uint64_t index) {
  uint64_t pos = index % kSize;
  bits_[pos / 64] &= ~(uint64_t{1} << (pos % 64));
}

ReplayVerdict ReplayWindow::Check(uint64_t index) const {
  if (empty_ || index > highest_) return ReplayVerdict::kFresh;
  if (highest_ - index >= kSize) return ReplayVerdict::kTooOld;
  return TestBit(index) ? ReplayVerdict::kDuplicate : ReplayVerdict::kFresh;
}

void ReplayWindow::Accept(uint64_t index) {
  if (empty_) {
    for (uint64_t& w : bits_) w = 0;
    highest_ = index;
    empty_ = false;
  } else if (index > highest_) {
    uint64_t advance = index - highest_;
    if (advance >= kSize) {
      for (uint64_t& w : bits_) w = 0;
    } else {
      // Slots of the indices entering the window held indices now falling out of it.
      for (uint64_t i = highest_ + 1; i < index; ++i) ClearBit(i);
    }
    highest_ = index;
  } else if (highest_ - index >= kSize) {
    return;  // callers Check() first; an index this old is never recorded
  }
  SetBit(index);
}

}  // namespace srtp
}  // namespace firstring
