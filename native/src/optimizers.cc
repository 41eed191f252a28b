// Fused optimizer updates (src/backend/cpu/optimizers.ts): one pass over the parameter, its
// gradient and its slots, split over the pool when large. Float32 storage, double arithmetic in
// the TypeScript kernels' exact order (every stored slot is re-read as the rounded float, as
// TypeScript reads it back from its Float32Array), so the results are bit-identical to theirs.
#include <cmath>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "common.h"
#include "pool.h"

namespace kts {

namespace {

// Arguments: tensors first (Float32Array or null), then doubles, as each kernel's signature lists them.
struct Args {
  const Napi::CallbackInfo& info;
  int64_t n;
  explicit Args(const Napi::CallbackInfo& i) : info(i), n(int64_t(f32Length(i[0]))) {}
  float* t(int k) {
    if (info[k].IsNull() || info[k].IsUndefined()) return nullptr;
    if (f32Length(info[k]) != size_t(n)) throw Napi::RangeError::New(info.Env(), "keras-ts native optimizer: sizes differ");
    return f32(info[k], "tensor");
  }
  double d(int k) { return info[k].As<Napi::Number>().DoubleValue(); }
};

template <class F>
void each(int64_t n, const F& f) {
  forRanges(n, chunksFor(n, 4), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) f(i);
  });
}

// Sets the CPU's flush-to-zero and denormals-are-zero modes for its lifetime (on the thread that
// runs the loop), as TensorFlow and XLA run their CPU kernels: operations on subnormal floats take
// microcode assists (~100x slower), and Adam's momentum of a dead unit decays through that range.
struct FlushSubnormals {
#if defined(__SSE__)
  unsigned saved = _mm_getcsr();
  FlushSubnormals() { _mm_setcsr(saved | 0x8040); }
  ~FlushSubnormals() { _mm_setcsr(saved); }
#endif
};

// Shrinks by the decoupled weight decay: x = p - p * decay.
inline double decayed(float p, double decay) { return double(p) - double(p) * decay; }

}  // namespace

// sgdUpdate(p, g, pOut, lr, decay)
static Napi::Value Sgd(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1);
  float* O = a.t(2);
  const double lr = a.d(3), decay = a.d(4);
  each(a.n, [&](int64_t i) { O[i] = float(decayed(P[i], decay) - double(G[i]) * lr); });
  return info.Env().Undefined();
}

// sgdMomentumUpdate(p, g, m, pOut, mOut, lr, momentum, nesterov, decay)
static Napi::Value SgdMomentum(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *M = a.t(2);
  float *O = a.t(3), *MO = a.t(4);
  const double lr = a.d(5), momentum = a.d(6), decay = a.d(8);
  const bool nesterov = info[7].ToBoolean().Value();
  if (nesterov) {
    each(a.n, [&](int64_t i) {
      const double gi = G[i];
      MO[i] = float(double(M[i]) * momentum - gi * lr);
      O[i] = float(decayed(P[i], decay) + (double(MO[i]) * momentum - gi * lr));
    });
  } else {
    each(a.n, [&](int64_t i) {
      MO[i] = float(double(M[i]) * momentum - double(G[i]) * lr);
      O[i] = float(decayed(P[i], decay) + double(MO[i]));
    });
  }
  return info.Env().Undefined();
}

// rmspropUpdate(p, g, vel, mom?, avg?, pOut, velOut, momOut?, avgOut?, lr, rho, momentum, epsilon, decay)
static Napi::Value Rmsprop(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *V = a.t(2), *Mo = a.t(3), *Av = a.t(4);
  float *O = a.t(5), *VO = a.t(6), *MoO = a.t(7), *AvO = a.t(8);
  const double lr = a.d(9), rho = a.d(10), momentum = a.d(11), epsilon = a.d(12), decay = a.d(13);
  const double r1 = 1 - rho;
  const bool centered = Av && AvO, withMomentum = Mo && MoO;
  each(a.n, [&](int64_t i) {
    const double gi = G[i];
    const double pi = P[i];  // read before O[i] is written: O may be P (an in-place update)
    VO[i] = float(rho * double(V[i]) + r1 * gi * gi);
    // The denominator rounded to float, as TypeScript stores it.
    double denom;
    if (centered) {
      AvO[i] = float(rho * double(Av[i]) + r1 * gi);
      denom = double(float(double(VO[i]) - double(AvO[i]) * double(AvO[i]) + epsilon));
    } else {
      denom = double(float(double(VO[i]) + epsilon));
    }
    if (withMomentum) {
      MoO[i] = float(momentum * double(Mo[i]) + (lr * gi) / std::sqrt(denom));
      O[i] = float(pi - pi * decay - double(MoO[i]));
    } else {
      O[i] = float(pi - pi * decay - (lr * gi) / std::sqrt(denom));
    }
  });
  return info.Env().Undefined();
}

// The Adam loop over [lo, hi) in float32, as Keras computes it for float32 variables (and as the
// TypeScript kernel rounds it, bit for bit): compiled for AVX-512, AVX2 and plain x86-64, picked
// at load time. In double, the square roots and divisions made Adam compute-bound (1.1 ms for the
// MLP's 670k parameters; float32 vectors hold twice the lanes). Outputs may be the inputs
// themselves (slots updated in place, the new value written over the gradient): every element is
// read before it is written, so ivdep holds.
SIMD_CLONES static void adamRange(int64_t lo, int64_t hi, const float* P, const float* G, const float* M,
                                  const float* V, const float* H, float* O, float* MO, float* VO, float* HO,
                                  float alpha, float b1, float b2, float epsilon, float decay) {
  if (H) {
#pragma GCC ivdep
    for (int64_t i = lo; i < hi; i++) {
      const float gi = G[i], mi = M[i], vi = V[i], pi = P[i];
      const float mo = mi + (gi - mi) * b1, vo = vi + (gi * gi - vi) * b2;
      const float ho = H[i] > vo ? H[i] : vo;
      MO[i] = mo;
      VO[i] = vo;
      HO[i] = ho;
      O[i] = (pi - pi * decay) - (mo * alpha) / (std::sqrt(ho) + epsilon);
    }
    return;
  }
#pragma GCC ivdep
  for (int64_t i = lo; i < hi; i++) {
    const float gi = G[i], mi = M[i], vi = V[i], pi = P[i];
    const float mo = mi + (gi - mi) * b1, vo = vi + (gi * gi - vi) * b2;
    MO[i] = mo;
    VO[i] = vo;
    O[i] = (pi - pi * decay) - (mo * alpha) / (std::sqrt(vo) + epsilon);
  }
}

// adamUpdate(p, g, m, v, vhat?, pOut, mOut, vOut, vhatOut?, alpha, beta1, beta2, epsilon, decay)
static Napi::Value Adam(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *M = a.t(2), *V = a.t(3), *H = a.t(4);
  float *O = a.t(5), *MO = a.t(6), *VO = a.t(7), *HO = a.t(8);
  const float alpha = float(a.d(9)), b1 = float(1 - a.d(10)), b2 = float(1 - a.d(11)), epsilon = float(a.d(12)),
              decay = float(a.d(13));
  if (!HO) H = nullptr;
  forRanges(a.n, chunksFor(a.n, 2), [&](int64_t lo, int64_t hi) {
    FlushSubnormals flush;
    adamRange(lo, hi, P, G, M, V, H, O, MO, VO, HO, alpha, b1, b2, epsilon, decay);
  });
  return info.Env().Undefined();
}

// adagradUpdate(p, g, acc, pOut, accOut, lr, epsilon, decay)
static Napi::Value Adagrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *A = a.t(2);
  float *O = a.t(3), *AO = a.t(4);
  const double lr = a.d(5), epsilon = a.d(6), decay = a.d(7);
  each(a.n, [&](int64_t i) {
    const double gi = G[i];
    AO[i] = float(double(A[i]) + gi * gi);
    O[i] = float(decayed(P[i], decay) - (lr * gi) / std::sqrt(double(AO[i]) + epsilon));
  });
  return info.Env().Undefined();
}

// adadeltaUpdate(p, g, accGrad, accDelta, pOut, accGradOut, accDeltaOut, lr, rho, epsilon, decay)
static Napi::Value Adadelta(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *AG = a.t(2), *AD = a.t(3);
  float *O = a.t(4), *AGO = a.t(5), *ADO = a.t(6);
  const double lr = a.d(7), rho = a.d(8), epsilon = a.d(9), decay = a.d(10);
  const double r1 = 1 - rho;
  each(a.n, [&](int64_t i) {
    const double gi = G[i];
    AGO[i] = float(rho * double(AG[i]) + r1 * gi * gi);
    const double delta = -((std::sqrt(double(AD[i]) + epsilon) * gi) / std::sqrt(double(AGO[i]) + epsilon));
    ADO[i] = float(rho * double(AD[i]) + r1 * delta * delta);
    O[i] = float(decayed(P[i], decay) + lr * delta);
  });
  return info.Env().Undefined();
}

// adamaxUpdate(p, g, m, u, pOut, mOut, uOut, lr, beta1, beta2, epsilon, beta1Power, decay)
static Napi::Value Adamax(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *M = a.t(2), *U = a.t(3);
  float *O = a.t(4), *MO = a.t(5), *UO = a.t(6);
  const double lr = a.d(7), beta1 = a.d(8), beta2 = a.d(9), epsilon = a.d(10), beta1Power = a.d(11),
               decay = a.d(12);
  const double b1 = 1 - beta1, c = 1 - beta1Power;
  each(a.n, [&](int64_t i) {
    const double gi = G[i];
    MO[i] = float(double(M[i]) + (gi - double(M[i])) * b1);
    const double bu = beta2 * double(U[i]);
    const double ag = std::fabs(gi);
    UO[i] = float(bu > ag ? bu : ag);
    O[i] = float(decayed(P[i], decay) - (lr * double(MO[i])) / (c * (double(UO[i]) + epsilon)));
  });
  return info.Env().Undefined();
}

// nadamUpdate(p, g, m, v, pOut, mOut, vOut, lr, beta1, beta2, epsilon, c1, c2, beta2Power, decay)
static Napi::Value Nadam(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *M = a.t(2), *V = a.t(3);
  float *O = a.t(4), *MO = a.t(5), *VO = a.t(6);
  const double lr = a.d(7), beta1 = a.d(8), beta2 = a.d(9), epsilon = a.d(10), c1 = a.d(11), c2 = a.d(12),
               beta2Power = a.d(13), decay = a.d(14);
  const double b1 = 1 - beta1, b2 = 1 - beta2, vc = 1 - beta2Power;
  each(a.n, [&](int64_t i) {
    const double gi = G[i];
    MO[i] = float(double(M[i]) + (gi - double(M[i])) * b1);
    VO[i] = float(double(V[i]) + (gi * gi - double(V[i])) * b2);
    const double mHat = c1 * double(MO[i]) + c2 * gi;
    const double vHat = double(VO[i]) / vc;
    O[i] = float(decayed(P[i], decay) - (mHat * lr) / (std::sqrt(vHat) + epsilon));
  });
  return info.Env().Undefined();
}

// lionUpdate(p, g, m, pOut, mOut, lr, beta1, beta2, decay)
static Napi::Value Lion(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *P = a.t(0), *G = a.t(1), *M = a.t(2);
  float *O = a.t(3), *MO = a.t(4);
  const double lr = a.d(5), beta1 = a.d(6), beta2 = a.d(7), decay = a.d(8);
  const double b1 = 1 - beta1, b2 = 1 - beta2;
  each(a.n, [&](int64_t i) {
    const double gi = G[i], mi = M[i];
    const double c = mi * beta1 + gi * b1;
    const double s = c > 0 ? 1 : c < 0 ? -1 : c;  // sign; NaN and ±0 stay
    O[i] = float(decayed(P[i], decay) - lr * s);
    MO[i] = float(mi * beta2 + gi * b2);
  });
  return info.Env().Undefined();
}

// emaUpdate(avg, p, avgOut, momentum)
static Napi::Value Ema(const Napi::CallbackInfo& info) {
  Args a(info);
  const float *A = a.t(0), *P = a.t(1);
  float* O = a.t(2);
  const double momentum = a.d(3), c = 1 - momentum;
  each(a.n, [&](int64_t i) { O[i] = float(momentum * double(A[i]) + c * double(P[i])); });
  return info.Env().Undefined();
}

void initOptimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, Sgd));
  exports.Set("sgdMomentumUpdate", Napi::Function::New(env, SgdMomentum));
  exports.Set("rmspropUpdate", Napi::Function::New(env, Rmsprop));
  exports.Set("adamUpdate", Napi::Function::New(env, Adam));
  exports.Set("adagradUpdate", Napi::Function::New(env, Adagrad));
  exports.Set("adadeltaUpdate", Napi::Function::New(env, Adadelta));
  exports.Set("adamaxUpdate", Napi::Function::New(env, Adamax));
  exports.Set("nadamUpdate", Napi::Function::New(env, Nadam));
  exports.Set("lionUpdate", Napi::Function::New(env, Lion));
  exports.Set("emaUpdate", Napi::Function::New(env, Ema));
}

}  // namespace kts
