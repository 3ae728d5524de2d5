// Timing helpers shared by the benchmarks: a steady clock, a compiler barrier
// that keeps results alive, and the median of repeated measurements (with a
// confidence interval).
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace bench {

inline double now_ns() {
  return double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count());
}

// Tells the compiler that `p` and all memory may be read here, so the work
// that produced it cannot be dropped or hoisted out of a loop.
inline void keep(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

struct Stats {
  double median, min, max;
};

// The median of values already sorted.
inline double sorted_median(const std::vector<double>& v) {
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {sorted_median(v), v.front(), v.back()};
}

// The median of samples with a distribution-free 95% confidence interval:
// for n independent samples sorted x(1) <= ... <= x(n), the interval
// [x(k), x(n+1-k)] misses the true median with probability
// 2 * P(Binomial(n, 1/2) <= k-1); k is the largest for which that is at most
// 5%. Needs no assumption about the shape of the noise (the timings of a
// shared machine have long tails). With fewer than 6 samples no k qualifies
// and the interval is the whole range.
struct MedianInterval {
  double median, lo, hi;
};

inline MedianInterval median_interval(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  // cdf = P(Binomial(n, 1/2) <= j), accumulated term by term:
  // C(n, j+1) = C(n, j) * (n - j) / (j + 1).
  double term = std::pow(0.5, double(n)), cdf = term;
  size_t k = 1;
  for (size_t j = 0; j + 1 < n && 2 * cdf <= 0.05; ++j) {
    k = j + 1;  // 2 * P(X <= k - 1) = 2 * cdf <= 5%
    term *= double(n - j) / double(j + 1);
    cdf += term;
  }
  return {sorted_median(v), v[k - 1], v[n - k]};
}

// A positive integer from argv[i] when given, else `fallback`.
inline long arg_or(int argc, char** argv, int i, long fallback) {
  if (argc <= i) return fallback;
  long v = std::strtol(argv[i], nullptr, 10);
  return v > 0 ? v : fallback;
}

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// One line on the machine the numbers come from: hardware threads and, where
// Linux reports it, the load average (other work skews the timings).
inline void print_machine() {
  std::string load = "n/a";
  std::ifstream f("/proc/loadavg");
  if (f) {
    std::string a, b, c;
    f >> a >> b >> c;
    load = a + " " + b + " " + c;
  }
  std::printf("machine: %u hardware threads, load average %s\n", std::thread::hardware_concurrency(), load.c_str());
}

}  // namespace bench
