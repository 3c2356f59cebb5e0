// Spectral front end of the frame VAD (see spectral.h).
#include "spectral.h"

#include <cmath>
#include <cstring>

namespace firstring {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Band edges in FFT bins of 31.25 Hz (the same at 8 and 16 kHz): 125 Hz .. 4 kHz,
// roughly uniform on the Bark scale.
constexpr int kBandEdges[kVadBands + 1] = {4, 8, 12, 16, 20, 25, 30, 36, 42, 49, 57, 66, 76, 87, 100, 114, 128};
constexpr int kFlatLo = 10;   // 312 Hz
constexpr int kFlatHi = 128;  // 4 kHz (exclusive)

// Tables for one real FFT size N, computed once (function-local statics are thread-safe).
struct FftTables {
  int n = 0;                       // real FFT size
  int m = 0;                       // complex FFT size, n / 2
  float window[kVadMaxFft];        // Hann window of n points
  float windowNorm = 1.0f;         // 2 / (n * sum(w^2)): bin power -> mean-square units
  int bitrev[kVadMaxFft / 2];
  float twCos[kVadMaxFft / 4], twSin[kVadMaxFft / 4];      // exp(-2 pi i k / m)
  float postCos[kVadMaxFft / 2 + 1], postSin[kVadMaxFft / 2 + 1];  // exp(-2 pi i k / n)

  explicit FftTables(int size) : n(size), m(size / 2) {
    double sumSq = 0.0;
    for (int i = 0; i < n; ++i) {
      window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * kPi * i / n));
      sumSq += static_cast<double>(window[i]) * window[i];
    }
    windowNorm = static_cast<float>(2.0 / (n * sumSq));
    int bits = 0;
    while ((1 << bits) < m) ++bits;
    for (int i = 0; i < m; ++i) {
      int r = 0;
      for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
      bitrev[i] = r;
    }
    for (int k = 0; k < m / 2; ++k) {
      twCos[k] = static_cast<float>(std::cos(2.0 * kPi * k / m));
      twSin[k] = static_cast<float>(-std::sin(2.0 * kPi * k / m));
    }
    for (int k = 0; k <= m; ++k) {
      postCos[k] = static_cast<float>(std::cos(2.0 * kPi * k / n));
      postSin[k] = static_cast<float>(-std::sin(2.0 * kPi * k / n));
    }
  }
};

const FftTables& tablesFor(int n) {
  static const FftTables t256(256);
  static const FftTables t512(512);
  return n == 512 ? t512 : t256;
}

// In-place iterative radix-2 complex FFT of size t.m.
void complexFft(const FftTables& t, float* re, float* im) {
  const int m = t.m;
  for (int i = 0; i < m; ++i) {
    const int j = t.bitrev[i];
    if (j > i) {
      float tr = re[i]; re[i] = re[j]; re[j] = tr;
      float ti = im[i]; im[i] = im[j]; im[j] = ti;
    }
  }
  for (int len = 2; len <= m; len <<= 1) {
    const int half = len >> 1;
    const int step = m / len;
    for (int start = 0; start < m; start += len) {
      for (int k = 0; k < half; ++k) {
        const float wr = t.twCos[k * step], wi = t.twSin[k * step];
        const int a = start + k, b = a + half;
        const float xr = re[b] * wr - im[b] * wi;
        const float xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
      }
    }
  }
}

}  // namespace

float frameWeight(float weightPer20Ms, double frameMs) {
  if (frameMs == 20.0) return weightPer20Ms;
  return static_cast<float>(1.0 - std::pow(1.0 - weightPer20Ms, frameMs / 20.0));
}

float fastLog2(float x) {
  if (!(x > 1e-30f)) return -99.66f;  // log2(1e-30), also catches NaN
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const float exponent = static_cast<float>(static_cast<int>((bits >> 23) & 0xff) - 128);
  bits = (bits & 0x007fffffu) | 0x3f800000u;  // mantissa in [1, 2)
  float mant;
  std::memcpy(&mant, &bits, sizeof mant);
  // Quadratic fit of log2 on [1, 2), shifted by the -128 above.
  return exponent + (-0.34484843f * mant + 2.02466578f) * mant - 0.67487759f;
}

SpectralAnalyzer::SpectralAnalyzer(int sampleRate) : fftSize_(sampleRate >= 16000 ? 512 : 256) { reset(); }

void SpectralAnalyzer::reset() {
  std::memset(history_, 0, sizeof history_);
  filled_ = 0;
}

bool SpectralAnalyzer::analyze(const int16_t* pcm, size_t n, SpectralFrame& out) {
  const int size = fftSize_;
  const size_t take = n < static_cast<size_t>(size) ? n : static_cast<size_t>(size);
  const int keep = size - static_cast<int>(take);
  if (keep > 0) std::memmove(history_, history_ + take, sizeof(float) * keep);
  const int16_t* src = pcm + (n - take);
  for (size_t i = 0; i < take; ++i) history_[keep + i] = src[i] * (1.0f / 32768.0f);
  filled_ = filled_ + static_cast<int>(take) < size ? filled_ + static_cast<int>(take) : size;

  const FftTables& t = tablesFor(size);
  const int m = t.m;
  float re[kVadMaxFft / 2], im[kVadMaxFft / 2];
  for (int k = 0; k < m; ++k) {
    re[k] = history_[2 * k] * t.window[2 * k];
    im[k] = history_[2 * k + 1] * t.window[2 * k + 1];
  }
  complexFft(t, re, im);

  // Split the packed transform into the real signal's spectrum and keep bin powers
  // for bins 0..kFlatHi (all at or below 4 kHz, which is every bin the features use).
  float power[kVadMaxFft / 4 + 1];
  const int topBin = kFlatHi < m ? kFlatHi : m;
  for (int k = 0; k <= topBin && k <= m; ++k) {
    const int kk = (m - k) & (m - 1);
    const float zr = re[k & (m - 1)], zi = im[k & (m - 1)];
    const float cr = re[kk], ci = -im[kk];                 // conj(Z[m-k])
    const float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);  // even part
    const float dr = 0.5f * (zr - cr), di = 0.5f * (zi - ci);
    const float orr = di, oi = -dr;                        // odd part = (Z - conj)/(2i)
    const float wr = t.postCos[k], wi = t.postSin[k];
    const float xr = er + (orr * wr - oi * wi);
    const float xi = ei + (orr * wi + oi * wr);
    power[k] = (xr * xr + xi * xi) * t.windowNorm;
  }
  for (int b = 0; b < kVadBands; ++b) {
    float sum = 0.0f;
    for (int k = kBandEdges[b]; k < kBandEdges[b + 1]; ++k) sum += power[k];
    out.bandPower[b] = sum;
  }
  float logSum = 0.0f, linSum = 0.0f;
  for (int k = kFlatLo; k < kFlatHi; ++k) {
    const float p = power[k] + 1e-12f;
    logSum += fastLog2(p);
    linSum += p;
  }
  const float count = static_cast<float>(kFlatHi - kFlatLo);
  const float flat = logSum / count - fastLog2(linSum / count);  // log2(geo/arith)
  out.flatnessDb = flat * 3.01029996f;  // 10*log10(2)
  return filled_ >= size;
}

NoiseTracker::NoiseTracker() { reset(); }

void NoiseTracker::reset() {
  primed_ = false;
  learnFrames_ = 0;
  learnedMs_ = 0.0;
  filled_ = 0;
  ringPos_ = 0;
  subElapsedMs_ = 0.0;
  for (int c = 0; c < kChannels; ++c) {
    smoothed_[c] = 0.0f;
    currentMin_[c] = 0.0f;
    noise_[c] = 0.0f;
    for (int w = 0; w < kSubWindows; ++w) ring_[w][c] = 0.0f;
  }
}

void NoiseTracker::update(const float* power, const float* floor, double frameMs, bool speechLikely) {
  // The minimum of the smoothed power sits a little under the mean noise power; the
  // recursive estimate is kept between 2 dB and 9 dB above that minimum.
  constexpr float kLowBias = 1.58f;   // +2 dB
  constexpr float kHighBias = 7.9f;   // +9 dB
  // Per-20 ms-frame weights, rescaled below so 10 and 30 ms frames adapt at the same speed.
  constexpr float kSmooth20 = 0.3f;   // weight of the new frame in the smoothed power
  constexpr float kAdapt20 = 0.08f;   // noise adaptation per non-speech frame
  if (!primed_) {
    for (int c = 0; c < kChannels; ++c) {
      const float p = power[c] > floor[c] ? power[c] : floor[c];
      smoothed_[c] = p;
      currentMin_[c] = p;
      noise_[c] = p;
    }
    primed_ = true;
    subElapsedMs_ = frameMs;
    learnFrames_ = 1;
    learnedMs_ = frameMs;
    return;
  }
  const float kSmooth = frameWeight(kSmooth20, frameMs);
  const float kAdapt = frameWeight(kAdapt20, frameMs);
  const bool learning = learnedMs_ < kLearnMs;
  if (learning) {
    learnedMs_ += frameMs;
    ++learnFrames_;
  }
  for (int c = 0; c < kChannels; ++c) {
    smoothed_[c] += kSmooth * (power[c] - smoothed_[c]);
    if (smoothed_[c] < currentMin_[c]) currentMin_[c] = smoothed_[c];
  }
  subElapsedMs_ += frameMs;
  if (subElapsedMs_ >= 200.0) {
    subElapsedMs_ -= 200.0;
    for (int c = 0; c < kChannels; ++c) {
      ring_[ringPos_][c] = currentMin_[c];
      currentMin_[c] = smoothed_[c];
    }
    ringPos_ = (ringPos_ + 1) % kSubWindows;
    if (filled_ < kSubWindows) ++filled_;
  }
  for (int c = 0; c < kChannels; ++c) {
    float minStat = currentMin_[c];
    for (int w = 0; w < filled_; ++w) {
      if (ring_[w][c] < minStat) minStat = ring_[w][c];
    }
    if (minStat < floor[c]) minStat = floor[c];
    float est = noise_[c];
    if (learning) {
      est += (power[c] - est) / static_cast<float>(learnFrames_);
      noise_[c] = est > floor[c] ? est : floor[c];
      continue;
    }
    if (!speechLikely) est += kAdapt * (power[c] - est);
    const float lo = minStat * kLowBias, hi = minStat * kHighBias;
    est = est < lo ? lo : (est > hi ? hi : est);
    noise_[c] = est;
  }
}

}  // namespace firstring
