// ITU-T G.711 companding (µ-law and A-law), bit-exact with the reference
// algorithm of the Recommendation (segment/quantisation tables of G.711 §3 and §4).
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

uint8_t linearToUlaw(int16_t sample);
int16_t ulawToLinear(uint8_t code);
uint8_t linearToAlaw(int16_t sample);
int16_t alawToLinear(uint8_t code);

// Bulk forms: n samples/codes; decode uses 256-entry tables built once.
void ulawEncode(const int16_t* in, size_t n, uint8_t* out);
void ulawDecode(const uint8_t* in, size_t n, int16_t* out);
void alawEncode(const int16_t* in, size_t n, uint8_t* out);
void alawDecode(const uint8_t* in, size_t n, int16_t* out);

}  // namespace firstring
