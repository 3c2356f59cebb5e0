#include "opus_frame_codec.h"

#include <opus/opus.h>

#include <climits>

namespace firstring {

OpusFrameDecoder::~OpusFrameDecoder() {
  if (dec_ != nullptr) opus_decoder_destroy(dec_);
}

const char* OpusFrameDecoder::open() {
  if (dec_ != nullptr) {
    return opus_decoder_ctl(dec_, OPUS_RESET_STATE) == OPUS_OK ? nullptr : "Opus decoder reset failed";
  }
  int err = OPUS_OK;
  dec_ = opus_decoder_create(kSampleRate, 1, &err);
  if (err != OPUS_OK || dec_ == nullptr) {
    dec_ = nullptr;
    return "Opus decoder could not be created";
  }
  return nullptr;
}

int OpusFrameDecoder::decode(const uint8_t* data, size_t len, int16_t* out, size_t outSamples) {
  if (dec_ == nullptr || data == nullptr || len == 0 || len > INT_MAX) return -1;
  const size_t room = outSamples < kMaxPacketSamples ? outSamples : kMaxPacketSamples;
  // The packet's duration must fit before decoding (opus_decode refuses a short buffer anyway).
  const int n = opus_decoder_get_nb_samples(dec_, data, static_cast<opus_int32>(len));
  if (n <= 0 || static_cast<size_t>(n) > room) return -1;
  const int got = opus_decode(dec_, data, static_cast<opus_int32>(len), out, static_cast<int>(room), 0);
  return got > 0 ? got : -1;
}

OpusFrameEncoder::~OpusFrameEncoder() { close(); }

void OpusFrameEncoder::close() {
  if (enc_ != nullptr) opus_encoder_destroy(enc_);
  enc_ = nullptr;
}

namespace {
// OPUS_SET_FORCE_MODE and MODE_CELT_ONLY from libopus' opus_private.h (not in the public
// headers; stable since libopus 1.0). @discordjs/opus sets the same request, so both
// encoders make identical packets (src/media/opus-codec.ts).
constexpr int kOpusSetForceModeRequest = 11002;
constexpr opus_int32 kModeCeltOnly = 1002;
}  // namespace

const char* OpusFrameEncoder::open(int bitrate, int complexity, bool celtOnly) {
  if (bitrate < 6000 || bitrate > 510000) return "bitrate must be within 6000..510000";
  if (complexity < 0 || complexity > 10) return "complexity must be within 0..10";
  if (enc_ == nullptr) {
    int err = OPUS_OK;
    enc_ = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_AUDIO, &err);
    if (err != OPUS_OK || enc_ == nullptr) {
      enc_ = nullptr;
      return "Opus encoder could not be created";
    }
  } else if (opus_encoder_ctl(enc_, OPUS_RESET_STATE) != OPUS_OK) {
    return "Opus encoder reset failed";
  }
  if (opus_encoder_ctl(enc_, OPUS_SET_BITRATE(bitrate)) != OPUS_OK ||
      opus_encoder_ctl(enc_, OPUS_SET_COMPLEXITY(complexity)) != OPUS_OK ||
      opus_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK ||
      opus_encoder_ctl(enc_, OPUS_SET_INBAND_FEC(celtOnly ? 0 : 1)) != OPUS_OK)
    return "Opus encoder configuration failed";
  if (celtOnly && opus_encoder_ctl(enc_, kOpusSetForceModeRequest, kModeCeltOnly) != OPUS_OK)
    return "Opus encoder refused CELT-only mode";
  return nullptr;
}

int OpusFrameEncoder::encode(const int16_t* pcm, uint8_t* out, size_t outMax) {
  if (enc_ == nullptr || pcm == nullptr || out == nullptr || outMax == 0) return -1;
  const opus_int32 max = static_cast<opus_int32>(outMax < kMaxPacket ? outMax : kMaxPacket);
  const opus_int32 n = opus_encode(enc_, pcm, static_cast<int>(kFrameSamples), out, max);
  return n > 0 ? static_cast<int>(n) : -1;
}

const char* opusVersion() { return opus_get_version_string(); }

}  // namespace firstring
