// Transcendental elementwise functions: ns per element of a plain loop over
// 1M elements calling libm (std::exp, std::tanh, ...; sigmoid and softplus as
// the overflow-safe formulas tgc used before vmath.h) against the same loop
// calling tgc/vmath.h, for float32 and float64. Built with -O3 -march=native
// -fno-math-errno like generated code: GCC vectorizes the vmath loops and
// not the libm ones.
// Usage: bench_vmath [elements [reps]]   (default 1048576 15)
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "tgc/vmath.h"

namespace {

template <class T> T libm_sigmoid(T a) {
  if (a >= T(0)) return T(1) / (T(1) + std::exp(-a));
  T e = std::exp(a);
  return e / (T(1) + e);
}
template <class T> T libm_softplus(T a) { return (a > T(0) ? a : T(0)) + std::log1p(std::exp(-std::fabs(a))); }

// One noinline loop per function, type and implementation, so each is
// compiled (and vectorized, or not) on its own.
#define TGC_BENCH_LOOPS(name, libm_expr)                                                               \
  template <class T> __attribute__((noinline)) void libm_##name(const T* x, T* y, long n) {            \
    for (long i = 0; i < n; ++i) {                                                                     \
      T a = x[i];                                                                                      \
      y[i] = libm_expr;                                                                                \
    }                                                                                                  \
  }                                                                                                    \
  template <class T> __attribute__((noinline)) void vm_##name(const T* x, T* y, long n) {              \
    for (long i = 0; i < n; ++i) y[i] = tgc::vm::name(x[i]);                                           \
  }

TGC_BENCH_LOOPS(exp, std::exp(a))
TGC_BENCH_LOOPS(expm1, std::expm1(a))
TGC_BENCH_LOOPS(log, std::log(a))
TGC_BENCH_LOOPS(log1p, std::log1p(a))
TGC_BENCH_LOOPS(tanh, std::tanh(a))
TGC_BENCH_LOOPS(sigmoid, libm_sigmoid(a))
TGC_BENCH_LOOPS(softplus, libm_softplus(a))
#undef TGC_BENCH_LOOPS

template <class T> using loop_fn = void (*)(const T*, T*, long);

template <class T> double time_ns_per_elem(loop_fn<T> f, const std::vector<T>& x, std::vector<T>& y, int reps) {
  long n = long(x.size());
  f(x.data(), y.data(), n);  // warm-up
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    double t0 = bench::now_ns();
    f(x.data(), y.data(), n);
    bench::keep(y.data());
    t.push_back((bench::now_ns() - t0) / double(n));
  }
  return bench::stats(t).median;
}

// Arguments typical of each function's use: exp, expm1, tanh, sigmoid and
// softplus over [-10, 10]; log over log-uniform magnitudes in [1e-6, 1e6];
// log1p over [-0.9, 10].
template <class T> std::vector<T> inputs(const std::string& fn, long n) {
  std::mt19937_64 g(1234);
  std::vector<T> x(static_cast<size_t>(n));
  std::uniform_real_distribution<double> sym(-10.0, 10.0), lg(std::log(1e-6), std::log(1e6)), l1p(-0.9, 10.0);
  for (auto& v : x) {
    if (fn == "log") v = T(std::exp(lg(g)));
    else if (fn == "log1p") v = T(l1p(g));
    else v = T(sym(g));
  }
  return x;
}

template <class T> void run(const char* dtype, long n, int reps) {
  struct Row {
    const char* name;
    loop_fn<T> libm, vm;
  };
  const Row rows[] = {{"exp", libm_exp<T>, vm_exp<T>},          {"expm1", libm_expm1<T>, vm_expm1<T>},
                      {"log", libm_log<T>, vm_log<T>},          {"log1p", libm_log1p<T>, vm_log1p<T>},
                      {"tanh", libm_tanh<T>, vm_tanh<T>},       {"sigmoid", libm_sigmoid<T>, vm_sigmoid<T>},
                      {"softplus", libm_softplus<T>, vm_softplus<T>}};
  for (const Row& r : rows) {
    std::vector<T> x = inputs<T>(r.name, n), y(x.size());
    double tl = time_ns_per_elem<T>(r.libm, x, y, reps);
    double tv = time_ns_per_elem<T>(r.vm, x, y, reps);
    std::printf("%-8s %-8s %10.3f %10.3f %9.1fx\n", r.name, dtype, tl, tv, tl / tv);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long n = bench::arg_or(argc, argv, 1, 1L << 20);
  int reps = int(bench::arg_or(argc, argv, 2, 15));
  bench::print_machine();
  std::printf("%ld elements, median of %d runs, ns per element\n", n, reps);
  std::printf("%-8s %-8s %10s %10s %10s\n", "function", "dtype", "libm", "vmath", "speedup");
  run<float>("float32", n, reps);
  run<double>("float64", n, reps);
  return 0;
}
