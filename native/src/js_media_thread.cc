// Scheduling class of the calling thread (a media worker): SCHED_RR real-time priority,
// as media servers run their timing threads (Asterisk `-p`: SCHED_RR; FreeSWITCH `-rp`).
// A real-time thread runs ahead of every normal (SCHED_OTHER) thread and process on its
// core, whatever their nice value or autogroup; the kernel's RT throttling
// (/proc/sys/kernel/sched_rt_runtime_us, 95% by default) still leaves the rest of the
// core to them. Linux only; elsewhere the functions report that it is unsupported.
#include <cerrno>
#include <cstring>
#include <string>

#include "bindings.h"
#include "js_typed_arrays.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace firstring {
namespace {

// setThreadRealtime(priority: 1..99): SCHED_RR for the calling thread; 0 returns it to
// SCHED_OTHER. Throws a RangeError on a bad priority and an Error naming the cause (EPERM
// without CAP_SYS_NICE or an RLIMIT_RTPRIO allowance).
Napi::Value SetThreadRealtime(const Napi::CallbackInfo& info) {
  const long priority = js::intArg(info, 0, "priority", 0, 99);
#if defined(__linux__)
  sched_param p{};
  p.sched_priority = static_cast<int>(priority);
  const int policy = priority == 0 ? SCHED_OTHER : SCHED_RR;
  const int err = pthread_setschedparam(pthread_self(), policy, &p);
  if (err != 0) throw Napi::Error::New(info.Env(), std::string("pthread_setschedparam failed: ") + std::strerror(err));
  return info.Env().Undefined();
#else
  throw Napi::Error::New(info.Env(), "real-time thread priority is only supported on Linux");
#endif
}

// threadSchedPolicy(): the calling thread's policy and priority, e.g. { policy: 'rr', priority: 10 }.
Napi::Value ThreadSchedPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
#if defined(__linux__)
  int policy = 0;
  sched_param p{};
  const int err = pthread_getschedparam(pthread_self(), &policy, &p);
  if (err != 0) throw Napi::Error::New(env, std::string("pthread_getschedparam failed: ") + std::strerror(err));
  const char* name = policy == SCHED_RR ? "rr" : policy == SCHED_FIFO ? "fifo" : "other";
  o.Set("policy", Napi::String::New(env, name));
  o.Set("priority", Napi::Number::New(env, p.sched_priority));
#else
  o.Set("policy", Napi::String::New(env, "other"));
  o.Set("priority", Napi::Number::New(env, 0));
#endif
  return o;
}

}  // namespace

void InitMediaThread(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreadRealtime", Napi::Function::New(env, SetThreadRealtime, "setThreadRealtime"));
  exports.Set("threadSchedPolicy", Napi::Function::New(env, ThreadSchedPolicy, "threadSchedPolicy"));
}

}  // namespace firstring
