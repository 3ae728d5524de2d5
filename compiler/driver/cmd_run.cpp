// tgc run: read inputs, call the function N times, write outputs and shared
// values only when every call succeeded.
#include <cstdio>
#include <filesystem>

#include "driver/commands.h"
#include "driver/debug_mode.h"
#include "driver/engine.h"
#include "grad/grad.h"
#include "frontend/loader.h"
#include "ir/error.h"
#include "ir/tensor_io.h"
#include "passes/pipeline.h"

namespace fs = std::filesystem;

namespace tgc::driver {

namespace {

Tensor read_input_file(const fs::path& file, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw run_error(what, "missing file " + file.string());
  return read_npy_tensor(file.string(), ExitCode::Runtime, what);
}

Value read_input(const Var* v, const fs::path& dir) {
  std::string what = "input " + v->name;
  if (v->type.kind != TypeKind::Csr) {
    Value val = read_input_file(dir / (v->name + ".npy"), what);
    check_value_type(v, val, what);
    return val;
  }
  CsrMatrix c;
  c.data = read_input_file(dir / (v->name + ".data.npy"), what);
  c.indices = read_input_file(dir / (v->name + ".indices.npy"), what);
  c.indptr = read_input_file(dir / (v->name + ".indptr.npy"), what);
  Tensor shape = read_input_file(dir / (v->name + ".shape.npy"), what);
  if (shape.dtype() != DType::Int64 || shape.ndim() != 1 || shape.size() != 2)
    throw run_error(what, "the shape file must hold two int64 values");
  for (const Tensor* t : {&c.indices, &c.indptr})
    if ((t->dtype() != DType::Int32 && t->dtype() != DType::Int64) || t->ndim() != 1)
      throw run_error(what, "indices and indptr must be int32 or int64 vectors");
  if (c.data.ndim() != 1) throw run_error(what, "data must be a vector");
  c.rows = shape.data<int64_t>()[0];
  c.cols = shape.data<int64_t>()[1];
  Value val = c;
  check_value_type(v, val, what);
  return val;
}

Value read_shared(const Var* s, const fs::path& file) {
  std::string what = "shared " + s->name;
  Tensor t = read_npy_tensor(file.string(), ExitCode::Runtime, what);
  if (s->type.kind == TypeKind::Rng) {
    if (t.dtype() != DType::UInt64 || t.ndim() != 1 || t.size() != 3)
      throw run_error(what, "a random state is a uint64 vector of 3 words");
    return rng_from_words(t.data<uint64_t>());
  }
  Value v = t;
  check_value_type(s, v, what);
  return v;
}

// The function as written: givens applied and grads expanded, no rewrites.
FunctionGraph unoptimized_function(const Module& m, const Function& f) {
  FunctionGraph fg = extract_function(m, f, Mode::Debug);
  expand_grads(fg);
  return fg;
}

Tensor as_tensor(const Value& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return *t;
  if (const auto* r = std::get_if<RngState>(&v)) {
    Tensor t(DType::UInt64, {3});
    rng_to_words(*r, t.data<uint64_t>());
    return t;
  }
  throw internal_error("a sparse value cannot be written as .npy");
}

void make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw run_error("", "cannot create " + dir + ": " + ec.message());
}

}  // namespace

int cmd_run(const CliOptions& o) {
  Module m = frontend::load_graph_file(o.graph);
  const Function* f = m.find_function(o.function);
  if (!f) throw Error(ExitCode::Usage, "", "the graph has no function \"" + o.function + "\"");
  if (o.target == "cuda") throw Error(ExitCode::Usage, "", "--target cuda: the CUDA target is not built yet");
  PipelineOptions po;
  po.mode = effective_mode(*f, o.mode);
  po.excluding = o.excluding;
  po.including = o.including;
  po.trace = o.trace;
  bool debug = po.mode == Mode::Debug;
  RewriteTrace trace;
  if (debug) {
    po.keep_dead = true;  // replaced values are evaluated by the checks
    po.record = &trace;
  }
  FunctionGraph fg = compile_function(m, *f, po);

  std::vector<Value> inputs;
  for (const Var* v : fg.inputs) inputs.push_back(read_input(v, o.inputs));

  std::unique_ptr<Engine> e;
  if (o.profile && o.engine == "reference")
    std::fprintf(stderr, "warning: --profile needs the compiled engine (--engine compiled); the reference engine is not profiled\n");
  if (o.engine == "reference") e = make_reference_engine(m, fg);
  else e = make_compiled_engine(m, fg, EngineOptions{o.profile, false});
  // DEBUG: the unoptimized graph on the reference interpreter, in lockstep.
  FunctionGraph plain;
  std::unique_ptr<Engine> ref;
  if (debug) {
    plain = unoptimized_function(m, *f);
    ref = make_reference_engine(m, plain);
  }

  if (!o.shared_in.empty())
    for (const Var* s : fg.shared) {
      fs::path file = fs::path(o.shared_in) / (s->name + ".npy");
      std::error_code ec;
      if (!fs::exists(file, ec)) continue;
      Value v = read_shared(s, file);
      e->set_shared(s, v);
      if (ref) ref->set_shared(s, v);
    }

  if (debug) {
    interp::Bindings b;
    for (size_t k = 0; k < fg.inputs.size(); ++k) b[fg.inputs[k]] = inputs[k];
    for (const Var* s : fg.shared) b[s] = e->get_shared(s);
    check_rewrites(trace, fg, b);
  }

  std::vector<Value> outputs;
  const std::vector<Value> pristine = debug ? inputs : std::vector<Value>{};
  for (int64_t k = 0; k < o.calls; ++k) {
    outputs = e->call(inputs);
    if (!debug) continue;
    check_outputs(outputs, ref->call(inputs), fg, "call " + std::to_string(k + 1));
    // No in-place operation may write into the caller's inputs.
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor* t = std::get_if<Tensor>(&inputs[i]);
      if (t && !t->same_bytes(std::get<Tensor>(pristine[i])))
        throw Error(ExitCode::Internal, "input " + fg.inputs[i]->name, "DEBUG mode: the call modified an input");
    }
  }

  // Every call succeeded: now, and only now, write files.
  std::vector<Tensor> shared_values;
  if (!o.shared_out.empty())
    for (const Var* s : fg.shared) shared_values.push_back(as_tensor(e->get_shared(s)));
  make_dir(o.outputs);
  for (size_t k = 0; k < outputs.size(); ++k)
    write_npy_tensor((fs::path(o.outputs) / (fg.output_names[k] + ".npy")).string(), as_tensor(outputs[k]));
  if (o.print)
    for (size_t k = 0; k < outputs.size(); ++k) {
      Tensor t = as_tensor(outputs[k]);
      std::printf("%s: %s %s\n%s\n", fg.output_names[k].c_str(), std::string(dtype_name(t.dtype())).c_str(),
                  shape_str(t.shape()).c_str(), tensor_to_text(t).c_str());
    }
  if (!o.shared_out.empty()) {
    make_dir(o.shared_out);
    for (size_t k = 0; k < fg.shared.size(); ++k)
      write_npy_tensor((fs::path(o.shared_out) / (fg.shared[k]->name + ".npy")).string(), shared_values[k]);
  }
  if (o.profile)
    if (std::optional<FunctionProfile> p = e->profile()) std::fputs(profile_report(*p).c_str(), stdout);
  return 0;
}

}  // namespace tgc::driver
