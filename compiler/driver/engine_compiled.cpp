// The compiled engine: generate C++ for the function, build it (cached),
// load it with dlopen and call it through its C ABI.
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "codegen/cpu_target.h"
#include "codegen/emit_context.h"
#include "driver/build_cache.h"
#include "driver/engine.h"
#include "ir/error.h"
#include "tgc/abi.h"
#include "tgc/profile.h"

namespace tgc::driver {

namespace {

using CreateFn = void* (*)();
using DestroyFn = void (*)(void*);
using CallFn = int (*)(void*, const tgc_tensor*, int, tgc_tensor*, int, tgc_status*);
using GetSharedFn = int (*)(void*, const char*, tgc_tensor*, tgc_status*);
using SetSharedFn = int (*)(void*, const char*, const tgc_tensor*, tgc_status*);
using ProfileFn = int (*)(void*, const char*, tgc_profile_record*, int);
using ProfileFunctionFn = int (*)(void*, const char*, tgc_profile_function*);
using ProfileBuffersFn = int (*)(void*, const char*, tgc_profile_buffer*, int);

tgc_tensor to_abi(const Tensor& t) {
  tgc_tensor a{};
  a.dtype = int32_t(t.dtype());
  a.ndim = t.ndim();
  for (int d = 0; d < t.ndim(); ++d) a.shape[d] = t.shape()[size_t(d)];
  a.data = const_cast<void*>(t.raw());
  return a;
}

Tensor from_abi(const tgc_tensor& a) {
  if (a.dtype < 0 || a.dtype > TGC_FLOAT64 || a.ndim < 0 || a.ndim > TGC_MAX_RANK)
    throw internal_error("generated code returned a malformed tensor");
  Shape s(a.shape, a.shape + a.ndim);
  Tensor t(DType(a.dtype), s);
  if (t.nbytes() > 0) std::memcpy(t.raw(), a.data, size_t(t.nbytes()));
  return t;
}

class CompiledEngine : public Engine {
 public:
  CompiledEngine(const Module& m, const FunctionGraph& fg, const EngineOptions& opt) : fg_(fg) {
    CodegenOptions co;
    co.profile = opt.profile;
    GeneratedUnit u = generate_cpu(m, {&fg}, co);
    BuildResult b = build_library(u);
    if (opt.trace_build)
      std::fprintf(stderr, b.cached ? "tgc: using cached build %s\n" : "tgc: built %s\n", b.library.c_str());
    lib_ = dlopen(b.library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib_) throw internal_error(std::string("cannot load the generated library: ") + dlerror());
    create_ = sym<CreateFn>(u.prefix + "_create");
    destroy_ = sym<DestroyFn>(u.prefix + "_destroy");
    call_ = sym<CallFn>(u.prefix + "_" + sanitize(fg.name, 64));
    get_ = sym<GetSharedFn>(u.prefix + "_get_shared");
    set_ = sym<SetSharedFn>(u.prefix + "_set_shared");
    if (opt.profile) {
      profile_ = sym<ProfileFn>(u.prefix + "_profile");
      profile_function_ = sym<ProfileFunctionFn>(u.prefix + "_profile_function");
      profile_buffers_ = sym<ProfileBuffersFn>(u.prefix + "_profile_buffers");
    }
    model_ = create_();
    if (!model_) throw run_error("", "out of memory creating the model");
  }

  ~CompiledEngine() override {
    if (model_) destroy_(model_);
    // The library stays loaded: OpenBLAS threads may still reference it at exit.
  }

  void set_shared(const Var* s, const Value& v) override {
    tgc_status st{};
    tgc_tensor a{};
    uint64_t words[3];
    if (const auto* r = std::get_if<RngState>(&v)) {
      rng_to_words(*r, words);
      a.dtype = TGC_UINT64;
      a.ndim = 1;
      a.shape[0] = 3;
      a.data = words;
    } else {
      a = to_abi(std::get<Tensor>(v));
    }
    if (set_(model_, s->name.c_str(), &a, &st) != 0) throw run_error("shared " + s->name, st.message);
  }

  Value get_shared(const Var* s) override {
    tgc_status st{};
    tgc_tensor a{};
    if (get_(model_, s->name.c_str(), &a, &st) != 0) throw run_error("shared " + s->name, st.message);
    Tensor t = from_abi(a);
    if (s->type.kind == TypeKind::Rng) return rng_from_words(t.data<uint64_t>());
    return t;
  }

  std::vector<Value> call(const std::vector<Value>& inputs) override {
    std::vector<tgc_tensor> in;
    std::vector<Tensor> keep;  // CSR shapes built here must outlive the call
    keep.reserve(inputs.size());
    for (const Value& v : inputs) {
      if (const auto* c = std::get_if<CsrMatrix>(&v)) {
        Tensor shape(DType::Int64, {2});
        shape.data<int64_t>()[0] = c->rows;
        shape.data<int64_t>()[1] = c->cols;
        keep.push_back(shape);
        in.push_back(to_abi(c->data));
        in.push_back(to_abi(c->indices));
        in.push_back(to_abi(c->indptr));
        in.push_back(to_abi(keep.back()));
      } else {
        in.push_back(to_abi(std::get<Tensor>(v)));
      }
    }
    std::vector<tgc_tensor> out(fg_.outputs.size());
    tgc_status st{};
    int rc = call_(model_, in.data(), int(in.size()), out.data(), int(out.size()), &st);
    if (rc != 0) throw Error(rc == TGC_RUNTIME ? ExitCode::Runtime : ExitCode::Internal, "", st.message);
    std::vector<Value> r;
    for (size_t k = 0; k < out.size(); ++k) {
      Tensor t = from_abi(out[k]);
      if (fg_.outputs[k]->type.kind == TypeKind::Rng) r.push_back(rng_from_words(t.data<uint64_t>()));
      else r.push_back(std::move(t));
    }
    return r;
  }

  std::optional<FunctionProfile> profile() override {
    if (!profile_) return std::nullopt;
    const char* fn = fg_.name.c_str();
    tgc_profile_function f{};
    if (profile_function_(model_, fn, &f) != 0) throw internal_error("the generated library has no profile of " + fg_.name);
    std::vector<tgc_profile_record> recs(size_t(std::max(f.n_nodes, 0)));
    std::vector<tgc_profile_buffer> bufs(size_t(std::max(f.n_buffers, 0)));
    if (profile_(model_, fn, recs.data(), int(recs.size())) != f.n_nodes ||
        profile_buffers_(model_, fn, bufs.data(), int(bufs.size())) != f.n_buffers)
      throw internal_error("the generated library's profile of " + fg_.name + " is inconsistent");
    FunctionProfile p;
    p.function = fg_.name;
    p.calls = f.calls;
    p.ns = f.ns;
    for (const tgc_profile_record& r : recs) {
      NodeProfile n;
      n.index = r.index;
      n.parent = r.parent;
      n.depth = r.depth;
      n.path = r.path;
      n.op = r.op;
      n.op_type = r.op_type;
      n.family = r.family;
      n.apply = r.apply;
      n.outputs = r.outputs;
      n.calls = r.calls;
      n.ns = r.ns;
      for (int j = 0; j < 3; ++j) n.bytes[j] = r.bytes[j];
      p.nodes.push_back(std::move(n));
    }
    for (const tgc_profile_buffer& b : bufs) p.buffers.push_back({b.index, b.n_values, b.bytes});
    return p;
  }

 private:
  template <class F> F sym(const std::string& name) {
    void* p = dlsym(lib_, name.c_str());
    if (!p) throw internal_error("the generated library lacks " + name);
    return reinterpret_cast<F>(p);
  }

  const FunctionGraph& fg_;
  void* lib_ = nullptr;
  void* model_ = nullptr;
  CreateFn create_ = nullptr;
  DestroyFn destroy_ = nullptr;
  CallFn call_ = nullptr;
  GetSharedFn get_ = nullptr;
  SetSharedFn set_ = nullptr;
  ProfileFn profile_ = nullptr;
  ProfileFunctionFn profile_function_ = nullptr;
  ProfileBuffersFn profile_buffers_ = nullptr;
};

}  // namespace

std::unique_ptr<Engine> make_compiled_engine(const Module& m, const FunctionGraph& fg, const EngineOptions& opt) {
  return std::make_unique<CompiledEngine>(m, fg, opt);
}

}  // namespace tgc::driver
