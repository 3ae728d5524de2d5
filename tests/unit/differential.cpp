#include "differential.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <sstream>

#include "build_ahead.h"
#include "codegen/cpu_target.h"
#include "driver/build_cache.h"
#include "driver/engine.h"
#include "frontend/loader.h"
#include "ir/error.h"
#include "passes/pipeline.h"

namespace fs = std::filesystem;

namespace tgc::test {

std::string test_cache_dir() {
  static const std::string dir = [] {
    // Beside the test executable (the build tree); the temporary directory
    // only when /proc is not available.
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path d = ec ? fs::temp_directory_path() / "tgc-test-cache" : exe.parent_path() / "tgc-test-cache";
    fs::create_directories(d, ec);
    return d.string();
  }();
  return dir;
}

namespace {

std::string where_of(const Error& e) {
  std::string s = e.located();
  size_t k = s.find(": ");
  return k == std::string::npos ? s : s.substr(0, k);
}

std::string fmt_double(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// What one engine's call gave.
struct Outcome {
  std::vector<Value> outputs;
  bool failed = false;
  ExitCode code = ExitCode::Ok;
  std::string where, message;
};

Outcome call(driver::Engine& e, const std::vector<Value>& inputs) {
  Outcome o;
  try {
    o.outputs = e.call(inputs);
  } catch (const Error& err) {
    o.failed = true;
    o.code = err.code();
    o.where = where_of(err);
    o.message = err.located();
  }
  return o;
}

}  // namespace

std::string compare_values(const Value& ref, const Value& got, const Tolerance& tol) {
  if (ref.index() != got.index()) return "different kinds of value";
  if (const auto* r = std::get_if<RngState>(&ref)) {
    const auto& g = std::get<RngState>(got);
    uint64_t a[3], b[3];
    rng_to_words(*r, a);
    rng_to_words(g, b);
    for (int i = 0; i < 3; ++i)
      if (a[i] != b[i]) return "random states differ in word " + std::to_string(i);
    return "";
  }
  if (std::holds_alternative<CsrMatrix>(ref)) return "sparse values are not compared";
  const Tensor& a = std::get<Tensor>(ref);
  const Tensor& b = std::get<Tensor>(got);
  if (a.dtype() != b.dtype())
    return "dtype " + std::string(dtype_name(b.dtype())) + ", reference " + std::string(dtype_name(a.dtype()));
  if (a.shape() != b.shape()) return "shape " + shape_str(b.shape()) + ", reference " + shape_str(a.shape());
  if (!is_float(a.dtype())) {
    if (a.same_bytes(b)) return "";
    int64_t bad = 0, first = -1;
    const size_t es = size_t(dtype_size(a.dtype()));
    for (int64_t i = 0; i < a.size(); ++i)
      if (std::memcmp(static_cast<const uint8_t*>(a.raw()) + size_t(i) * es,
                      static_cast<const uint8_t*>(b.raw()) + size_t(i) * es, es) != 0) {
        if (first < 0) first = i;
        ++bad;
      }
    if (first < 0) return "";
    std::string av = a.dtype() == DType::UInt64 ? std::to_string(a.data<uint64_t>()[first]) : std::to_string(a.get_i64(first));
    std::string bv = b.dtype() == DType::UInt64 ? std::to_string(b.data<uint64_t>()[first]) : std::to_string(b.get_i64(first));
    return std::to_string(bad) + " of " + std::to_string(a.size()) + " elements differ; first at flat index " +
           std::to_string(first) + ": compiled " + bv + ", reference " + av;
  }
  bool f32 = a.dtype() == DType::Float32;
  double rtol = f32 ? tol.rtol32 : tol.rtol64, atol = f32 ? tol.atol32 : tol.atol64;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < a.size(); ++i) {
    double x = a.get_f64(i), y = b.get_f64(i);
    bool ok;
    if (std::isnan(x) || std::isnan(y)) ok = std::isnan(x) && std::isnan(y);
    else if (std::isinf(x) || std::isinf(y)) ok = x == y;
    else ok = std::fabs(y - x) <= atol + rtol * std::fabs(x);
    if (!ok) {
      if (first < 0) first = i;
      ++bad;
    }
  }
  if (first < 0) return "";
  return std::to_string(bad) + " of " + std::to_string(a.size()) + " elements differ; first at flat index " +
         std::to_string(first) + ": compiled " + fmt_double(b.get_f64(first)) + ", reference " +
         fmt_double(a.get_f64(first));
}

// ---- building ahead -----------------------------------------------------------

namespace {

struct Registered {
  std::function<std::string()> text;
  std::string fn;
  std::optional<Mode> mode;
};

std::vector<Registered>& registry() {
  static std::vector<Registered> r;
  return r;
}

FunctionGraph compile(const Module& m, const std::string& fn, std::optional<Mode> mode) {
  const Function* f = m.find_function(fn);
  if (!f) throw std::runtime_error("no function " + fn);
  PipelineOptions po;
  po.mode = effective_mode(*f, mode);
  return compile_function(m, *f, po);
}

// Generates every registered graph's code (here, in order), then builds the
// libraries on a few threads. Failures are left for the tests to report.
void prebuild_all() {
  const char* env = std::getenv("TGC_TEST_PREBUILD");
  if (env && std::string(env) == "0") return;
  std::vector<GeneratedUnit> units;
  for (const Registered& r : registry()) {
    try {
      Module m = frontend::load_graph_text(r.text(), "differential.json", TGC_TEST_DATA_DIR);
      FunctionGraph fg = compile(m, r.fn, r.mode);
      units.push_back(generate_cpu(m, {&fg}));
    } catch (const std::exception&) {
    }
  }
  test::build_in_parallel(std::move(units));
}

}  // namespace

Prebuild::Prebuild(std::function<std::string()> text, std::string fn, std::optional<Mode> mode) {
  registry().push_back({std::move(text), std::move(fn), mode});
}

struct Differential::Impl {
  Module m;
  std::unique_ptr<FunctionGraph> fg;
  std::unique_ptr<driver::Engine> ref, comp;
  std::string fn;
};

Differential::Differential(const std::string& json, const std::string& fn, std::optional<Mode> mode)
    : impl_(std::make_unique<Impl>()) {
  ::setenv("TGC_CACHE_DIR", test_cache_dir().c_str(), 1);
  static std::once_flag once;
  std::call_once(once, prebuild_all);
  impl_->fn = fn;
  impl_->m = frontend::load_graph_text(json, "differential.json", TGC_TEST_DATA_DIR);
  REQUIRE_MESSAGE(impl_->m.find_function(fn) != nullptr, "no function " << fn);
  impl_->fg = std::make_unique<FunctionGraph>(compile(impl_->m, fn, mode));
  impl_->ref = driver::make_reference_engine(impl_->m, *impl_->fg);
  impl_->comp = driver::make_compiled_engine(impl_->m, *impl_->fg, driver::EngineOptions{});
}

Differential::~Differential() = default;

const Module& Differential::module() const { return impl_->m; }
const FunctionGraph& Differential::graph() const { return *impl_->fg; }

size_t Differential::output_index(const std::string& name) const {
  const auto& names = impl_->fg->output_names;
  for (size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return k;
  FAIL("no output named " << name);
  return 0;
}

DiffRun Differential::run(const std::vector<Value>& inputs, const Tolerance& tol) {
  Impl& d = *impl_;
  REQUIRE(inputs.size() == d.fg->inputs.size());
  const std::vector<Value> before = inputs;
  Outcome r = call(*d.ref, inputs);
  Outcome c = call(*d.comp, inputs);
  // Neither engine may write into its inputs (in-place updates are for
  // buffers of its own).
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::string diff;
    if (const auto* a = std::get_if<CsrMatrix>(&before[k])) {
      const auto& b = std::get<CsrMatrix>(inputs[k]);
      bool same = a->data.same_bytes(b.data) && a->indices.same_bytes(b.indices) && a->indptr.same_bytes(b.indptr);
      if (!same) diff = "changed";
    } else {
      diff = compare_values(before[k], inputs[k], Tolerance{0, 0, 0, 0});
    }
    CHECK_MESSAGE(diff.empty(), "input " << k << " \"" << d.fg->inputs[k]->name << "\" was written by a call: " << diff);
  }
  DiffRun out;
  CHECK_MESSAGE(r.failed == c.failed, "reference: " << (r.failed ? r.message : "no error")
                                                    << " | compiled: " << (c.failed ? c.message : "no error"));
  if (r.failed || c.failed) {
    if (r.failed) CHECK_MESSAGE(r.code == ExitCode::Runtime, "reference: " << r.message);
    if (c.failed) CHECK_MESSAGE(c.code == ExitCode::Runtime, "compiled: " << c.message);
    if (r.failed && c.failed)
      CHECK_MESSAGE(r.where == c.where, "reference: " << r.message << " | compiled: " << c.message);
    out.failed = true;
    out.where = r.failed ? r.where : c.where;
    out.message = r.failed ? r.message : c.message;
  } else {
    REQUIRE(r.outputs.size() == c.outputs.size());
    for (size_t k = 0; k < r.outputs.size(); ++k) {
      std::string diff = compare_values(r.outputs[k], c.outputs[k], tol);
      CHECK_MESSAGE(diff.empty(), "output " << k << " \"" << d.fg->output_names[k] << "\": " << diff);
    }
    out.outputs = std::move(r.outputs);
  }
  // The state after the call (updates applied, or untouched after an error).
  for (const Var* s : d.fg->shared) {
    std::string diff = compare_values(d.ref->get_shared(s), d.comp->get_shared(s), tol);
    CHECK_MESSAGE(diff.empty(), "shared \"" << s->name << "\" after the call: " << diff);
  }
  return out;
}

std::string Differential::run_error(const std::vector<Value>& inputs) {
  DiffRun r = run(inputs);
  CHECK_MESSAGE(r.failed, "expected a run-time error in both engines");
  return r.where;
}

DiffRun differential(const std::string& json, const std::string& fn, const std::vector<Value>& inputs,
                     const Tolerance& tol) {
  Differential d(json, fn);
  return d.run(inputs, tol);
}

// ---- inputs -----------------------------------------------------------------

Tensor make(DType dt, const Shape& shape, const std::vector<double>& values) {
  Tensor t(dt, shape);
  REQUIRE(int64_t(values.size()) == t.size());
  for (size_t i = 0; i < values.size(); ++i) t.set_f64(int64_t(i), values[i]);
  return t;
}

Tensor scalar(DType dt, double v) { return make(dt, {}, {v}); }

CsrMatrix csr(DType dt, DType index_dt, int64_t rows, int64_t cols, const std::vector<int64_t>& indptr,
              const std::vector<int64_t>& indices, const std::vector<double>& data) {
  CsrMatrix c;
  c.rows = rows;
  c.cols = cols;
  c.data = Tensor(dt, {int64_t(data.size())});
  for (size_t i = 0; i < data.size(); ++i) c.data.set_f64(int64_t(i), data[i]);
  c.indices = Tensor(index_dt, {int64_t(indices.size())});
  for (size_t i = 0; i < indices.size(); ++i) c.indices.set_f64(int64_t(i), double(indices[i]));
  c.indptr = Tensor(index_dt, {int64_t(indptr.size())});
  for (size_t i = 0; i < indptr.size(); ++i) c.indptr.set_f64(int64_t(i), double(indptr[i]));
  return c;
}

Tensor Rand::floats(DType dt, const Shape& shape, double lo, double hi) {
  Tensor t(dt, shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    int kind = int(integer(0, 7));
    double v = kind == 0 ? 0.0 : kind == 1 ? double(integer(-3, 3)) : uniform(lo, hi);
    t.set_f64(i, v);
  }
  return t;
}

Tensor Rand::ints(DType dt, const Shape& shape, bool extremes) {
  Tensor t(dt, shape);
  visit_dtype(dt, [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    using L = std::numeric_limits<T>;
    T* d = t.data<T>();
    for (int64_t i = 0; i < t.size(); ++i) {
      int kind = int(integer(0, 7));
      if constexpr (std::is_same_v<T, bool>) {
        d[i] = integer(0, 1) != 0;
      } else if (extremes && kind == 0) {
        T choices[4] = {L::min(), T(L::min() + 1), T(L::max() - 1), L::max()};
        d[i] = choices[integer(0, 3)];
      } else if (extremes && kind == 1) {
        // Around the middle of the range (wraps when doubled).
        d[i] = T(L::max() / 2 + T(integer(-2, 2)));
      } else if (kind == 2) {
        d[i] = T(0);
      } else {
        int64_t lo = std::is_signed_v<T> ? -9 : 0;
        d[i] = T(integer(lo, 9));
      }
    }
  });
  return t;
}

Tensor Rand::range(DType dt, const Shape& shape, int64_t lo, int64_t hi) {
  Tensor t(dt, shape);
  for (int64_t i = 0; i < t.size(); ++i) t.set_f64(i, double(integer(lo, hi)));
  return t;
}

Tensor Rand::bools(const Shape& shape) { return range(DType::Bool, shape, 0, 1); }

}  // namespace tgc::test

namespace tgc::test {

GraphBuilder& GraphBuilder::input(const std::string& name, const std::string& dtype, json shape) {
  inputs_.push_back({{"name", name}, {"dtype", dtype}, {"shape", std::move(shape)}});
  fn_inputs_.push_back(name);
  return *this;
}

GraphBuilder& GraphBuilder::csr_input(const std::string& name, const std::string& dtype) {
  inputs_.push_back({{"name", name}, {"format", "csr"}, {"dtype", dtype}, {"shape", {nullptr, nullptr}}});
  fn_inputs_.push_back(name);
  return *this;
}

GraphBuilder& GraphBuilder::shared(json decl) {
  shared_.push_back(std::move(decl));
  return *this;
}

GraphBuilder& GraphBuilder::constant(json decl) {
  constants_.push_back(std::move(decl));
  return *this;
}

std::string GraphBuilder::node(const std::string& op, json inputs, json attrs, std::string out) {
  if (out.empty()) out = "v" + std::to_string(counter_++);
  json n = attrs.is_object() ? attrs : json::object();
  n["op"] = op;
  n["inputs"] = std::move(inputs);
  n["outputs"] = json::array({out});
  nodes_.push_back(std::move(n));
  return out;
}

void GraphBuilder::node_n(const std::string& op, json inputs, json attrs, const std::vector<std::string>& outs) {
  json n = attrs.is_object() ? attrs : json::object();
  n["op"] = op;
  n["inputs"] = std::move(inputs);
  n["outputs"] = outs;
  nodes_.push_back(std::move(n));
}

nlohmann::json GraphBuilder::slice(json start, json stop, json step) {
  json e = json::object();
  if (!start.is_null()) e["start"] = std::move(start);
  if (!stop.is_null()) e["stop"] = std::move(stop);
  if (!step.is_null()) e["step"] = std::move(step);
  return e;
}

GraphBuilder& GraphBuilder::output(const std::string& name) {
  outputs_.push_back(name);
  return *this;
}

GraphBuilder& GraphBuilder::update(const std::string& shared_name, const std::string& value) {
  updates_[shared_name] = value;
  return *this;
}

GraphBuilder& GraphBuilder::mode(const std::string& m) {
  mode_ = m;
  return *this;
}

std::string GraphBuilder::text() const {
  json f = {{"name", "f"}, {"inputs", fn_inputs_}, {"outputs", outputs_}, {"updates", updates_}};
  if (!mode_.empty()) f["mode"] = mode_;
  json g = {{"format", "tgc-graph"}, {"version", 1},     {"name", "diff"},          {"inputs", inputs_},
            {"shared", shared_},     {"constants", constants_}, {"nodes", nodes_}, {"functions", json::array({f})}};
  return g.dump();
}

}  // namespace tgc::test
