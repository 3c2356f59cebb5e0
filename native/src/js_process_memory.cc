// The C allocator's view of this process (glibc mallinfo2, all arenas): how much of the
// RSS outside the V8 heaps is memory in use and how much is free memory the arenas still
// hold. One call per metrics scrape; it walks every arena under its lock.
#include <malloc.h>

#include "bindings.h"

namespace firstring {
namespace {

// mallocStats(): { arenaBytes, inUseBytes, freeBytes, mmappedBytes } or undefined without mallinfo2.
Napi::Value MallocStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = ::mallinfo2();
  Napi::Object o = Napi::Object::New(env);
  o.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(m.arena)));          // sbrk'd and arena heaps
  o.Set("inUseBytes", Napi::Number::New(env, static_cast<double>(m.uordblks + m.hblkhd)));  // allocated, mmapped chunks included
  o.Set("freeBytes", Napi::Number::New(env, static_cast<double>(m.fordblks)));        // free chunks kept in the arenas
  o.Set("mmappedBytes", Napi::Number::New(env, static_cast<double>(m.hblkhd)));
  return o;
#else
  return env.Undefined();
#endif
}

// malloc_trim(0) on a libuv pool thread: it walks every arena under its lock for up to tens
// of milliseconds at hundreds of calls, which no JavaScript thread should wait for.
class TrimWorker : public Napi::AsyncWorker {
 public:
  explicit TrimWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override {
#if defined(__GLIBC__)
    released_ = ::malloc_trim(0) != 0;
#endif
  }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), released_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool released_ = false;
};

// mallocTrim(): Promise<boolean>, whether the free pages of the arenas handed memory back to the OS.
Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
  auto* w = new TrimWorker(info.Env());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void InitProcessMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("mallocStats", Napi::Function::New(env, MallocStats, "mallocStats"));
  exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim"));
}

}  // namespace firstring
