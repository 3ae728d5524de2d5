#include "frontend/values.h"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "frontend/limits.h"
#include "ir/error.h"
#include "ir/tensor_io.h"
#include "tgc/philox.h"

namespace tgc::frontend {

namespace {

// Shape of a nested JSON list; throws if ragged.
void literal_shape(const JsonValue& v, size_t depth, Shape& shape, const std::string& path) {
  if (!v.is_array()) return;
  if (int(depth) >= limits::kMaxRank) throw graph_error(path, "literal nests deeper than " + std::to_string(limits::kMaxRank) + " dimensions");
  if (shape.size() == depth) shape.push_back(int64_t(v.size()));
  if (v.empty()) return;
  literal_shape(v[0], depth + 1, shape, path);
}

void flatten_literal(const JsonValue& v, size_t depth, const Shape& shape, std::vector<const JsonValue*>& out,
                     const std::string& path) {
  if (depth == shape.size()) {
    if (v.is_array()) throw graph_error(path, "ragged literal: its lists are not rectangular");
    if (!v.is_number() && !v.is_boolean()) throw graph_error(path, "literal elements must be numbers or booleans");
    out.push_back(&v);
    return;
  }
  if (!v.is_array() || int64_t(v.size()) != shape[depth])
    throw graph_error(path, "ragged literal: its lists are not rectangular");
  for (const JsonValue& e : v) flatten_literal(e, depth + 1, shape, out, path);
}

// Stores JSON scalar `e` as element i of t, checking that dtype can hold it.
void store(Tensor& t, int64_t i, const JsonValue& e, const std::string& path) {
  DType dt = t.dtype();
  auto bad = [&](const std::string& why) {
    throw graph_error(path, "value " + e.dump() + " " + why + " " + std::string(dtype_name(dt)));
  };
  if (is_float(dt)) {
    t.set_f64(i, e.is_boolean() ? (e.get<bool>() ? 1.0 : 0.0) : e.get<double>());
    return;
  }
  if (is_bool(dt)) {
    if (e.is_boolean()) t.set_f64(i, e.get<bool>() ? 1.0 : 0.0);
    else if (e.is_number() && (e.get<double>() == 0.0 || e.get<double>() == 1.0)) t.set_f64(i, e.get<double>());
    else bad("is not a valid");
    return;
  }
  if (e.is_boolean()) {
    t.set_f64(i, e.get<bool>() ? 1.0 : 0.0);
    return;
  }
  if (e.is_number_float()) bad("is not an integer, as needed for");
  bool ok;
  if (e.is_number_unsigned()) {
    uint64_t u = e.get<uint64_t>();
    ok = is_unsigned_int(dt) ? (dt == DType::UInt64 || u < (uint64_t(1) << (8 * dtype_size(dt))))
                             : u < (uint64_t(1) << (8 * dtype_size(dt) - 1));
    if (!ok) bad("is out of range for");
    visit_dtype(dt, [&](auto* p) {
      using T = std::remove_pointer_t<decltype(p)>;
      t.data<T>()[i] = T(u);
    });
    return;
  }
  int64_t s = e.get<int64_t>();
  if (is_unsigned_int(dt)) ok = s >= 0 && (dt == DType::UInt64 || uint64_t(s) < (uint64_t(1) << (8 * dtype_size(dt))));
  else ok = dtype_size(dt) == 8 || (s >= -(int64_t(1) << (8 * dtype_size(dt) - 1)) && s < (int64_t(1) << (8 * dtype_size(dt) - 1)));
  if (!ok) bad("is out of range for");
  visit_dtype(dt, [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    t.data<T>()[i] = T(s);
  });
}

void check_declared(const Shape& got, const Shape& declared, const std::string& path, const std::string& what) {
  bool ok = got.size() == declared.size();
  for (size_t d = 0; ok && d < got.size(); ++d) ok = declared[d] < 0 || declared[d] == got[d];
  if (!ok) throw graph_error(path, what + " has shape " + shape_str(got) + ", declared " + shape_str(declared));
}

int64_t static_count(const Shape& declared, bool shape_given, const std::string& path, const std::string& form) {
  if (!shape_given) throw graph_error(path, "a {\"" + form + "\"} value needs a declared shape");
  int64_t n = 1;
  for (int64_t d : declared) {
    if (d < 0) throw graph_error(path, "a {\"" + form + "\"} value needs a static shape, declared " + shape_str(declared));
    if (d > 0 && n > limits::kMaxValueElements / d)
      throw graph_error(path, "value has more than " + std::to_string(limits::kMaxValueElements) + " elements");
    n *= d;
  }
  return n;
}

void only_keys(const JsonValue& v, std::initializer_list<const char*> keys, const std::string& path) {
  for (const JsonMember& m : v.members()) {
    bool known = false;
    for (const char* k : keys) known = known || m.key == k;
    if (known) continue;
    const std::string key(m.key);
    throw graph_error(path + "." + key, "unknown key \"" + key + "\" in a value");
  }
}

}  // namespace

DType parse_dtype(const JsonValue& v, const std::string& path) {
  if (!v.is_string()) throw graph_error(path, "dtype must be a string");
  auto dt = dtype_from_name(v.get<std::string>());
  if (!dt) throw graph_error(path, "unknown dtype \"" + v.get<std::string>() + "\"");
  return *dt;
}

Shape parse_shape(const JsonValue& v, const std::string& path) {
  if (!v.is_array()) throw graph_error(path, "shape must be a list of integers and nulls");
  if (int(v.size()) > limits::kMaxRank)
    throw graph_error(path, "more than " + std::to_string(limits::kMaxRank) + " dimensions");
  Shape s;
  for (size_t i = 0; i < v.size(); ++i) {
    const JsonValue& d = v[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (d.is_null()) s.push_back(-1);
    else if (d.is_number_integer() && d.get<int64_t>() >= 0 && d.get<int64_t>() <= limits::kMaxDim)
      s.push_back(d.get<int64_t>());
    else throw graph_error(p, "a dimension must be a non-negative integer or null");
  }
  return s;
}

Tensor parse_value(const JsonValue& v, DType dtype, const Shape& declared, bool shape_given, const std::string& base_dir,
                   const std::string& path) {
  if (v.is_object()) {
    if (v.contains("npy")) {
      only_keys(v, {"npy"}, path);
      if (!v["npy"].is_string()) throw graph_error(path + ".npy", "expected a file name");
      std::filesystem::path f = v["npy"].get<std::string>();
      if (f.is_relative()) f = std::filesystem::path(base_dir) / f;
      Tensor t = read_npy_tensor(f.string(), ExitCode::InvalidGraph, path + ".npy");
      if (t.dtype() != dtype)
        throw graph_error(path + ".npy", f.filename().string() + " holds " + std::string(dtype_name(t.dtype())) +
                                             ", declared " + std::string(dtype_name(dtype)));
      if (shape_given) check_declared(t.shape(), declared, path + ".npy", f.filename().string());
      return t;
    }
    if (v.contains("fill")) {
      only_keys(v, {"fill"}, path);
      int64_t n = static_count(declared, shape_given, path, "fill");
      Tensor one = parse_value(v["fill"], dtype, {}, true, base_dir, path + ".fill");
      Tensor t(dtype, declared);
      for (int64_t i = 0; i < n; ++i) std::memcpy(static_cast<uint8_t*>(t.raw()) + i * dtype_size(dtype), one.raw(), size_t(dtype_size(dtype)));
      return t;
    }
    bool uni = v.contains("uniform"), nor = v.contains("normal");
    if (uni || nor) {
      const char* form = uni ? "uniform" : "normal";
      only_keys(v, {form, "seed"}, path);
      int64_t n = static_count(declared, shape_given, path, form);
      const JsonValue& p = v[form];
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
        throw graph_error(path + "." + form, "expected [a, b]");
      if (!is_float(dtype)) throw graph_error(path, std::string("a {\"") + form + "\"} value needs a float dtype");
      if (!v.contains("seed") || !v["seed"].is_number_integer())
        throw graph_error(path + ".seed", "expected an integer seed");
      RngState s = rng_from_seed(uint64_t(v["seed"].get<int64_t>()));
      double a = p[0].get<double>(), b = p[1].get<double>();
      Tensor t(dtype, declared);
      for (int64_t i = 0; i < n; ++i) {
        double x;
        if (uni) x = dtype == DType::Float32 ? double(sample_uniform_f32(s, uint64_t(i), float(a), float(b)))
                                             : sample_uniform_f64(s, uint64_t(i), a, b);
        else x = sample_normal(s, uint64_t(i), a, b);
        t.set_f64(i, x);
      }
      return t;
    }
    throw graph_error(path, "a value object needs one of \"npy\", \"fill\", \"uniform\", \"normal\"");
  }
  if (!v.is_array() && !v.is_number() && !v.is_boolean())
    throw graph_error(path, "a value must be a number, a boolean, a list or an object");
  Shape shape;
  literal_shape(v, 0, shape, path);
  std::vector<const JsonValue*> elems;
  if (num_elements(shape) > limits::kMaxValueElements) throw graph_error(path, "literal is too large");
  flatten_literal(v, 0, shape, elems, path);
  if (shape_given) check_declared(shape, declared, path, "the value");
  Tensor t(dtype, shape);
  for (size_t i = 0; i < elems.size(); ++i) store(t, int64_t(i), *elems[i], path);
  return t;
}

Tensor parse_untyped_literal(const JsonValue& v, const std::string& path, WeakKind& weak) {
  weak = WeakKind::None;
  if (v.is_boolean() || v.is_number()) {
    weak = v.is_boolean() ? WeakKind::Bool : (v.is_number_float() ? WeakKind::Float : WeakKind::Int);
    return parse_value(v, weak_default(weak), {}, false, "", path);
  }
  Shape shape;
  literal_shape(v, 0, shape, path);
  std::vector<const JsonValue*> elems;
  if (num_elements(shape) > limits::kMaxValueElements) throw graph_error(path, "literal is too large");
  flatten_literal(v, 0, shape, elems, path);
  bool all_bool = !elems.empty(), any_float = false;
  for (const JsonValue* e : elems) {
    all_bool = all_bool && e->is_boolean();
    any_float = any_float || e->is_number_float();
  }
  DType dt = all_bool ? DType::Bool : (any_float || elems.empty() ? DType::Float64 : DType::Int64);
  return parse_value(v, dt, shape, true, "", path);
}

}  // namespace tgc::frontend
