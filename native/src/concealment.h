// Packet-loss concealment for 16 kHz PCM frames (the Opus decoder used in JS has no
// PLC entry point, and G.711 has none). On the first lost frame of a run, the last
// good frame is replayed under a fade to zero over the fade length, mixed with
// comfort noise; later lost frames carry comfort noise only, at a low level that
// follows the quietest recent good frames (clamped to [-70, -50] dBFS).
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

class Concealer {
 public:
  static constexpr size_t kMaxFrame = 960;  // 20 ms at 48 kHz, 60 ms at 16 kHz

  // frameSamples <= kMaxFrame; fadeSamples is clamped to the frame length.
  bool configure(size_t frameSamples, size_t fadeSamples, uint32_t seed = 0x9E3779B9u);
  void reset();
  size_t frameSamples() const { return frameSamples_; }

  // Remembers a correctly received (decoded) frame of frameSamples.
  void noteGood(const int16_t* pcm);
  // Writes frameSamples of concealment for one lost frame.
  void conceal(int16_t* out);
  // Level of the comfort noise, dBFS (RMS).
  float comfortLevelDb() const { return comfortDb_; }
  // Number of consecutive lost frames so far (0 after a good frame).
  uint32_t lostRun() const { return lostRun_; }

 private:
  float nextNoise();  // uniform in [-1, 1)

  int16_t last_[kMaxFrame] = {};
  size_t frameSamples_ = 0;
  size_t fadeSamples_ = 0;
  bool haveLast_ = false;
  uint32_t lostRun_ = 0;
  uint32_t rng_ = 0x9E3779B9u;
  float comfortDb_ = -65.0f;
};

}  // namespace firstring
