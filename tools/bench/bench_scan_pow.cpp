// The seed's A**k with scan (A of 8 float64, only result[-1] used):
//  1. per-step cost of the generated loop against a hand-written C++ loop
//     doing the same multiplications (target: within 1.5x);
//  2. peak resident memory of a run at k = 10^5 and k = 10^7, each in a
//     fresh child process (target: equal within 1 MiB: only one step kept).
// Usage: bench_scan_pow [k]   (default 10^7)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "bench_scan_pow.h"
#include "bench_scan_pow8.h"
#include "bench_util.h"

namespace {

constexpr int kN = 8;

// The hand-written loop: result = 1, then result *= A, k times. The length
// is a compile-time constant (the compiler unrolls the inner loop), as a
// hand-written loop for this problem would have it.
__attribute__((noinline)) void hand_pow(const double* a, long k, double* result) {
  for (int i = 0; i < kN; ++i) result[i] = 1.0;
  for (long s = 0; s < k; ++s)
    for (int i = 0; i < kN; ++i) result[i] *= a[i];
}

// The same loop with the length known only at run time, as the generated
// code has it (the graph's A is a vector of unknown length, as the seed's).
__attribute__((noinline)) void hand_pow_n(const double* a, const volatile int* n_in, long k, double* result) {
  int n = *n_in;
  for (int i = 0; i < n; ++i) result[i] = 1.0;
  for (long s = 0; s < k; ++s)
    for (int i = 0; i < n; ++i) result[i] *= a[i];
}

// A graph's `power` function called through the generated C ABI; Model is
// the generated wrapper of graphs/scan_pow.json (A of unknown length, as the
// seed's T.vector()) or graphs/scan_pow8.json (A declared of length 8).
template <class Model> struct Generated {
  Model model;
  tgc_tensor in[2]{};
  tgc_tensor out[1]{};
  int32_t k = 0;
  double a[kN];
  Generated() {
    in[0].dtype = TGC_FLOAT64;
    in[0].ndim = 1;
    in[0].shape[0] = kN;
    in[0].data = a;
    in[1].dtype = TGC_INT32;
    in[1].ndim = 0;
    in[1].data = &k;
  }
  const double* run(long steps) {
    k = int32_t(steps);
    tgc_status st{};
    if (model.power(in, 2, out, 1, &st) != 0) {
      std::fprintf(stderr, "generated call failed: %s\n", st.message);
      std::exit(1);
    }
    return static_cast<const double*>(out[0].data);
  }
};

// Peak resident set of a child that runs the generated function once.
long child_peak_kib(long steps) {
  int fd[2];
  if (pipe(fd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    Generated<tgc_bench_scan_pow::Model> g;
    for (int i = 0; i < kN; ++i) g.a[i] = 1.0 + 1e-9 * i;
    bench::keep(g.run(steps));
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    long kib = ru.ru_maxrss;
    if (write(fd[1], &kib, sizeof kib) != sizeof kib) _exit(2);
    _exit(0);
  }
  long kib = -1;
  if (read(fd[0], &kib, sizeof kib) != sizeof kib) kib = -1;
  waitpid(pid, nullptr, 0);
  close(fd[0]);
  close(fd[1]);
  return kib;
}

}  // namespace

int main(int argc, char** argv) {
  long k = bench::arg_or(argc, argv, 1, 10000000);
  bench::print_machine();
  // |a| slightly above 1 so nothing overflows or becomes denormal in k steps.
  double a[kN];
  for (int i = 0; i < kN; ++i) a[i] = 1.0 + 1e-9 * (i + 1);
  Generated<tgc_bench_scan_pow::Model> g;
  Generated<tgc_bench_scan_pow8::Model> g8;
  std::memcpy(g.a, a, sizeof a);
  std::memcpy(g8.a, a, sizeof a);
  g8.run(1000);
  double hand[kN];
  g.run(1000);  // warm-up: buffers, caches
  hand_pow(a, 1000, hand);
  volatile int n_rt = kN;
  double hand_n[kN];
  std::vector<double> tg, tg8, th, thn;
  for (int r = 0; r < 7; ++r) {
    double tz = bench::now_ns();
    const double* res8 = g8.run(k);
    double t0 = bench::now_ns();
    const double* res = g.run(k);
    double t1 = bench::now_ns();
    hand_pow(a, k, hand);
    double t2 = bench::now_ns();
    hand_pow_n(a, &n_rt, k, hand_n);
    double t3 = bench::now_ns();
    bench::keep(res);
    bench::keep(res8);
    bench::keep(hand);
    bench::keep(hand_n);
    tg.push_back((t1 - t0) / double(k));
    tg8.push_back((t0 - tz) / double(k));
    th.push_back((t2 - t1) / double(k));
    thn.push_back((t3 - t2) / double(k));
    for (int i = 0; i < kN; ++i)
      if (std::fabs(res[i] - hand[i]) > 1e-12 * std::fabs(hand[i]) || res8[i] != res[i]) {
        std::fprintf(stderr, "mismatch at %d: %.17g vs %.17g\n", i, res[i], hand[i]);
        return 1;
      }
  }
  bench::Stats sg = bench::stats(tg), sg8 = bench::stats(tg8), sh = bench::stats(th), shn = bench::stats(thn);
  std::printf("A**k with scan, A of %d float64, k = %ld, only result[-1] used\n", kN, k);
  std::printf("  generated, A declared of length 8    : %.2f ns per step (median of 7; min %.2f)\n", sg8.median, sg8.min);
  std::printf("  generated, A of unknown length       : %.2f ns per step (median of 7; min %.2f)\n", sg.median, sg.min);
  std::printf("  hand-written loop, length constant   : %.2f ns per step (median of 7; min %.2f)\n", sh.median, sh.min);
  std::printf("  hand-written loop, length at run time: %.2f ns per step (median of 7; min %.2f)\n", shn.median, shn.min);
  std::printf("  ratio, length known to both (generated [8] / hand constant): %.2fx (target <= 1.5x)\n", sg8.median / sh.median);
  std::printf("  ratio, length at run time (generated [?] / hand run-time) : %.2fx\n", sg.median / shn.median);
  long small = child_peak_kib(100000), big = child_peak_kib(10000000);
  std::printf("peak resident memory of one run in a fresh process:\n");
  std::printf("  k = 10^5: %ld KiB\n  k = 10^7: %ld KiB\n  difference: %ld KiB (target: within 1024 KiB)\n", small, big,
              big - small);
  return 0;
}
