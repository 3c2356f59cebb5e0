// Barge-in detector (contract shared by the VAD and media-engine modules): while the agent
// speaks, decides whether caller audio is a real interruption, not echo, a cough or a backchannel.
#pragma once
#include <cstddef>
#include <cstdint>
#include "vad.h"

namespace firstring {

struct BargeInConfig {
  int sampleRate = 16000;       // rate of both the caller and the agent frames: 8000 or 16000
  float minSpeechMs = 200.0f;   // caller speech must last this long to interrupt
  float echoMarginDb = 6.0f;    // caller energy must exceed expected echo by this margin
  float echoReturnLossDb = 20.0f;  // assumed attenuation of the agent's audio in the return path
  float echoDelayMaxMs = 60.0f;    // echo may arrive up to this late (delay tolerance)
  // > 0: estimate the echo delay, up to this lag, by cross-correlating the agent's and the
  // caller's level envelopes, and once the estimate is clear use a window of
  // +-echoDelayToleranceMs around it instead of 0..echoDelayMaxMs. For long round trips
  // (SIP, PSTN) where the echo comes back 100-500 ms after the agent frame is noted.
  float echoDelaySearchMs = 0.0f;
  float echoDelayToleranceMs = 40.0f;
  float echoTailMs = 150.0f;       // after that the expected echo decays by 60 dB over this time
  float gapToleranceMs = 40.0f;    // dips shorter than this do not break a speech run
  float vadThreshold = 0.5f;       // frame VAD probability that counts as caller voice
};

struct BargeInResult {
  bool triggered = false;   // true on the frame where the interruption is decided
  double atMs = 0.0;        // timestamp of that frame (caller's media clock, ms)
  double speechStartMs = 0.0;  // timestamp of the first frame of the interrupting speech
};

class BargeInDetector {
 public:
  // Out-of-range values are clamped (never throws); check validate() to refuse them.
  explicit BargeInDetector(const BargeInConfig& config);
  static const char* validate(const BargeInConfig& config);
  const BargeInConfig& config() const { return config_; }
  void reset();
  // A rising edge re-arms the detector for the agent's new turn.
  void setAgentSpeaking(bool speaking);
  // The agent's outbound audio for the same tick: feeds the expected-echo envelope.
  void noteAgentFrame(const int16_t* pcm, size_t n);
  BargeInResult process(const VadResult& vad, const int16_t* callerPcm, size_t n, double frameTimeMs);
  // Expected echo level at the caller's microphone now, dBFS (for tests and stats).
  float expectedEchoDb() const { return echoEnvelopeDb_; }
  // Estimated echo delay in ms, or -1 while there is no clear estimate (or search is off).
  double estimatedEchoDelayMs() const;

 private:
  static constexpr int kAgentHistory = 64;  // agent frame levels kept for the delay window
  void updateDelayEstimate(float callerDb, double frameMs);
  float heldAgentDb(double fromMs, double toMs) const;
  BargeInConfig config_;
  bool agentSpeaking_ = false;
  bool fired_ = false;
  double speechRunMs_ = 0.0;
  double gapMs_ = 0.0;
  double speechStartMs_ = 0.0;
  float echoEnvelopeDb_ = -120.0f;
  float agentDb_[kAgentHistory];
  float agentMs_[kAgentHistory];
  int agentPos_ = 0;
  int agentCount_ = 0;
  bool agentNoted_ = false;  // an agent frame arrived since the last process()
  // Echo delay estimation: exponentially weighted cross-covariance of the agent's level
  // (at each lag, in frames) with the caller's level now, plus the means and variances.
  float xcorr_[kAgentHistory];
  float meanAgent_ = -70.0f, meanCaller_ = -70.0f, varAgent_ = 0.0f, varCaller_ = 0.0f;
  int delayFrames_ = -1;     // estimated lag in frames, -1 = none yet
  double sinceClearMs_ = 0.0;  // time since the correlation peak was last clear
  double lagFrameMs_ = 20.0;  // frame duration the lags are counted in
};

}  // namespace firstring
