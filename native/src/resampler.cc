#include "resampler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace firstring {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kStopbandDb = 80.0;

// Zeroth-order modified Bessel function of the first kind (power series).
double besselI0(double x) {
  double sum = 1.0, term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 64; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

// Dot product over n taps (n is 1 or a multiple of 8) with two 4-lane accumulators
// (GCC/Clang vector extensions: SSE/NEON without intrinsics).
typedef float v4sf __attribute__((vector_size(16)));

inline v4sf load4(const float* p) {
  v4sf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float dot(const float* c, const float* x, size_t n) {
  if (n < 8) {
    float s = 0.0f;
    for (size_t j = 0; j < n; ++j) s += c[j] * x[j];
    return s;
  }
  v4sf a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
  for (size_t j = 0; j < n; j += 8) {
    a += load4(c + j) * load4(x + j);
    b += load4(c + j + 4) * load4(x + j + 4);
  }
  const v4sf s = a + b;
  return (s[0] + s[1]) + (s[2] + s[3]);
}

inline float toFloat(int16_t v) { return static_cast<float>(v) * (1.0f / 32768.0f); }
inline float toFloat(float v) { return v; }

inline int16_t toInt16(float v) {
  float s = v * 32768.0f;
  s = s >= 0.0f ? s + 0.5f : s - 0.5f;
  if (s > 32767.0f) s = 32767.0f;
  if (s < -32768.0f) s = -32768.0f;
  return static_cast<int16_t>(s);
}

}  // namespace

bool Resampler::supportedRate(int rate) {
  return rate == 8000 || rate == 16000 || rate == 24000 || rate == 48000;
}

bool Resampler::configure(int inRate, int outRate) {
  L_ = M_ = 0;
  if (!supportedRate(inRate) || !supportedRate(outRate)) return false;
  inRate_ = inRate;
  outRate_ = outRate;
  const int g = std::gcd(inRate, outRate);
  const int L = outRate / g;
  const int M = inRate / g;

  if (L == 1 && M == 1) {  // same rate: a single unit tap, no filtering or delay
    coeffs_.assign(1, 1.0f);
    taps_ = 1;
    buf_.assign(kChunk, 0.0f);
    L_ = M_ = 1;
    phasePos_ = 0;
    return true;
  }
  // Kaiser design on the upsampled grid (rate L * inRate).
  const double upRate = static_cast<double>(L) * inRate;
  const double lower = std::min(inRate, outRate);
  const double passEdge = 0.4 * lower;
  const double stopEdge = 0.5 * lower;
  const double cutoff = 0.5 * (passEdge + stopEdge) / upRate;  // cycles per upsampled sample
  const double dOmega = 2.0 * kPi * (stopEdge - passEdge) / upRate;
  const double beta = 0.1102 * (kStopbandDb - 8.7);
  size_t n = static_cast<size_t>(std::ceil((kStopbandDb - 7.95) / (2.285 * dOmega))) + 1;
  // Taps per phase rounded up to a multiple of 8 for the vector dot product.
  const size_t taps = ((n + L - 1) / L + 7) / 8 * 8;
  n = taps * L;

  std::vector<double> h(n);
  const double mid = (static_cast<double>(n) - 1.0) / 2.0;
  const double i0Beta = besselI0(beta);
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) - mid;
    const double x = 2.0 * cutoff * t;
    const double sinc = std::fabs(x) < 1e-12 ? 1.0 : std::sin(kPi * x) / (kPi * x);
    const double r = n > 1 ? (2.0 * static_cast<double>(i) / (static_cast<double>(n) - 1.0) - 1.0) : 0.0;
    const double w = besselI0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0Beta;
    h[i] = 2.0 * cutoff * sinc * w;
    sum += h[i];
  }
  // Unity gain through the zero-stuffed upsampler: the taps sum to L.
  const double norm = static_cast<double>(L) / sum;

  coeffs_.assign(static_cast<size_t>(L) * taps, 0.0f);
  for (int p = 0; p < L; ++p) {
    for (size_t j = 0; j < taps; ++j) {
      const size_t k = taps - 1 - j;
      coeffs_[static_cast<size_t>(p) * taps + j] = static_cast<float>(h[p + k * L] * norm);
    }
  }
  taps_ = taps;
  buf_.assign(taps_ - 1 + kChunk, 0.0f);
  L_ = L;
  M_ = M;
  phasePos_ = 0;
  return true;
}

void Resampler::reset() {
  std::fill(buf_.begin(), buf_.end(), 0.0f);
  phasePos_ = 0;
}

size_t Resampler::maxOutput(size_t n) const {
  if (!ready()) return 0;
  return (n * static_cast<size_t>(L_)) / static_cast<size_t>(M_) + 2;
}

double Resampler::delayOutputSamples() const {
  if (!ready()) return 0.0;
  const double mid = (static_cast<double>(taps_ * L_) - 1.0) / 2.0;
  return mid / static_cast<double>(M_);
}

template <typename In>
size_t Resampler::run(const In* in, size_t n, float* outF, int16_t* outI, size_t outCap) {
  if (!ready()) return 0;
  size_t written = 0;
  const size_t hist = taps_ - 1;
  const long L = L_;
  const long M = M_;
  while (n > 0) {
    const size_t chunk = std::min(n, kChunk);
    for (size_t i = 0; i < chunk; ++i) buf_[hist + i] = toFloat(in[i]);
    const long limit = static_cast<long>(chunk) * L;
    while (phasePos_ < limit) {
      if (written >= outCap) return written;  // caller's buffer is full
      const size_t idx = static_cast<size_t>(phasePos_ / L);
      const size_t phase = static_cast<size_t>(phasePos_ % L);
      const float y = dot(&coeffs_[phase * taps_], &buf_[idx], taps_);
      if (outF != nullptr) outF[written] = y;
      else outI[written] = toInt16(y);
      ++written;
      phasePos_ += M;
    }
    phasePos_ -= limit;
    // Keep the last taps_-1 input samples as history for the next chunk.
    std::copy(buf_.begin() + static_cast<long>(chunk), buf_.begin() + static_cast<long>(chunk + hist), buf_.begin());
    in += chunk;
    n -= chunk;
  }
  return written;
}

size_t Resampler::process(const int16_t* in, size_t n, int16_t* out, size_t outCap) {
  return run(in, n, nullptr, out, outCap);
}

size_t Resampler::process(const float* in, size_t n, float* out, size_t outCap) {
  return run(in, n, out, nullptr, outCap);
}

}  // namespace firstring
