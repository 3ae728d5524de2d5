// dot of two 1024x1024 float32 matrices through generated code
// (tools/bench/graphs/dot1024.json) against a direct cblas_sgemm call on the
// same data. Both write C = A B into a buffer allocated once and reused: the
// model's own output buffer, and a caller buffer for cblas_sgemm.
//
// usage: bench_dot [REPS]   (default 21; each repetition runs both variants once)
// OpenBLAS picks its thread count as usual (OPENBLAS_NUM_THREADS or all
// cores); both variants run under the same setting.
#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "bench_util.h"
#include "dot1024.h"  // generated at build time from graphs/dot1024.json

int main(int argc, char** argv) {
  constexpr int kN = 1024;
  const int reps = int(bench::arg_or(argc, argv, 1, 21));

  std::vector<float> a(size_t(kN) * kN), b(size_t(kN) * kN), c(size_t(kN) * kN);
  uint32_t s = 12345;  // small LCG: the same data on every run
  auto next = [&s] {
    s = s * 1664525u + 1013904223u;
    return float(s >> 8) / float(1u << 24) - 0.5f;
  };
  for (float& v : a) v = next();
  for (float& v : b) v = next();

  tgc_dot1024_model* m = tgc_dot1024_create();
  if (!m) {
    std::fprintf(stderr, "error: cannot create the model\n");
    return 1;
  }
  tgc_tensor in[2]{};
  for (int k = 0; k < 2; ++k) {
    in[k].dtype = TGC_FLOAT32;
    in[k].ndim = 2;
    in[k].shape[0] = kN;
    in[k].shape[1] = kN;
  }
  in[0].data = a.data();
  in[1].data = b.data();
  tgc_tensor out{};
  tgc_status st{};

  auto generated = [&] {
    if (tgc_dot1024_f(m, in, 2, &out, 1, &st) != TGC_OK) {
      std::fprintf(stderr, "error: %s\n", st.message);
      std::exit(1);
    }
  };
  auto direct = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kN, kN, kN, 1.0f, a.data(), kN, b.data(), kN, 0.0f,
                c.data(), kN);
  };
  auto time_ms = [](auto&& f) {
    double t0 = bench::now_ns();
    f();
    return (bench::now_ns() - t0) * 1e-6;
  };

  // Warm-up (OpenBLAS thread start-up, first touch of the output buffers),
  // and both must give the same product.
  for (int k = 0; k < 2; ++k) {
    generated();
    direct();
  }
  const float* g = static_cast<const float*>(out.data);
  double max_diff = 0;
  for (size_t i = 0; i < c.size(); ++i) max_diff = std::fmax(max_diff, std::fabs(double(g[i]) - double(c[i])));
  if (max_diff > 1e-3) {
    std::fprintf(stderr, "error: outputs differ by %g\n", max_diff);
    return 1;
  }

  std::vector<double> gen, dir;
  for (int r = 0; r < reps; ++r) {  // interleaved, alternating which goes first
    if (r % 2 == 0) {
      gen.push_back(time_ms(generated));
      dir.push_back(time_ms(direct));
    } else {
      dir.push_back(time_ms(direct));
      gen.push_back(time_ms(generated));
    }
  }
  tgc_dot1024_destroy(m);

  const double flop = 2.0 * kN * double(kN) * kN;
  bench::Stats gs = bench::stats(gen), ds = bench::stats(dir);
  std::printf("bench_dot: C = A B, float32 1024x1024; median of %d after warm-up; OPENBLAS_NUM_THREADS=%s\n", reps,
              bench::env_or("OPENBLAS_NUM_THREADS", "(unset: OpenBLAS default)").c_str());
  bench::print_machine();
  std::printf("%-30s %10s %10s %10s %10s\n", "variant", "median ms", "min ms", "max ms", "GFLOP/s");
  std::printf("%-30s %10.3f %10.3f %10.3f %10.1f\n", "generated (tgc_dot1024_f)", gs.median, gs.min, gs.max,
              flop / (gs.median * 1e6));
  std::printf("%-30s %10.3f %10.3f %10.3f %10.1f\n", "direct cblas_sgemm", ds.median, ds.min, ds.max,
              flop / (ds.median * 1e6));
  double ratio = gs.median / ds.median;
  std::printf("ratio generated / direct: %.3fx  (target: <= 1.05x)  %s\n", ratio, ratio <= 1.05 ? "OK" : "ABOVE TARGET");
  std::printf("ratio of the minima: %.3fx  (less sensitive to other load on the machine)\n", gs.min / ds.min);
  std::printf("max |generated - direct|: %g\n", max_diff);
  return 0;
}
