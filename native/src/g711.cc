// G.711 companding after the classic reference implementation (Sun Microsystems'
// public-domain g711.c), which matches the code tables of ITU-T G.711:
// A-law works on the 13 most significant bits, µ-law on 14 bits with bias 0x84.
#include "g711.h"

namespace firstring {
namespace {

constexpr int kSignBit = 0x80;
constexpr int kQuantMask = 0x0F;
constexpr int kSegShift = 4;
constexpr int kSegMask = 0x70;
constexpr int kUlawBias = 0x84;
constexpr int kUlawClip = 8159;

constexpr int16_t kSegAend[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
constexpr int16_t kSegUend[8] = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};

int segmentOf(int value, const int16_t* table) {
  for (int i = 0; i < 8; ++i) {
    if (value <= table[i]) return i;
  }
  return 8;
}

// The encoders depend only on the 14 (µ-law) or 13 (A-law) top bits of the sample, so
// bulk encoding looks codes up in tables built from the reference functions.
struct Tables {
  int16_t ulaw[256];
  int16_t alaw[256];
  uint8_t ulawCode[1 << 14];
  uint8_t alawCode[1 << 13];
  Tables() {
    for (int c = 0; c < 256; ++c) {
      ulaw[c] = ulawToLinear(static_cast<uint8_t>(c));
      alaw[c] = alawToLinear(static_cast<uint8_t>(c));
    }
    for (int i = 0; i < (1 << 14); ++i) ulawCode[i] = linearToUlaw(static_cast<int16_t>((i - (1 << 13)) * 4));
    for (int i = 0; i < (1 << 13); ++i) alawCode[i] = linearToAlaw(static_cast<int16_t>((i - (1 << 12)) * 8));
  }
};

const Tables& tables() {
  static const Tables t;  // built once, thread-safe (C++11 static initialisation)
  return t;
}

}  // namespace

uint8_t linearToAlaw(int16_t sample) {
  int pcm = sample >> 3;
  int mask;
  if (pcm >= 0) {
    mask = 0xD5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const int seg = segmentOf(pcm, kSegAend);
  if (seg >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  int aval = seg << kSegShift;
  aval |= (seg < 2 ? (pcm >> 1) : (pcm >> seg)) & kQuantMask;
  return static_cast<uint8_t>(aval ^ mask);
}

int16_t alawToLinear(uint8_t code) {
  const int a = code ^ 0x55;
  int t = (a & kQuantMask) << 4;
  const int seg = (a & kSegMask) >> kSegShift;
  switch (seg) {
    case 0: t += 8; break;
    case 1: t += 0x108; break;
    default: t += 0x108; t <<= seg - 1;
  }
  return static_cast<int16_t>((a & kSignBit) ? t : -t);
}

uint8_t linearToUlaw(int16_t sample) {
  int pcm = sample >> 2;
  int mask;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7F;
  } else {
    mask = 0xFF;
  }
  if (pcm > kUlawClip) pcm = kUlawClip;
  pcm += kUlawBias >> 2;
  const int seg = segmentOf(pcm, kSegUend);
  if (seg >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  const int uval = (seg << 4) | ((pcm >> (seg + 1)) & 0xF);
  return static_cast<uint8_t>(uval ^ mask);
}

int16_t ulawToLinear(uint8_t code) {
  const int u = (~code) & 0xFF;
  int t = ((u & kQuantMask) << 3) + kUlawBias;
  t <<= (u & kSegMask) >> kSegShift;
  return static_cast<int16_t>((u & kSignBit) ? (kUlawBias - t) : (t - kUlawBias));
}

void ulawEncode(const int16_t* in, size_t n, uint8_t* out) {
  const uint8_t* t = tables().ulawCode;
  for (size_t i = 0; i < n; ++i) out[i] = t[(in[i] >> 2) + (1 << 13)];
}

void ulawDecode(const uint8_t* in, size_t n, int16_t* out) {
  const int16_t* t = tables().ulaw;
  for (size_t i = 0; i < n; ++i) out[i] = t[in[i]];
}

void alawEncode(const int16_t* in, size_t n, uint8_t* out) {
  const uint8_t* t = tables().alawCode;
  for (size_t i = 0; i < n; ++i) out[i] = t[(in[i] >> 3) + (1 << 12)];
}

void alawDecode(const uint8_t* in, size_t n, int16_t* out) {
  const int16_t* t = tables().alaw;
  for (size_t i = 0; i < n; ++i) out[i] = t[in[i]];
}

}  // namespace firstring
