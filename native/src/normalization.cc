// Fused batch and layer normalization, forward and backward, and the per-channel affine map of
// inference-mode batch normalization (src/backend/cpu/normalization.ts): float32 data viewed as
// [P, C, Q] with gamma and beta along C. perChannel (batch norm): statistics per c over P and Q;
// otherwise (layer norm): statistics per (p, q) over C. Sums in double with the TypeScript kernel's
// formulas; only the order of the additions differs (per-chunk partial sums, four accumulators in
// a row), so results agree with it within float rounding. Split over the pool: batch-norm sums per
// chunk of rows into their own partial C-vectors, added in chunk order (deterministic for a given
// thread count); layer norm by rows.
#include <cmath>
#include <vector>

#include "common.h"
#include "pool.h"

namespace kts {

namespace {

// Sum of f(i) for i in [0, n) with four independent accumulators (no serial dependency chain).
template <class F>
inline double accumulate(int64_t n, const F& f) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += f(i);
    a1 += f(i + 1);
    a2 += f(i + 2);
    a3 += f(i + 3);
  }
  for (; i < n; i++) a0 += f(i);
  return (a0 + a1) + (a2 + a3);
}

// Runs f(acc, lo, hi) over chunks of [0, units), each with its own zeroed block of `width` doubles,
// then adds the blocks into out (width doubles) in chunk order.
template <class F>
void partialSums(int64_t units, int64_t weight, int64_t width, double* out, const F& f) {
  const int64_t chunks = chunksFor(units, weight);
  std::vector<double> part(size_t(chunks * width), 0.0);
  if (chunks <= 1) {
    f(part.data(), int64_t(0), units);
  } else {
    parallelFor(chunks, [&](int64_t k) { f(part.data() + k * width, units * k / chunks, units * (k + 1) / chunks); });
  }
  for (int64_t i = 0; i < width; i++) out[i] = 0;
  for (int64_t k = 0; k < chunks; k++)
    for (int64_t i = 0; i < width; i++) out[i] += part[size_t(k * width + i)];
}

struct View {
  int64_t P, C, Q;
};

// ------------------------------------------------------------------ batch norm (per channel)

// acc[c] += sum over the chunk's elements of channel c of f(x, c); units are rows (Q == 1) or runs.
template <class F>
void channelSums(const float* X, const View& v, double* out, const F& f) {
  const int64_t C = v.C, Q = v.Q;
  if (Q == 1) {
    partialSums(v.P, C, C, out, [&](double* acc, int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) {
        const float* x = X + r * C;
        for (int64_t c = 0; c < C; c++) acc[c] += f(double(x[c]), c);
      }
    });
  } else {
    partialSums(v.P * C, Q, C, out, [&](double* acc, int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; u++) {
        const float* x = X + u * Q;
        const int64_t c = u % C;
        acc[c] += accumulate(Q, [&](int64_t q) { return f(double(x[q]), c); });
      }
    });
  }
}

// out[i] = f(i, c) for every element, by rows (Q == 1) or runs.
template <class F>
void channelMap(float* O, const View& v, const F& f) {
  const int64_t C = v.C, Q = v.Q;
  if (Q == 1) {
    forRanges(v.P, chunksFor(v.P, C), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++)
        for (int64_t c = 0; c < C; c++) O[r * C + c] = float(f(r * C + c, c));
    });
  } else {
    const int64_t units = v.P * C;
    forRanges(units, chunksFor(units, Q), [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; u++) {
        const int64_t c = u % C;
        for (int64_t i = u * Q; i < (u + 1) * Q; i++) O[i] = float(f(i, c));
      }
    });
  }
}

void bnForward(const float* X, const float* G, const float* B, float* Y, float* M, float* V, const View& v,
               double eps) {
  const int64_t C = v.C;
  const double n = double(v.P * v.Q);
  std::vector<double> mean(C), a(C);
  channelSums(X, v, mean.data(), [](double x, int64_t) { return x; });
  for (int64_t c = 0; c < C; c++) mean[c] /= n;
  const double* m = mean.data();
  channelSums(X, v, a.data(), [m](double x, int64_t c) {
    const double d = x - m[c];
    return d * d;
  });
  for (int64_t c = 0; c < C; c++) {
    const double var = a[c] / n;
    M[c] = float(m[c]);
    V[c] = float(var);
    a[c] = (1 / std::sqrt(var + eps)) * (G ? double(G[c]) : 1.0);
  }
  const double* pa = a.data();
  if (B) {
    channelMap(Y, v, [&](int64_t i, int64_t c) { return (double(X[i]) - m[c]) * pa[c] + double(B[c]); });
  } else {
    channelMap(Y, v, [&](int64_t i, int64_t c) { return (double(X[i]) - m[c]) * pa[c] + 0.0; });
  }
}

void bnBackward(const float* X, const float* G, const float* M, const float* V, const float* D, const float* DM,
                const float* DV, float* DX, float* DG, float* DB, const View& v, double eps) {
  const int64_t C = v.C, Q = v.Q;
  const double n = double(v.P * v.Q);
  // Per channel: sum(dy), sum(dy * (x - mean)).
  std::vector<double> sums(2 * C);
  if (Q == 1) {
    partialSums(v.P, 2 * C, 2 * C, sums.data(), [&](double* acc, int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) {
        const float* x = X + r * C;
        const float* d = D + r * C;
        for (int64_t c = 0; c < C; c++) {
          const double dd = d[c];
          acc[c] += dd;
          acc[C + c] += dd * (double(x[c]) - double(M[c]));
        }
      }
    });
  } else {
    partialSums(v.P * C, 2 * Q, 2 * C, sums.data(), [&](double* acc, int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; u++) {
        const float* x = X + u * Q;
        const float* d = D + u * Q;
        const int64_t c = u % C;
        const double m = M[c];
        acc[c] += accumulate(Q, [&](int64_t q) { return double(d[q]); });
        acc[C + c] += accumulate(Q, [&](int64_t q) { return double(d[q]) * (double(x[q]) - m); });
      }
    });
  }
  std::vector<double> ca(C), ck(C), c0(C);
  for (int64_t c = 0; c < C; c++) {
    const double s = 1 / std::sqrt(double(V[c]) + eps);
    const double sdy = sums[c], sdyxc = sums[C + c];
    if (DB) DB[c] = float(sdy);
    if (DG) DG[c] = float(sdyxc * s);
    const double g = G ? double(G[c]) : 1.0;
    ca[c] = s * g;
    ck[c] = (2 / n) * (DV ? double(DV[c]) : 0.0) - s * s * s * ((g * sdyxc) / n);
    c0[c] = (DM ? double(DM[c]) : 0.0) / n - s * ((g * sdy) / n);
  }
  if (!DX) return;
  const double *pa = ca.data(), *pk = ck.data(), *p0 = c0.data();
  channelMap(DX, v, [&](int64_t i, int64_t c) {
    return pa[c] * double(D[i]) + pk[c] * (double(X[i]) - double(M[c])) + p0[c];
  });
}

// ------------------------------------------------------------------ layer norm (per row)

void lnForward(const float* X, const float* G, const float* B, float* Y, float* M, float* V, const View& v,
               double eps) {
  const int64_t C = v.C, Q = v.Q;
  forRanges(v.P, chunksFor(v.P, C * Q), [&](int64_t lo, int64_t hi) {
    std::vector<double> m(Q), s(Q);
    for (int64_t p = lo; p < hi; p++) {
      const float* x = X + p * C * Q;
      float* y = Y + p * C * Q;
      if (Q == 1) {
        m[0] = accumulate(C, [&](int64_t c) { return double(x[c]); }) / double(C);
        const double mm = m[0];
        s[0] = accumulate(C, [&](int64_t c) {
          const double d = double(x[c]) - mm;
          return d * d;
        });
      } else {
        for (int64_t q = 0; q < Q; q++) m[q] = s[q] = 0;
        for (int64_t c = 0; c < C; c++)
          for (int64_t q = 0; q < Q; q++) m[q] += double(x[c * Q + q]);
        for (int64_t q = 0; q < Q; q++) m[q] /= double(C);
        for (int64_t c = 0; c < C; c++)
          for (int64_t q = 0; q < Q; q++) {
            const double d = double(x[c * Q + q]) - m[q];
            s[q] += d * d;
          }
      }
      for (int64_t q = 0; q < Q; q++) {
        const double var = s[q] / double(C);
        M[p * Q + q] = float(m[q]);
        V[p * Q + q] = float(var);
        s[q] = 1 / std::sqrt(var + eps);
      }
      for (int64_t c = 0; c < C; c++) {
        const double g = G ? double(G[c]) : 1.0;
        const double b = B ? double(B[c]) : 0.0;
        for (int64_t q = 0; q < Q; q++) y[c * Q + q] = float((double(x[c * Q + q]) - m[q]) * s[q] * g + b);
      }
    }
  });
}

void lnBackward(const float* X, const float* G, const float* M, const float* V, const float* D, const float* DM,
                const float* DV, float* DX, float* DG, float* DB, const View& v, double eps) {
  const int64_t C = v.C, Q = v.Q;
  // Per chunk of rows: partial dgamma (first C) and dbeta (next C); dx written along the way.
  std::vector<double> sums(2 * C);
  partialSums(v.P, 3 * C * Q, 2 * C, sums.data(), [&](double* acc, int64_t lo, int64_t hi) {
    std::vector<double> sA(Q), sK(Q), inv(Q);
    for (int64_t p = lo; p < hi; p++) {
      const float* x = X + p * C * Q;
      const float* d = D + p * C * Q;
      const float* m = M + p * Q;
      for (int64_t q = 0; q < Q; q++) {
        sA[q] = sK[q] = 0;
        inv[q] = 1 / std::sqrt(double(V[p * Q + q]) + eps);
      }
      if (Q == 1) {
        const double mm = m[0];
        sA[0] = accumulate(C, [&](int64_t c) { return (G ? double(G[c]) : 1.0) * double(d[c]); });
        sK[0] = accumulate(C, [&](int64_t c) {
          return (G ? double(G[c]) : 1.0) * double(d[c]) * (double(x[c]) - mm);
        });
        const double s = inv[0];
        for (int64_t c = 0; c < C; c++) {
          const double dd = d[c];
          acc[c] += dd * ((double(x[c]) - mm) * s);
          acc[C + c] += dd;
        }
      } else {
        for (int64_t c = 0; c < C; c++) {
          const double g = G ? double(G[c]) : 1.0;
          double ag = 0, ab = 0;
          for (int64_t q = 0; q < Q; q++) {
            const double dd = d[c * Q + q];
            const double xc = double(x[c * Q + q]) - double(m[q]);
            sA[q] += g * dd;
            sK[q] += g * dd * xc;
            ag += dd * (xc * inv[q]);
            ab += dd;
          }
          acc[c] += ag;
          acc[C + c] += ab;
        }
      }
      if (!DX) continue;
      float* dx = DX + p * C * Q;
      for (int64_t q = 0; q < Q; q++) {
        const int64_t j = p * Q + q;
        const double s = inv[q];
        const double k = (2 / double(C)) * (DV ? double(DV[j]) : 0.0) - s * s * s * (sK[q] / double(C));
        const double c0 = (DM ? double(DM[j]) : 0.0) / double(C) - s * (sA[q] / double(C));
        const double mq = m[q];
        for (int64_t c = 0; c < C; c++) {
          const int64_t i = c * Q + q;
          dx[i] = float(s * ((G ? double(G[c]) : 1.0) * double(d[i])) + k * (double(x[i]) - mq) + c0);
        }
      }
    }
  });
  for (int64_t c = 0; c < C; c++) {
    if (DG) DG[c] = float(sums[c]);
    if (DB) DB[c] = float(sums[C + c]);
  }
}

const float* f32OrNull(const Napi::Value& v, const char* what) { return v.IsNull() ? nullptr : f32(v, what); }
float* outOrNull(const Napi::Value& v, const char* what) { return v.IsNull() ? nullptr : f32(v, what); }

View view(const Napi::CallbackInfo& info, int at) {
  return {i64(info[at]), i64(info[at + 1]), i64(info[at + 2])};
}

void checkSize(const Napi::Env& env, const Napi::Value& v, int64_t n, const char* what) {
  if (!v.IsNull() && int64_t(f32Length(v)) != n) {
    throw Napi::RangeError::New(env, std::string("keras-ts native normalization: ") + what + " has the wrong size");
  }
}

}  // namespace

// normalize(perChannel, x, gamma|null, beta|null, y, mean, variance, P, C, Q, epsilon)
static Napi::Value Normalize(const Napi::CallbackInfo& info) {
  const bool perChannel = info[0].As<Napi::Boolean>().Value();
  const View v = view(info, 7);
  const double eps = info[10].As<Napi::Number>().DoubleValue();
  const int64_t size = v.P * v.C * v.Q, stats = perChannel ? v.C : v.P * v.Q;
  Napi::Env env = info.Env();
  checkSize(env, info[1], size, "x");
  checkSize(env, info[2], v.C, "gamma");
  checkSize(env, info[3], v.C, "beta");
  checkSize(env, info[4], size, "y");
  checkSize(env, info[5], stats, "mean");
  checkSize(env, info[6], stats, "variance");
  const float* X = f32(info[1], "x");
  const float* G = f32OrNull(info[2], "gamma");
  const float* B = f32OrNull(info[3], "beta");
  float* Y = f32(info[4], "y");
  float* M = f32(info[5], "mean");
  float* V = f32(info[6], "variance");
  if (perChannel) bnForward(X, G, B, Y, M, V, v, eps);
  else lnForward(X, G, B, Y, M, V, v, eps);
  return env.Undefined();
}

// normalizeGrad(perChannel, x, gamma|null, mean, variance, dy, dmean|null, dvariance|null,
//               dx|null, dgamma|null, dbeta|null, P, C, Q, epsilon)
static Napi::Value NormalizeGrad(const Napi::CallbackInfo& info) {
  const bool perChannel = info[0].As<Napi::Boolean>().Value();
  const View v = view(info, 11);
  const double eps = info[14].As<Napi::Number>().DoubleValue();
  const int64_t size = v.P * v.C * v.Q, stats = perChannel ? v.C : v.P * v.Q;
  Napi::Env env = info.Env();
  const char* names[] = {"x", "gamma", "mean", "variance", "dy", "dmean", "dvariance", "dx", "dgamma", "dbeta"};
  const int64_t sizes[] = {size, v.C, stats, stats, size, stats, stats, size, v.C, v.C};
  for (int i = 0; i < 10; i++) checkSize(env, info[i + 1], sizes[i], names[i]);
  const float* X = f32(info[1], "x");
  const float* G = f32OrNull(info[2], "gamma");
  const float* M = f32(info[3], "mean");
  const float* V = f32(info[4], "variance");
  const float* D = f32(info[5], "dy");
  const float* DM = f32OrNull(info[6], "dmean");
  const float* DV = f32OrNull(info[7], "dvariance");
  float* DX = outOrNull(info[8], "dx");
  float* DG = outOrNull(info[9], "dgamma");
  float* DB = outOrNull(info[10], "dbeta");
  if (perChannel) bnBackward(X, G, M, V, D, DM, DV, DX, DG, DB, v, eps);
  else lnBackward(X, G, M, V, D, DM, DV, DX, DG, DB, v, eps);
  return env.Undefined();
}

// channelAffine(x, scale, shift|null, out, P, C, Q): out = x * scale[c] + shift[c]
static Napi::Value ChannelAffine(const Napi::CallbackInfo& info) {
  const View v = view(info, 4);
  Napi::Env env = info.Env();
  const int64_t size = v.P * v.C * v.Q;
  checkSize(env, info[0], size, "x");
  checkSize(env, info[1], v.C, "scale");
  checkSize(env, info[2], v.C, "shift");
  checkSize(env, info[3], size, "out");
  const float* X = f32(info[0], "x");
  const float* S = f32(info[1], "scale");
  const float* T = f32OrNull(info[2], "shift");
  float* O = f32(info[3], "out");
  if (T) {
    channelMap(O, v, [&](int64_t i, int64_t c) { return double(X[i]) * double(S[c]) + double(T[c]); });
  } else {
    channelMap(O, v, [&](int64_t i, int64_t c) { return double(X[i]) * double(S[c]) + 0.0; });
  }
  return env.Undefined();
}

void initNormalization(Napi::Env env, Napi::Object exports) {
  exports.Set("normalize", Napi::Function::New(env, Normalize));
  exports.Set("normalizeGrad", Napi::Function::New(env, NormalizeGrad));
  exports.Set("channelAffine", Napi::Function::New(env, ChannelAffine));
}

}  // namespace kts
