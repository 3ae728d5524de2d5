// Elementwise fusion and BLAS epilogues:
//  1. a 10-operation elementwise expression of two float32 inputs of 16M
//     elements (z = max((x+y)(x-y)/(|x|+1) - sqrt|y|, 0)), fused by tgc into
//     one loop, against a plain loop that only moves the same bytes (reads x
//     and y, writes z = x + y): target within 1.5x;
//  2. tanh(dot(X, W) + b) with X 512x1024, W 1024x1024 float32 against a
//     direct cblas_sgemm plus one elementwise pass (+b, tanh): target within 1.1x.
// Usage: bench_fusion [elements]   (default 16M)
#include <cblas.h>

#include <cmath>
#include <vector>

#include "bench_dense_tanh.h"
#include "bench_elemwise10.h"
#include "bench_util.h"

namespace {

__attribute__((noinline)) void move_bytes(const float* x, const float* y, float* z, long n) {
  for (long i = 0; i < n; ++i) z[i] = x[i] + y[i];
}

__attribute__((noinline)) void sgemm_then_tanh(const float* X, const float* W, const float* b, float* H, int m, int k,
                                               int n) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, X, k, W, n, 0.0f, H, n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) H[i * n + j] = std::tanh(H[i * n + j] + b[j]);
}

double reference_z(float x, float y) {
  float v = (x + y) * (x - y) / (std::fabs(x) + 1.0f) - std::sqrt(std::fabs(y));
  return v > 0 ? v : 0;
}

}  // namespace

int main(int argc, char** argv) {
  long n = bench::arg_or(argc, argv, 1, 16L << 20);
  bench::print_machine();
  // ---- 1. fused elementwise ----
  std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n)), z(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) x[size_t(i)] = float((i % 1000) - 500) * 0.01f, y[size_t(i)] = float((i % 777) - 300) * 0.02f;
  tgc_bench_elemwise10::Model m;
  tgc_tensor in[2] = {{TGC_FLOAT32, 1, {n}, x.data()}, {TGC_FLOAT32, 1, {n}, y.data()}};
  tgc_tensor out[1]{};
  tgc_status st{};
  auto run = [&]() {
    if (m.f(in, 2, out, 1, &st) != 0) {
      std::fprintf(stderr, "call failed: %s\n", st.message);
      std::exit(1);
    }
    return static_cast<const float*>(out[0].data);
  };
  run();
  move_bytes(x.data(), y.data(), z.data(), n);
  std::vector<double> tf, tc;
  for (int r = 0; r < 9; ++r) {
    double t0 = bench::now_ns();
    const float* zz = run();
    double t1 = bench::now_ns();
    move_bytes(x.data(), y.data(), z.data(), n);
    double t2 = bench::now_ns();
    bench::keep(zz);
    bench::keep(z.data());
    tf.push_back((t1 - t0) * 1e-6);
    tc.push_back((t2 - t1) * 1e-6);
    for (long i = 0; i < n; i += n / 97 + 1)
      if (std::fabs(zz[i] - reference_z(x[size_t(i)], y[size_t(i)])) > 1e-5 * (1 + std::fabs(zz[i]))) {
        std::fprintf(stderr, "wrong value at %ld: %g\n", i, zz[i]);
        return 1;
      }
  }
  bench::Stats sf = bench::stats(tf), sc = bench::stats(tc);
  std::printf("10-op elementwise expression, two float32 inputs of %ld elements (median of 9)\n", n);
  std::printf("  fused generated loop          : %.2f ms (%.1f GB/s moved)\n", sf.median, 3.0 * 4 * double(n) / (sf.median * 1e6));
  std::printf("  plain loop moving the bytes   : %.2f ms (%.1f GB/s)\n", sc.median, 3.0 * 4 * double(n) / (sc.median * 1e6));
  std::printf("  ratio fused / plain: %.2fx (target <= 1.5x)\n", sf.median / sc.median);

  // ---- 2. tanh(dot(X, W) + b) ----
  const int M = 512, K = 1024, N = 1024;
  std::vector<float> X(size_t(M) * K), W(size_t(K) * N), b(N), H(size_t(M) * N);
  for (size_t i = 0; i < X.size(); ++i) X[i] = float(int(i % 13) - 6) * 0.01f;
  for (size_t i = 0; i < W.size(); ++i) W[i] = float(int(i % 7) - 3) * 0.01f;
  for (int j = 0; j < N; ++j) b[size_t(j)] = float(j % 5) * 0.1f;
  tgc_bench_dense_tanh::Model d;
  tgc_tensor din[3] = {{TGC_FLOAT32, 2, {M, K}, X.data()}, {TGC_FLOAT32, 2, {K, N}, W.data()}, {TGC_FLOAT32, 1, {N}, b.data()}};
  tgc_tensor dout[1]{};
  auto drun = [&]() {
    if (d.f(din, 3, dout, 1, &st) != 0) {
      std::fprintf(stderr, "call failed: %s\n", st.message);
      std::exit(1);
    }
    return static_cast<const float*>(dout[0].data);
  };
  drun();
  sgemm_then_tanh(X.data(), W.data(), b.data(), H.data(), M, K, N);
  std::vector<double> tg, tb;
  for (int r = 0; r < 11; ++r) {
    double t0 = bench::now_ns();
    const float* h = drun();
    double t1 = bench::now_ns();
    sgemm_then_tanh(X.data(), W.data(), b.data(), H.data(), M, K, N);
    double t2 = bench::now_ns();
    bench::keep(h);
    bench::keep(H.data());
    tg.push_back((t1 - t0) * 1e-6);
    tb.push_back((t2 - t1) * 1e-6);
    for (size_t i = 0; i < H.size(); i += 4099)
      if (std::fabs(h[i] - H[i]) > 1e-5f) {
        std::fprintf(stderr, "wrong value at %zu: %g vs %g\n", i, h[i], H[i]);
        return 1;
      }
  }
  bench::Stats sg = bench::stats(tg), sb = bench::stats(tb);
  std::printf("tanh(dot(X, W) + b), X %dx%d, W %dx%d float32 (median of 11; OpenBLAS default threads)\n", M, K, K, N);
  std::printf("  generated                     : %.2f ms\n", sg.median);
  std::printf("  cblas_sgemm + one pass        : %.2f ms\n", sb.median);
  std::printf("  ratio generated / direct: %.2fx (target <= 1.1x)\n", sg.median / sb.median);
  return 0;
}
