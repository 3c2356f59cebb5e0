// JavaScript binding of the batch MediaEngine: a handful of calls per tick for all
// calls of a worker, over caller-provided typed arrays reused every tick.
#include <memory>
#include <string>

#include "bindings.h"
#include "js_typed_arrays.h"
#include "media_engine.h"

namespace firstring {

Napi::Object jitterStatsToJs(Napi::Env env, const JitterStats& s);  // js_jitter.cc

namespace {

void requireLength(const Napi::Env& env, size_t have, size_t need, const char* what) {
  if (have < need)
    throw Napi::RangeError::New(env, std::string(what) + " is too small: needs " + std::to_string(need) +
                                         " elements, has " + std::to_string(have));
}

Napi::Object optObject(const Napi::Object& o, const char* key) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return Napi::Object::New(o.Env());
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be an object");
  return v.As<Napi::Object>();
}

CallConfig callConfigFrom(const Napi::Object& o) {
  Napi::Env env = o.Env();
  CallConfig c;
  Napi::Value kind = o.Get("payload");
  if (!kind.IsString()) throw Napi::TypeError::New(env, "payload must be 'opus', 'pcmu' or 'pcma'");
  const std::string k = kind.As<Napi::String>().Utf8Value();
  if (k == "opus") c.kind = PayloadKind::Opus;
  else if (k == "pcmu") c.kind = PayloadKind::Pcmu;
  else if (k == "pcma") c.kind = PayloadKind::Pcma;
  else throw Napi::RangeError::New(env, "payload must be 'opus', 'pcmu' or 'pcma'");
  c.payloadType = static_cast<int>(js::optNumber(o, "payloadType", -1, -1, 127));
  if (o.Has("decodeOpus") && !o.Get("decodeOpus").IsUndefined()) {
    if (!o.Get("decodeOpus").IsBoolean()) throw Napi::TypeError::New(env, "decodeOpus must be a boolean");
    c.decodeOpus = o.Get("decodeOpus").As<Napi::Boolean>().Value();
  }
  c.jitter.clockRate = static_cast<int>(js::optNumber(o, "clockRate", c.kind == PayloadKind::Opus ? 48000 : 8000, 8000, 48000));
  c.jitter.minDelayMs = static_cast<int>(js::optNumber(o, "jitterMinMs", 20, 0, 2000));
  c.jitter.maxDelayMs = static_cast<int>(js::optNumber(o, "jitterMaxMs", 200, 0, 2000));
  c.jitter.maxPayload = static_cast<size_t>(js::optNumber(o, "maxPayload", c.kind == PayloadKind::Opus ? 1275 : 160, 1, 65535));
  const Napi::Object vad = optObject(o, "vad");
  c.vad.onsetMs = static_cast<float>(js::optNumber(vad, "onsetMs", c.vad.onsetMs, 0, 5000));
  c.vad.hangoverMs = static_cast<float>(js::optNumber(vad, "hangoverMs", c.vad.hangoverMs, 0, 5000));
  c.vad.threshold = static_cast<float>(js::optNumber(vad, "threshold", c.vad.threshold, 0, 1));
  const Napi::Object bi = optObject(o, "bargeIn");
  c.bargeIn.minSpeechMs = static_cast<float>(js::optNumber(bi, "minSpeechMs", c.bargeIn.minSpeechMs, 0, 10000));
  c.bargeIn.echoMarginDb = static_cast<float>(js::optNumber(bi, "echoMarginDb", c.bargeIn.echoMarginDb, -60, 60));
  c.bargeIn.echoReturnLossDb =
      static_cast<float>(js::optNumber(bi, "echoReturnLossDb", c.bargeIn.echoReturnLossDb, 0, 120));
  return c;
}

class JsMediaEngine : public Napi::ObjectWrap<JsMediaEngine> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "MediaEngine",
                                   {InstanceMethod<&JsMediaEngine::AddCall>("addCall"),
                                    InstanceMethod<&JsMediaEngine::RemoveCall>("removeCall"),
                                    InstanceMethod<&JsMediaEngine::Ingest>("ingest"),
                                    InstanceMethod<&JsMediaEngine::Pull>("pull"),
                                    InstanceMethod<&JsMediaEngine::Analyze>("analyze"),
                                    InstanceMethod<&JsMediaEngine::Stats>("stats"),
                                    InstanceMethod<&JsMediaEngine::AttachSocket>("attachSocket"),
                                    InstanceMethod<&JsMediaEngine::DetachSocket>("detachSocket"),
                                    InstanceMethod<&JsMediaEngine::Receive>("receive"),
                                    InstanceMethod<&JsMediaEngine::ReceiveStatsOf>("receiveStats"),
                                    InstanceMethod<&JsMediaEngine::Layout>("layout")});
    exports.Set("MediaEngine", f);
  }

  explicit JsMediaEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsMediaEngine>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "options must be an object");
    const Napi::Object o = info[0].As<Napi::Object>();
    if (!o.Has("maxCalls")) throw Napi::TypeError::New(info.Env(), "maxCalls is required");
    const double maxCalls = js::optNumber(o, "maxCalls", 0, 1, static_cast<double>(MediaEngine::kMaxCalls));
    const double maxPayload = js::optNumber(o, "maxPayload", 1500, 160, 65535);
    if (maxCalls != static_cast<double>(static_cast<size_t>(maxCalls)) ||
        maxPayload != static_cast<double>(static_cast<size_t>(maxPayload)))
      throw Napi::RangeError::New(info.Env(), "maxCalls and maxPayload must be integers");
    engine_ = std::make_unique<MediaEngine>(static_cast<size_t>(maxCalls), static_cast<size_t>(maxPayload));
  }

 private:
  size_t slotArg(const Napi::CallbackInfo& info, size_t i) const {
    return static_cast<size_t>(js::intArg(info, i, "slot", 0, static_cast<long>(engine_->maxCalls()) - 1));
  }

  Napi::Value AddCall(const Napi::CallbackInfo& info) {
    const size_t slot = slotArg(info, 0);
    if (info.Length() < 2 || !info[1].IsObject()) throw Napi::TypeError::New(info.Env(), "config must be an object");
    const CallConfig c = callConfigFrom(info[1].As<Napi::Object>());
    if (const char* err = engine_->addCall(slot, c)) throw Napi::RangeError::New(info.Env(), err);
    return info.Env().Undefined();
  }

  Napi::Value RemoveCall(const Napi::CallbackInfo& info) {
    if (const char* err = engine_->removeCall(slotArg(info, 0))) throw Napi::RangeError::New(info.Env(), err);
    return info.Env().Undefined();
  }

  // ingest(records: Uint8Array, count: number): number of packets accepted.
  Napi::Value Ingest(const Napi::CallbackInfo& info) {
    auto buf = js::typedArg<uint8_t>(info, 0, "records");
    const long count = js::intArg(info, 1, "count", 0, 1L << 30);
    const MediaEngine::IngestResult r = engine_->ingest(buf.Data(), buf.ElementLength(), static_cast<size_t>(count));
    if (r.error != nullptr) throw Napi::RangeError::New(info.Env(), r.error);
    return Napi::Number::New(info.Env(), static_cast<double>(r.accepted));
  }

  // pull(nowMs, status: Uint8Array, pcm: Int16Array, payload: Uint8Array, payloadLen: Uint16Array): number
  Napi::Value Pull(const Napi::CallbackInfo& info) {
    const double now = js::numberArg(info, 0, "nowMs");
    auto status = js::typedArg<uint8_t>(info, 1, "status");
    auto pcm = js::typedArg<int16_t>(info, 2, "pcm");
    auto payload = js::typedArg<uint8_t>(info, 3, "payload");
    auto payloadLen = js::typedArg<uint16_t>(info, 4, "payloadLen");
    const size_t n = engine_->maxCalls();
    requireLength(info.Env(), status.ElementLength(), n, "status");
    requireLength(info.Env(), pcm.ElementLength(), n * MediaEngine::kFrameSamples, "pcm");
    requireLength(info.Env(), payload.ElementLength(), n * engine_->maxPayload(), "payload");
    requireLength(info.Env(), payloadLen.ElementLength(), n, "payloadLen");
    const size_t k = engine_->pull(now, status.Data(), pcm.Data(), payload.Data(), payloadLen.Data());
    return Napi::Number::New(info.Env(), static_cast<double>(k));
  }

  // analyze(status: Uint8Array, pcm: Int16Array, agentFlags: Uint8Array, agentPcm: Int16Array,
  //         results: Float64Array): number
  Napi::Value Analyze(const Napi::CallbackInfo& info) {
    auto status = js::typedArg<uint8_t>(info, 0, "status");
    auto pcm = js::typedArg<int16_t>(info, 1, "pcm");
    auto agentFlags = js::typedArg<uint8_t>(info, 2, "agentFlags");
    auto agentPcm = js::typedArg<int16_t>(info, 3, "agentPcm");
    auto results = js::typedArg<double>(info, 4, "results");
    const size_t n = engine_->maxCalls();
    requireLength(info.Env(), status.ElementLength(), n, "status");
    requireLength(info.Env(), pcm.ElementLength(), n * MediaEngine::kFrameSamples, "pcm");
    requireLength(info.Env(), agentFlags.ElementLength(), n, "agentFlags");
    requireLength(info.Env(), agentPcm.ElementLength(), n * MediaEngine::kFrameSamples, "agentPcm");
    requireLength(info.Env(), results.ElementLength(), n * MediaEngine::kResultStride, "results");
    const size_t k = engine_->analyze(status.Data(), pcm.Data(), agentFlags.Data(), agentPcm.Data(), results.Data());
    return Napi::Number::New(info.Env(), static_cast<double>(k));
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    const size_t slot = slotArg(info, 0);
    const JitterStats* s = engine_->jitterStats(slot);
    const CallCounters* c = engine_->counters(slot);
    if (s == nullptr || c == nullptr) throw Napi::RangeError::New(info.Env(), "slot has no active call");
    Napi::Object o = jitterStatsToJs(info.Env(), *s);
    o.Set("malformed", Napi::Number::New(info.Env(), static_cast<double>(c->malformed)));
    o.Set("otherPayloadType", Napi::Number::New(info.Env(), static_cast<double>(c->otherPayloadType)));
    o.Set("opusDecodeErrors", Napi::Number::New(info.Env(), static_cast<double>(c->opusDecodeErrors)));
    return o;
  }

  // attachSocket(slot, fd, srtpHandle): the engine reads the call's UDP socket from now on.
  Napi::Value AttachSocket(const Napi::CallbackInfo& info) {
    const size_t slot = slotArg(info, 0);
    const int fd = static_cast<int>(js::intArg(info, 1, "fd", 0, 0x7fffffff));
    const int32_t handle = static_cast<int32_t>(js::intArg(info, 2, "srtpHandle", 0, 0x7fffffff));
    if (const char* err = engine_->attachSocket(slot, fd, handle)) throw Napi::Error::New(info.Env(), err);
    return info.Env().Undefined();
  }

  Napi::Value DetachSocket(const Napi::CallbackInfo& info) {
    engine_->detachSocket(slotArg(info, 0));
    return info.Env().Undefined();
  }

  // receive(nowMs, out: Uint8Array, rxPackets: Uint32Array, rxBytes: Uint32Array, summary: Uint32Array):
  // records written; summary = [records, bytes used, more (0/1)].
  Napi::Value Receive(const Napi::CallbackInfo& info) {
    const double now = js::numberArg(info, 0, "nowMs");
    auto out = js::typedArg<uint8_t>(info, 1, "out");
    auto rxPackets = js::typedArg<uint32_t>(info, 2, "rxPackets");
    auto rxBytes = js::typedArg<uint32_t>(info, 3, "rxBytes");
    auto summary = js::typedArg<uint32_t>(info, 4, "summary");
    const size_t n = engine_->maxCalls();
    requireLength(info.Env(), rxPackets.ElementLength(), n, "rxPackets");
    requireLength(info.Env(), rxBytes.ElementLength(), n, "rxBytes");
    requireLength(info.Env(), summary.ElementLength(), 3, "summary");
    requireLength(info.Env(), out.ElementLength(), MediaEngine::kReceiveBatchBytes, "out");
    const MediaEngine::ReceiveResult r = engine_->receive(now, out.Data(), out.ElementLength(), rxPackets.Data(), rxBytes.Data());
    summary[0] = static_cast<uint32_t>(r.records);
    summary[1] = static_cast<uint32_t>(r.bytes);
    summary[2] = r.more ? 1u : 0u;
    return Napi::Number::New(info.Env(), static_cast<double>(r.records));
  }

  // receiveStats(slot): the natively read stream's statistics and datagram counters, or undefined.
  Napi::Value ReceiveStatsOf(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t slot = slotArg(info, 0);
    const ReceiveStats* rx = engine_->receiveStats(slot);
    const SocketCounters* c = engine_->socketCounters(slot);
    if (rx == nullptr || c == nullptr) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    auto num = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
    num("ssrc", rx->started() ? static_cast<double>(rx->ssrc()) : -1.0);
    num("packets", static_cast<double>(rx->packets()));
    num("bytes", static_cast<double>(rx->bytes()));
    num("extendedMaxSeq", static_cast<double>(rx->extendedMaxSeq()));
    num("expected", static_cast<double>(rx->expected()));
    num("jitter", rx->jitter());
    num("rtp", static_cast<double>(c->rtp));
    num("handedBack", static_cast<double>(c->handedBack));
    num("authFailed", static_cast<double>(c->authFailed));
    num("replayed", static_cast<double>(c->replayed));
    num("tooOld", static_cast<double>(c->tooOld));
    num("malformed", static_cast<double>(c->malformed));
    num("otherDropped", static_cast<double>(c->otherDropped));
    num("truncated", static_cast<double>(c->truncated));
    num("readErrors", static_cast<double>(c->readErrors));
    return o;
  }

  Napi::Value Layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("maxCalls", Napi::Number::New(env, static_cast<double>(engine_->maxCalls())));
    o.Set("maxPayload", Napi::Number::New(env, static_cast<double>(engine_->maxPayload())));
    o.Set("frameSamples", Napi::Number::New(env, static_cast<double>(MediaEngine::kFrameSamples)));
    o.Set("recordHeaderBytes", Napi::Number::New(env, static_cast<double>(MediaEngine::kRecordHeader)));
    o.Set("resultStride", Napi::Number::New(env, static_cast<double>(MediaEngine::kResultStride)));
    o.Set("datagramRecordHeaderBytes", Napi::Number::New(env, static_cast<double>(MediaEngine::kDatagramRecordHeader)));
    o.Set("receiveOutBytes", Napi::Number::New(env, static_cast<double>(MediaEngine::kReceiveBatchBytes)));
    o.Set("opusVersion", Napi::String::New(env, opusVersion()));
    return o;
  }

  std::unique_ptr<MediaEngine> engine_;
};

}  // namespace

void InitMediaEngine(Napi::Env env, Napi::Object exports) { JsMediaEngine::Init(env, exports); }

}  // namespace firstring
