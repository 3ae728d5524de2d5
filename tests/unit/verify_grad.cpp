#include "verify_grad.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "build_ahead.h"
#include "codegen/cpu_target.h"
#include "differential.h"
#include "driver/build_cache.h"
#include "driver/engine.h"
#include "frontend/loader.h"
#include "interp/interpreter.h"
#include "ir/error.h"
#include "passes/pipeline.h"

namespace tgc::test {

namespace {

const char* const kFile = "verify_grad.json";

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string index_str(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

// The wrt variable of each gradient output (outputs 1..) of function `fn`.
std::vector<std::string> wrt_names(const std::string& text, const std::string& fn) {
  using json = nlohmann::json;
  json g = json::parse(text);
  const json* f = nullptr;
  for (const json& x : g.at("functions"))
    if (x.at("name") == fn) f = &x;
  if (!f) throw std::runtime_error("no function " + fn);
  const json& outs = f->at("outputs");
  if (outs.empty() || !outs[0].is_string()) throw std::runtime_error("the first output must name the cost");
  std::vector<std::string> r;
  for (size_t k = 1; k < outs.size(); ++k) {
    std::string name = outs[k].get<std::string>();
    std::string found;
    for (const json& n : g.at("nodes")) {
      if (n.at("op") != "grad") continue;
      const json& no = n.at("outputs");
      for (size_t p = 0; p < no.size(); ++p)
        if (no[p] == name) {
          if (!n.at("inputs")[0].is_string() || n.at("inputs")[0] != outs[0])
            throw std::runtime_error("grad output \"" + name + "\" is not a gradient of the first output");
          found = n.at("wrt").at(p).get<std::string>();
        }
    }
    if (found.empty()) throw std::runtime_error("output \"" + name + "\" is not an output of a grad node");
    if (std::find(r.begin(), r.end(), found) != r.end())
      throw std::runtime_error("two outputs are gradients with respect to \"" + found + "\"");
    r.push_back(found);
  }
  if (r.empty()) throw std::runtime_error("no gradient outputs");
  return r;
}

FunctionGraph compile(const Module& m, const std::string& fn, Mode mode) {
  const Function* f = m.find_function(fn);
  if (!f) throw std::runtime_error("no function " + fn);
  PipelineOptions po;
  po.mode = mode;
  return compile_function(m, *f, po);
}

// ---- building ahead ------------------------------------------------------

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}
std::vector<std::pair<std::string, std::string>>& registry() {
  static std::vector<std::pair<std::string, std::string>> r;
  return r;
}

void prebuild_registered() {
  const char* env = std::getenv("TGC_TEST_PREBUILD");
  if (env && std::string(env) == "0") return;
  std::vector<GeneratedUnit> units;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (const auto& [text, fn] : registry()) {
      try {
        Module m = frontend::load_graph_text(text, kFile, TGC_TEST_DATA_DIR);
        FunctionGraph fg = compile(m, fn, Mode::FastRun);
        units.push_back(generate_cpu(m, {&fg}));
      } catch (const std::exception&) {
        // reported by the check that uses the graph
      }
    }
  }
  test::build_in_parallel(std::move(units));
}

std::string compare_compiled(const Value& ref, const Value& got, double rtol) {
  const Tensor* a = std::get_if<Tensor>(&ref);
  const Tensor* b = std::get_if<Tensor>(&got);
  if (!a || !b) return "not a tensor";
  if (a->dtype() != b->dtype()) return "dtype " + std::string(dtype_name(b->dtype())) + ", interpreter " + std::string(dtype_name(a->dtype()));
  if (a->shape() != b->shape()) return "shape " + shape_str(b->shape()) + ", interpreter " + shape_str(a->shape());
  for (int64_t i = 0; i < a->size(); ++i) {
    double x = a->get_f64(i), y = b->get_f64(i);
    bool ok = std::isnan(x) || std::isnan(y) ? std::isnan(x) && std::isnan(y)
              : std::isinf(x) || std::isinf(y) ? x == y
                                               : std::fabs(x - y) <= rtol * std::max(std::fabs(x), 1.0);
    if (!ok) return "element " + index_str(a->shape(), i) + ": compiled " + num(y) + ", interpreter " + num(x);
  }
  return "";
}

}  // namespace

void prebuild_grad_graph(const std::string& graph_json, const std::string& fn) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry().push_back({graph_json, fn});
}

std::string GradCheckReport::summary() const {
  std::ostringstream os;
  if (!error.empty()) return "verify_grad could not run: " + error;
  os << "cost " << num(cost) << "; " << comparisons << " comparisons; worst (scaled error " << num(worst_scaled)
     << ", fails above 1): " << worst;
  if (!compiled_diff.empty()) os << "\ncompiled engine (FAST_RUN) disagrees with the interpreter: " << compiled_diff;
  return os.str();
}

GradCheckReport verify_grad(const std::string& graph_json, const std::vector<Value>& inputs, const GradCheckOptions& opt) {
  GradCheckReport rep;
  try {
    rep.wrt = wrt_names(graph_json, opt.fn);
    Module m = frontend::load_graph_text(graph_json, kFile, TGC_TEST_DATA_DIR);
    FunctionGraph fg = compile(m, opt.fn, Mode::FastCompile);
    if (fg.inputs.size() != inputs.size())
      throw std::runtime_error("the function has " + std::to_string(fg.inputs.size()) + " inputs, " +
                               std::to_string(inputs.size()) + " values given");
    if (fg.outputs.size() != rep.wrt.size() + 1) throw std::runtime_error("unexpected number of outputs");
    const Var* cost_var = fg.outputs[0];
    if (cost_var->type.ndim() != 0 || cost_var->type.dtype != DType::Float64)
      throw std::runtime_error("the cost must be a float64 scalar, not " + cost_var->type.str());

    // The wrt variables and the point.
    interp::Bindings base;
    for (size_t k = 0; k < inputs.size(); ++k) base.emplace(fg.inputs[k], inputs[k]);
    std::vector<const Var*> wvar;
    std::vector<Tensor> x;
    for (const std::string& name : rep.wrt) {
      const Var* v = nullptr;
      const Tensor* t = nullptr;
      for (size_t k = 0; k < fg.inputs.size(); ++k)
        if (fg.inputs[k]->name == name) {
          v = fg.inputs[k];
          t = std::get_if<Tensor>(&inputs[k]);
        }
      if (!v)
        for (const Var* s : fg.shared)
          if (s->name == name) {
            v = s;
            t = s->value() ? std::get_if<Tensor>(s->value().get()) : nullptr;
          }
      if (!v) throw std::runtime_error("wrt \"" + name + "\" is neither an input of the function nor a shared variable");
      if (!t || t->dtype() != DType::Float64) throw std::runtime_error("wrt \"" + name + "\" is not a float64 tensor");
      wvar.push_back(v);
      x.push_back(*t);
    }
    size_t m_wrt = x.size();

    auto cost_at = [&](const std::vector<Tensor>& pt) {
      interp::Bindings b = base;
      for (size_t i = 0; i < m_wrt; ++i) b.insert_or_assign(wvar[i], pt[i]);
      std::vector<Value> r = interp::evaluate({fg.outputs[0]}, b);
      return std::get<Tensor>(r[0]).get_f64(0);
    };
    // Symbolic values at the point.
    std::vector<Value> sym;
    {
      interp::Bindings b = base;
      for (size_t i = 0; i < m_wrt; ++i) b.insert_or_assign(wvar[i], x[i]);
      sym = interp::evaluate(fg.outputs, b);
    }
    rep.cost = std::get<Tensor>(sym[0]).get_f64(0);
    for (size_t i = 0; i < m_wrt; ++i) {
      const Tensor& g = std::get<Tensor>(sym[1 + i]);
      if (g.shape() != x[i].shape())
        throw std::runtime_error("gradient of \"" + rep.wrt[i] + "\" has shape " + shape_str(g.shape()) + ", its variable " +
                                 shape_str(x[i].shape()));
      rep.grads.push_back(g);
    }

    bool worst_element = false;
    auto compare = [&](double numeric, double symbolic, const std::string& what) {
      ++rep.comparisons;
      double abs_err = std::fabs(numeric - symbolic);
      double rel_err = abs_err / std::max(std::fabs(numeric) + std::fabs(symbolic), 1e-8);
      double scaled = std::min(abs_err / opt.abs_tol, rel_err / opt.rel_tol);
      if (!std::isfinite(numeric) || !std::isfinite(symbolic) || std::isnan(scaled))
        scaled = std::numeric_limits<double>::infinity();
      // Ties (non-finite values) go to an element, the more precise report.
      bool element = what.find(" element ") != std::string::npos;
      if (rep.comparisons == 1 || scaled > rep.worst_scaled || (scaled == rep.worst_scaled && element && !worst_element)) {
        worst_element = element;
        rep.worst_scaled = scaled;
        rep.worst = what + ": numeric " + num(numeric) + ", symbolic " + num(symbolic) + " (abs. error " + num(abs_err) +
                    ", rel. error " + num(rel_err) + ")";
      }
    };
    auto perturbed = [&](size_t i, const Tensor& u, double by) {
      Tensor t = x[i];
      for (int64_t j = 0; j < t.size(); ++j) t.set_f64(j, x[i].get_f64(j) + by * u.get_f64(j));
      return t;
    };

    // Random directions.
    std::mt19937_64 rng(opt.seed);
    std::uniform_real_distribution<double> unif(-1.0, 1.0);
    for (int test = 0; test < opt.n_tests; ++test) {
      std::vector<Tensor> u;
      for (size_t i = 0; i < m_wrt; ++i) {
        Tensor t(DType::Float64, x[i].shape());
        for (int64_t j = 0; j < t.size(); ++j) t.set_f64(j, unif(rng));
        u.push_back(std::move(t));
      }
      std::vector<double> dot(m_wrt, 0.0);
      for (size_t i = 0; i < m_wrt; ++i)
        for (int64_t j = 0; j < u[i].size(); ++j) dot[i] += rep.grads[i].get_f64(j) * u[i].get_f64(j);
      for (size_t i = 0; i < m_wrt; ++i) {
        std::vector<Tensor> p = x, q = x;
        p[i] = perturbed(i, u[i], opt.eps);
        q[i] = perturbed(i, u[i], -opt.eps);
        double d = (cost_at(p) - cost_at(q)) / (2 * opt.eps);
        compare(d, dot[i], "wrt \"" + rep.wrt[i] + "\" along random direction " + std::to_string(test));
      }
      if (m_wrt > 1) {
        std::vector<Tensor> p = x, q = x;
        double total = 0;
        for (size_t i = 0; i < m_wrt; ++i) {
          p[i] = perturbed(i, u[i], opt.eps);
          q[i] = perturbed(i, u[i], -opt.eps);
          total += dot[i];
        }
        double d = (cost_at(p) - cost_at(q)) / (2 * opt.eps);
        compare(d, total, "all wrt together along random direction " + std::to_string(test));
      }
    }
    // Element by element.
    for (size_t i = 0; i < m_wrt; ++i) {
      if (x[i].size() > opt.max_elementwise) continue;
      for (int64_t j = 0; j < x[i].size(); ++j) {
        std::vector<Tensor> p = x, q = x;
        p[i].set_f64(j, x[i].get_f64(j) + opt.eps);
        q[i].set_f64(j, x[i].get_f64(j) - opt.eps);
        double d = (cost_at(p) - cost_at(q)) / (2 * opt.eps);
        compare(d, rep.grads[i].get_f64(j), "wrt \"" + rep.wrt[i] + "\" element " + index_str(x[i].shape(), j));
      }
    }

    // The compiled engine, every rewrite applied.
    if (opt.compiled) {
      ::setenv("TGC_CACHE_DIR", test_cache_dir().c_str(), 1);
      static std::once_flag once;
      std::call_once(once, prebuild_registered);
      FunctionGraph fr = compile(m, opt.fn, Mode::FastRun);
      auto engine = driver::make_compiled_engine(m, fr, driver::EngineOptions{});
      std::vector<Value> got = engine->call(inputs);
      rep.compiled_checked = true;
      if (got.size() != sym.size()) {
        rep.compiled_diff = "different number of outputs";
      } else {
        for (size_t k = 0; k < got.size() && rep.compiled_diff.empty(); ++k) {
          std::string d = compare_compiled(sym[k], got[k], opt.compiled_rtol);
          if (!d.empty()) rep.compiled_diff = (k == 0 ? std::string("cost") : "gradient of \"" + rep.wrt[k - 1] + "\"") + ": " + d;
        }
      }
    }
    rep.ok = rep.worst_scaled <= 1.0 && rep.compiled_diff.empty();
  } catch (const Error& e) {
    rep.error = e.located() + " (exit code " + std::to_string(int(e.code())) + ")";
  } catch (const std::exception& e) {
    rep.error = e.what();
  }
  if (!rep.error.empty()) rep.ok = false;
  return rep;
}

}  // namespace tgc::test

namespace tgc::test {

Tensor uniform(const Shape& shape, double lo, double hi, uint64_t seed, bool both_signs) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  Tensor t(DType::Float64, shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    double v = d(rng);
    if (both_signs && (rng() & 1)) v = -v;
    t.set_f64(i, v);
  }
  return t;
}

std::string projected_grad_graph(GraphBuilder g, const std::string& out, const std::vector<std::string>& wrt,
                                 const std::vector<Value>& inputs, nlohmann::json grad_attrs, uint64_t seed) {
  // The shape of `out` at these inputs.
  GraphBuilder probe = g;
  probe.output(out);
  Module m = frontend::load_graph_text(probe.text(), kFile, TGC_TEST_DATA_DIR);
  FunctionGraph fg = compile(m, "f", Mode::FastCompile);
  if (fg.inputs.size() != inputs.size()) throw std::runtime_error("projected_grad_graph: wrong number of inputs");
  interp::Bindings b;
  for (size_t k = 0; k < inputs.size(); ++k) b.emplace(fg.inputs[k], inputs[k]);
  Shape shape = std::get<Tensor>(interp::evaluate({fg.outputs[0]}, b)[0]).shape();

  g.constant({{"name", "proj_P"}, {"dtype", "float64"}, {"shape", shape},
              {"value", {{"uniform", {0.5, 1.5}}, {"seed", seed}}}});
  std::string prod = g.node("mul", {out, "proj_P"});
  std::string cost = g.node("sum", {prod}, {{"axis", nullptr}}, "cost");
  std::vector<std::string> outs;
  for (const std::string& w : wrt) outs.push_back("g_" + w);
  nlohmann::json attrs = grad_attrs.is_object() ? grad_attrs : nlohmann::json::object();
  attrs["wrt"] = wrt;
  g.node_n("grad", {cost}, attrs, outs);
  g.output(cost);
  for (const std::string& o : outs) g.output(o);
  return g.text();
}

GradCheckReport check_grad(const std::string& label, const std::string& graph_json, const std::vector<Value>& inputs,
                           const GradCheckOptions& opt) {
  GradCheckReport rep = verify_grad(graph_json, inputs, opt);
  CHECK_MESSAGE(rep.ok, label << ": " << rep.summary());
  return rep;
}

GradCheckReport check_op_grad(const std::string& label, const GraphBuilder& g, const std::string& out,
                              const std::vector<std::string>& wrt, const std::vector<Value>& inputs,
                              const GradCheckOptions& opt) {
  std::string text;
  try {
    text = projected_grad_graph(g, out, wrt, inputs);
  } catch (const Error& e) {
    FAIL_CHECK(label << ": building the graph failed: " << e.located());
    return {};
  } catch (const std::exception& e) {
    FAIL_CHECK(label << ": building the graph failed: " << e.what());
    return {};
  }
  return check_grad(label, text, inputs, opt);
}

std::vector<Tensor> run_interp(const std::string& graph_json, const std::vector<Value>& inputs, Mode mode) {
  Module m = frontend::load_graph_text(graph_json, kFile, TGC_TEST_DATA_DIR);
  PipelineOptions po;
  po.mode = mode;
  FunctionGraph fg = compile_function(m, *m.find_function("f"), po);
  REQUIRE(fg.inputs.size() == inputs.size());
  interp::Bindings b;
  for (size_t k = 0; k < inputs.size(); ++k) b.emplace(fg.inputs[k], inputs[k]);
  std::vector<Tensor> r;
  for (Value& v : interp::evaluate(fg.outputs, b)) r.push_back(std::get<Tensor>(v));
  return r;
}

}  // namespace tgc::test
