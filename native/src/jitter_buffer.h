// Adaptive jitter buffer for one RTP stream (one call leg), payload-agnostic
// (Opus, G.711, ...). One packet carries one frame of `frameMs`.
//
// - Order: packets are keyed by the extended sequence number (RFC 3550 §A.1 style:
//   16-bit wraparound unwrapped to 64 bits; jumps over kMaxDropout need two
//   consecutive packets before the stream is re-synchronised). Timestamps are
//   unwrapped the same way (32-bit) into a continuous media clock.
// - Timing: a frame is due at mediaMs + fastest transit + playout delay. The playout
//   delay follows the RFC 3550 §6.4.1 / §A.8 interarrival jitter J (target = 4 J),
//   clamped to [minDelayMs, maxDelayMs]; increases apply at once, decreases one frame
//   at a time (at once on a talkspurt start, marker bit, RFC 3551 §4.1).
// - Timestamp jumps that do not reflect real time (transit changes by more than
//   kJumpMs) are folded into the media clock so playout never stalls. An SSRC change
//   restarts the stream state (stats are kept).
// - Storage: a fixed ring of slots (power of two) preallocated in configure().
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp_header.h"

namespace firstring {

struct JitterConfig {
  int clockRate = 48000;   // RTP clock, Hz
  int frameMs = 20;        // media duration of one packet
  int minDelayMs = 20;
  int maxDelayMs = 200;
  size_t maxPayload = 1500;  // larger payloads are rejected
};

struct JitterStats {
  uint64_t received = 0;    // packets pushed for the stream (duplicates and late included)
  uint64_t lost = 0;        // frames reported lost (never arrived in time)
  uint64_t late = 0;        // packets arriving after their playout slot passed (dropped)
  uint64_t duplicate = 0;   // packets already held in the buffer (dropped)
  uint64_t reordered = 0;   // packets arriving after a higher sequence number
  uint64_t discarded = 0;   // buffered frames skipped to cut the delay or on overflow
  uint64_t rejected = 0;    // oversize payloads and stray sequence jumps
  uint64_t ssrcChanges = 0;
  uint64_t resyncs = 0;     // sequence-number restarts within one SSRC
  double jitterMs = 0.0;    // RFC 3550 interarrival jitter estimate
  double targetDelayMs = 0.0;
  double currentDelayMs = 0.0;  // playout delay of the last frame over the fastest transit
};

enum class PushResult { Accepted = 0, Duplicate, Late, Rejected };
enum class PullStatus { None = 0, Frame = 1, Lost = 2 };

struct PullResult {
  PullStatus status = PullStatus::None;
  size_t length = 0;       // payload bytes copied (Frame only)
  int64_t extSeq = 0;      // extended sequence number of the frame (Frame or Lost)
  uint32_t timestamp = 0;  // RTP timestamp (Frame) or its estimate (Lost)
  double mediaMs = 0.0;    // continuous media clock of the frame, ms
  bool marker = false;
};

class JitterBuffer {
 public:
  static constexpr int kMaxDropout = 3000;   // RFC 3550 §A.1 MAX_DROPOUT
  static constexpr double kJumpMs = 1000.0;  // transit change treated as a timestamp jump
  static constexpr int kMaxSpeculative = 5;  // lost frames declared on an empty buffer
  static constexpr double kOldSsrcMs = 1000.0;  // stragglers of a replaced SSRC are late

  // Validates the config and preallocates the ring. Returns an error text or nullptr.
  const char* configure(const JitterConfig& config);
  // Forgets the stream (queue, sequence and clock state); stats are kept.
  void reset();
  void resetStats();

  // payload/len: the RTP payload (after header and padding); header: parsed fields.
  PushResult push(const RtpHeader& header, const uint8_t* payload, size_t len, double arrivalMs);
  // At most one frame per call. For Frame, copies the payload into out (cap >= maxPayload).
  PullResult pull(double nowMs, uint8_t* out, size_t cap);

  const JitterStats& stats() const { return stats_; }
  const JitterConfig& config() const { return config_; }
  size_t capacity() const { return slots_.size(); }
  // Frames currently held.
  size_t buffered() const { return count_; }

 private:
  struct Slot {
    bool present = false;
    bool marker = false;
    int64_t extSeq = 0;
    uint32_t timestamp = 0;
    double mediaMs = 0.0;
    size_t length = 0;
    size_t offset = 0;  // into payloads_
  };

  // First packet of a stream (or of a new SSRC / sequence restart): maps its sequence
  // number right after the highest one held, so queued frames still play first.
  void startStream(const RtpHeader& h, double arrivalMs);
  void noteTransit(double transitMs, bool valid);
  double fastestTransit() const;
  double dueMs(const Slot& s) const;
  // Finds the next present slot at or after seq (up to the highest seen); nullptr if none.
  const Slot* nextPresent(int64_t seq) const;
  void dropAt(int64_t seq);
  void advanceTo(int64_t seq);  // moves the cursor, counting skipped frames
  void updateTarget();

  JitterConfig config_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> payloads_;
  size_t mask_ = 0;
  size_t count_ = 0;
  double samplesPerMs_ = 48.0;

  bool started_ = false;
  bool playedAny_ = false;
  uint32_t ssrc_ = 0;
  bool havePrevSsrc_ = false;
  uint32_t prevSsrc_ = 0;      // the source replaced by the last SSRC change
  double ssrcChangeMs_ = 0.0;
  int64_t rawHighestSeq_ = 0;  // highest unwrapped sequence of the current stream
  int64_t seqOffset_ = 0;      // maps the current stream's sequence space onto ours
  int64_t highestSeq_ = 0;     // highest extended sequence received
  int64_t playSeq_ = 0;        // next extended sequence to play
  int64_t highestTs_ = 0;      // highest extended timestamp received
  int speculative_ = 0;        // frames declared lost while nothing newer had arrived
  double lastDueMs_ = 0.0;     // due time of the last frame played or declared lost
  double lastMediaMs_ = 0.0;   // media clock and RTP timestamp of that frame
  uint32_t lastTimestamp_ = 0;
  bool haveBadSeq_ = false;
  uint16_t badSeq_ = 0;        // RFC 3550 §A.1 bad_seq: expected next of a stray jump
  double tsOffsetMs_ = 0.0;    // folds non-real-time timestamp jumps into the media clock

  bool haveTransit_ = false;
  double lastTransitMs_ = 0.0;
  double winMin_[2] = {0.0, 0.0};  // fastest transit in the current and previous window
  int winCount_ = 0;
  double jitterTs_ = 0.0;      // J in timestamp units (RFC 3550 §A.8)
  double delayMs_ = 0.0;       // applied playout delay
  double targetMs_ = 0.0;
  int framesSinceDecrease_ = 0;

  JitterStats stats_;
};

}  // namespace firstring
