#include "concealment.h"

#include <algorithm>
#include <cmath>

#include "pcm.h"

namespace firstring {
namespace {
constexpr float kMinComfortDb = -70.0f;
constexpr float kMaxComfortDb = -50.0f;
}  // namespace

bool Concealer::configure(size_t frameSamples, size_t fadeSamples, uint32_t seed) {
  if (frameSamples == 0 || frameSamples > kMaxFrame) return false;
  frameSamples_ = frameSamples;
  fadeSamples_ = std::max<size_t>(1, std::min(fadeSamples, frameSamples));
  rng_ = seed != 0 ? seed : 0x9E3779B9u;
  reset();
  return true;
}

void Concealer::reset() {
  std::fill(last_, last_ + kMaxFrame, int16_t{0});
  haveLast_ = false;
  lostRun_ = 0;
  comfortDb_ = -65.0f;
}

float Concealer::nextNoise() {
  // xorshift32: cheap, deterministic per stream, never allocates.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 17;
  rng_ ^= rng_ << 5;
  return static_cast<float>(static_cast<int32_t>(rng_)) * (1.0f / 2147483648.0f);
}

void Concealer::noteGood(const int16_t* pcm) {
  std::copy(pcm, pcm + frameSamples_, last_);
  haveLast_ = true;
  lostRun_ = 0;
  // Comfort level tracks the background: drop at once to a quieter frame, rise slowly.
  const float e = std::min(kMaxComfortDb, std::max(kMinComfortDb, frameEnergyDb(pcm, frameSamples_)));
  comfortDb_ = e < comfortDb_ ? e : comfortDb_ + 0.1f * (e - comfortDb_);
}

void Concealer::conceal(int16_t* out) {
  // Uniform noise in [-a, a) has RMS a / sqrt(3).
  const float amplitude = std::sqrt(3.0f) * 32768.0f * std::pow(10.0f, comfortDb_ / 20.0f);
  const bool fade = haveLast_ && lostRun_ == 0;
  for (size_t i = 0; i < frameSamples_; ++i) {
    float v = amplitude * nextNoise();
    if (fade && i < fadeSamples_) {
      const float gain = 1.0f - static_cast<float>(i + 1) / static_cast<float>(fadeSamples_);
      v += gain * static_cast<float>(last_[i]);
    }
    v = std::max(-32768.0f, std::min(32767.0f, v));
    out[i] = static_cast<int16_t>(std::lrintf(v));
  }
  ++lostRun_;
}

}  // namespace firstring
