// Argument checks shared by the DSP, jitter and media-engine bindings: every typed
// array and number from JavaScript is validated, and a bad one throws a TypeError or
// RangeError (NAPI_CPP_EXCEPTIONS) instead of touching memory.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <cstdint>

namespace firstring {
namespace js {

template <typename T>
constexpr napi_typedarray_type arrayTypeOf() {
  return std::is_same<T, uint8_t>::value    ? napi_uint8_array
         : std::is_same<T, int16_t>::value  ? napi_int16_array
         : std::is_same<T, uint16_t>::value ? napi_uint16_array
         : std::is_same<T, uint32_t>::value ? napi_uint32_array
         : std::is_same<T, float>::value    ? napi_float32_array
         : std::is_same<T, double>::value   ? napi_float64_array
                                            : napi_int8_array;
}

template <typename T>
inline Napi::TypedArrayOf<T> typedArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a typed array");
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  const napi_typedarray_type want = arrayTypeOf<T>();
  if (ta.TypedArrayType() != want) {
    const bool byteOk = (want == napi_uint8_array && ta.TypedArrayType() == napi_uint8_clamped_array);
    if (!byteOk) throw Napi::TypeError::New(info.Env(), std::string(what) + " has the wrong typed-array type");
  }
  return Napi::TypedArrayOf<T>(info.Env(), info[i]);
}

inline double numberArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v)) throw Napi::RangeError::New(info.Env(), std::string(what) + " must be finite");
  return v;
}

inline long intArg(const Napi::CallbackInfo& info, size_t i, const char* what, long lo, long hi) {
  const double v = numberArg(info, i, what);
  if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi))
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must be an integer in " + std::to_string(lo) + ".." +
                                                std::to_string(hi));
  return static_cast<long>(v);
}

// Optional numeric property of an object, with range check; returns fallback when absent.
inline double optNumber(const Napi::Object& o, const char* key, double fallback, double lo, double hi) {
  if (!o.Has(key)) return fallback;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < lo || d > hi)
    throw Napi::RangeError::New(o.Env(), std::string(key) + " must be within " + std::to_string(lo) + ".." + std::to_string(hi));
  return d;
}

}  // namespace js
}  // namespace firstring
