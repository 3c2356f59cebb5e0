#include "media_engine.h"

#include <algorithm>
#include <cstring>

#include "g711.h"
#include "pcm.h"

namespace firstring {
namespace {
constexpr size_t kNarrowSamples = 160;  // 20 ms at 8 kHz
constexpr size_t kFadeSamples = 160;    // 10 ms fade of the last good frame

uint32_t readU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

double readF64(const uint8_t* p) {
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | p[i];
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
}  // namespace

MediaEngine::MediaEngine(size_t maxCalls, size_t maxPayload)
    : calls_(maxCalls), maxPayload_(maxPayload), opusScratch_(OpusFrameDecoder::kMaxPacketSamples) {}

const char* MediaEngine::addCall(size_t slot, const CallConfig& config) {
  if (slot >= calls_.size()) return "slot is out of range";
  if (config.jitter.frameMs != 20) return "the media engine works on 20 ms frames";
  if (config.jitter.maxPayload > maxPayload_) return "jitter maxPayload exceeds the engine's maxPayload";
  if (config.kind != PayloadKind::Opus && config.jitter.clockRate != 8000) return "G.711 uses an 8000 Hz RTP clock";
  if (config.vad.sampleRate != 16000) return "the engine analyzes 16 kHz frames (vad.sampleRate 16000)";
  detachSocket(slot);  // a call replacing another in the slot does not inherit its socket
  Call& c = calls_[slot];
  if (const char* err = c.jitter.configure(config.jitter)) return err;
  if (!c.upsampler.configure(8000, 16000)) return "resampler configuration failed";
  c.concealer.configure(kFrameSamples, kFadeSamples, static_cast<uint32_t>(slot * 2654435761u + 1u));
  c.vad = std::make_unique<FrameVad>(config.vad);
  c.bargeIn = std::make_unique<BargeInDetector>(config.bargeIn);
  if (config.decodeOpus && config.kind == PayloadKind::Opus) {
    if (!c.opus) c.opus = std::make_unique<OpusFrameDecoder>();
    if (const char* err = c.opus->open()) return err;
  }
  c.config = config;
  c.counters = CallCounters{};
  c.frameMediaMs = c.frameWallMs = 0.0;
  c.active = true;
  return nullptr;
}

const char* MediaEngine::removeCall(size_t slot) {
  if (slot >= calls_.size()) return "slot is out of range";
  detachSocket(slot);
  calls_[slot].active = false;
  return nullptr;
}

MediaEngine::RtpVerdict MediaEngine::acceptRtp(Call& c, const uint8_t* pkt, size_t length, double arrivalMs,
                                               RtpHeader& h) {
  if (parseRtpHeader(pkt, length, h) != RtpParseError::None) {
    ++c.counters.malformed;
    return RtpVerdict::Malformed;
  }
  if (c.config.payloadType >= 0 && h.payloadType != c.config.payloadType) {
    ++c.counters.otherPayloadType;
    return RtpVerdict::OtherPayloadType;
  }
  return c.jitter.push(h, pkt + h.payloadOffset, h.payloadLength, arrivalMs) == PushResult::Accepted
             ? RtpVerdict::Pushed
             : RtpVerdict::Rejected;
}

MediaEngine::IngestResult MediaEngine::ingest(const uint8_t* buf, size_t len, size_t count) {
  IngestResult r;
  size_t off = 0;
  for (size_t i = 0; i < count; ++i) {
    if (len - off < kRecordHeader) {
      r.error = "packet record header runs past the end of the buffer";
      return r;
    }
    const uint32_t slot = readU32(buf + off);
    const uint32_t length = readU32(buf + off + 4);
    const double arrivalMs = readF64(buf + off + 8);
    off += kRecordHeader;
    if (slot >= calls_.size()) {
      r.error = "packet record slot is out of range";
      return r;
    }
    if (length > len - off) {
      r.error = "packet record length runs past the end of the buffer";
      return r;
    }
    const uint8_t* pkt = buf + off;
    off += length;
    Call& c = calls_[slot];
    if (!c.active) {  // a packet racing the call's removal
      ++r.dropped;
      continue;
    }
    RtpHeader h;
    if (acceptRtp(c, pkt, length, arrivalMs, h) == RtpVerdict::Pushed) ++r.accepted;
    else ++r.dropped;
  }
  return r;
}

size_t MediaEngine::pull(double nowMs, uint8_t* status, int16_t* pcm, uint8_t* payload, uint16_t* payloadLen) {
  size_t withStatus = 0;
  for (size_t slot = 0; slot < calls_.size(); ++slot) {
    Call& c = calls_[slot];
    status[slot] = kStatusNone;
    payloadLen[slot] = 0;
    if (!c.active) continue;
    uint8_t* pay = payload + slot * maxPayload_;
    const PullResult r = c.jitter.pull(nowMs, pay, maxPayload_);
    if (r.status == PullStatus::None) continue;
    ++withStatus;
    c.frameMediaMs = r.mediaMs;
    c.frameWallMs = nowMs;
    if (r.status == PullStatus::Lost) {
      status[slot] = kStatusLost;
      continue;
    }
    if (c.config.kind == PayloadKind::Opus) {
      if (!c.config.decodeOpus) {
        status[slot] = kStatusOpus;
        payloadLen[slot] = static_cast<uint16_t>(r.length);
        continue;
      }
      // Decoded here, straight to 16 kHz; a refused or short packet is concealed by analyze().
      const int got = c.opus->decode(pay, r.length, opusScratch_.data(), opusScratch_.size());
      if (got < static_cast<int>(kFrameSamples)) {
        ++c.counters.opusDecodeErrors;
        status[slot] = kStatusLost;
        continue;
      }
      std::memcpy(pcm + slot * kFrameSamples, opusScratch_.data(), kFrameSamples * sizeof(int16_t));
      status[slot] = kStatusPcm;
      continue;
    }
    // G.711: decode 20 ms at 8 kHz (short payloads are zero-padded), then upsample to 16 kHz.
    const size_t n = std::min(r.length, kNarrowSamples);
    if (c.config.kind == PayloadKind::Pcmu) ulawDecode(pay, n, c.narrow);
    else alawDecode(pay, n, c.narrow);
    std::fill(c.narrow + n, c.narrow + kNarrowSamples, int16_t{0});
    int16_t* frame = pcm + slot * kFrameSamples;
    const size_t got = c.upsampler.process(c.narrow, kNarrowSamples, frame, kFrameSamples);
    std::fill(frame + got, frame + kFrameSamples, int16_t{0});
    status[slot] = kStatusPcm;
  }
  return withStatus;
}

size_t MediaEngine::analyze(const uint8_t* status, int16_t* pcm, const uint8_t* agentFlags, const int16_t* agentPcm,
                            double* results) {
  size_t analyzed = 0;
  for (size_t slot = 0; slot < calls_.size(); ++slot) {
    double* out = results + slot * kResultStride;
    out[0] = 0.0;
    out[1] = 0.0;
    out[2] = -120.0;
    out[3] = 0.0;
    out[4] = 0.0;
    Call& c = calls_[slot];
    if (!c.active) continue;
    const uint8_t agent = agentFlags[slot];
    c.bargeIn->setAgentSpeaking((agent & kAgentSpeaking) != 0);
    if (agent & kAgentFrame) c.bargeIn->noteAgentFrame(agentPcm + slot * kFrameSamples, kFrameSamples);

    const uint8_t st = status[slot];
    if (st != kStatusPcm && st != kStatusOpus && st != kStatusLost) continue;
    int16_t* frame = pcm + slot * kFrameSamples;
    uint32_t flags = kResultAnalyzed;
    if (st == kStatusLost) {
      c.concealer.conceal(frame);
      flags |= kResultConcealed;
    } else {
      c.concealer.noteGood(frame);
    }
    const VadResult v = c.vad->process(frame, kFrameSamples);
    const BargeInResult b = c.bargeIn->process(v, frame, kFrameSamples, c.frameWallMs);
    if (v.speech) flags |= kResultSpeech;
    if (v.onset) flags |= kResultOnset;
    if (v.offset) flags |= kResultOffset;
    if (b.triggered) flags |= kResultBargeIn;
    out[0] = static_cast<double>(flags);
    out[1] = v.probability;
    out[2] = v.energyDb;
    out[3] = b.triggered ? b.atMs : 0.0;
    out[4] = c.frameMediaMs;
    ++analyzed;
  }
  return analyzed;
}

const JitterStats* MediaEngine::jitterStats(size_t slot) const {
  return active(slot) ? &calls_[slot].jitter.stats() : nullptr;
}

const CallCounters* MediaEngine::counters(size_t slot) const {
  return active(slot) ? &calls_[slot].counters : nullptr;
}

}  // namespace firstring
