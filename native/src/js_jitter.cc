// JavaScript bindings: placeholder until the module lands.
#include "bindings.h"

namespace firstring {
void InitJitter(Napi::Env, Napi::Object) {}
}  // namespace firstring
