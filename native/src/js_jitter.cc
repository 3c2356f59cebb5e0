// JavaScript bindings of the RTP header parser and the per-stream jitter buffer
// (the MediaEngine uses the same classes natively; these serve tests and tools).
#include "bindings.h"
#include "jitter_buffer.h"
#include "js_typed_arrays.h"
#include "rtp_header.h"

namespace firstring {

Napi::Object jitterStatsToJs(Napi::Env env, const JitterStats& s);

namespace {

Napi::Value ParseRtp(const Napi::CallbackInfo& info) {
  auto buf = js::typedArg<uint8_t>(info, 0, "packet");
  RtpHeader h;
  const RtpParseError e = parseRtpHeader(buf.Data(), buf.ElementLength(), h);
  if (e != RtpParseError::None) throw Napi::Error::New(info.Env(), rtpParseErrorText(e));
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", h.version);
  o.Set("padding", h.padding);
  o.Set("extension", h.extension);
  o.Set("csrcCount", h.csrcCount);
  o.Set("marker", h.marker);
  o.Set("payloadType", h.payloadType);
  o.Set("sequence", h.sequence);
  o.Set("timestamp", Napi::Number::New(env, h.timestamp));
  o.Set("ssrc", Napi::Number::New(env, h.ssrc));
  o.Set("payloadOffset", Napi::Number::New(env, static_cast<double>(h.payloadOffset)));
  o.Set("payloadLength", Napi::Number::New(env, static_cast<double>(h.payloadLength)));
  return o;
}

JitterConfig jitterConfigFrom(const Napi::Object& o) {
  JitterConfig c;
  c.clockRate = static_cast<int>(js::optNumber(o, "clockRate", c.clockRate, 1000, 192000));
  c.frameMs = static_cast<int>(js::optNumber(o, "frameMs", c.frameMs, 5, 120));
  c.minDelayMs = static_cast<int>(js::optNumber(o, "minDelayMs", c.minDelayMs, 0, 2000));
  c.maxDelayMs = static_cast<int>(js::optNumber(o, "maxDelayMs", c.maxDelayMs, 0, 2000));
  c.maxPayload = static_cast<size_t>(js::optNumber(o, "maxPayload", static_cast<double>(c.maxPayload), 1, 65535));
  return c;
}

class JsJitterBuffer : public Napi::ObjectWrap<JsJitterBuffer> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "JitterBuffer",
                                   {InstanceMethod<&JsJitterBuffer::Push>("push"),
                                    InstanceMethod<&JsJitterBuffer::Pull>("pull"),
                                    InstanceMethod<&JsJitterBuffer::Stats>("stats"),
                                    InstanceMethod<&JsJitterBuffer::Reset>("reset"),
                                    InstanceMethod<&JsJitterBuffer::Capacity>("capacity")});
    exports.Set("JitterBuffer", f);
  }

  explicit JsJitterBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsJitterBuffer>(info) {
    JitterConfig c;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      if (!info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "config must be an object");
      c = jitterConfigFrom(info[0].As<Napi::Object>());
    }
    if (const char* err = jb_.configure(c)) throw Napi::RangeError::New(info.Env(), err);
  }

 private:
  // push(packet: Uint8Array, arrivalMs: number): 0 accepted, 1 duplicate, 2 late, 3 rejected.
  Napi::Value Push(const Napi::CallbackInfo& info) {
    auto buf = js::typedArg<uint8_t>(info, 0, "packet");
    const double arrival = js::numberArg(info, 1, "arrivalMs");
    RtpHeader h;
    const RtpParseError e = parseRtpHeader(buf.Data(), buf.ElementLength(), h);
    if (e != RtpParseError::None) throw Napi::Error::New(info.Env(), rtpParseErrorText(e));
    const PushResult r = jb_.push(h, buf.Data() + h.payloadOffset, h.payloadLength, arrival);
    return Napi::Number::New(info.Env(), static_cast<int>(r));
  }

  // pull(nowMs: number, out: Uint8Array) -> { status, length, seq, timestamp, mediaMs, marker }
  Napi::Value Pull(const Napi::CallbackInfo& info) {
    const double now = js::numberArg(info, 0, "nowMs");
    auto out = js::typedArg<uint8_t>(info, 1, "out");
    if (out.ElementLength() < jb_.config().maxPayload)
      throw Napi::RangeError::New(info.Env(), "out must hold at least maxPayload bytes");
    const PullResult r = jb_.pull(now, out.Data(), out.ElementLength());
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", static_cast<int>(r.status));
    o.Set("length", Napi::Number::New(env, static_cast<double>(r.length)));
    o.Set("seq", Napi::Number::New(env, static_cast<double>(r.extSeq)));
    o.Set("timestamp", Napi::Number::New(env, r.timestamp));
    o.Set("mediaMs", Napi::Number::New(env, r.mediaMs));
    o.Set("marker", r.marker);
    return o;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) { return jitterStatsToJs(info.Env(), jb_.stats()); }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    jb_.reset();
    jb_.resetStats();
    return info.Env().Undefined();
  }
  Napi::Value Capacity(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(jb_.capacity()));
  }

  JitterBuffer jb_;
};

}  // namespace

Napi::Object jitterStatsToJs(Napi::Env env, const JitterStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("received", Napi::Number::New(env, static_cast<double>(s.received)));
  o.Set("lost", Napi::Number::New(env, static_cast<double>(s.lost)));
  o.Set("late", Napi::Number::New(env, static_cast<double>(s.late)));
  o.Set("duplicate", Napi::Number::New(env, static_cast<double>(s.duplicate)));
  o.Set("reordered", Napi::Number::New(env, static_cast<double>(s.reordered)));
  o.Set("discarded", Napi::Number::New(env, static_cast<double>(s.discarded)));
  o.Set("rejected", Napi::Number::New(env, static_cast<double>(s.rejected)));
  o.Set("ssrcChanges", Napi::Number::New(env, static_cast<double>(s.ssrcChanges)));
  o.Set("resyncs", Napi::Number::New(env, static_cast<double>(s.resyncs)));
  o.Set("jitterMs", Napi::Number::New(env, s.jitterMs));
  o.Set("targetDelayMs", Napi::Number::New(env, s.targetDelayMs));
  o.Set("currentDelayMs", Napi::Number::New(env, s.currentDelayMs));
  return o;
}

void InitJitter(Napi::Env env, Napi::Object exports) {
  exports.Set("parseRtpHeader", Napi::Function::New<ParseRtp>(env, "parseRtpHeader"));
  JsJitterBuffer::Init(env, exports);
}

}  // namespace firstring
