// JavaScript bindings of the frame VAD and the barge-in detector (used by tests, benchmarks
// and the Silero gate; the media engine calls the C++ classes directly).
#include <cmath>
#include <cstring>
#include <memory>

#include "barge_in.h"
#include "bindings.h"
#include "vad.h"

namespace firstring {

namespace {

// Reads an optional finite number property; throws a TypeError when present but not a number.
template <typename T>
void readNumber(Napi::Env env, const Napi::Object& o, const char* key, T& out) {
  if (!o.Has(key)) return;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return;
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(key) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw Napi::RangeError::New(env, std::string(key) + " must be finite");
  out = static_cast<T>(d);
}

// Reads an optional integer property (e.g. a sample rate).
void readInteger(Napi::Env env, const Napi::Object& o, const char* key, int& out) {
  double d = out;
  readNumber(env, o, key, d);
  if (d != std::floor(d) || d < -2147483648.0 || d > 2147483647.0) {
    throw Napi::RangeError::New(env, std::string(key) + " must be an integer");
  }
  out = static_cast<int>(d);
}

Napi::Object optionalConfig(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined()) return Napi::Object::New(info.Env());
  if (!info[index].IsObject()) throw Napi::TypeError::New(info.Env(), "config must be an object");
  return info[index].As<Napi::Object>();
}

// Returns the Int16Array argument at index (bounds come from the typed array itself).
Napi::TypedArrayOf<int16_t> int16Arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an Int16Array");
  }
  return info[index].As<Napi::TypedArrayOf<int16_t>>();
}

Napi::Object resultObject(Napi::Env env, const VadResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("probability", r.probability);
  o.Set("energyDb", r.energyDb);
  o.Set("speech", r.speech);
  o.Set("onset", r.onset);
  o.Set("offset", r.offset);
  return o;
}

class JsFrameVad : public Napi::ObjectWrap<JsFrameVad> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FrameVad",
                       {InstanceMethod<&JsFrameVad::Process>("process"),
                        InstanceMethod<&JsFrameVad::ProcessFrames>("processFrames"),
                        InstanceMethod<&JsFrameVad::Reset>("reset"),
                        InstanceAccessor<&JsFrameVad::SampleRate>("sampleRate"),
                        InstanceAccessor<&JsFrameVad::MaxFrameSamples>("maxFrameSamples")});
  }

  explicit JsFrameVad(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsFrameVad>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = optionalConfig(info, 0);
    VadConfig c;
    readInteger(env, o, "sampleRate", c.sampleRate);
    readNumber(env, o, "onsetMs", c.onsetMs);
    readNumber(env, o, "hangoverMs", c.hangoverMs);
    readNumber(env, o, "threshold", c.threshold);
    readNumber(env, o, "silenceFloorDbfs", c.silenceFloorDbfs);
    if (const char* err = FrameVad::validate(c)) throw Napi::RangeError::New(env, err);
    vad_ = std::make_unique<FrameVad>(c);
  }

 private:
  // process(frame: Int16Array) -> VadResult; 1..maxFrameSamples samples.
  Napi::Value Process(const Napi::CallbackInfo& info) {
    auto pcm = int16Arg(info, 0, "frame");
    const size_t n = pcm.ElementLength();
    if (n == 0 || n > vad_->maxFrameSamples()) {
      throw Napi::RangeError::New(info.Env(), "frame must hold 1.." + std::to_string(vad_->maxFrameSamples()) + " samples");
    }
    return resultObject(info.Env(), vad_->process(pcm.Data(), n));
  }

  // processFrames(pcm: Int16Array, frameSamples: number, probability: Float32Array, speech: Uint8Array)
  // runs consecutive frames in one call and writes one entry per whole frame; returns the count.
  Napi::Value ProcessFrames(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto pcm = int16Arg(info, 0, "pcm");
    if (info.Length() < 4 || !info[1].IsNumber()) throw Napi::TypeError::New(env, "frameSamples must be a number");
    const double fs = info[1].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(fs) || fs < 1 || fs > static_cast<double>(vad_->maxFrameSamples()) || fs != std::floor(fs)) {
      throw Napi::RangeError::New(env, "frameSamples must be an integer 1.." + std::to_string(vad_->maxFrameSamples()));
    }
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(env, "probability must be a Float32Array");
    }
    if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "speech must be a Uint8Array");
    }
    auto prob = info[2].As<Napi::TypedArrayOf<float>>();
    auto speech = info[3].As<Napi::TypedArrayOf<uint8_t>>();
    const size_t frameSamples = static_cast<size_t>(fs);
    const size_t frames = pcm.ElementLength() / frameSamples;
    if (prob.ElementLength() < frames || speech.ElementLength() < frames) {
      throw Napi::RangeError::New(env, "probability and speech must hold one entry per frame (" + std::to_string(frames) + ")");
    }
    for (size_t f = 0; f < frames; ++f) {
      const VadResult r = vad_->process(pcm.Data() + f * frameSamples, frameSamples);
      prob[f] = r.probability;
      speech[f] = r.speech ? 1 : 0;
    }
    return Napi::Number::New(env, static_cast<double>(frames));
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    vad_->reset();
    return info.Env().Undefined();
  }
  Napi::Value SampleRate(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), vad_->config().sampleRate); }
  Napi::Value MaxFrameSamples(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(vad_->maxFrameSamples()));
  }

  std::unique_ptr<FrameVad> vad_;
};

class JsBargeIn : public Napi::ObjectWrap<JsBargeIn> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "BargeInDetector",
                       {InstanceMethod<&JsBargeIn::SetAgentSpeaking>("setAgentSpeaking"),
                        InstanceMethod<&JsBargeIn::NoteAgentFrame>("noteAgentFrame"),
                        InstanceMethod<&JsBargeIn::Process>("process"),
                        InstanceMethod<&JsBargeIn::ProcessFrames>("processFrames"),
                        InstanceMethod<&JsBargeIn::Reset>("reset"),
                        InstanceAccessor<&JsBargeIn::ExpectedEchoDb>("expectedEchoDb"),
                        InstanceAccessor<&JsBargeIn::EstimatedEchoDelayMs>("estimatedEchoDelayMs")});
  }

  explicit JsBargeIn(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsBargeIn>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = optionalConfig(info, 0);
    BargeInConfig c;
    readInteger(env, o, "sampleRate", c.sampleRate);
    readNumber(env, o, "minSpeechMs", c.minSpeechMs);
    readNumber(env, o, "echoMarginDb", c.echoMarginDb);
    readNumber(env, o, "echoReturnLossDb", c.echoReturnLossDb);
    readNumber(env, o, "echoDelayMaxMs", c.echoDelayMaxMs);
    readNumber(env, o, "echoTailMs", c.echoTailMs);
    readNumber(env, o, "echoDelaySearchMs", c.echoDelaySearchMs);
    readNumber(env, o, "echoDelayToleranceMs", c.echoDelayToleranceMs);
    readNumber(env, o, "gapToleranceMs", c.gapToleranceMs);
    readNumber(env, o, "vadThreshold", c.vadThreshold);
    if (const char* err = BargeInDetector::validate(c)) throw Napi::RangeError::New(env, err);
    det_ = std::make_unique<BargeInDetector>(c);
  }

 private:
  size_t maxFrame() const { return static_cast<size_t>(det_->config().sampleRate) * 30 / 1000; }

  Napi::Value SetAgentSpeaking(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "speaking must be a boolean");
    det_->setAgentSpeaking(info[0].As<Napi::Boolean>().Value());
    return info.Env().Undefined();
  }

  Napi::Value NoteAgentFrame(const Napi::CallbackInfo& info) {
    auto pcm = int16Arg(info, 0, "frame");
    const size_t n = pcm.ElementLength();
    if (n == 0 || n > maxFrame()) {
      throw Napi::RangeError::New(info.Env(), "frame must hold 1.." + std::to_string(maxFrame()) + " samples");
    }
    det_->noteAgentFrame(pcm.Data(), n);
    return info.Env().Undefined();
  }

  // process(vad: { probability: number, energyDb?: number }, frame: Int16Array, frameTimeMs: number)
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject()) throw Napi::TypeError::New(env, "vad must be a VAD result object");
    Napi::Object v = info[0].As<Napi::Object>();
    VadResult vad;
    if (!v.Get("probability").IsNumber()) throw Napi::TypeError::New(env, "vad.probability must be a number");
    readNumber(env, v, "probability", vad.probability);
    readNumber(env, v, "energyDb", vad.energyDb);
    auto pcm = int16Arg(info, 1, "frame");
    const size_t n = pcm.ElementLength();
    if (n == 0 || n > maxFrame()) throw Napi::RangeError::New(env, "frame must hold 1.." + std::to_string(maxFrame()) + " samples");
    if (!info[2].IsNumber() || !std::isfinite(info[2].As<Napi::Number>().DoubleValue())) {
      throw Napi::TypeError::New(env, "frameTimeMs must be a finite number");
    }
    const BargeInResult r = det_->process(vad, pcm.Data(), n, info[2].As<Napi::Number>().DoubleValue());
    Napi::Object o = Napi::Object::New(env);
    o.Set("triggered", r.triggered);
    o.Set("atMs", r.atMs);
    o.Set("speechStartMs", r.speechStartMs);
    return o;
  }

  // processFrames(probability: Float32Array, caller: Int16Array, agent: Int16Array,
  //               frameSamples: number, startMs: number) -> number[]
  // Runs consecutive ticks in one call (agent frame noted, then the caller frame judged with
  // the given VAD probability) and returns the timestamps of the frames that triggered.
  Napi::Value ProcessFrames(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(env, "probability must be a Float32Array");
    }
    auto prob = info[0].As<Napi::TypedArrayOf<float>>();
    auto caller = int16Arg(info, 1, "caller");
    auto agent = int16Arg(info, 2, "agent");
    if (!info[3].IsNumber() || !info[4].IsNumber()) throw Napi::TypeError::New(env, "frameSamples and startMs must be numbers");
    const double fs = info[3].As<Napi::Number>().DoubleValue();
    const double startMs = info[4].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(fs) || fs < 1 || fs > static_cast<double>(maxFrame()) || fs != std::floor(fs)) {
      throw Napi::RangeError::New(env, "frameSamples must be an integer 1.." + std::to_string(maxFrame()));
    }
    if (!std::isfinite(startMs)) throw Napi::RangeError::New(env, "startMs must be finite");
    const size_t frameSamples = static_cast<size_t>(fs);
    const size_t frames = caller.ElementLength() / frameSamples;
    if (agent.ElementLength() < frames * frameSamples || prob.ElementLength() < frames) {
      throw Napi::RangeError::New(env, "agent and probability must cover every caller frame");
    }
    const double frameMs = frameSamples * 1000.0 / det_->config().sampleRate;
    Napi::Array triggers = Napi::Array::New(env);
    uint32_t count = 0;
    for (size_t f = 0; f < frames; ++f) {
      det_->noteAgentFrame(agent.Data() + f * frameSamples, frameSamples);
      VadResult vad;
      vad.probability = prob[f];
      const BargeInResult r = det_->process(vad, caller.Data() + f * frameSamples, frameSamples, startMs + f * frameMs);
      if (r.triggered) triggers.Set(count++, r.atMs);
    }
    return triggers;
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    det_->reset();
    return info.Env().Undefined();
  }
  Napi::Value ExpectedEchoDb(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), det_->expectedEchoDb()); }
  Napi::Value EstimatedEchoDelayMs(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), det_->estimatedEchoDelayMs());
  }

  std::unique_ptr<BargeInDetector> det_;
};

}  // namespace

void InitVad(Napi::Env env, Napi::Object exports) {
  exports.Set("FrameVad", JsFrameVad::Define(env));
  exports.Set("BargeInDetector", JsBargeIn::Define(env));
}

}  // namespace firstring
