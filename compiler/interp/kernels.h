// Internal interface of the reference interpreter: one entry point per op
// family (each in its own file), and the evaluator that scan calls for its
// body with borrowed bindings.
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tgc::interp::detail {

// Values of a node's inputs, in node.inputs order (borrowed, never null).
using Inputs = std::vector<const Value*>;
// Borrowed bindings: the evaluator reads the values, never copies them.
using RefBindings = std::unordered_map<const Var*, const Value*>;

// interpreter.cpp: evaluate() with borrowed bindings (scan binds each step's
// parameters without copying its non-sequences).
std::vector<Value> evaluate_refs(const std::vector<Var*>& outputs, const RefBindings& bindings);

// elemwise.cpp: the elementwise ops of ops.def, and cast.
Value eval_elemwise(const Node& n, const Inputs& in);
Value eval_cast(const Node& n, const Inputs& in);
Value eval_composite(const Node& n, const Inputs& in);  // composite.cpp
// shape_ops.cpp: dimshuffle, reshape, flatten, transpose, shape, shape_i,
// alloc, fill, zeros_like, ones_like, arange, join, stack.
Value eval_shape_op(const Node& n, const Inputs& in);
// indexing.cpp: subtensor and the (advanced) set/inc family.
Value eval_index_op(const Node& n, const Inputs& in);
// reductions.cpp: sum, prod, max, min, mean, argmax, argmin, all, any.
Value eval_reduce(const Node& n, const Inputs& in);
// linalg.cpp: dot, outer, batched_dot, gemm, gemv, ger, dot22.
Value eval_linalg(const Node& n, const Inputs& in);
// sparse.cpp: sparse_dot, to_dense.
Value eval_sparse(const Node& n, const Inputs& in);
// neural.cpp: softmax, log_softmax, categorical_crossentropy.
Value eval_neural(const Node& n, const Inputs& in);
// random_ops.cpp: random_uniform, random_normal, random_binomial -> [rng_next, sample].
std::vector<Value> eval_random(const Node& n, const Inputs& in);
// scan.cpp: Theano's scan -> stacked outputs, then final shared states.
std::vector<Value> eval_scan(const Node& n, const Inputs& in);

}  // namespace tgc::interp::detail
