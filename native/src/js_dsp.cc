// JavaScript bindings of the DSP primitives: G.711, PCM conversion, resampler, concealment.
#include <memory>

#include "bindings.h"
#include "concealment.h"
#include "g711.h"
#include "js_typed_arrays.h"
#include "pcm.h"
#include "resampler.h"

namespace firstring {
namespace {

void requireCapacity(const Napi::Env& env, size_t have, size_t need, const char* what) {
  if (have < need)
    throw Napi::RangeError::New(env, std::string(what) + " is too small: needs " + std::to_string(need) +
                                         " elements, has " + std::to_string(have));
}

template <void (*Encode)(const int16_t*, size_t, uint8_t*)>
Napi::Value encodeG711(const Napi::CallbackInfo& info) {
  auto in = js::typedArg<int16_t>(info, 0, "pcm");
  auto out = js::typedArg<uint8_t>(info, 1, "out");
  requireCapacity(info.Env(), out.ElementLength(), in.ElementLength(), "out");
  Encode(in.Data(), in.ElementLength(), out.Data());
  return Napi::Number::New(info.Env(), static_cast<double>(in.ElementLength()));
}

template <void (*Decode)(const uint8_t*, size_t, int16_t*)>
Napi::Value decodeG711(const Napi::CallbackInfo& info) {
  auto in = js::typedArg<uint8_t>(info, 0, "codes");
  auto out = js::typedArg<int16_t>(info, 1, "out");
  requireCapacity(info.Env(), out.ElementLength(), in.ElementLength(), "out");
  Decode(in.Data(), in.ElementLength(), out.Data());
  return Napi::Number::New(info.Env(), static_cast<double>(in.ElementLength()));
}

Napi::Value Int16ToFloat32(const Napi::CallbackInfo& info) {
  auto in = js::typedArg<int16_t>(info, 0, "pcm");
  auto out = js::typedArg<float>(info, 1, "out");
  requireCapacity(info.Env(), out.ElementLength(), in.ElementLength(), "out");
  int16ToFloat(in.Data(), in.ElementLength(), out.Data());
  return Napi::Number::New(info.Env(), static_cast<double>(in.ElementLength()));
}

Napi::Value Float32ToInt16(const Napi::CallbackInfo& info) {
  auto in = js::typedArg<float>(info, 0, "samples");
  auto out = js::typedArg<int16_t>(info, 1, "out");
  requireCapacity(info.Env(), out.ElementLength(), in.ElementLength(), "out");
  floatToInt16(in.Data(), in.ElementLength(), out.Data());
  return Napi::Number::New(info.Env(), static_cast<double>(in.ElementLength()));
}

Napi::Value FrameEnergyDb(const Napi::CallbackInfo& info) {
  auto in = js::typedArg<int16_t>(info, 0, "pcm");
  return Napi::Number::New(info.Env(), frameEnergyDb(in.Data(), in.ElementLength()));
}

class JsResampler : public Napi::ObjectWrap<JsResampler> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Resampler",
                                   {InstanceMethod<&JsResampler::Process>("process"),
                                    InstanceMethod<&JsResampler::ProcessFloat>("processFloat"),
                                    InstanceMethod<&JsResampler::MaxOutput>("maxOutput"),
                                    InstanceMethod<&JsResampler::Reset>("reset"),
                                    InstanceMethod<&JsResampler::Delay>("delaySamples")});
    exports.Set("Resampler", f);
  }

  explicit JsResampler(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsResampler>(info) {
    const long in = js::intArg(info, 0, "inRate", 1, 1000000);
    const long out = js::intArg(info, 1, "outRate", 1, 1000000);
    if (!r_.configure(static_cast<int>(in), static_cast<int>(out)))
      throw Napi::RangeError::New(info.Env(), "Resampler supports 8000, 16000, 24000 and 48000 Hz only");
  }

 private:
  Napi::Value Process(const Napi::CallbackInfo& info) {
    auto in = js::typedArg<int16_t>(info, 0, "input");
    auto out = js::typedArg<int16_t>(info, 1, "out");
    requireCapacity(info.Env(), out.ElementLength(), r_.maxOutput(in.ElementLength()), "out");
    const size_t n = r_.process(in.Data(), in.ElementLength(), out.Data(), out.ElementLength());
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }
  Napi::Value ProcessFloat(const Napi::CallbackInfo& info) {
    auto in = js::typedArg<float>(info, 0, "input");
    auto out = js::typedArg<float>(info, 1, "out");
    requireCapacity(info.Env(), out.ElementLength(), r_.maxOutput(in.ElementLength()), "out");
    const size_t n = r_.process(in.Data(), in.ElementLength(), out.Data(), out.ElementLength());
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }
  Napi::Value MaxOutput(const Napi::CallbackInfo& info) {
    const long n = js::intArg(info, 0, "n", 0, 1L << 30);
    return Napi::Number::New(info.Env(), static_cast<double>(r_.maxOutput(static_cast<size_t>(n))));
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    r_.reset();
    return info.Env().Undefined();
  }
  Napi::Value Delay(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), r_.delayOutputSamples());
  }

  Resampler r_;
};

class JsConcealer : public Napi::ObjectWrap<JsConcealer> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Concealer",
                                   {InstanceMethod<&JsConcealer::NoteGood>("noteGood"),
                                    InstanceMethod<&JsConcealer::Conceal>("conceal"),
                                    InstanceMethod<&JsConcealer::Reset>("reset"),
                                    InstanceMethod<&JsConcealer::Level>("comfortLevelDb")});
    exports.Set("Concealer", f);
  }

  explicit JsConcealer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsConcealer>(info) {
    const long frame = js::intArg(info, 0, "frameSamples", 1, static_cast<long>(Concealer::kMaxFrame));
    const long fade = js::intArg(info, 1, "fadeSamples", 1, static_cast<long>(Concealer::kMaxFrame));
    const long seed = info.Length() > 2 && !info[2].IsUndefined() ? js::intArg(info, 2, "seed", 0, 0xFFFFFFFFL) : 0;
    c_.configure(static_cast<size_t>(frame), static_cast<size_t>(fade), static_cast<uint32_t>(seed));
  }

 private:
  Napi::Value NoteGood(const Napi::CallbackInfo& info) {
    auto in = js::typedArg<int16_t>(info, 0, "pcm");
    if (in.ElementLength() != c_.frameSamples())
      throw Napi::RangeError::New(info.Env(), "pcm must hold exactly frameSamples samples");
    c_.noteGood(in.Data());
    return info.Env().Undefined();
  }
  Napi::Value Conceal(const Napi::CallbackInfo& info) {
    auto out = js::typedArg<int16_t>(info, 0, "out");
    requireCapacity(info.Env(), out.ElementLength(), c_.frameSamples(), "out");
    c_.conceal(out.Data());
    return Napi::Number::New(info.Env(), static_cast<double>(c_.frameSamples()));
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    c_.reset();
    return info.Env().Undefined();
  }
  Napi::Value Level(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), c_.comfortLevelDb()); }

  Concealer c_;
};

}  // namespace

void InitDsp(Napi::Env env, Napi::Object exports) {
  exports.Set("ulawEncode", Napi::Function::New<encodeG711<ulawEncode>>(env, "ulawEncode"));
  exports.Set("ulawDecode", Napi::Function::New<decodeG711<ulawDecode>>(env, "ulawDecode"));
  exports.Set("alawEncode", Napi::Function::New<encodeG711<alawEncode>>(env, "alawEncode"));
  exports.Set("alawDecode", Napi::Function::New<decodeG711<alawDecode>>(env, "alawDecode"));
  exports.Set("int16ToFloat32", Napi::Function::New<Int16ToFloat32>(env, "int16ToFloat32"));
  exports.Set("float32ToInt16", Napi::Function::New<Float32ToInt16>(env, "float32ToInt16"));
  exports.Set("frameEnergyDb", Napi::Function::New<FrameEnergyDb>(env, "frameEnergyDb"));
  JsResampler::Init(env, exports);
  JsConcealer::Init(env, exports);
}

}  // namespace firstring
