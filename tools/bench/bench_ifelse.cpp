// The seed's ifelse-against-switch workload (advanced-theano): two
// 10000x1000 float64 matrices, z = ifelse(a < b, mean(x), mean(y)) against
// switch(a < b, mean(x), mean(y)). The lazy ifelse computes one mean, the
// eager switch both (target: ifelse / switch time at most 0.55; the seed
// measured 0.35 s / 0.67 s = 0.52 with Theano's cvm linker).
// Usage: bench_ifelse [rows]   (default 10000)
#include <vector>

#include "bench_ifelse_switch.h"
#include "bench_util.h"

namespace {

struct Call {
  double a = 0.0, b = 1.0;
  tgc_tensor in[4]{};
  tgc_tensor out[1]{};
  Call(std::vector<double>& x, std::vector<double>& y, long rows, long cols) {
    in[0] = {TGC_FLOAT64, 0, {}, &a};
    in[1] = {TGC_FLOAT64, 0, {}, &b};
    in[2] = {TGC_FLOAT64, 2, {rows, cols}, x.data()};
    in[3] = {TGC_FLOAT64, 2, {rows, cols}, y.data()};
  }
};

}  // namespace

int main(int argc, char** argv) {
  long rows = bench::arg_or(argc, argv, 1, 10000), cols = 1000;
  bench::print_machine();
  std::vector<double> x(size_t(rows * cols), 1.0), y(size_t(rows * cols), 1.0);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i % 7), y[i] = double(i % 5);
  tgc_bench_ifelse_switch::Model m;
  Call c(x, y, rows, cols);
  tgc_status st{};
  auto run = [&](bool lazy) {
    int rc = lazy ? m.f_lazy(c.in, 4, c.out, 1, &st) : m.f_switch(c.in, 4, c.out, 1, &st);
    if (rc != 0) {
      std::fprintf(stderr, "call failed: %s\n", st.message);
      std::exit(1);
    }
    return *static_cast<const double*>(c.out[0].data);
  };
  run(true);
  run(false);
  const int n_times = 10;  // as the seed's script
  std::vector<double> tl, ts;
  for (int r = 0; r < 5; ++r) {
    double t0 = bench::now_ns();
    double zl = 0, zs = 0;
    for (int i = 0; i < n_times; ++i) zl += run(true);
    double t1 = bench::now_ns();
    for (int i = 0; i < n_times; ++i) zs += run(false);
    double t2 = bench::now_ns();
    if (zl != zs) {
      std::fprintf(stderr, "ifelse and switch disagree: %g vs %g\n", zl, zs);
      return 1;
    }
    tl.push_back((t1 - t0) * 1e-9);
    ts.push_back((t2 - t1) * 1e-9);
  }
  bench::Stats l = bench::stats(tl), s = bench::stats(ts);
  std::printf("ifelse vs switch, two %ldx%ld float64 matrices, %d calls each (median of 5)\n", rows, cols, n_times);
  std::printf("  time spent evaluating both values (switch): %.4f s\n", s.median);
  std::printf("  time spent evaluating one value (ifelse)  : %.4f s\n", l.median);
  std::printf("  ratio ifelse / switch: %.2f (target <= 0.55)\n", l.median / s.median);
  return 0;
}
