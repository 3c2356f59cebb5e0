// Streaming polyphase FIR resampler among 8, 16, 24 and 48 kHz.
// Design: upsample by L, low-pass, downsample by M (L/M = out/in reduced), with a
// Kaiser-windowed sinc prototype (80 dB stopband, passband to 0.4 x the lower rate,
// stopband from 0.5 x the lower rate, i.e. its Nyquist). State and buffers are
// allocated once in configure(); process() never allocates.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace firstring {

class Resampler {
 public:
  static bool supportedRate(int rate);

  // Returns false (and leaves the resampler unusable) for unsupported rates.
  bool configure(int inRate, int outRate);
  void reset();

  int inRate() const { return inRate_; }
  int outRate() const { return outRate_; }
  bool ready() const { return L_ > 0; }
  // Upper bound of the output count for n input samples (size the output with it).
  size_t maxOutput(size_t n) const;
  // Filter group delay in output samples.
  double delayOutputSamples() const;

  // Consumes n input samples, writes at most outCap samples; returns the count written.
  // With outCap >= maxOutput(n) every input sample is consumed.
  size_t process(const int16_t* in, size_t n, int16_t* out, size_t outCap);
  size_t process(const float* in, size_t n, float* out, size_t outCap);

 private:
  static constexpr size_t kChunk = 1024;
  template <typename In>
  size_t run(const In* in, size_t n, float* outF, int16_t* outI, size_t outCap);

  int inRate_ = 0;
  int outRate_ = 0;
  int L_ = 0;          // interpolation factor
  int M_ = 0;          // decimation factor
  size_t taps_ = 0;    // taps per phase
  long phasePos_ = 0;  // next output position on the upsampled grid, relative to chunk start
  std::vector<float> coeffs_;  // L_ phases x taps_, reversed for a forward dot product
  std::vector<float> buf_;     // taps_-1 history samples + one chunk
};

}  // namespace firstring
