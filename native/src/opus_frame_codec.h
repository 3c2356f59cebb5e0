// Opus decoding for the media engine's 20 ms, 16 kHz mono frames, on the system libopus
// (Debian libopus-dev, linked by binding.gyp; 1.3.1, the version @discordjs/opus bundles):
// one decoder per call created at call setup, decoding into caller-provided buffers, so
// the hot path neither allocates nor crosses into JavaScript per frame. RFC 6716 (Opus),
// RFC 7587 (RTP payload).
#pragma once
#include <cstddef>
#include <cstdint>

struct OpusDecoder;
struct OpusEncoder;

namespace firstring {

class OpusFrameDecoder {
 public:
  static constexpr int kSampleRate = 16000;
  // Longest Opus packet: 120 ms (RFC 6716 §3.2.5), at 16 kHz.
  static constexpr size_t kMaxPacketSamples = 1920;

  OpusFrameDecoder() = default;
  ~OpusFrameDecoder();
  OpusFrameDecoder(const OpusFrameDecoder&) = delete;
  OpusFrameDecoder& operator=(const OpusFrameDecoder&) = delete;

  // Creates (or resets) the decoder state; nullptr on success, else the reason.
  const char* open();

  // Decodes one packet into out (room for outSamples samples, at most kMaxPacketSamples
  // are written). Returns the packet's sample count (> 0), or -1 when libopus rejects
  // the packet or it does not fit (the state is left as libopus leaves it after an error).
  int decode(const uint8_t* data, size_t len, int16_t* out, size_t outSamples);

 private:
  OpusDecoder* dec_ = nullptr;
};

// Encodes 20 ms, 16 kHz mono frames with the settings src/media/opus-codec.ts gives
// @discordjs/opus (application AUDIO, as that binding creates its encoders; signal voice;
// in-band FEC), so for the same libopus version its packets are the same bytes.
class OpusFrameEncoder {
 public:
  static constexpr int kSampleRate = 16000;
  static constexpr size_t kFrameSamples = 320;  // 20 ms
  static constexpr size_t kMaxPacket = 1275;    // RFC 6716 §3.2.1

  OpusFrameEncoder() = default;
  ~OpusFrameEncoder();
  OpusFrameEncoder(const OpusFrameEncoder&) = delete;
  OpusFrameEncoder& operator=(const OpusFrameEncoder&) = delete;

  // nullptr on success, else the reason (a bad bitrate or complexity, or libopus refusing).
  // celtOnly: every frame in CELT mode (RFC 6716 §2: the transform layer), without SILK's
  // analysis; about a third of the CPU of a SILK wideband frame, and no in-band FEC.
  const char* open(int bitrate, int complexity, bool celtOnly);

  // Encodes one frame of kFrameSamples into out (room for outMax bytes); the packet
  // length, or -1 on a libopus error (e.g. out too small).
  int encode(const int16_t* pcm, uint8_t* out, size_t outMax);

  // Frees the libopus state now (encode then returns -1); the destructor does it otherwise.
  void close();

 private:
  OpusEncoder* enc_ = nullptr;
};

// The libopus version string (e.g. "libopus 1.3.1").
const char* opusVersion();

}  // namespace firstring
