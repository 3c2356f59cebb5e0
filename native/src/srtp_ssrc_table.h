// Fixed-capacity per-SSRC state table: allocated once with its context, so the packet path
// never allocates. One SRTP context carries a handful of streams (audio, RTX, RTCP).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace firstring {
namespace srtp {

template <typename State, size_t N>
class SsrcTable {
 public:
  static constexpr size_t kCapacity = N;

  State* Find(uint32_t ssrc) {
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].ssrc == ssrc) return &entries_[i];
    }
    return nullptr;
  }

  bool full() const { return size_ == N; }

  // Caller checks full() first; returns nullptr if there is no room.
  State* Insert(const State& state) {
    if (size_ == N) return nullptr;
    entries_[size_] = state;
    return &entries_[size_++];
  }

 private:
  std::array<State, N> entries_{};
  size_t size_ = 0;
};

}  // namespace srtp
}  // namespace firstring
