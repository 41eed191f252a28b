// Element-wise and reduction kernels for float32: plain loops, vectorized by the compiler where
// they can be, split over the addon's pool (pool.h) when large.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"
#include "pool.h"

namespace kts {

// ---------------------------------------------------------------- binary

enum BinaryOp { ADD, SUBTRACT, MULTIPLY, DIVIDE, MAXIMUM, MINIMUM, EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL };

struct Add { static float f(float a, float b) { return a + b; } };
struct Sub { static float f(float a, float b) { return a - b; } };
struct Mul { static float f(float a, float b) { return a * b; } };
struct Div { static float f(float a, float b) { return a / b; } };
// NaN in a wins, as in the TypeScript kernels (a > b || isnan(a) ? a : b).
struct Max { static float f(float a, float b) { return (a > b || a != a) ? a : b; } };
struct Min { static float f(float a, float b) { return (a < b || a != a) ? a : b; } };
// Comparisons write bool tensors (one byte, 0 or 1), with IEEE semantics for NaN as in JavaScript.
struct Eq { static uint8_t f(float a, float b) { return a == b; } };
struct Ne { static uint8_t f(float a, float b) { return a != b; } };
struct Lt { static uint8_t f(float a, float b) { return a < b; } };
struct Le { static uint8_t f(float a, float b) { return a <= b; } };
struct Gt { static uint8_t f(float a, float b) { return a > b; } };
struct Ge { static uint8_t f(float a, float b) { return a >= b; } };

template <class F, class T>
static void row(const float* a, int64_t sa, const float* b, int64_t sb, T* o, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = F::f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float s = b[0];
    for (int64_t i = 0; i < n; i++) o[i] = F::f(a[i], s);
  } else if (sa == 0 && sb == 1) {
    const float s = a[0];
    for (int64_t i = 0; i < n; i++) o[i] = F::f(s, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = F::f(a[i * sa], b[i * sb]);
  }
}

// out (contiguous, dims d[0..rank)) = F(a, b), a and b read with element strides (0 = broadcast).
template <class F, class T>
static void binaryNd(const float* A, const float* B, T* O, int rank, const int64_t* d, const int64_t* sa,
                     const int64_t* sb) {
  const int64_t inner = d[rank - 1];
  int64_t rows = 1;
  for (int i = 0; i < rank - 1; i++) rows *= d[i];
  const int64_t n = rows * inner;
  auto offsets = [&](int64_t r, int64_t& oa, int64_t& ob) {
    oa = ob = 0;
    for (int i = rank - 2; i >= 0; i--) {
      const int64_t q = r % d[i];
      r /= d[i];
      oa += q * sa[i];
      ob += q * sb[i];
    }
  };
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  // Each range of out's flat index walks the rows it covers, partial rows at its ends.
  forRanges(n, chunksFor(n), [&](int64_t lo, int64_t hi) {
    int64_t r = lo / inner, j = lo % inner;
    while (lo < hi) {
      const int64_t len = std::min(inner - j, hi - lo);
      int64_t oa, ob;
      offsets(r, oa, ob);
      row<F, T>(A + oa + j * ia, ia, B + ob + j * ib, ib, O + lo, len);
      lo += len;
      r++;
      j = 0;
    }
  });
}

static void readInts(const Napi::Value& v, int64_t* out, int n) {
  Napi::Array arr = v.As<Napi::Array>();
  for (int i = 0; i < n; i++) out[i] = arr.Get(uint32_t(i)).As<Napi::Number>().Int64Value();
}

// binary(op, a, b, out, dims, stridesA, stridesB): dims of out (collapsed by the caller, rank 1..8);
// out is a Float32Array, or a Uint8Array (bool) for the comparisons.
static Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* A = f32(info[1], "a");
  const float* B = f32(info[2], "b");
  const bool compare = op >= EQUAL;
  float* O = compare ? nullptr : f32(info[3], "out");
  uint8_t* Ob = compare ? u8(info[3], "out") : nullptr;
  const int rank = int(info[4].As<Napi::Array>().Length());
  if (rank < 1 || rank > 8) throw Napi::RangeError::New(info.Env(), "keras-ts native binary: rank must be 1..8");
  int64_t d[8], sa[8], sb[8];
  readInts(info[4], d, rank);
  readInts(info[5], sa, rank);
  readInts(info[6], sb, rank);
  int64_t n = 1;
  for (int i = 0; i < rank; i++) n *= d[i];
  if (size_t(n) != info[3].As<Napi::TypedArray>().ElementLength())
    throw Napi::RangeError::New(info.Env(), "keras-ts native binary: bad dims");
  if (n == 0) return info.Env().Undefined();
  switch (op) {
    case ADD: binaryNd<Add>(A, B, O, rank, d, sa, sb); break;
    case SUBTRACT: binaryNd<Sub>(A, B, O, rank, d, sa, sb); break;
    case MULTIPLY: binaryNd<Mul>(A, B, O, rank, d, sa, sb); break;
    case DIVIDE: binaryNd<Div>(A, B, O, rank, d, sa, sb); break;
    case MAXIMUM: binaryNd<Max>(A, B, O, rank, d, sa, sb); break;
    case MINIMUM: binaryNd<Min>(A, B, O, rank, d, sa, sb); break;
    case EQUAL: binaryNd<Eq>(A, B, Ob, rank, d, sa, sb); break;
    case NOT_EQUAL: binaryNd<Ne>(A, B, Ob, rank, d, sa, sb); break;
    case LESS: binaryNd<Lt>(A, B, Ob, rank, d, sa, sb); break;
    case LESS_EQUAL: binaryNd<Le>(A, B, Ob, rank, d, sa, sb); break;
    case GREATER: binaryNd<Gt>(A, B, Ob, rank, d, sa, sb); break;
    case GREATER_EQUAL: binaryNd<Ge>(A, B, Ob, rank, d, sa, sb); break;
    default: throw Napi::RangeError::New(info.Env(), "keras-ts native binary: unknown op");
  }
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- where

// cond ? a : b as a bit select: random conditions make a branch mispredict half the time, and
// this form vectorizes.
static inline float select(uint8_t c, float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  const uint32_t m = 0u - uint32_t(c != 0);
  const uint32_t r = (ua & m) | (ub & ~m);
  float o;
  std::memcpy(&o, &r, 4);
  return o;
}

// where(cond, a, b, out, dims, stridesC, stridesA, stridesB): out = cond ? a : b, cond a bool
// Uint8Array, a/b/out Float32Arrays, all read with element strides (0 = broadcast) over out's dims.
static Napi::Value Where(const Napi::CallbackInfo& info) {
  const uint8_t* C = u8(info[0], "cond");
  const float* A = f32(info[1], "a");
  const float* B = f32(info[2], "b");
  float* O = f32(info[3], "out");
  const int rank = int(info[4].As<Napi::Array>().Length());
  if (rank < 1 || rank > 8) throw Napi::RangeError::New(info.Env(), "keras-ts native where: rank must be 1..8");
  int64_t d[8], sc[8], sa[8], sb[8];
  readInts(info[4], d, rank);
  readInts(info[5], sc, rank);
  readInts(info[6], sa, rank);
  readInts(info[7], sb, rank);
  int64_t n = 1;
  for (int i = 0; i < rank; i++) n *= d[i];
  if (size_t(n) != f32Length(info[3])) throw Napi::RangeError::New(info.Env(), "keras-ts native where: bad dims");
  if (n == 0) return info.Env().Undefined();
  const int64_t inner = d[rank - 1], ic = sc[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  forRanges(n, chunksFor(n), [&](int64_t lo, int64_t hi) {
    int64_t r = lo / inner, j = lo % inner;
    while (lo < hi) {
      const int64_t len = std::min(inner - j, hi - lo);
      int64_t oc = 0, oa = 0, ob = 0;
      for (int64_t rr = r, i = rank - 2; i >= 0; i--) {
        const int64_t q = rr % d[i];
        rr /= d[i];
        oc += q * sc[i];
        oa += q * sa[i];
        ob += q * sb[i];
      }
      const uint8_t* c = C + oc + j * ic;
      const float* a = A + oa + j * ia;
      const float* b = B + ob + j * ib;
      float* o = O + lo;
      if (ic == 1 && ia == 1 && ib == 0) {
        const float s = b[0];
        for (int64_t i = 0; i < len; i++) o[i] = select(c[i], a[i], s);
      } else if (ic == 1 && ia == 1 && ib == 1) {
        for (int64_t i = 0; i < len; i++) o[i] = select(c[i], a[i], b[i]);
      } else {
        for (int64_t i = 0; i < len; i++) o[i] = select(c[i * ic], a[i * ia], b[i * ib]);
      }
      lo += len;
      r++;
      j = 0;
    }
  });
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- unary

enum UnaryOp { NEGATIVE, SQUARE, SQRT, ABS, RELU, RECIPROCAL, EXP, LOG, TANH, SIGMOID };

// Scalar libm calls cost ~10x a memory-bound element: they are split at a smaller size.
template <class F, int64_t WEIGHT = 1>
static void unaryLoop(const float* x, float* o, int64_t n) {
  forRanges(n, chunksFor(n, WEIGHT), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) o[i] = F::f(x[i]);
  });
}

struct Neg { static float f(float x) { return -x; } };
struct Square { static float f(float x) { return x * x; } };
struct Sqrt { static float f(float x) { return std::sqrt(x); } };
struct Abs { static float f(float x) { return std::fabs(x); } };
// x > 0 ? x : 0 keeps NaN -> 0 as the TypeScript kernel does.
struct Relu { static float f(float x) { return x > 0.0f ? x : 0.0f; } };
struct Recip { static float f(float x) { return 1.0f / x; } };

// Transcendentals in double through libm, then rounded: the same values as the TypeScript kernels
// (which compute in double) up to the last bit in nearly every case. oneDNN's JIT eltwise is
// ~20x faster but not accurate enough to stand in for them (exp(NaN) = inf, log(1) = -1.4e-6).
struct Exp { static float f(float x) { return float(std::exp(double(x))); } };
struct Log { static float f(float x) { return float(std::log(double(x))); } };
struct Tanh { static float f(float x) { return float(std::tanh(double(x))); } };
struct Sigmoid {
  static float f(float x) {
    const double d = x;
    if (d >= 0) return float(1.0 / (1.0 + std::exp(-d)));
    const double e = std::exp(d);
    return float(e / (1.0 + e));
  }
};

// unary(op, x, out): same length.
static Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* X = f32(info[1], "x");
  float* O = f32(info[2], "out");
  const int64_t n = int64_t(f32Length(info[2]));
  if (size_t(n) != f32Length(info[1])) throw Napi::RangeError::New(info.Env(), "keras-ts native unary: sizes differ");
  if (n == 0) return info.Env().Undefined();
  switch (op) {
    case NEGATIVE: unaryLoop<Neg>(X, O, n); break;
    case SQUARE: unaryLoop<Square>(X, O, n); break;
    case SQRT: unaryLoop<Sqrt>(X, O, n); break;
    case ABS: unaryLoop<Abs>(X, O, n); break;
    case RELU: unaryLoop<Relu>(X, O, n); break;
    case RECIPROCAL: unaryLoop<Recip>(X, O, n); break;
    case EXP: unaryLoop<Exp, 8>(X, O, n); break;
    case LOG: unaryLoop<Log, 8>(X, O, n); break;
    case TANH: unaryLoop<Tanh, 8>(X, O, n); break;
    case SIGMOID: unaryLoop<Sigmoid, 8>(X, O, n); break;
    default: throw Napi::RangeError::New(info.Env(), "keras-ts native unary: unknown op");
  }
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- reduce

enum ReduceOp { SUM, MAX };

// x viewed as [outer, R, inner] reduces over R into out [outer, inner]. Sums accumulate in double,
// as the TypeScript kernel does; max propagates NaN.
static void reduceRows(int op, const float* X, float* O, int64_t outer, int64_t R, int64_t inner) {
  const int64_t n = outer * R * inner;
  if (inner == 1) {
    forRanges(outer, std::min(outer, chunksFor(n)), [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; o++) {
        const float* x = X + o * R;
        if (op == SUM) {
          double acc = 0;
  #pragma omp simd reduction(+ : acc)
          for (int64_t r = 0; r < R; r++) acc += x[r];
          O[o] = float(acc);
        } else {
          float acc = -INFINITY;
          bool nan = false;
          for (int64_t r = 0; r < R; r++) {
            acc = x[r] > acc ? x[r] : acc;
            nan |= x[r] != x[r];
          }
          O[o] = nan ? NAN : acc;
        }
      }
    });
    return;
  }
  // Columns: each thread owns a block of the inner axis and walks down R.
  const int64_t block = 1024;
  const int64_t blocks = (inner + block - 1) / block;
  const int64_t tasks = outer * blocks;
  forRanges(tasks, std::min(tasks, chunksFor(n)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t o = t / blocks, k = t % blocks;
      const int64_t lo = k * block, len = std::min(block, inner - lo);
      const float* x = X + o * R * inner + lo;
      float* out = O + o * inner + lo;
      if (op == SUM) {
        double acc[1024];
        for (int64_t j = 0; j < len; j++) acc[j] = 0;
        for (int64_t r = 0; r < R; r++) {
          const float* xr = x + r * inner;
          for (int64_t j = 0; j < len; j++) acc[j] += xr[j];
        }
        for (int64_t j = 0; j < len; j++) out[j] = float(acc[j]);
      } else {
        float acc[1024];
        bool nan[1024];
        for (int64_t j = 0; j < len; j++) acc[j] = -INFINITY, nan[j] = false;
        for (int64_t r = 0; r < R; r++) {
          const float* xr = x + r * inner;
          for (int64_t j = 0; j < len; j++) {
            acc[j] = xr[j] > acc[j] ? xr[j] : acc[j];
            nan[j] |= xr[j] != xr[j];
          }
        }
        for (int64_t j = 0; j < len; j++) out[j] = nan[j] ? NAN : acc[j];
      }
    }
  });
}

// reduce(op, x, out, outer, R, inner)
static Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* X = f32(info[1], "x");
  float* O = f32(info[2], "out");
  const int64_t outer = i64(info[3]), R = i64(info[4]), inner = i64(info[5]);
  if (size_t(outer * R * inner) != f32Length(info[1]) || size_t(outer * inner) != f32Length(info[2])) {
    throw Napi::RangeError::New(info.Env(), "keras-ts native reduce: sizes do not match");
  }
  if (op != SUM && op != MAX) throw Napi::RangeError::New(info.Env(), "keras-ts native reduce: unknown op");
  reduceRows(op, X, O, outer, R, inner);
  return info.Env().Undefined();
}

void initElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
}

}  // namespace kts
