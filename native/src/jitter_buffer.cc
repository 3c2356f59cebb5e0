#include "jitter_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace firstring {
namespace {
constexpr size_t kMaxSlots = 1024;
constexpr int kDecreaseEveryFrames = 50;  // at most one frame of delay cut per second
}  // namespace

const char* JitterBuffer::configure(const JitterConfig& c) {
  if (c.clockRate < 1000 || c.clockRate > 192000) return "clockRate must be within 1000..192000 Hz";
  if (c.frameMs < 5 || c.frameMs > 120) return "frameMs must be within 5..120";
  if (c.minDelayMs < 0 || c.maxDelayMs < c.minDelayMs || c.maxDelayMs > 2000)
    return "delays must satisfy 0 <= minDelayMs <= maxDelayMs <= 2000";
  if (c.maxPayload == 0 || c.maxPayload > 65535) return "maxPayload must be within 1..65535";
  // Enough slots for the largest delay plus as much again of reordering headroom.
  const size_t need = static_cast<size_t>(2 * (c.maxDelayMs / c.frameMs) + 8);
  size_t slots = 16;
  while (slots < need) slots <<= 1;
  if (slots > kMaxSlots) return "maxDelayMs / frameMs needs too many slots";
  config_ = c;
  samplesPerMs_ = c.clockRate / 1000.0;
  slots_.assign(slots, Slot{});
  payloads_.assign(slots * c.maxPayload, 0);
  for (size_t i = 0; i < slots; ++i) slots_[i].offset = i * c.maxPayload;
  mask_ = slots - 1;
  jitterTs_ = 0.0;
  delayMs_ = c.minDelayMs;
  targetMs_ = c.minDelayMs;
  resetStats();
  reset();
  return nullptr;
}

void JitterBuffer::reset() {
  for (Slot& s : slots_) s.present = false;
  count_ = 0;
  started_ = false;
  playedAny_ = false;
  haveBadSeq_ = false;
  haveTransit_ = false;
  havePrevSsrc_ = false;
  speculative_ = 0;
  tsOffsetMs_ = 0.0;
  framesSinceDecrease_ = 0;
}

void JitterBuffer::resetStats() {
  stats_ = JitterStats{};
  stats_.targetDelayMs = targetMs_;
}

void JitterBuffer::startStream(const RtpHeader& h, double arrivalMs) {
  rawHighestSeq_ = h.sequence;
  if (!started_) {
    seqOffset_ = 0;
    highestSeq_ = playSeq_ = h.sequence;
    tsOffsetMs_ = 0.0;
    haveTransit_ = false;
    playedAny_ = false;
    speculative_ = 0;
  } else {
    const int64_t first = std::max(highestSeq_ + 1, playSeq_);
    seqOffset_ = first - static_cast<int64_t>(h.sequence);
    // Keep the transit: the new source's first packet is taken as on time.
    tsOffsetMs_ = haveTransit_ ? arrivalMs - lastTransitMs_ - static_cast<double>(h.timestamp) / samplesPerMs_ : 0.0;
    if (speculative_ > 0) {  // losses declared past the old stream's end were not losses
      const int64_t undo = std::min<int64_t>(speculative_, playSeq_ - (highestSeq_ + 1));
      playSeq_ -= undo;
      seqOffset_ -= undo;
    }
    speculative_ = 0;
  }
  started_ = true;
  ssrc_ = h.ssrc;
  highestTs_ = h.timestamp;
  haveBadSeq_ = false;
  framesSinceDecrease_ = 0;
}

void JitterBuffer::noteTransit(double transitMs, bool valid) {
  if (!valid) {
    winMin_[0] = winMin_[1] = transitMs;
    winCount_ = 0;
    return;
  }
  winMin_[0] = std::min(winMin_[0], transitMs);
  if (++winCount_ >= 100) {  // two rotating windows of 100 packets track clock drift
    winMin_[1] = winMin_[0];
    winMin_[0] = transitMs;
    winCount_ = 0;
  }
}

double JitterBuffer::fastestTransit() const { return std::min(winMin_[0], winMin_[1]); }

double JitterBuffer::dueMs(const Slot& s) const { return s.mediaMs + fastestTransit() + delayMs_; }

void JitterBuffer::updateTarget() {
  stats_.jitterMs = jitterTs_ / samplesPerMs_;
  targetMs_ = std::min<double>(config_.maxDelayMs, std::max<double>(config_.minDelayMs, 4.0 * stats_.jitterMs));
  stats_.targetDelayMs = targetMs_;
  if (targetMs_ > delayMs_) delayMs_ = targetMs_;  // grow at once to stop losses
}

PushResult JitterBuffer::push(const RtpHeader& h, const uint8_t* payload, size_t len, double arrivalMs) {
  if (slots_.empty() || len > config_.maxPayload || !std::isfinite(arrivalMs)) {
    ++stats_.rejected;
    return PushResult::Rejected;
  }
  if (!started_) {
    startStream(h, arrivalMs);
  } else if (h.ssrc != ssrc_) {
    if (havePrevSsrc_ && h.ssrc == prevSsrc_ && arrivalMs - ssrcChangeMs_ < kOldSsrcMs) {
      ++stats_.received;
      ++stats_.late;  // a straggler of the source that was just replaced
      return PushResult::Late;
    }
    ++stats_.ssrcChanges;  // RFC 3550 §8.2: a new SSRC is a new source
    havePrevSsrc_ = true;
    prevSsrc_ = ssrc_;
    ssrcChangeMs_ = arrivalMs;
    startStream(h, arrivalMs);
  }
  int d = static_cast<int16_t>(static_cast<uint16_t>(h.sequence - static_cast<uint16_t>(rawHighestSeq_)));
  if (d > kMaxDropout || d < -kMaxDropout) {
    // RFC 3550 §A.1: a large jump is accepted only when the next packet follows it.
    if (haveBadSeq_ && h.sequence == badSeq_) {
      ++stats_.resyncs;
      startStream(h, arrivalMs);
      d = 0;
    } else {
      haveBadSeq_ = true;
      badSeq_ = static_cast<uint16_t>(h.sequence + 1);
      ++stats_.rejected;
      return PushResult::Rejected;
    }
  }
  haveBadSeq_ = false;
  ++stats_.received;
  const int64_t rawExt = rawHighestSeq_ + d;
  if (rawExt > rawHighestSeq_) rawHighestSeq_ = rawExt;
  const int64_t ext = rawExt + seqOffset_;

  const int32_t dts = static_cast<int32_t>(h.timestamp - static_cast<uint32_t>(highestTs_));
  const int64_t extTs = highestTs_ + dts;
  if (dts > 0) highestTs_ = extTs;
  double mediaMs = static_cast<double>(extTs) / samplesPerMs_ + tsOffsetMs_;
  double transit = arrivalMs - mediaMs;
  if (haveTransit_) {
    const double dMs = transit - lastTransitMs_;
    if (std::fabs(dMs) > kJumpMs) {
      // The timestamp jumped without matching real time: fold the jump into the media
      // clock so the stream keeps its transit and nothing waits on a bogus due time.
      tsOffsetMs_ += dMs;
      mediaMs += dMs;
      transit -= dMs;
    } else {
      // RFC 3550 §A.8: J += (|D| - J) / 16, D in timestamp units.
      jitterTs_ += (std::fabs(dMs) * samplesPerMs_ - jitterTs_) / 16.0;
    }
  }
  noteTransit(transit, haveTransit_);
  haveTransit_ = true;
  lastTransitMs_ = transit;
  updateTarget();

  const int64_t cap = static_cast<int64_t>(slots_.size());
  if (ext < playSeq_) {
    const bool beforeFirst = !playedAny_ && playSeq_ - ext < cap / 2 && highestSeq_ - ext < cap;
    // Frames declared lost on an empty buffer were not lost if this one is still on time
    // (a talkspurt resuming after silence): take them back.
    const bool resumes = speculative_ > 0 && playSeq_ - ext <= speculative_ && mediaMs + fastestTransit() + delayMs_ > arrivalMs;
    if (resumes) {
      stats_.lost += static_cast<uint64_t>(speculative_ - (playSeq_ - ext));  // those before ext
      speculative_ = 0;
    } else if (!beforeFirst) {
      ++stats_.late;
      return PushResult::Late;
    }
    playSeq_ = ext;
  }
  if (speculative_ > 0 && ext >= playSeq_) {  // a later frame arrived: the losses were real
    stats_.lost += static_cast<uint64_t>(speculative_);
    speculative_ = 0;
  }
  Slot& s = slots_[static_cast<size_t>(ext) & mask_];
  if (s.present && s.extSeq == ext) {
    ++stats_.duplicate;
    return PushResult::Duplicate;
  }
  if (ext < highestSeq_) ++stats_.reordered;
  if (ext - playSeq_ >= cap) advanceTo(ext - cap + 1);  // ring full: give up the oldest
  if (ext > highestSeq_) highestSeq_ = ext;
  if (s.present) {  // cannot hold another sequence inside the window; stay consistent anyway
    --count_;
    ++stats_.discarded;
  }
  s.present = true;
  s.marker = h.marker;
  s.extSeq = ext;
  s.timestamp = h.timestamp;
  s.mediaMs = mediaMs;
  s.length = len;
  if (len > 0) std::memcpy(&payloads_[s.offset], payload, len);
  ++count_;
  return PushResult::Accepted;
}

const JitterBuffer::Slot* JitterBuffer::nextPresent(int64_t seq) const {
  const int64_t last = std::min(highestSeq_, playSeq_ + static_cast<int64_t>(slots_.size()) - 1);
  for (int64_t q = seq; q <= last; ++q) {
    const Slot& s = slots_[static_cast<size_t>(q) & mask_];
    if (s.present && s.extSeq == q) return &s;
  }
  return nullptr;
}

void JitterBuffer::dropAt(int64_t seq) {
  Slot& s = slots_[static_cast<size_t>(seq) & mask_];
  if (s.present && s.extSeq == seq) {
    s.present = false;
    --count_;
    ++stats_.discarded;
  } else {
    ++stats_.lost;
  }
}

void JitterBuffer::advanceTo(int64_t seq) {
  while (playSeq_ < seq) dropAt(playSeq_++);
}

PullResult JitterBuffer::pull(double nowMs, uint8_t* out, size_t cap) {
  PullResult r;
  if (!started_ || slots_.empty() || !std::isfinite(nowMs)) return r;
  const double frameMs = config_.frameMs;
  for (;;) {
    if (highestSeq_ < playSeq_) {
      // Nothing ahead: an underrun or the end of a talkspurt. Keep the schedule with a few
      // lost frames (taken back by push() if the stream was merely silent), then wait.
      const double due = lastDueMs_ + frameMs;
      if (!playedAny_ || speculative_ >= kMaxSpeculative || nowMs < due) return r;
      ++speculative_;  // counted in stats once a later packet confirms the loss
      lastDueMs_ = due;
      lastMediaMs_ += frameMs;
      lastTimestamp_ += static_cast<uint32_t>(frameMs * samplesPerMs_);
      r.status = PullStatus::Lost;
      r.extSeq = playSeq_++;
      r.mediaMs = lastMediaMs_;
      r.timestamp = lastTimestamp_;
      return r;
    }
    const Slot& cur = slots_[static_cast<size_t>(playSeq_) & mask_];
    const bool present = cur.present && cur.extSeq == playSeq_;
    const Slot* ref = present ? &cur : nextPresent(playSeq_ + 1);
    if (ref == nullptr) return r;
    const double due = dueMs(*ref) - static_cast<double>(ref->extSeq - playSeq_) * frameMs;
    if (nowMs < due) return r;
    if (nowMs - due >= 1.5 * frameMs && highestSeq_ > playSeq_) {
      dropAt(playSeq_++);  // over a frame behind schedule (beyond tick slack): skip one
      continue;
    }
    r.extSeq = playSeq_;
    lastDueMs_ = due;
    speculative_ = 0;
    if (present) {
      Slot& s = slots_[static_cast<size_t>(playSeq_) & mask_];
      const size_t n = std::min(s.length, cap);
      if (n > 0 && out != nullptr) std::memcpy(out, &payloads_[s.offset], n);
      r.status = PullStatus::Frame;
      r.length = n;
      r.timestamp = s.timestamp;
      r.mediaMs = s.mediaMs;
      r.marker = s.marker;
      s.present = false;
      --count_;
      stats_.currentDelayMs = nowMs - (s.mediaMs + fastestTransit());
      playedAny_ = true;
      // Delay cuts: whole at a talkspurt start (RFC 3551 §4.1 marker), else gradual.
      if (s.marker) {
        delayMs_ = targetMs_;
        framesSinceDecrease_ = 0;
      } else if (targetMs_ < delayMs_ - frameMs / 2 && ++framesSinceDecrease_ >= kDecreaseEveryFrames) {
        delayMs_ = std::max(targetMs_, delayMs_ - frameMs);
        framesSinceDecrease_ = 0;
      }
    } else {
      const int64_t k = ref->extSeq - playSeq_;
      r.status = PullStatus::Lost;
      r.mediaMs = ref->mediaMs - static_cast<double>(k) * frameMs;
      r.timestamp = ref->timestamp - static_cast<uint32_t>(k * static_cast<int64_t>(frameMs * samplesPerMs_));
      ++stats_.lost;
    }
    lastMediaMs_ = r.mediaMs;
    lastTimestamp_ = r.timestamp;
    ++playSeq_;
    return r;
  }
}

}  // namespace firstring
