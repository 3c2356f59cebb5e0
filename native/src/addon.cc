// Entry point of the native audio core addon.
#include "bindings.h"

namespace firstring {

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitDsp(env, exports);
  InitJitter(env, exports);
  InitVad(env, exports);
  InitSrtp(env, exports);
  InitMediaEngine(env, exports);
  InitMediaThread(env, exports);
  InitOpusEncoder(env, exports);
  InitProcessMemory(env, exports);
  return exports;
}

NODE_API_MODULE(firstring_native, Init)

}  // namespace firstring
