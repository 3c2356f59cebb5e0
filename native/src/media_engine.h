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
#include "receive_stats.h"
#include "concealment.h"
#include "jitter_buffer.h"
#include "opus_frame_codec.h"
#include "resampler.h"
#include "udp_batch_reader.h"
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

// Datagrams of a call's socket read natively (attachSocket): what became of each.
struct SocketCounters {
  uint64_t rtp = 0;         // RTP packets authenticated (SRTP, RFC 3711 §3.3) and handed to the jitter buffer
  uint64_t handedBack = 0;  // STUN, DTLS, RTCP and other datagrams returned to JavaScript (werift)
  uint64_t authFailed = 0;  // SRTP drops by cause (srtp::Status)
  uint64_t replayed = 0;
  uint64_t tooOld = 0;
  uint64_t malformed = 0;   // SRTP refused the packet as malformed, or its RTP header failed §5.1 checks
  uint64_t otherDropped = 0;
  uint64_t truncated = 0;   // longer than UdpBatchReader::kMaxDatagram
  uint64_t readErrors = 0;  // recvmmsg failed with something other than "nothing queued"
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
  // Datagram record written by receive(): u32 slot, u32 length, u16 port, u8 family (4 or 6),
  // u8 address length, 46 bytes of address text (inet_ntop), 2 spare; then `length` bytes.
  static constexpr size_t kDatagramRecordHeader = 60;
  // Room receive() needs in `out` for one batch of datagram records (also the smallest `out` it takes).
  static constexpr size_t kReceiveBatchBytes = UdpBatchReader::kBatch * (kDatagramRecordHeader + UdpBatchReader::kMaxDatagram);
  // Datagrams read from one call's socket per receive pass (a flood waits in its own socket buffer).
  static constexpr size_t kMaxDatagramsPerCall = 64;

  MediaEngine(size_t maxCalls, size_t maxPayload);
  ~MediaEngine();
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

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

  // The engine reads the call's UDP socket itself from now on (a duplicate of `fd`, so a
  // descriptor number closed and reused elsewhere is never read), unprotects RTP with the
  // SRTP session behind `srtpHandle` (this thread's srtp::SrtpRegistry) and pushes it into
  // the call's jitter buffer. The socket's owner must stop its own reads.
  const char* attachSocket(size_t slot, int fd, int32_t srtpHandle);
  void detachSocket(size_t slot);

  struct ReceiveResult {
    size_t records = 0;  // datagram records written to `out`
    size_t bytes = 0;    // bytes of `out` used
    bool more = false;   // stopped for lack of room in `out`: call again after reading it
  };
  // Reads every attached socket (up to kMaxDatagramsPerCall datagrams each). RTP goes to the
  // jitter buffers with its kernel arrival time (nowMs minus its age); any other datagram is
  // written to `out` as a record. rxPackets/rxBytes (maxCalls long) count each slot's RTP of
  // this pass; they are zeroed when a pass starts (not when it resumes after `more`).
  ReceiveResult receive(double nowMs, uint8_t* out, size_t outCap, uint32_t* rxPackets, uint32_t* rxBytes);

  // Plays out every due frame. Arrays are maxCalls long (pcm and payload: per slot
  // kFrameSamples samples / maxPayload bytes). Returns the number of slots with a status.
  size_t pull(double nowMs, uint8_t* status, int16_t* pcm, uint8_t* payload, uint16_t* payloadLen);

  // Conceals lost frames into pcm, then runs VAD and barge-in for every slot with a frame.
  // Returns the number of slots analyzed.
  size_t analyze(const uint8_t* status, int16_t* pcm, const uint8_t* agentFlags, const int16_t* agentPcm,
                 double* results);

  const JitterStats* jitterStats(size_t slot) const;
  const CallCounters* counters(size_t slot) const;
  // nullptr unless a socket is attached to the slot.
  const ReceiveStats* receiveStats(size_t slot) const;
  const SocketCounters* socketCounters(size_t slot) const;

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
    int socketFd = -1;          // our duplicate of the call's socket (attachSocket), -1 when not reading
    int32_t srtpHandle = -1;
    ReceiveStats rx;
    SocketCounters socket;
  };

  enum class RtpVerdict { Malformed, OtherPayloadType, Pushed, Rejected };
  // RFC 3550 §5.1 header checks, payload-type filter and jitter-buffer push shared by ingest and receive.
  RtpVerdict acceptRtp(Call& c, const uint8_t* pkt, size_t length, double arrivalMs, RtpHeader& h);
  void receiveDatagram(size_t slot, Call& c, const Datagram& d, double nowMs, ReceiveResult& r, uint8_t* out,
                       uint32_t* rxPackets, uint32_t* rxBytes);

  std::vector<Call> calls_;
  size_t maxPayload_;
  std::vector<int16_t> opusScratch_;  // one decoded Opus packet (up to 120 ms), shared by all slots
  UdpBatchReader reader_;             // shared by all slots, one batch at a time
  size_t receiveCursor_ = 0;          // slot a receive pass resumes at
  bool receiveResumes_ = false;       // the last pass stopped with `more`
};

}  // namespace firstring
