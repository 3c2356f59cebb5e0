// Frame VAD: adaptive-noise-floor energy plus per-band spectral SNR and spectral flatness,
// combined by a logistic into a per-frame speech probability, then onset/hangover timing.
#include "vad.h"

#include <cmath>

namespace firstring {

namespace {

constexpr float kBackgroundDb = 15.0f;  // this far below the caller's speech level is background

float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

float powerToDb(float p) { return 10.0f * std::log10(p > 1e-12f ? p : 1e-12f); }

VadConfig sanitize(const VadConfig& in) {
  VadConfig c = in;
  c.sampleRate = in.sampleRate >= 16000 ? 16000 : 8000;
  c.onsetMs = std::isfinite(in.onsetMs) ? clampf(in.onsetMs, 0.0f, 2000.0f) : 60.0f;
  c.hangoverMs = std::isfinite(in.hangoverMs) ? clampf(in.hangoverMs, 0.0f, 5000.0f) : 200.0f;
  c.threshold = std::isfinite(in.threshold) ? clampf(in.threshold, 0.01f, 0.99f) : 0.5f;
  c.silenceFloorDbfs = std::isfinite(in.silenceFloorDbfs) ? clampf(in.silenceFloorDbfs, -100.0f, -20.0f) : -60.0f;
  return c;
}

}  // namespace

const char* FrameVad::validate(const VadConfig& c) {
  if (c.sampleRate != 8000 && c.sampleRate != 16000) return "sampleRate must be 8000 or 16000";
  if (!std::isfinite(c.onsetMs) || c.onsetMs < 0.0f || c.onsetMs > 2000.0f) return "onsetMs must be within 0..2000";
  if (!std::isfinite(c.hangoverMs) || c.hangoverMs < 0.0f || c.hangoverMs > 5000.0f) return "hangoverMs must be within 0..5000";
  if (!std::isfinite(c.threshold) || c.threshold < 0.01f || c.threshold > 0.99f) return "threshold must be within 0.01..0.99";
  if (!std::isfinite(c.silenceFloorDbfs) || c.silenceFloorDbfs < -100.0f || c.silenceFloorDbfs > -20.0f) {
    return "silenceFloorDbfs must be within -100..-20";
  }
  return nullptr;
}

FrameVad::FrameVad(const VadConfig& config) : config_(sanitize(config)), spectrum_(config_.sampleRate) { reset(); }

void FrameVad::reset() {
  spectrum_.reset();
  noise_.reset();
  for (float& s : spreadDb_) s = 3.0f;
  speechLevelDb_ = -120.0f;
  aboveMs_ = 0.0;
  belowMs_ = 0.0;
  speech_ = false;
}

VadResult FrameVad::process(const int16_t* pcm, size_t n) {
  VadResult r;
  if (pcm == nullptr || n == 0) {
    r.speech = speech_;
    return r;
  }
  const double frameMs = static_cast<double>(n) * 1000.0 / config_.sampleRate;

  double sumSq = 0.0;
  for (size_t i = 0; i < n; ++i) sumSq += static_cast<double>(pcm[i]) * pcm[i];
  const float meanSquare = static_cast<float>(sumSq / (static_cast<double>(n) * 32768.0 * 32768.0));
  r.energyDb = powerToDb(meanSquare);

  SpectralFrame spec;
  if (!spectrum_.analyze(pcm, n, spec)) {
    // The first 32 ms after reset: the window is partly empty, so the spectrum would
    // poison the noise estimate. Report silence and learn nothing yet.
    r.speech = speech_;
    return r;
  }

  // Channel powers: the sixteen bands, then the full band. The absolute floor (-75 dBFS
  // spread over the 4 kHz of the bands) keeps near-digital silence from looking like signal.
  float power[NoiseTracker::kChannels];
  float floorPower[NoiseTracker::kChannels];
  constexpr float kFloorPerBin = 3.16e-8f / 128.0f;  // -75 dBFS over 128 bins
  static constexpr int kBandBins[kVadBands] = {4, 4, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11, 13, 14, 14};
  for (int b = 0; b < kVadBands; ++b) {
    power[b] = spec.bandPower[b];
    floorPower[b] = kFloorPerBin * kBandBins[b];
  }
  power[kVadBands] = meanSquare;
  floorPower[kVadBands] = 3.16e-8f;

  float probability = 0.0f;
  float bandSnrDb[kVadBands];
  if (noise_.primed()) {
    // Band SNR beyond the noise's own typical fluctuation (a z-score in dB), so fluctuating
    // noise such as babble needs a larger excursion than steady noise to count as speech.
    float snrSum = 0.0f;
    for (int b = 0; b < kVadBands; ++b) {
      bandSnrDb[b] = powerToDb(power[b] / noise_.noise(b));
      snrSum += clampf(bandSnrDb[b] - spreadDb_[b], 0.0f, 30.0f);
    }
    const float bandSnr = snrSum / kVadBands;
    const float fullSnr = clampf(r.energyDb - powerToDb(noise_.noise(kVadBands)), -10.0f, 40.0f);
    const float tonality = clampf(-spec.flatnessDb, 0.0f, 20.0f);
    // Weights set on espeak-ng speech in white and babble noise (test/native/vad-quality);
    // the scale puts steady noise near 0.05 so the Silero gate sees clear silence as such.
    const float z = 1.5f * (bandSnr - 1.0f) + 0.3f * (fullSnr - 4.0f) + 0.3f * (tonality - 4.0f);
    // Once the caller has spoken, frames far below their speech level are more likely
    // background talkers than the caller (the near-end talker is the loud one on a phone).
    const float deficit = (speechLevelDb_ - kBackgroundDb) - r.energyDb;
    const float zz = deficit > 0.0f ? z - 0.3f * deficit : z;
    probability = 1.0f / (1.0f + std::exp(-zz));
  }
  if (r.energyDb < config_.silenceFloorDbfs) probability = 0.0f;
  const bool speechLikely = probability >= 0.1f;  // noise adapts only below this
  if (noise_.primed() && (!speechLikely || noise_.learning())) {
    // While the noise is being learned every frame is taken as noise, and fast.
    const float w = frameWeight(noise_.learning() ? 0.3f : 0.05f, frameMs);
    for (int b = 0; b < kVadBands; ++b) {
      spreadDb_[b] += w * (clampf(std::fabs(bandSnrDb[b]), 0.0f, 20.0f) - spreadDb_[b]);
    }
  }
  noise_.update(power, floorPower, frameMs, speechLikely);
  r.probability = probability;

  if (probability >= config_.threshold) {
    aboveMs_ += frameMs;
    belowMs_ = 0.0;
    if (!speech_ && aboveMs_ + 1e-6 >= config_.onsetMs) {
      speech_ = true;
      r.onset = true;
    }
  } else {
    belowMs_ += frameMs;
    aboveMs_ = 0.0;
    if (speech_ && belowMs_ + 1e-6 >= config_.hangoverMs) {
      speech_ = false;
      r.offset = true;
    }
  }
  if (speech_ && probability >= config_.threshold) {
    // Rises fast, falls slowly: it sits near the loud part of the caller's speech.
    if (speechLevelDb_ <= -119.0f) {
      speechLevelDb_ = r.energyDb;
    } else {
      const float w = frameWeight(r.energyDb > speechLevelDb_ ? 0.1f : 0.02f, frameMs);
      speechLevelDb_ += w * (r.energyDb - speechLevelDb_);
    }
  }
  r.speech = speech_;
  return r;
}

}  // namespace firstring
