// Receiver statistics of the RTP stream a call receives (RFC 3550 §6.4.1 report-block
// fields, computed as in Appendix A.1, A.3 and A.8), kept natively when the media engine
// reads the call's socket itself. A new SSRC starts a new stream (A.1 init_seq).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace firstring {

class ReceiveStats {
 public:
  void reset(int clockRate) {
    *this = ReceiveStats{};
    clockRate_ = clockRate > 0 ? clockRate : 48000;
  }

  // One authenticated packet of `ssrc`: its sequence number, RTP timestamp, arrival (ms) and payload size.
  void add(uint32_t ssrc, uint16_t seq, uint32_t timestamp, double arrivalMs, size_t payloadBytes) {
    const double arrival = arrivalMs * clockRate_ / 1000.0;
    if (!started_ || ssrc != ssrc_) {
      const int rate = clockRate_;
      reset(rate);
      started_ = true;
      ssrc_ = ssrc;
      base_ = maxSeq_ = seq;
    } else {
      // In order when ahead by less than half the sequence space; a smaller number then means a wrap (A.1).
      const uint16_t delta = static_cast<uint16_t>(seq - maxSeq_);
      if (delta != 0 && delta < 0x8000) {
        if (seq < maxSeq_) cycles_ += 0x10000;
        maxSeq_ = seq;
      }
      // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16. The timestamp difference is signed 32-bit.
      const double d = std::fabs(arrival - lastArrival_ - static_cast<double>(static_cast<int32_t>(timestamp - lastTimestamp_)));
      jitter_ += (d - jitter_) / 16.0;
    }
    ++packets_;
    bytes_ += payloadBytes;
    lastArrival_ = arrival;
    lastTimestamp_ = timestamp;
  }

  bool started() const { return started_; }
  uint32_t ssrc() const { return ssrc_; }
  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }
  // Extended highest sequence number received (cycles + highest, §6.4.1).
  uint32_t extendedMaxSeq() const { return static_cast<uint32_t>(cycles_ + maxSeq_); }
  uint64_t expected() const { return started_ ? cycles_ + maxSeq_ - base_ + 1 : 0; }
  // Interarrival jitter in timestamp units.
  double jitter() const { return jitter_; }

 private:
  int clockRate_ = 48000;
  bool started_ = false;
  uint32_t ssrc_ = 0;
  uint16_t base_ = 0;
  uint16_t maxSeq_ = 0;
  uint64_t cycles_ = 0;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  double jitter_ = 0.0;
  double lastArrival_ = 0.0;
  uint32_t lastTimestamp_ = 0;
};

}  // namespace firstring
