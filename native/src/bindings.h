// Registration hooks: each js_*.cc file exposes one Init function that adds
// its classes and functions to the addon's exports. addon.cc calls them all.
#pragma once
#include <napi.h>

namespace firstring {
void InitDsp(Napi::Env env, Napi::Object exports);
void InitJitter(Napi::Env env, Napi::Object exports);
void InitVad(Napi::Env env, Napi::Object exports);
void InitSrtp(Napi::Env env, Napi::Object exports);
void InitMediaEngine(Napi::Env env, Napi::Object exports);
void InitMediaThread(Napi::Env env, Napi::Object exports);
void InitOpusEncoder(Napi::Env env, Napi::Object exports);
void InitProcessMemory(Napi::Env env, Napi::Object exports);
}  // namespace firstring
