// Frame-level voice activity detector (contract shared by the VAD and media-engine modules).
// Energy with an adaptive noise floor plus spectral features; onset and hangover timing.
#pragma once
#include <cstddef>
#include <cstdint>
#include "spectral.h"

namespace firstring {

struct VadConfig {
  int sampleRate = 16000;     // 8000 or 16000
  float onsetMs = 60.0f;      // speech must persist this long to start a segment
  float hangoverMs = 200.0f;  // silence must persist this long to end it
  float threshold = 0.5f;     // probability above which a frame counts as speech
  float silenceFloorDbfs = -60.0f;  // frames quieter than this are silence whatever their spectrum
};

struct VadResult {
  float probability = 0.0f;  // per-frame speech probability, 0..1
  float energyDb = -120.0f;  // frame energy, dBFS
  bool speech = false;       // inside a speech segment (after onset/hangover smoothing)
  bool onset = false;        // this frame started a segment
  bool offset = false;       // this frame ended a segment
};

class FrameVad {
 public:
  // Out-of-range config values are clamped (the constructor never throws); callers that
  // want to refuse bad input check validate() first.
  explicit FrameVad(const VadConfig& config);
  // nullptr when the config is usable as given, else a message naming the bad field.
  static const char* validate(const VadConfig& config);
  // Largest frame process() analyses in full: 30 ms at the configured rate.
  size_t maxFrameSamples() const { return static_cast<size_t>(config_.sampleRate) * 30 / 1000; }
  const VadConfig& config() const { return config_; }
  void reset();
  // pcm: one frame (e.g. 320 samples = 20 ms at 16 kHz); frameMs is derived from n.
  // n == 0 or pcm == nullptr returns a silent result and leaves the state unchanged;
  // frames longer than 30 ms are measured whole but their spectrum comes from the last 32 ms.
  VadResult process(const int16_t* pcm, size_t n);

 private:
  VadConfig config_;
  SpectralAnalyzer spectrum_;     // 32 ms Hann-windowed FFT, band energies, flatness
  NoiseTracker noise_;            // minimum-statistics noise floor per band and full band
  float spreadDb_[kVadBands];     // typical |band SNR| of noise-only frames: how much the noise fluctuates
  float speechLevelDb_ = -120.0f;  // tracked level of this caller's speech (frames inside segments)
  double aboveMs_ = 0.0;          // run of frames above threshold (onset timer)
  double belowMs_ = 0.0;          // run of frames below threshold (hangover timer)
  bool speech_ = false;
};

}  // namespace firstring
