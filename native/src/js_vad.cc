// JavaScript bindings: placeholder until the module lands.
#include "bindings.h"

namespace firstring {
void InitVad(Napi::Env, Napi::Object) {}
}  // namespace firstring
