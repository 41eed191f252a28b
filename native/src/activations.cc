// Activations, softmax and logSoftmax (src/backend/cpu/activations.ts) for float32, split over the
// pool. Computed in double with the TypeScript kernels' formulas and order, erf/erfc included, so
// results equal theirs wherever libm's exp/log1p/tanh round as V8's do (nearly every input).
#include <cmath>
#include <vector>

#include "common.h"
#include "pool.h"

namespace kts {

namespace {

constexpr double TWO_OVER_SQRT_PI = 1.1283791670955126;
constexpr double INV_SQRT_PI = 0.5641895835477563;
constexpr double INV_SQRT_2 = 0.7071067811865476;  // Math.SQRT1_2
constexpr double SQRT_2_OVER_PI = 0.7978845608028654;

double erfSeries(double z) {
  const double z2 = z * z;
  double term = z, acc = z;
  for (int n = 1; n < 100; n++) {
    term *= (2 * z2) / (2 * n + 1);
    acc += term;
    if (term < 1e-17 * acc) break;
  }
  return TWO_OVER_SQRT_PI * std::exp(-z2) * acc;
}

double erfcLarge(double z) {
  if (z > 27) return 0;
  double t = z;
  for (int k = 40; k >= 1; k--) t = z + double(k) / 2 / t;
  return (INV_SQRT_PI * std::exp(-z * z)) / t;
}

double erf(double z) {
  if (z != z) return z;
  if (z >= 2) return 1 - erfcLarge(z);
  if (z <= -2) return erfcLarge(-z) - 1;
  return z < 0 ? -erfSeries(-z) : erfSeries(z);
}

double erfc(double z) {
  if (z != z) return z;
  if (z >= 2) return erfcLarge(z);
  if (z <= -2) return 2 - erfcLarge(-z);
  return 1 - (z < 0 ? -erfSeries(-z) : erfSeries(z));
}

enum Act { RELU, RELU6, LEAKY_RELU, SIGMOID, SILU, SOFTPLUS, GELU, GELU_TANH, ERF };

template <class F>
void map(const float* X, float* O, int64_t n, int64_t weight, const F& f) {
  forRanges(n, chunksFor(n, weight), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) O[i] = float(f(double(X[i])));
  });
}

// Codes of activationGrad (src/backend/native/activations.ts); t is y or x per the TypeScript
// kernel's ACTIVATION_GRAD_OPERAND.
enum ActGrad { G_RELU, G_RELU6, G_LEAKY_RELU, G_SIGMOID, G_TANH, G_SILU };

template <class F>
void map2(const float* D, const float* T, float* O, int64_t n, int64_t weight, const F& f) {
  forRanges(n, chunksFor(n, weight), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) O[i] = float(f(double(D[i]), double(T[i])));
  });
}

}  // namespace

// activationGrad(op, dy, t, out, alpha): out = dy f'(x), from t = y or x, in double as TypeScript.
static Napi::Value ActivationGrad(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* D = f32(info[1], "dy");
  const float* T = f32(info[2], "t");
  float* O = f32(info[3], "out");
  const double alpha = info[4].As<Napi::Number>().DoubleValue();
  const int64_t n = int64_t(f32Length(info[3]));
  if (size_t(n) != f32Length(info[1]) || size_t(n) != f32Length(info[2]))
    throw Napi::RangeError::New(info.Env(), "keras-ts native activationGrad: sizes differ");
  switch (op) {
    case G_RELU:
      map2(D, T, O, n, 1, [](double d, double t) { return t > 0 ? d : 0.0; });
      break;
    case G_RELU6:
      map2(D, T, O, n, 1, [](double d, double t) { return t > 0 && t < 6 ? d : 0.0; });
      break;
    case G_LEAKY_RELU:
      map2(D, T, O, n, 1, [alpha](double d, double t) { return t < 0 ? alpha * d : d; });
      break;
    case G_SIGMOID:
      map2(D, T, O, n, 1, [](double d, double t) { return d * (t * (1 - t)); });
      break;
    case G_TANH:
      map2(D, T, O, n, 1, [](double d, double t) { return d * (1 - t * t); });
      break;
    case G_SILU:
      map2(D, T, O, n, 8, [](double d, double v) {
        const double e = std::exp(v < 0 ? v : -v);
        const double s = v < 0 ? e / (1 + e) : 1 / (1 + e);
        return d * (s * (1 + v * (1 - s)));
      });
      break;
    default:
      throw Napi::RangeError::New(info.Env(), "keras-ts native activationGrad: unknown op");
  }
  return info.Env().Undefined();
}

// activation(op, x, out, alpha)
static Napi::Value Activation(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* X = f32(info[1], "x");
  float* O = f32(info[2], "out");
  const double alpha = info[3].As<Napi::Number>().DoubleValue();
  const int64_t n = int64_t(f32Length(info[2]));
  if (size_t(n) != f32Length(info[1])) throw Napi::RangeError::New(info.Env(), "keras-ts native activation: sizes differ");
  switch (op) {
    case RELU:
      map(X, O, n, 1, [](double v) { return v < 0 ? 0.0 : v; });
      break;
    case RELU6:
      map(X, O, n, 1, [](double v) { return v < 0 ? 0.0 : v > 6 ? 6.0 : v; });
      break;
    case LEAKY_RELU:
      map(X, O, n, 1, [alpha](double v) { return v < 0 ? alpha * v : v; });
      break;
    case SIGMOID:
      map(X, O, n, 8, [](double v) {
        const double e = std::exp(v < 0 ? v : -v);
        return v < 0 ? e / (1 + e) : 1 / (1 + e);
      });
      break;
    case SILU:
      map(X, O, n, 8, [](double v) {
        const double e = std::exp(v < 0 ? v : -v);
        return v < 0 ? (v * e) / (1 + e) : v / (1 + e);
      });
      break;
    case SOFTPLUS:
      map(X, O, n, 12, [](double v) { return (v > 0 ? v : 0.0) + std::log1p(std::exp(-std::fabs(v))); });
      break;
    case GELU:
      map(X, O, n, 24, [](double v) { return 0.5 * v * erfc(-v * INV_SQRT_2); });
      break;
    case GELU_TANH:
      map(X, O, n, 12, [](double v) { return 0.5 * v * (1 + std::tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); });
      break;
    case ERF:
      map(X, O, n, 24, [](double v) { return erf(v); });
      break;
    default:
      throw Napi::RangeError::New(info.Env(), "keras-ts native activation: unknown op");
  }
  return info.Env().Undefined();
}

// One contiguous lane of length n, as the TypeScript kernel's `lane`.
static void lane(const float* X, float* O, int64_t n, bool logarithm) {
  double m = -INFINITY;
  for (int64_t p = 0; p < n; p++) {
    const double v = X[p];
    if (v > m || v != v) m = v;
  }
  if (m == -INFINITY) m = 0;
  double s = 0;
  if (logarithm) {
    for (int64_t p = 0; p < n; p++) s += std::exp(double(X[p]) - m);
    const double lse = m + std::log(s);
    for (int64_t p = 0; p < n; p++) O[p] = float(double(X[p]) - lse);
    return;
  }
  // O holds float-rounded exponentials, scaled by 1/s afterwards (as TypeScript's O[p] *= r).
  for (int64_t p = 0; p < n; p++) {
    const double e = std::exp(double(X[p]) - m);
    O[p] = float(e);
    s += e;
  }
  const double r = 1 / s;
  for (int64_t p = 0; p < n; p++) O[p] = float(double(O[p]) * r);
}

// Lanes strided by `inner`, columns j0..j1 of one outer block, as the TypeScript kernel's row sweep.
static void strided(const float* X, float* O, int64_t n, int64_t inner, int64_t j0, int64_t j1, bool logarithm) {
  const int64_t w = j1 - j0;
  std::vector<double> m(w, -INFINITY), s(w, 0.0);
  for (int64_t k = 0; k < n; k++) {
    const float* x = X + k * inner + j0;
    for (int64_t j = 0; j < w; j++) {
      const double v = x[j];
      if (v > m[j] || v != v) m[j] = v;
    }
  }
  for (int64_t j = 0; j < w; j++)
    if (m[j] == -INFINITY) m[j] = 0;
  for (int64_t k = 0; k < n; k++) {
    const float* x = X + k * inner + j0;
    float* o = O + k * inner + j0;
    for (int64_t j = 0; j < w; j++) {
      const double e = std::exp(double(x[j]) - m[j]);
      if (!logarithm) o[j] = float(e);
      s[j] += e;
    }
  }
  if (logarithm) {
    for (int64_t j = 0; j < w; j++) s[j] = m[j] + std::log(s[j]);
    for (int64_t k = 0; k < n; k++)
      for (int64_t j = 0; j < w; j++) O[k * inner + j0 + j] = float(double(X[k * inner + j0 + j]) - s[j]);
  } else {
    for (int64_t j = 0; j < w; j++) s[j] = 1 / s[j];
    for (int64_t k = 0; k < n; k++)
      for (int64_t j = 0; j < w; j++) O[k * inner + j0 + j] = float(double(O[k * inner + j0 + j]) * s[j]);
  }
}

// softmax(x, out, outer, n, inner, logarithm): x viewed as [outer, n, inner], along n.
static Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const float* X = f32(info[0], "x");
  float* O = f32(info[1], "out");
  const int64_t outer = i64(info[2]), n = i64(info[3]), inner = i64(info[4]);
  const bool logarithm = info[5].ToBoolean().Value();
  if (size_t(outer * n * inner) != f32Length(info[0]) || f32Length(info[0]) != f32Length(info[1])) {
    throw Napi::RangeError::New(info.Env(), "keras-ts native softmax: sizes do not match");
  }
  const int64_t total = outer * n * inner;
  if (total == 0) return info.Env().Undefined();
  if (inner == 1) {
    forRanges(outer, std::min(outer, chunksFor(total, 8)), [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; o++) lane(X + o * n, O + o * n, n, logarithm);
    });
    return info.Env().Undefined();
  }
  // Tasks: (outer block, column block of up to 256 lanes); each lane is computed whole by one task.
  const int64_t block = 256, blocks = (inner + block - 1) / block, tasks = outer * blocks;
  forRanges(tasks, std::min(tasks, chunksFor(total, 8)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t o = t / blocks, j0 = (t % blocks) * block;
      strided(X + o * n * inner, O + o * n * inner, n, inner, j0, std::min(inner, j0 + block), logarithm);
    }
  });
  return info.Env().Undefined();
}

void initActivations(Napi::Env env, Napi::Object exports) {
  exports.Set("activation", Napi::Function::New(env, Activation));
  exports.Set("activationGrad", Napi::Function::New(env, ActivationGrad));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
}

}  // namespace kts
