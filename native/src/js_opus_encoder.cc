// JavaScript binding of the native Opus frame encoder (opus_frame_codec.h): the agent's
// 20 ms frames encoded into a caller-provided buffer, so sending a frame allocates no
// Buffer per packet (src/media/native-opus-encoder.ts).
#include <memory>
#include <string>

#include "bindings.h"
#include "js_typed_arrays.h"
#include "opus_frame_codec.h"

namespace firstring {
namespace {

class JsOpusFrameEncoder : public Napi::ObjectWrap<JsOpusFrameEncoder> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "OpusFrameEncoder", {InstanceMethod<&JsOpusFrameEncoder::Encode>("encode"),
                                                             InstanceMethod<&JsOpusFrameEncoder::Close>("close")});
    exports.Set("OpusFrameEncoder", f);
  }

  // new OpusFrameEncoder({ bitrate?: 6000..510000 [24000], complexity?: 0..10 [5], celtOnly?: boolean [false] })
  explicit JsOpusFrameEncoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsOpusFrameEncoder>(info) {
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
    if (info.Length() > 0 && !info[0].IsObject() && !info[0].IsUndefined())
      throw Napi::TypeError::New(info.Env(), "options must be an object");
    const double bitrate = js::optNumber(o, "bitrate", 24000, 6000, 510000);
    const double complexity = js::optNumber(o, "complexity", 5, 0, 10);
    if (complexity != static_cast<double>(static_cast<int>(complexity)) || bitrate != static_cast<double>(static_cast<int>(bitrate)))
      throw Napi::RangeError::New(info.Env(), "bitrate and complexity must be integers");
    bool celtOnly = false;
    if (o.Has("celtOnly")) {
      Napi::Value v = o.Get("celtOnly");
      if (!v.IsBoolean() && !v.IsUndefined()) throw Napi::TypeError::New(info.Env(), "celtOnly must be a boolean");
      celtOnly = v.IsBoolean() && v.As<Napi::Boolean>().Value();
    }
    if (const char* err = enc_.open(static_cast<int>(bitrate), static_cast<int>(complexity), celtOnly))
      throw Napi::RangeError::New(info.Env(), err);
  }

 private:
  // encode(pcm: Int16Array of 320 samples, out: Uint8Array): packet length written into out.
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    auto pcm = js::typedArg<int16_t>(info, 0, "pcm");
    auto out = js::typedArg<uint8_t>(info, 1, "out");
    if (pcm.ElementLength() != OpusFrameEncoder::kFrameSamples)
      throw Napi::RangeError::New(info.Env(), "pcm must hold 320 samples (20 ms at 16 kHz), got " + std::to_string(pcm.ElementLength()));
    if (out.ElementLength() == 0) throw Napi::RangeError::New(info.Env(), "out must not be empty");
    const int n = enc_.encode(pcm.Data(), out.Data(), out.ElementLength());
    if (n < 0) throw Napi::Error::New(info.Env(), "Opus encode failed (out too small, or the encoder is closed)");
    return Napi::Number::New(info.Env(), n);
  }

  // close(): frees the libopus state at once (a call's encoder, at its end), not at garbage collection,
  // which on a thread with few full GCs could come thousands of calls later. encode() then throws.
  void Close(const Napi::CallbackInfo&) { enc_.close(); }

  OpusFrameEncoder enc_;
};

}  // namespace

void InitOpusEncoder(Napi::Env env, Napi::Object exports) { JsOpusFrameEncoder::Init(env, exports); }

}  // namespace firstring
