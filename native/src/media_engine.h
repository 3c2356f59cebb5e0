// Batch media engine: one instance per media worker thread, with preallocated call
// slots. A worker crosses into native code a constant number of times per 20 ms tick
// for all of its calls: ingest (all received RTP packets, packed), pull (playout of every
// due frame), analyze (concealment, VAD and barge-in for every call). See docs/native-core.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "barge_in.h"
#include "concealment.h"
#include "jitter_buffer.h"
#include "opus_frame_codec.h"
#include "resampler.h"
#include "vad.h"

namespace firstring {

enum class PayloadKind : uint8_t { Opus = 0, Pcmu = 1, Pcma = 2 };

// Per-slot status written by pull() (and read back by analyze()).
enum FrameStatus : uint8_t {
  kStatusNone = 0,  // nothing due this tick (or slot inactive)
  kStatusPcm = 1,   // 16 kHz PCM already in the slot's pcm frame (G.711, or Opus with decodeOpus)
  kStatusOpus = 2,  // Opus payload in the slot's payload area; JS decodes it into pcm (decodeOpus off)
  kStatusLost = 3,  // frame lost: analyze() conceals it into pcm
};

// Bits of results[slot * kResultStride + 0] written by analyze().
enum ResultFlags : uint32_t {
  kResultAnalyzed = 1u << 0,
  kResultSpeech = 1u << 1,
  kResultOnset = 1u << 2,
  kResultOffset = 1u << 3,
  kResultBargeIn = 1u << 4,
  kResultConcealed = 1u << 5,
};

// Bits of agentFlags[slot] given to analyze().
enum AgentFlags : uint8_t {
  kAgentSpeaking = 1u << 0,  // the agent is playing audio to this caller
  kAgentFrame = 1u << 1,     // agentPcm holds this tick's outbound 16 kHz frame
};

struct CallConfig {
  PayloadKind kind = PayloadKind::Opus;
  int payloadType = -1;  // RTP payload type to accept; -1 accepts any
  bool decodeOpus = false;  // Opus decoded natively in pull() (libopus, opus_frame_codec.h)
  JitterConfig jitter;
  VadConfig vad;
  BargeInConfig bargeIn;
};

struct CallCounters {
  uint64_t malformed = 0;         // RTP headers that failed RFC 3550 §5.1 checks
  uint64_t otherPayloadType = 0;  // packets of another payload type (e.g. RFC 4733 events)
  uint64_t opusDecodeErrors = 0;  // Opus packets libopus refused or shorter than a frame (then concealed)
};

class MediaEngine {
 public:
  static constexpr size_t kFrameSamples = 320;  // 20 ms at 16 kHz
  static constexpr size_t kRecordHeader = 16;   // ingest record: u32 slot, u32 length, f64 arrivalMs
  static constexpr size_t kResultStride = 5;    // flags, probability, energyDb, bargeInAtMs, frameMediaMs
  static constexpr size_t kMaxCalls = 16384;

  MediaEngine(size_t maxCalls, size_t maxPayload);

  size_t maxCalls() const { return calls_.size(); }
  size_t maxPayload() const { return maxPayload_; }

  // Errors are returned as text (nullptr on success); the binding turns them into exceptions.
  const char* addCall(size_t slot, const CallConfig& config);
  const char* removeCall(size_t slot);
  bool active(size_t slot) const { return slot < calls_.size() && calls_[slot].active; }

  struct IngestResult {
    size_t accepted = 0;   // packets handed to a jitter buffer
    size_t dropped = 0;    // inactive slot, malformed RTP, other payload type, duplicate/late
    const char* error = nullptr;  // packing error (bad slot or length): nothing after it was read
  };
  // buf holds `count` records: [u32 slot][u32 length][f64 arrivalMs] then `length` RTP bytes.
  IngestResult ingest(const uint8_t* buf, size_t len, size_t count);

  // Plays out every due frame. Arrays are maxCalls long (pcm and payload: per slot
  // kFrameSamples samples / maxPayload bytes). Returns the number of slots with a status.
  size_t pull(double nowMs, uint8_t* status, int16_t* pcm, uint8_t* payload, uint16_t* payloadLen);

  // Conceals lost frames into pcm, then runs VAD and barge-in for every slot with a frame.
  // Returns the number of slots analyzed.
  size_t analyze(const uint8_t* status, int16_t* pcm, const uint8_t* agentFlags, const int16_t* agentPcm,
                 double* results);

  const JitterStats* jitterStats(size_t slot) const;
  const CallCounters* counters(size_t slot) const;

 private:
  struct Call {
    bool active = false;
    CallConfig config;
    JitterBuffer jitter;
    Resampler upsampler;  // G.711 8 kHz -> 16 kHz
    Concealer concealer;
    std::unique_ptr<FrameVad> vad;
    std::unique_ptr<BargeInDetector> bargeIn;
    std::unique_ptr<OpusFrameDecoder> opus;  // with decodeOpus; kept (and reset) across calls of the slot
    CallCounters counters;
    double frameMediaMs = 0.0;  // media clock of the frame pulled this tick
    double frameWallMs = 0.0;   // nowMs of the tick that pulled it
    int16_t narrow[160] = {};   // decoded G.711 frame (20 ms at 8 kHz)
  };

  std::vector<Call> calls_;
  size_t maxPayload_;
  std::vector<int16_t> opusScratch_;  // one decoded Opus packet (up to 120 ms), shared by all slots
};

}  // namespace firstring
