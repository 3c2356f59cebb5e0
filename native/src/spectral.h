// Spectral front end of the frame VAD: a fixed 32 ms Hann-windowed real FFT over the most
// recent samples (512 points at 16 kHz, 256 at 8 kHz, so both give 31.25 Hz bins), sixteen
// speech bands from 125 Hz to 4 kHz, spectral flatness, and a minimum-statistics noise
// tracker (Martin 2001, simplified). Everything is preallocated; nothing allocates per frame.
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

constexpr int kVadBands = 16;
constexpr int kVadMaxFft = 512;

struct SpectralFrame {
  float bandPower[kVadBands];  // mean-square contribution of each band (linear)
  float flatnessDb;            // 10*log10(geometric/arithmetic mean) over 312 Hz..4 kHz, <= 0
};

class SpectralAnalyzer {
 public:
  explicit SpectralAnalyzer(int sampleRate);
  void reset();
  // Appends the frame (int16 PCM) to the 32 ms history and analyses the window. Returns
  // false while the history is still filling since reset() (the spectrum is then partial).
  bool analyze(const int16_t* pcm, size_t n, SpectralFrame& out);
  int fftSize() const { return fftSize_; }

 private:
  int fftSize_;
  int filled_ = 0;  // samples in the history since reset(), up to fftSize_
  float history_[kVadMaxFft];
};

// Tracks a noise power estimate for kChannels channels (the bands plus the full band).
// The first 200 ms are averaged as noise (a call opens on line noise, not speech). Then minimum statistics over ten 200 ms sub-windows bound a recursive average that only
// moves in frames judged non-speech, so it follows rising noise within about 2 s but
// never absorbs a long utterance.
class NoiseTracker {
 public:
  static constexpr int kChannels = kVadBands + 1;
  static constexpr int kSubWindows = 10;
  NoiseTracker();
  void reset();
  bool primed() const { return primed_; }
  // True during the initial noise learning period.
  bool learning() const { return !primed_ || learnedMs_ < kLearnMs; }
  static constexpr double kLearnMs = 200.0;
  float noise(int channel) const { return noise_[channel]; }
  // power: current frame's channel powers; floor: absolute lower bound per channel.
  void update(const float* power, const float* floor, double frameMs, bool speechLikely);

 private:
  bool primed_ = false;
  int learnFrames_ = 0;        // frames averaged while learning the initial noise
  double learnedMs_ = 0.0;
  int filled_ = 0;
  int ringPos_ = 0;
  double subElapsedMs_ = 0.0;
  float smoothed_[kChannels];
  float currentMin_[kChannels];
  float ring_[kSubWindows][kChannels];
  float noise_[kChannels];
};

// An exponential-average weight given per 20 ms frame, converted for a frame of frameMs.
float frameWeight(float weightPer20Ms, double frameMs);

// log2 approximation (max error about 0.01), for per-bin spectra where logf is too slow.
float fastLog2(float x);

}  // namespace firstring
