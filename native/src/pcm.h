// Linear PCM helpers: int16 <-> float32 conversion and fixed-size frame slicing.
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

// int16 -> float in [-1, 1): x / 32768.
void int16ToFloat(const int16_t* in, size_t n, float* out);
// float -> int16 with rounding and saturation (values outside [-1, 1] clip).
void floatToInt16(const float* in, size_t n, int16_t* out);
// Energy of a frame in dBFS (full-scale sine of amplitude 32767 ~ -3 dBFS; silence -> -120).
float frameEnergyDb(const int16_t* pcm, size_t n);

// Number of whole frames of frameSamples in a buffer of n samples (0 if frameSamples is 0).
size_t frameCount(size_t n, size_t frameSamples);
// Pointer to frame `index` of a buffer, or nullptr when it does not fit entirely.
const int16_t* frameAt(const int16_t* pcm, size_t n, size_t frameSamples, size_t index);

}  // namespace firstring
