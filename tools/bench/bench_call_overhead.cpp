// Cost of calling generated code through its C ABI, against a direct call of
// a hand-written function doing the same work: y = x * 2 + 1 on 10 float32
// (tools/bench/graphs/add10.json, static shape [10]).
//
// usage: bench_call_overhead [CALLS_PER_REP [REPS]]
// Each repetition times CALLS_PER_REP calls of each variant back to back
// (interleaved, alternating which goes first, so drift hits both alike);
// the table shows the median over REPS repetitions after a warm-up, in ns
// per call. Defaults: 2000000 calls, 15 repetitions.
#include <cmath>
#include <cstdio>

#include "add10.h"  // generated at build time from graphs/add10.json
#include "bench_util.h"

namespace {

constexpr int kN = 10;

// The baseline: the same arithmetic as the graph, kept out of line so that
// the loop pays a real call, as it does for the generated function.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, noipa))
#else
__attribute__((noinline))
#endif
void add10_direct(const float* x, float* y) {
  for (int i = 0; i < kN; ++i) y[i] = x[i] * 2.0f + 1.0f;
}

}  // namespace

int main(int argc, char** argv) {
  const long calls = bench::arg_or(argc, argv, 1, 2000000);
  const int reps = int(bench::arg_or(argc, argv, 2, 15));

  float x[kN];
  for (int i = 0; i < kN; ++i) x[i] = 0.25f * float(i) - 1.0f;
  float y_direct[kN];

  tgc_add10_model* m = tgc_add10_create();
  if (!m) {
    std::fprintf(stderr, "error: cannot create the model\n");
    return 1;
  }
  tgc_tensor in{};
  in.dtype = TGC_FLOAT32;
  in.ndim = 1;
  in.shape[0] = kN;
  in.data = x;
  tgc_tensor out{};
  tgc_status st{};

  // Both variants must compute the same thing.
  if (tgc_add10_f(m, &in, 1, &out, 1, &st) != TGC_OK) {
    std::fprintf(stderr, "error: %s\n", st.message);
    return 1;
  }
  add10_direct(x, y_direct);
  for (int i = 0; i < kN; ++i) {
    if (static_cast<const float*>(out.data)[i] != y_direct[i]) {
      std::fprintf(stderr, "error: outputs differ at %d\n", i);
      return 1;
    }
  }

  auto time_generated = [&] {
    double t0 = bench::now_ns();
    for (long k = 0; k < calls; ++k) {
      int rc = tgc_add10_f(m, &in, 1, &out, 1, &st);
      if (__builtin_expect(rc != TGC_OK, 0)) std::abort();
      bench::keep(out.data);
    }
    return (bench::now_ns() - t0) / double(calls);
  };
  auto time_direct = [&] {
    double t0 = bench::now_ns();
    for (long k = 0; k < calls; ++k) {
      add10_direct(x, y_direct);
      bench::keep(y_direct);
    }
    return (bench::now_ns() - t0) / double(calls);
  };

  time_generated();  // warm-up: caches, branch predictors, the model's buffers
  time_direct();
  std::vector<double> gen, dir;
  for (int r = 0; r < reps; ++r) {  // alternate which goes first, so order favours neither
    if (r % 2 == 0) {
      gen.push_back(time_generated());
      dir.push_back(time_direct());
    } else {
      dir.push_back(time_direct());
      gen.push_back(time_generated());
    }
  }
  tgc_add10_destroy(m);

  bench::Stats g = bench::stats(gen), d = bench::stats(dir);
  std::printf("bench_call_overhead: y = x * 2 + 1, x float32[10]; %ld calls per repetition, median of %d after warm-up\n",
              calls, reps);
  bench::print_machine();
  std::printf("%-34s %12s %10s %10s\n", "variant", "median ns", "min ns", "max ns");
  std::printf("%-34s %12.2f %10.2f %10.2f\n", "generated (tgc_add10_f, C ABI)", g.median, g.min, g.max);
  std::printf("%-34s %12.2f %10.2f %10.2f\n", "direct (noinline C++ function)", d.median, d.min, d.max);
  double extra = g.median - d.median;
  std::printf("extra ns per call (generated - direct): %.2f  (target: < 100)  %s\n", extra,
              extra < 100.0 ? "OK" : "ABOVE TARGET");
  std::printf("ratio generated / direct: %.2fx\n", g.median / d.median);
  std::printf("extra ns per call from the minima: %.2f  (less sensitive to other load on the machine)\n", g.min - d.min);
  return 0;
}
