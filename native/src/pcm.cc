#include "pcm.h"

#include <cmath>

namespace firstring {

void int16ToFloat(const int16_t* in, size_t n, float* out) {
  constexpr float kScale = 1.0f / 32768.0f;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]) * kScale;
}

void floatToInt16(const float* in, size_t n, int16_t* out) {
  for (size_t i = 0; i < n; ++i) {
    float v = in[i] * 32768.0f;
    v = v >= 0.0f ? v + 0.5f : v - 0.5f;
    if (!(v < 32767.0f)) v = v != v ? 0.0f : 32767.0f;  // NaN becomes 0
    if (v < -32768.0f) v = -32768.0f;
    out[i] = static_cast<int16_t>(v);
  }
}

float frameEnergyDb(const int16_t* pcm, size_t n) {
  if (n == 0) return -120.0f;
  double acc = 0.0;
  for (size_t i = 0; i < n; ++i) acc += static_cast<double>(pcm[i]) * pcm[i];
  const double meanSquare = acc / static_cast<double>(n) / (32768.0 * 32768.0);
  if (meanSquare <= 1e-12) return -120.0f;
  return static_cast<float>(10.0 * std::log10(meanSquare));
}

size_t frameCount(size_t n, size_t frameSamples) {
  return frameSamples == 0 ? 0 : n / frameSamples;
}

const int16_t* frameAt(const int16_t* pcm, size_t n, size_t frameSamples, size_t index) {
  if (frameSamples == 0 || index >= frameCount(n, frameSamples)) return nullptr;
  return pcm + index * frameSamples;
}

}  // namespace firstring
