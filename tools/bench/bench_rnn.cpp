// Recurrent training steps: an Elman RNN (batch 32, input 128, hidden 256,
// 100 steps) and an LSTM with merged gates (batch 32, input 128, hidden 256,
// 50 steps), float32, cost = mean(h^2) over every step, SGD updates of the
// weights. For each: the whole training step and the forward pass alone,
// against the sum of standalone cblas_sgemm calls doing the same matrix
// products (input projections and weight gradients counted as one GEMM over
// all steps); target within 1.4x for both. Also the training step with each
// scan rewrite switched off in turn (--optimizer-excluding), to show what it
// buys. Graphs: graphs/rnn_train.json, graphs/lstm_train.json.
// Usage: bench_rnn [graph-dir]   (default: the source tree's tools/bench/graphs)
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "bench_util.h"
#include "driver/engine.h"
#include "frontend/loader.h"
#include "passes/pipeline.h"
#include "rewrite/database.h"

namespace {

struct Gemm {
  int m, n, k;
  bool ta, tb;
};

// One pass over `gemms` (each a real cblas_sgemm on buffers of its size), in ms.
struct GemmRun {
  std::vector<Gemm> gemms;
  std::vector<float> a, b, c;
  explicit GemmRun(std::vector<Gemm> g) : gemms(std::move(g)) {
    size_t big = 0;
    for (const Gemm& x : gemms) big = std::max({big, size_t(x.m) * x.k, size_t(x.k) * x.n, size_t(x.m) * x.n});
    a.assign(big, 0.01f);
    b.assign(big, 0.02f);
    c.assign(big, 0.0f);
  }
  double once() {
    double t0 = bench::now_ns();
    for (const Gemm& g : gemms)
      cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans, g.tb ? CblasTrans : CblasNoTrans, g.m, g.n, g.k, 1.0f,
                  a.data(), g.ta ? g.m : g.k, b.data(), g.tb ? g.k : g.n, 0.0f, c.data(), g.n);
    return (bench::now_ns() - t0) * 1e-6;
  }
};

// The matrix products of a recurrent layer over T steps of batch B, input I,
// `gates` * hidden H outputs per step: forward (input projection of all steps
// as one GEMM, T recurrent GEMMs) and backward (T GEMMs back through the
// recurrence, the two weight gradients as one GEMM each).
void layer_gemms(int T, int B, int I, int H, int gates, std::vector<Gemm>& fwd, std::vector<Gemm>& bwd) {
  fwd.push_back({T * B, gates * H, I, false, false});
  for (int t = 0; t < T; ++t) fwd.push_back({B, gates * H, H, false, false});
  for (int t = 0; t < T; ++t) bwd.push_back({B, H, gates * H, false, true});
  bwd.push_back({H, gates * H, T * B, true, false});
  bwd.push_back({I, gates * H, T * B, true, false});
}

double once_engine(tgc::driver::Engine& e, const std::vector<tgc::Value>& in) {
  double t0 = bench::now_ns();
  e.call(in);
  return (bench::now_ns() - t0) * 1e-6;
}

double time_engine(tgc::driver::Engine& e, const std::vector<tgc::Value>& in, int reps) {
  e.call(in);
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) t.push_back(once_engine(e, in));
  return bench::stats(t).median;
}

std::unique_ptr<tgc::driver::Engine> engine(const tgc::Module& m, const std::string& fn,
                                            const std::vector<std::string>& excluding, tgc::FunctionGraph& keep) {
  tgc::PipelineOptions po;
  po.excluding = excluding;
  keep = tgc::compile_function(m, *m.find_function(fn), po);
  return tgc::driver::make_compiled_engine(m, keep, {});
}

void run(const std::string& file, const char* label, int T, int gates) {
  const int B = 32, I = 128, H = 256;
  tgc::Module m = tgc::frontend::load_graph_file(file);
  tgc::Tensor X(tgc::DType::Float32, {T, B, I});
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.0f, 0.5f);
  for (int64_t i = 0; i < X.size(); ++i) X.data<float>()[i] = nd(rng);
  std::vector<tgc::Value> in = {X};
  std::vector<Gemm> fwd, bwd;
  layer_gemms(T, B, I, H, gates, fwd, bwd);
  std::vector<Gemm> all = fwd;
  all.insert(all.end(), bwd.begin(), bwd.end());
  GemmRun gemm_fwd(fwd), gemm_all(all);
  tgc::FunctionGraph f1, f2;
  auto train = engine(m, "train", {}, f1);
  auto forward = engine(m, "forward", {}, f2);
  // Rounds that run each of the four once, interleaved, so that drift in
  // the machine's speed hits the baselines and tgc alike; medians of each.
  std::vector<double> ga, gf, tt, tf;
  gemm_all.once();
  gemm_fwd.once();
  train->call(in);
  forward->call(in);
  for (int r = 0; r < 21; ++r) {
    ga.push_back(gemm_all.once());
    tt.push_back(once_engine(*train, in));
    gf.push_back(gemm_fwd.once());
    tf.push_back(once_engine(*forward, in));
  }
  double g_all = bench::stats(ga).median, g_fwd = bench::stats(gf).median;
  double t_train = bench::stats(tt).median, t_fwd = bench::stats(tf).median;
  std::printf("%s (batch %d, input %d, hidden %d, %d steps, float32)\n", label, B, I, H, T);
  std::printf("  GEMM sum, training step : %8.2f ms\n", g_all);
  std::printf("  GEMM sum, forward       : %8.2f ms\n", g_fwd);
  std::printf("  tgc training step       : %8.2f ms  = %.2fx the GEMM sum (target <= 1.4x)\n", t_train, t_train / g_all);
  std::printf("  tgc forward pass        : %8.2f ms  = %.2fx the GEMM sum (target <= 1.4x)\n", t_fwd, t_fwd / g_fwd);
  std::printf("  training step / forward : %8.2fx (the GEMMs alone: %.2fx)\n", t_train / t_fwd, g_all / g_fwd);
  for (const tgc::RewriteInfo& r : tgc::all_rewrites()) {
    if (r.group != "scan" && r.name != "scan_inplace") continue;
    tgc::FunctionGraph fx;
    auto e = engine(m, "train", {r.name}, fx);
    double t = time_engine(*e, in, 9);
    std::printf("  training step without %-24s: %8.2f ms (%.2fx)\n", r.name.c_str(), t, t / t_train);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : TGC_BENCH_GRAPHS;
  bench::print_machine();
  const char* nt = std::getenv("OPENBLAS_NUM_THREADS");
  std::printf("OpenBLAS threads: %s\n", nt ? nt : "default (all cores)");
  run(dir + "/rnn_train.json", "Elman RNN training step", 100, 1);
  run(dir + "/lstm_train.json", "LSTM training step (merged gates)", 50, 4);
  return 0;
}
