// Value forms of graph format v1: literals, {"npy"}, {"fill"}, {"uniform"},
// {"normal"}, and .npy files as Tensors.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "frontend/json_doc.h"
#include "ir/graph.h"

namespace tgc::frontend {

// A value for a declared type (dtype and shape; -1 entries accept any size).
// `base_dir` resolves {"npy": ...} paths. Errors name `path`.
Tensor parse_value(const JsonValue& v, DType dtype, const Shape& declared, bool shape_given, const std::string& base_dir,
                   const std::string& path);

// A literal with no declared type: numpy's default dtype (bool, int64, float64).
// Sets `weak` for a bare JSON scalar (NEP 50 weak scalar).
Tensor parse_untyped_literal(const JsonValue& v, const std::string& path, WeakKind& weak);

// Parses "float32" etc., or throws graph_error(path).
DType parse_dtype(const JsonValue& v, const std::string& path);
// Parses a shape list (ints and nulls), or {"ndim": N}.
Shape parse_shape(const JsonValue& v, const std::string& path);

}  // namespace tgc::frontend
