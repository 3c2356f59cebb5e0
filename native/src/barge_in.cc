// Barge-in detector: caller voice that outlasts minSpeechMs while staying above the echo
// the agent's own audio is expected to produce (its level envelope, attenuated by the echo
// return loss, held over the echo delay window, then decaying over the echo tail).
#include "barge_in.h"

#include <cmath>

namespace firstring {

namespace {

float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

float frameDb(const int16_t* pcm, size_t n) {
  double sumSq = 0.0;
  for (size_t i = 0; i < n; ++i) sumSq += static_cast<double>(pcm[i]) * pcm[i];
  const double ms = sumSq / (static_cast<double>(n) * 32768.0 * 32768.0);
  return static_cast<float>(10.0 * std::log10(ms > 1e-12 ? ms : 1e-12));
}

bool inRange(float v, float lo, float hi) { return std::isfinite(v) && v >= lo && v <= hi; }

}  // namespace

const char* BargeInDetector::validate(const BargeInConfig& c) {
  if (c.sampleRate != 8000 && c.sampleRate != 16000) return "sampleRate must be 8000 or 16000";
  if (!inRange(c.minSpeechMs, 0.0f, 5000.0f)) return "minSpeechMs must be within 0..5000";
  if (!inRange(c.echoMarginDb, 0.0f, 40.0f)) return "echoMarginDb must be within 0..40";
  if (!inRange(c.echoReturnLossDb, 0.0f, 80.0f)) return "echoReturnLossDb must be within 0..80";
  if (!inRange(c.echoDelayMaxMs, 0.0f, 600.0f)) return "echoDelayMaxMs must be within 0..600";
  if (!inRange(c.echoTailMs, 10.0f, 2000.0f)) return "echoTailMs must be within 10..2000";
  if (!inRange(c.echoDelaySearchMs, 0.0f, 600.0f)) return "echoDelaySearchMs must be within 0..600";
  if (!inRange(c.echoDelayToleranceMs, 0.0f, 200.0f)) return "echoDelayToleranceMs must be within 0..200";
  if (!inRange(c.gapToleranceMs, 0.0f, 500.0f)) return "gapToleranceMs must be within 0..500";
  if (!inRange(c.vadThreshold, 0.01f, 0.99f)) return "vadThreshold must be within 0.01..0.99";
  return nullptr;
}

BargeInDetector::BargeInDetector(const BargeInConfig& config) {
  const BargeInConfig d;
  config_.sampleRate = config.sampleRate >= 16000 ? 16000 : 8000;
  auto pick = [](float v, float lo, float hi, float fallback) { return std::isfinite(v) ? clampf(v, lo, hi) : fallback; };
  config_.minSpeechMs = pick(config.minSpeechMs, 0.0f, 5000.0f, d.minSpeechMs);
  config_.echoMarginDb = pick(config.echoMarginDb, 0.0f, 40.0f, d.echoMarginDb);
  config_.echoReturnLossDb = pick(config.echoReturnLossDb, 0.0f, 80.0f, d.echoReturnLossDb);
  config_.echoDelayMaxMs = pick(config.echoDelayMaxMs, 0.0f, 600.0f, d.echoDelayMaxMs);
  config_.echoTailMs = pick(config.echoTailMs, 10.0f, 2000.0f, d.echoTailMs);
  config_.echoDelaySearchMs = pick(config.echoDelaySearchMs, 0.0f, 600.0f, d.echoDelaySearchMs);
  config_.echoDelayToleranceMs = pick(config.echoDelayToleranceMs, 0.0f, 200.0f, d.echoDelayToleranceMs);
  config_.gapToleranceMs = pick(config.gapToleranceMs, 0.0f, 500.0f, d.gapToleranceMs);
  config_.vadThreshold = pick(config.vadThreshold, 0.01f, 0.99f, d.vadThreshold);
  reset();
}

void BargeInDetector::reset() {
  agentSpeaking_ = false;
  fired_ = false;
  speechRunMs_ = 0.0;
  gapMs_ = 0.0;
  speechStartMs_ = 0.0;
  echoEnvelopeDb_ = -120.0f;
  for (int i = 0; i < kAgentHistory; ++i) {
    agentDb_[i] = -120.0f;
    agentMs_[i] = 0.0f;
  }
  agentPos_ = 0;
  agentCount_ = 0;
  agentNoted_ = false;
  for (float& x : xcorr_) x = 0.0f;
  meanAgent_ = meanCaller_ = -70.0f;
  varAgent_ = varCaller_ = 0.0f;
  delayFrames_ = -1;
  sinceClearMs_ = 0.0;
  lagFrameMs_ = 20.0;
}

double BargeInDetector::estimatedEchoDelayMs() const { return delayFrames_ < 0 ? -1.0 : delayFrames_ * lagFrameMs_; }

// Loudest agent level among frames whose age (ms before the newest) lies in [fromMs, toMs].
float BargeInDetector::heldAgentDb(double fromMs, double toMs) const {
  float held = -120.0f;
  double age = 0.0;
  for (int i = 0, idx = agentPos_; i < agentCount_; ++i) {
    idx = (idx + kAgentHistory - 1) % kAgentHistory;
    if (age > toMs) break;
    if (age >= fromMs && agentDb_[idx] > held) held = agentDb_[idx];
    age += agentMs_[idx];
  }
  return held;
}

void BargeInDetector::updateDelayEstimate(float callerDb, double frameMs) {
  // Levels below -70 dBFS are all "silent": the envelopes' shape is what matters.
  constexpr float kFloorDb = -70.0f;
  constexpr float kMinCorrelation = 0.5f;
  constexpr double kHoldMs = 3000.0;
  lagFrameMs_ = frameMs;
  const int maxLag = static_cast<int>(config_.echoDelaySearchMs / frameMs);
  const int lags = maxLag + 1 < agentCount_ ? maxLag + 1 : agentCount_;
  // Only while the agent has been audible within the search range: otherwise both
  // envelopes are noise and would wash the estimate out.
  if (lags <= 0 || heldAgentDb(0.0, config_.echoDelaySearchMs) < -50.0f) return;
  const float w = frameWeight(0.03f, frameMs);
  const float c = (callerDb > kFloorDb ? callerDb : kFloorDb);
  const float newest = agentDb_[(agentPos_ + kAgentHistory - 1) % kAgentHistory];
  const float a0 = newest > kFloorDb ? newest : kFloorDb;
  meanCaller_ += w * (c - meanCaller_);
  meanAgent_ += w * (a0 - meanAgent_);
  varCaller_ += w * ((c - meanCaller_) * (c - meanCaller_) - varCaller_);
  varAgent_ += w * ((a0 - meanAgent_) * (a0 - meanAgent_) - varAgent_);
  int best = -1;
  float bestScore = 0.0f;
  for (int lag = 0, idx = agentPos_; lag < lags; ++lag) {
    idx = (idx + kAgentHistory - 1) % kAgentHistory;
    const float a = agentDb_[idx] > kFloorDb ? agentDb_[idx] : kFloorDb;
    xcorr_[lag] += w * ((a - meanAgent_) * (c - meanCaller_) - xcorr_[lag]);
    if (xcorr_[lag] > bestScore) {
      bestScore = xcorr_[lag];
      best = lag;
    }
  }
  const float norm = std::sqrt(varAgent_ * varCaller_);
  if (best >= 0 && norm > 1e-3f && bestScore / norm >= kMinCorrelation) {
    delayFrames_ = best;
    sinceClearMs_ = 0.0;
  } else if (delayFrames_ >= 0) {
    // Double talk decorrelates the envelopes: that is exactly when the estimate is needed,
    // so keep the last clear one for a while (the echo path does not jump).
    sinceClearMs_ += frameMs;
    if (sinceClearMs_ > kHoldMs) delayFrames_ = -1;
  }
}

void BargeInDetector::setAgentSpeaking(bool speaking) {
  if (speaking && !agentSpeaking_) {
    fired_ = false;
    speechRunMs_ = 0.0;
    gapMs_ = 0.0;
  }
  agentSpeaking_ = speaking;
}

void BargeInDetector::noteAgentFrame(const int16_t* pcm, size_t n) {
  if (pcm == nullptr || n == 0) return;
  agentDb_[agentPos_] = frameDb(pcm, n);
  agentMs_[agentPos_] = static_cast<float>(n * 1000.0 / config_.sampleRate);
  agentPos_ = (agentPos_ + 1) % kAgentHistory;
  if (agentCount_ < kAgentHistory) ++agentCount_;
  agentNoted_ = true;
}

BargeInResult BargeInDetector::process(const VadResult& vad, const int16_t* callerPcm, size_t n, double frameTimeMs) {
  BargeInResult r;
  const double frameMs = n > 0 ? n * 1000.0 / config_.sampleRate : 20.0;
  if (!agentNoted_) {
    // No outbound audio this tick: the agent was silent for this frame's duration.
    agentDb_[agentPos_] = -120.0f;
    agentMs_[agentPos_] = static_cast<float>(frameMs);
    agentPos_ = (agentPos_ + 1) % kAgentHistory;
    if (agentCount_ < kAgentHistory) ++agentCount_;
  }
  agentNoted_ = false;

  const float callerDb = (callerPcm != nullptr && n > 0) ? frameDb(callerPcm, n) : -120.0f;
  // The estimate learns only while the caller is not being counted as talking over the
  // agent (a double-talk freeze, as echo cancellers freeze adaptation).
  if (config_.echoDelaySearchMs > 0.0f && speechRunMs_ <= 0.0) updateDelayEstimate(callerDb, frameMs);

  // Expected echo: the loudest agent frame within the delay window (around the estimated
  // delay when there is one), attenuated by the return loss, or the previous envelope
  // decayed along the tail, whichever is higher.
  float held;
  if (delayFrames_ >= 0) {
    const double centre = delayFrames_ * frameMs;
    held = heldAgentDb(centre - config_.echoDelayToleranceMs, centre + config_.echoDelayToleranceMs);
  } else {
    const double widest = config_.echoDelayMaxMs > config_.echoDelaySearchMs ? config_.echoDelayMaxMs : config_.echoDelaySearchMs;
    held = heldAgentDb(0.0, widest);
  }
  const float decayed = echoEnvelopeDb_ - static_cast<float>(60.0 * frameMs / config_.echoTailMs);
  const float expected = held - config_.echoReturnLossDb;
  echoEnvelopeDb_ = expected > decayed ? expected : decayed;
  if (echoEnvelopeDb_ < -120.0f) echoEnvelopeDb_ = -120.0f;

  if (!agentSpeaking_ || fired_ || callerPcm == nullptr || n == 0) {
    speechRunMs_ = 0.0;
    gapMs_ = 0.0;
    return r;
  }
  const bool voiced = vad.probability >= config_.vadThreshold && callerDb > echoEnvelopeDb_ + config_.echoMarginDb;
  if (voiced) {
    if (speechRunMs_ <= 0.0) speechStartMs_ = frameTimeMs;
    speechRunMs_ += frameMs + gapMs_;
    gapMs_ = 0.0;
  } else if (speechRunMs_ > 0.0) {
    gapMs_ += frameMs;
    if (gapMs_ > config_.gapToleranceMs) {
      speechRunMs_ = 0.0;
      gapMs_ = 0.0;
    }
  }
  if (speechRunMs_ + 1e-6 >= config_.minSpeechMs && speechRunMs_ > 0.0) {
    fired_ = true;
    r.triggered = true;
    r.atMs = frameTimeMs;
    r.speechStartMs = speechStartMs_;
    speechRunMs_ = 0.0;
  }
  return r;
}

}  // namespace firstring
