// JavaScript bindings: placeholder until the module lands.
#include "bindings.h"

namespace firstring {
void InitMediaEngine(Napi::Env, Napi::Object) {}
}  // namespace firstring
