// Max and average pooling, forward and backward (src/backend/cpu/pooling.ts), channels-last, 1-3
// spatial axes, as plain loops split over the pool. oneDNN's pooling primitives are not used: their
// max ignores NaN, their average accumulates in float, and their max backward may route a tie
// elsewhere; these loops reproduce the TypeScript kernels bit for bit (double accumulation, first
// maximum in window order, NaN propagation, Math.max's +0 over -0).
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "common.h"
#include "pool.h"

namespace kts {

namespace {

struct PoolGeom {
  int64_t B, C;
  int64_t in[3], k[3], out[3], s[3], pad[3];
  int64_t outPerImage() const { return out[0] * out[1] * out[2]; }
  int64_t inPerImage() const { return in[0] * in[1] * in[2]; }
};

// Reads (n spatial axes) and left-pads to three, as the TypeScript kernels' to3.
PoolGeom readGeom(const Napi::CallbackInfo& info, int first) {
  PoolGeom g;
  const int n = info[first].As<Napi::Number>().Int32Value();
  if (n < 1 || n > 3) throw Napi::RangeError::New(info.Env(), "keras-ts native pooling: rank must be 1..3");
  g.B = i64(info[first + 1]);
  g.C = i64(info[first + 2]);
  int64_t v[5][3];
  for (int a = 0; a < 5; a++) readDims(info[first + 3 + a], v[a], n);
  const int64_t fill[5] = {1, 1, 1, 1, 0};
  int64_t* dst[5] = {g.in, g.k, g.out, g.s, g.pad};
  for (int a = 0; a < 5; a++)
    for (int i = 0; i < 3; i++) dst[a][i] = i < 3 - n ? fill[a] : v[a][i - (3 - n)];
  if (g.inPerImage() > INT32_MAX)  // argmax keeps positions within an image as int32
    throw Napi::RangeError::New(info.Env(), "keras-ts native pooling: image too large");
  return g;
}

// Window of output position (od, oh, ow) clipped to the input.
struct Window {
  int64_t d0, d1, h0, h1, w0, w1;
};

inline Window window(const PoolGeom& g, int64_t od, int64_t oh, int64_t ow) {
  Window w;
  w.d0 = std::max<int64_t>(0, od * g.s[0] - g.pad[0]);
  w.d1 = std::min<int64_t>(g.in[0], od * g.s[0] - g.pad[0] + g.k[0]);
  w.h0 = std::max<int64_t>(0, oh * g.s[1] - g.pad[1]);
  w.h1 = std::min<int64_t>(g.in[1], oh * g.s[1] - g.pad[1] + g.k[1]);
  w.w0 = std::max<int64_t>(0, ow * g.s[2] - g.pad[2]);
  w.w1 = std::min<int64_t>(g.in[2], ow * g.s[2] - g.pad[2] + g.k[2]);
  return w;
}

inline int64_t count(const Window& w) {
  return std::max<int64_t>(0, w.d1 - w.d0) * std::max<int64_t>(0, w.h1 - w.h0) * std::max<int64_t>(0, w.w1 - w.w0);
}

// Math.max on float32 values: NaN if either is NaN, +0 over -0.
// Written as selects so that the channel loop vectorizes (±0 and NaN are rare; order matters only there).
inline float jsMax(float a, float b) {
  float m = b > a ? b : a;
  m = a == b ? (std::signbit(a) ? b : a) : m;
  return (a != a) | (b != b) ? NAN : m;
}

// Calls f(b, od, oh, ow, yOff) for output positions [lo, hi) of the flattened [B, OD, OH, OW].
template <class F>
void positions(const PoolGeom& g, int64_t lo, int64_t hi, const F& f) {
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  for (int64_t p = lo; p < hi; p++) {
    const int64_t ow = p % OW, oh = (p / OW) % OH, od = (p / (OW * OH)) % OD, b = p / (OW * OH * OD);
    f(b, od, oh, ow, p * g.C);
  }
}

// Calls f(pos) for each input position of window w, in window order; pos counts positions within
// one image (the input offset of image b is (b * inPerImage + pos) * C).
template <class F>
inline void forWindow(const PoolGeom& g, const Window& w, const F& f) {
  for (int64_t id = w.d0; id < w.d1; id++)
    for (int64_t ih = w.h0; ih < w.h1; ih++) {
      const int64_t row = (id * g.in[1] + ih) * g.in[2];
      for (int64_t iw = w.w0; iw < w.w1; iw++) f(row + iw);
    }
}

void poolForward(bool max, const PoolGeom& g, const float* X, float* Y) {
  const int64_t P = g.B * g.outPerImage(), C = g.C;
  const int64_t work = P * C * std::max<int64_t>(1, g.k[0] * g.k[1] * g.k[2]);
  forRanges(P, std::min(P, chunksFor(work)), [&](int64_t lo, int64_t hi) {
    std::vector<double> acc(max ? 0 : C);
    positions(g, lo, hi, [&](int64_t b, int64_t od, int64_t oh, int64_t ow, int64_t yOff) {
      const Window w = window(g, od, oh, ow);
      float* y = Y + yOff;
      const float* xImg = X + b * g.inPerImage() * C;
      if (max) {
        for (int64_t c = 0; c < C; c++) y[c] = -INFINITY;
        forWindow(g, w, [&](int64_t pos) {
          const float* x = xImg + pos * C;
          for (int64_t c = 0; c < C; c++) y[c] = jsMax(y[c], x[c]);
        });
      } else {
        std::fill(acc.begin(), acc.end(), 0.0);
        forWindow(g, w, [&](int64_t pos) {
          const float* x = xImg + pos * C;
          for (int64_t c = 0; c < C; c++) acc[c] += x[c];
        });
        const int64_t n = count(w);
        const double inv = n > 0 ? 1.0 / double(n) : 0.0;
        for (int64_t c = 0; c < C; c++) y[c] = float(acc[c] * inv);
      }
    });
  });
}

// Per image and block of channels [c0, c1): the gradient of one task, accumulated in double in
// the TypeScript kernels' order (windows in output order), then rounded into dx.
template <class F>
void gradTasks(const PoolGeom& g, float* DX, const F& perWindow) {
  const int64_t C = g.C, inImg = g.inPerImage();
  const int64_t work = g.B * g.outPerImage() * C * std::max<int64_t>(1, g.k[0] * g.k[1] * g.k[2]);
  const int64_t want = std::max<int64_t>(1, std::min<int64_t>(4 * numThreads(), chunksFor(work)));
  const int64_t cBlocks = std::min<int64_t>(C, std::max<int64_t>(1, (want + g.B - 1) / g.B));
  const int64_t tasks = g.B * cBlocks;
  forRanges(tasks, std::min(tasks, want), [&](int64_t t0, int64_t t1) {
    std::vector<double> acc;
    for (int64_t t = t0; t < t1; t++) {
      const int64_t b = t / cBlocks, cb = t % cBlocks;
      const int64_t c0 = C * cb / cBlocks, c1 = C * (cb + 1) / cBlocks, cw = c1 - c0;
      acc.assign(inImg * cw, 0.0);
      for (int64_t od = 0; od < g.out[0]; od++)
        for (int64_t oh = 0; oh < g.out[1]; oh++)
          for (int64_t ow = 0; ow < g.out[2]; ow++) {
            const int64_t yOff = (((b * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow) * C;
            // rowAt(pos)[c] for c in [c0, c1): the accumulator of channel c at position pos.
            perWindow(b, window(g, od, oh, ow), yOff, c0, c1,
                      [&](int64_t pos) { return acc.data() + pos * cw - c0; });
          }
      for (int64_t p = 0; p < inImg; p++)
        for (int64_t c = 0; c < cw; c++) DX[(b * inImg + p) * C + c0 + c] = float(acc[p * cw + c]);
    }
  });
}

// The first maximum of window w of image b per channel in [c0, c1) (NaN wins over numbers), as
// positions within the image (-1: empty window).
// Branch-free selects (random data makes the branches unpredictable), vectorizable over channels.
inline void argmax(const PoolGeom& g, const float* X, int64_t b, const Window& w, int64_t c0, int64_t c1, float* best,
                   int32_t* arg) {
  const float* xImg = X + b * g.inPerImage() * g.C + c0;
  const int64_t cw = c1 - c0;
  for (int64_t c = 0; c < cw; c++) arg[c] = -1;
  forWindow(g, w, [&](int64_t pos) {
    const float* x = xImg + pos * g.C;
    const int32_t p = int32_t(pos);
    for (int64_t c = 0; c < cw; c++) {
      const float v = x[c];
      const float bv = best[c];
      const bool take = (arg[c] < 0) | (v > bv) | ((v != v) & (bv == bv));
      best[c] = take ? v : bv;
      arg[c] = take ? p : arg[c];
    }
  });
}

}  // namespace

// pool(kind, x, out, n, B, C, inSpatial, poolSize, outSpatial, strides, padBefore): kind 0 max, 1 average.
static Napi::Value Pool(const Napi::CallbackInfo& info) {
  const int kind = info[0].As<Napi::Number>().Int32Value();
  const float* X = f32(info[1], "x");
  float* Y = f32(info[2], "out");
  const PoolGeom g = readGeom(info, 3);
  if (f32Length(info[1]) != size_t(g.B * g.inPerImage() * g.C) || f32Length(info[2]) != size_t(g.B * g.outPerImage() * g.C))
    throw Napi::RangeError::New(info.Env(), "keras-ts native pool: sizes do not match");
  poolForward(kind == 0, g, X, Y);
  return info.Env().Undefined();
}

// d[c] = dy[c] + 0 where arg[c] == p, else +0, as a bit mask: a branch would be mispredicted on
// random data and GCC keeps the select scalar; the mask form vectorizes (noinline keeps __restrict).
__attribute__((noinline)) static void routeRow(float* __restrict d, const float* __restrict dy,
                                               const int32_t* __restrict arg, int32_t p, int64_t C) {
  for (int64_t c = 0; c < C; c++) {
    const float v = dy[c] + 0.0f;
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    bits &= -uint32_t(arg[c] == p);
    std::memcpy(d + c, &bits, 4);
  }
}

// maxPoolGrad with disjoint windows (stride >= pool size on every axis, the usual 2x2/2): each
// input position takes at most one dy, so dx is written directly, in parallel over output
// positions, with no accumulator. float(0.0 + dy) as the TypeScript kernel's double sum (-0 -> +0).
static void maxPoolGradDisjoint(const PoolGeom& g, const float* X, const float* DY, float* DX) {
  const int64_t P = g.B * g.outPerImage(), C = g.C;
  bool covered = true;  // every input position lies in some window: no zeroing pass needed
  for (int i = 0; i < 3; i++) covered &= g.pad[i] == 0 && g.s[i] == g.k[i] && g.out[i] * g.s[i] == g.in[i];
  const int64_t total = g.B * g.inPerImage() * C;
  if (!covered)
    forRanges(total, chunksFor(total), [&](int64_t lo, int64_t hi) { std::fill(DX + lo, DX + hi, 0.0f); });
  forRanges(P, std::min(P, chunksFor(P * C * std::max<int64_t>(1, g.k[0] * g.k[1] * g.k[2]))), [&](int64_t lo, int64_t hi) {
    std::vector<float> best(C);
    std::vector<int32_t> arg(C);
    positions(g, lo, hi, [&](int64_t b, int64_t od, int64_t oh, int64_t ow, int64_t yOff) {
      const Window w = window(g, od, oh, ow);
      argmax(g, X, b, w, 0, C, best.data(), arg.data());
      float* dxImg = DX + b * g.inPerImage() * C;
      const int32_t* a = arg.data();
      const float* dy = DY + yOff;
      forWindow(g, w, [&](int64_t pos) { routeRow(dxImg + pos * C, dy, a, int32_t(pos), C); });
    });
  });
}

// maxPoolGrad(x, dy, out, n, B, C, inSpatial, poolSize, outSpatial, strides, padBefore)
static Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const float* X = f32(info[0], "x");
  const float* DY = f32(info[1], "dy");
  float* DX = f32(info[2], "out");
  const PoolGeom g = readGeom(info, 3);
  if (f32Length(info[0]) != size_t(g.B * g.inPerImage() * g.C) || f32Length(info[2]) != f32Length(info[0]) ||
      f32Length(info[1]) != size_t(g.B * g.outPerImage() * g.C))
    throw Napi::RangeError::New(info.Env(), "keras-ts native maxPoolGrad: sizes do not match");
  if (g.s[0] >= g.k[0] && g.s[1] >= g.k[1] && g.s[2] >= g.k[2]) {
    maxPoolGradDisjoint(g, X, DY, DX);
    return info.Env().Undefined();
  }
  gradTasks(g, DX, [&](int64_t b, const Window& w, int64_t yOff, int64_t c0, int64_t c1, const auto& rowAt) {
    thread_local std::vector<float> best;
    thread_local std::vector<int32_t> arg;
    best.resize(c1 - c0);
    arg.resize(c1 - c0);
    argmax(g, X, b, w, c0, c1, best.data(), arg.data());
    for (int64_t c = c0; c < c1; c++)
      if (arg[c - c0] >= 0) rowAt(int64_t(arg[c - c0]))[c] += DY[yOff + c];
  });
  return info.Env().Undefined();
}

// avgPoolGrad(dy, out, n, B, C, inSpatial, poolSize, outSpatial, strides, padBefore)
static Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  const float* DY = f32(info[0], "dy");
  float* DX = f32(info[1], "out");
  const PoolGeom g = readGeom(info, 2);
  if (f32Length(info[1]) != size_t(g.B * g.inPerImage() * g.C) || f32Length(info[0]) != size_t(g.B * g.outPerImage() * g.C))
    throw Napi::RangeError::New(info.Env(), "keras-ts native avgPoolGrad: sizes do not match");
  gradTasks(g, DX, [&](int64_t b, const Window& w, int64_t yOff, int64_t c0, int64_t c1, const auto& rowAt) {
    const int64_t n = count(w);
    if (n == 0) return;
    const double inv = 1.0 / double(n);
    forWindow(g, w, [&](int64_t pos) {
      double* a = rowAt(pos);
      for (int64_t c = c0; c < c1; c++) a[c] += double(DY[yOff + c]) * inv;
    });
  });
  return info.Env().Undefined();
}

// maxPoolGradGrad(x, ddx, out, n, B, C, inSpatial, poolSize, outSpatial, strides, padBefore)
static Napi::Value MaxPoolGradGrad(const Napi::CallbackInfo& info) {
  const float* X = f32(info[0], "x");
  const float* DDX = f32(info[1], "ddx");
  float* Y = f32(info[2], "out");
  const PoolGeom g = readGeom(info, 3);
  if (f32Length(info[0]) != size_t(g.B * g.inPerImage() * g.C) || f32Length(info[1]) != f32Length(info[0]) ||
      f32Length(info[2]) != size_t(g.B * g.outPerImage() * g.C))
    throw Napi::RangeError::New(info.Env(), "keras-ts native maxPoolGradGrad: sizes do not match");
  const int64_t P = g.B * g.outPerImage(), C = g.C;
  forRanges(P, std::min(P, chunksFor(P * C * g.k[0] * g.k[1] * g.k[2])), [&](int64_t lo, int64_t hi) {
    std::vector<float> best(C);
    std::vector<int32_t> arg(C);
    positions(g, lo, hi, [&](int64_t b, int64_t od, int64_t oh, int64_t ow, int64_t yOff) {
      argmax(g, X, b, window(g, od, oh, ow), 0, C, best.data(), arg.data());
      const float* ddx = DDX + b * g.inPerImage() * C;
      for (int64_t c = 0; c < C; c++) Y[yOff + c] = arg[c] < 0 ? 0.0f : ddx[int64_t(arg[c]) * C + c];
    });
  });
  return info.Env().Undefined();
}

void initPooling(Napi::Env env, Napi::Object exports) {
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("maxPoolGradGrad", Napi::Function::New(env, MaxPoolGradGrad));
}

}  // namespace kts
