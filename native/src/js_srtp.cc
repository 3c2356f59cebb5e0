// JavaScript bindings: placeholder until the module lands.
#include "bindings.h"

namespace firstring {
void InitSrtp(Napi::Env, Napi::Object) {}
}  // namespace firstring
