// JavaScript bindings: placeholder until the module lands.
#include "bindings.h"

namespace firstring {
void InitDsp(Napi::Env, Napi::Object) {}
}  // namespace firstring
