// Channels-last N-d convolution (1-3 spatial axes, strides, padding, dilation, groups) on oneDNN's
// convolution forward, backward-data and backward-weights primitives. keras-ts lays tensors out as
// x [B, ...spatial, C] and w [...k, C/groups, O]; both are described to oneDNN as strided plain
// memory. The primitive picks its own layout for the weights (format `any`): they are reordered
// in (forward, backward-data) or out (backward-weights) at each call, which costs little next to
// the convolution. Activations: see layout() below. Plans are cached by shape and parameters.
#include <omp.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "common.h"

namespace kts {

using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

enum ConvKind { FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2 };

// One argument of the primitive: the user's buffer (re-pointed at each call) and, when the
// primitive wants another layout, its own buffer and the reorder between them.
struct ConvArg {
  int arg = 0;
  dnnl::memory user, inner;
  dnnl::reorder re;
  bool reorder = false;
};


struct ConvPlan {
  bool ok = false;  // false: oneDNN refused these parameters; the caller uses TypeScript
  dnnl::primitive prim;
  ConvArg in1, in2, out;
  bool hasBias = false;  // forward only: the bias [O] added by the primitive
  dnnl::memory bias;
  uint64_t epoch = 0;
};

// Layout of the activations given to oneDNN: channels-last as keras-ts stores them (NXC), or
// oneDNN's choice (ANY: blocked, with reorders at each call). AUTO is NXC: measured on every
// benchmark shape, the blocked layouts plus their reorders were 1.0-2.8x slower (bench/RESULTS.md).
enum Layout { AUTO = 0, NXC = 1, ANY = 2 };
static int layoutMode = -1;

static int layout() {
  if (layoutMode < 0) {
    const char* env = std::getenv("KERAS_TS_CONV_LAYOUT");
    const std::string v = env ? env : "";
    layoutMode = v == "any" ? ANY : v == "nxc" ? NXC : AUTO;
  }
  return layoutMode;
}

// Geometry read from the call: rank n, B, C, O, G, and per spatial axis in/k/out/stride/padL/dilation.
struct ConvShape {
  int n;
  int64_t B, C, O, G;
  int64_t in[3], k[3], out[3], s[3], pl[3], d[3];
  bool bias = false;
  std::vector<int64_t> key(int kind) const {
    std::vector<int64_t> v{kind, layout(), n, B, C, O, G, bias};
    for (int i = 0; i < n; i++) v.insert(v.end(), {in[i], k[i], out[i], s[i], pl[i], d[i]});
    return v;
  }
};

// [B, C, ...spatial] for channels-last data of `ch` channels.
static dnnl::memory::desc nxc(const ConvShape& g, int64_t ch, const int64_t* sp) {
  dims d{g.B, ch}, st(2 + g.n);
  for (int i = 0; i < g.n; i++) d.push_back(sp[i]);
  int64_t acc = ch;
  for (int i = g.n - 1; i >= 0; i--) {
    st[2 + i] = acc;
    acc *= sp[i];
  }
  st[1] = 1;
  st[0] = acc;
  return dnnl::memory::desc(d, dt::f32, st);
}

// keras-ts weights [...k, Cg, O] as oneDNN's [O, C, ...k] or, grouped, [G, Og, Cg, ...k].
static dnnl::memory::desc weightsDesc(const ConvShape& g) {
  const int64_t Cg = g.C / g.G, Og = g.O / g.G;
  dims d, st;
  if (g.G > 1) {
    d = {g.G, Og, Cg};
    st = {Og, 1, g.O};
  } else {
    d = {g.O, g.C};
    st = {1, g.O};
  }
  const size_t base = d.size();
  for (int i = 0; i < g.n; i++) d.push_back(g.k[i]);
  st.resize(d.size());
  int64_t acc = Cg * g.O;
  for (int i = g.n - 1; i >= 0; i--) {
    st[base + i] = acc;
    acc *= g.k[i];
  }
  return dnnl::memory::desc(d, dt::f32, st);
}

static dnnl::memory::desc anyLike(const dnnl::memory::desc& md) {
  return dnnl::memory::desc(md.dims(), dt::f32, dnnl::memory::format_tag::any);
}

static ConvArg makeArg(int arg, const dnnl::memory::desc& userMd, const dnnl::memory::desc& primMd, bool isOutput) {
  ConvArg a;
  a.arg = arg;
  a.user = dnnl::memory(userMd, engine(), DNNL_MEMORY_NONE);
  if (primMd != userMd) {
    a.reorder = true;
    a.inner = dnnl::memory(primMd, engine());
    a.re = isOutput ? dnnl::reorder(a.inner, a.user) : dnnl::reorder(a.user, a.inner);
  }
  return a;
}

static ConvPlan makePlan(int kind, const ConvShape& g) {
  ConvPlan p;
  p.epoch = threadEpoch();
  dims strides, dil, pl, pr;
  for (int i = 0; i < g.n; i++) {
    const int64_t dk = (g.k[i] - 1) * g.d[i] + 1;
    // padAfter as oneDNN checks it: out = (in + pl + pr - dk) / s + 1, whatever the caller passed.
    const int64_t r = (g.out[i] - 1) * g.s[i] + dk - g.in[i] - g.pl[i];
    if (g.pl[i] < 0 || r + g.s[i] <= 0) return p;
    strides.push_back(g.s[i]);
    dil.push_back(g.d[i] - 1);
    pl.push_back(g.pl[i]);
    pr.push_back(r);
  }
  const auto xMd = nxc(g, g.C, g.in), yMd = nxc(g, g.O, g.out), wMd = weightsDesc(g);
  const bool any = layout() == ANY;
  const auto xP = any ? anyLike(xMd) : xMd, yP = any ? anyLike(yMd) : yMd, wP = anyLike(wMd);
  const auto algo = dnnl::algorithm::convolution_direct;
  try {
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, algo, xP, wP, yP, strides, dil, pl, pr);
    dnnl::convolution_forward::primitive_desc fpd(fd, engine());
    if (kind == FORWARD && g.bias) {
      const dnnl::memory::desc bMd({g.O}, dt::f32, dnnl::memory::format_tag::a);
      dnnl::convolution_forward::desc bfd(dnnl::prop_kind::forward_training, algo, xP, wP, bMd, yP, strides, dil, pl, pr);
      dnnl::convolution_forward::primitive_desc bfpd(bfd, engine());
      p.prim = dnnl::convolution_forward(bfpd);
      p.in1 = makeArg(DNNL_ARG_SRC, xMd, bfpd.src_desc(), false);
      p.in2 = makeArg(DNNL_ARG_WEIGHTS, wMd, bfpd.weights_desc(), false);
      p.out = makeArg(DNNL_ARG_DST, yMd, bfpd.dst_desc(), true);
      p.hasBias = true;
      p.bias = dnnl::memory(bMd, engine(), DNNL_MEMORY_NONE);
    } else if (kind == FORWARD) {
      p.prim = dnnl::convolution_forward(fpd);
      p.in1 = makeArg(DNNL_ARG_SRC, xMd, fpd.src_desc(), false);
      p.in2 = makeArg(DNNL_ARG_WEIGHTS, wMd, fpd.weights_desc(), false);
      p.out = makeArg(DNNL_ARG_DST, yMd, fpd.dst_desc(), true);
    } else if (kind == BACKWARD_DATA) {
      dnnl::convolution_backward_data::desc bd(algo, xP, wP, yP, strides, dil, pl, pr);
      dnnl::convolution_backward_data::primitive_desc bpd(bd, engine(), fpd);
      p.prim = dnnl::convolution_backward_data(bpd);
      p.in1 = makeArg(DNNL_ARG_DIFF_DST, yMd, bpd.diff_dst_desc(), false);
      p.in2 = makeArg(DNNL_ARG_WEIGHTS, wMd, bpd.weights_desc(), false);
      p.out = makeArg(DNNL_ARG_DIFF_SRC, xMd, bpd.diff_src_desc(), true);
    } else {
      dnnl::convolution_backward_weights::desc bd(algo, xP, wP, yP, strides, dil, pl, pr);
      dnnl::convolution_backward_weights::primitive_desc bpd(bd, engine(), fpd);
      p.prim = dnnl::convolution_backward_weights(bpd);
      p.in1 = makeArg(DNNL_ARG_SRC, xMd, bpd.src_desc(), false);
      p.in2 = makeArg(DNNL_ARG_DIFF_DST, yMd, bpd.diff_dst_desc(), false);
      p.out = makeArg(DNNL_ARG_DIFF_WEIGHTS, wMd, bpd.diff_weights_desc(), true);
    }
  } catch (const dnnl::error&) {
    return ConvPlan{};
  }
  p.ok = true;
  return p;
}

static std::map<std::vector<int64_t>, ConvPlan> cache;

static void bind(ConvArg& a, float* data, std::unordered_map<int, dnnl::memory>& args) {
  a.user.set_data_handle(data);
  args[a.arg] = a.reorder ? a.inner : a.user;
}

// conv(kind, a, b, out, n, B, C, O, G, in[], k[], out[], strides[], padBefore[], dilation[][, bias]) -> bool.
// kind FORWARD: a = x, b = w, out = y (+ bias [O] when given); BACKWARD_DATA: a = dy, b = w, out = dx;
// BACKWARD_WEIGHTS: a = x, b = dy, out = dw. Returns false (nothing written) when oneDNN cannot take
// the parameters.
static Napi::Value Conv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int kind = info[0].As<Napi::Number>().Int32Value();
  float* A = f32(info[1], "a");
  float* Bf = f32(info[2], "b");
  float* O = f32(info[3], "out");
  ConvShape g;
  g.n = info[4].As<Napi::Number>().Int32Value();
  if (g.n < 1 || g.n > 3 || kind < 0 || kind > 2) throw Napi::RangeError::New(env, "keras-ts native conv: bad rank or kind");
  g.B = i64(info[5]);
  g.C = i64(info[6]);
  g.O = i64(info[7]);
  g.G = i64(info[8]);
  readDims(info[9], g.in, g.n);
  readDims(info[10], g.k, g.n);
  readDims(info[11], g.out, g.n);
  readDims(info[12], g.s, g.n);
  readDims(info[13], g.pl, g.n);
  readDims(info[14], g.d, g.n);
  if (g.G < 1 || g.C % g.G != 0 || g.O % g.G != 0) throw Napi::RangeError::New(env, "keras-ts native conv: bad groups");
  float* bias = nullptr;
  if (info.Length() > 15 && !info[15].IsUndefined() && !info[15].IsNull()) {
    bias = f32(info[15], "bias");
    if (kind != FORWARD || f32Length(info[15]) != size_t(g.O))
      throw Napi::RangeError::New(env, "keras-ts native conv: a bias goes with the forward kind and has O elements");
    g.bias = true;
  }
  int64_t xs = g.B * g.C, ys = g.B * g.O, ws = (g.C / g.G) * g.O;
  for (int i = 0; i < g.n; i++) xs *= g.in[i], ys *= g.out[i], ws *= g.k[i];
  const int64_t sizes[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (f32Length(info[1]) != size_t(sizes[kind][0]) || f32Length(info[2]) != size_t(sizes[kind][1]) ||
      f32Length(info[3]) != size_t(sizes[kind][2])) {
    throw Napi::RangeError::New(env, "keras-ts native conv: buffer sizes do not match the shapes");
  }
  if (xs == 0 || ys == 0 || ws == 0) return Napi::Boolean::New(env, false);
  int64_t macs = ys * (g.C / g.G);
  for (int i = 0; i < g.n; i++) macs *= g.k[i];
  SerialScope serial(macs < SERIAL_MACS);
  const auto key = g.key(kind);
  auto it = cache.find(key);
  if (it == cache.end() || it->second.epoch != threadEpoch()) {
    if (cache.size() >= 512) cache.clear();
    it = cache.insert_or_assign(key, makePlan(kind, g)).first;
  }
  ConvPlan& p = it->second;
  if (!p.ok) return Napi::Boolean::New(env, false);
  try {
    std::unordered_map<int, dnnl::memory> args;
    bind(p.in1, A, args);
    bind(p.in2, Bf, args);
    bind(p.out, O, args);
    if (p.hasBias) {
      p.bias.set_data_handle(bias);
      args[DNNL_ARG_BIAS] = p.bias;
    }
    if (p.in1.reorder) p.in1.re.execute(stream(), p.in1.user, p.in1.inner);
    if (p.in2.reorder) p.in2.re.execute(stream(), p.in2.user, p.in2.inner);
    p.prim.execute(stream(), args);
    if (p.out.reorder) p.out.re.execute(stream(), p.out.inner, p.out.user);
    stream().wait();
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(env, std::string("keras-ts native conv: oneDNN error: ") + e.what());
  }
  return Napi::Boolean::New(env, true);
}

// convImpl(kind, ...same as conv) -> the name of the oneDNN implementation chosen (for benchmarks).
static Napi::Value ConvImpl(const Napi::CallbackInfo& info) {
  const int kind = info[0].As<Napi::Number>().Int32Value();
  ConvShape g;
  g.n = info[1].As<Napi::Number>().Int32Value();
  g.B = i64(info[2]);
  g.C = i64(info[3]);
  g.O = i64(info[4]);
  g.G = i64(info[5]);
  readDims(info[6], g.in, g.n);
  readDims(info[7], g.k, g.n);
  readDims(info[8], g.out, g.n);
  readDims(info[9], g.s, g.n);
  readDims(info[10], g.pl, g.n);
  readDims(info[11], g.d, g.n);
  ConvPlan p = makePlan(kind, g);
  if (!p.ok) return Napi::String::New(info.Env(), "(refused)");
  const char* name = nullptr;
  dnnl_primitive_desc_query(p.prim.get_primitive_desc(), dnnl_query_impl_info_str, 0, &name);
  std::string s = name ? name : "?";
  if (p.in1.reorder || p.in2.reorder || p.out.reorder) {
    s += " reorders:";
    if (p.in1.reorder) s += " in1";
    if (p.in2.reorder) s += " in2";
    if (p.out.reorder) s += " out";
  }
  return Napi::String::New(info.Env(), s);
}

// setConvLayout(mode): 0 auto, 1 channels-last, 2 oneDNN's choice (benchmarks); returns the mode.
static Napi::Value SetConvLayout(const Napi::CallbackInfo& info) {
  const int m = info[0].As<Napi::Number>().Int32Value();
  if (m >= AUTO && m <= ANY) layoutMode = m;
  return Napi::Number::New(info.Env(), layout());
}

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("setConvLayout", Napi::Function::New(env, SetConvLayout));
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("convImpl", Napi::Function::New(env, ConvImpl));
}

}  // namespace kts
