// Building nodes from code (gradient rules, rewrites): one method per op
// shape, each adding a type-checked node to a graph scope and returning its
// output. Errors name `path`, the node the new nodes derive from.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tgc {

class Builder {
 public:
  Builder(Graph& g, std::string path) : g_(g), path_(std::move(path)) {}
  Graph& graph() { return g_; }
  const std::string& path() const { return path_; }

  Var* op(Op op, std::vector<Var*> inputs, NodeAttrs attrs = {});
  std::vector<Var*> op_n(Op op, std::vector<Var*> inputs, NodeAttrs attrs = {});

  // Constants.
  Var* scalar(double v, DType dt);
  Var* int64(int64_t v);
  Var* int64_vector(const std::vector<int64_t>& v);

  // Elementwise.
  Var* add(Var* a, Var* b) { return op(Op::Add, {a, b}); }
  Var* sub(Var* a, Var* b) { return op(Op::Sub, {a, b}); }
  Var* mul(Var* a, Var* b) { return op(Op::Mul, {a, b}); }
  Var* div(Var* a, Var* b) { return op(Op::TrueDiv, {a, b}); }
  Var* neg(Var* a) { return op(Op::Neg, {a}); }
  Var* unary(Op o, Var* a) { return op(o, {a}); }
  Var* cast(Var* a, DType dt);
  Var* cast_like(Var* a, const Var* like) { return a->type.dtype == like->type.dtype ? a : cast(a, like->type.dtype); }
  Var* switch_(Var* c, Var* a, Var* b) { return op(Op::Switch, {c, a, b}); }

  // Shapes.
  Var* dimshuffle(Var* x, std::vector<int> pattern);
  Var* transpose(Var* x, std::vector<int> axes = {});
  Var* reshape(Var* x, Var* shape);
  Var* shape_of(Var* x) { return op(Op::ShapeOf, {x}); }
  Var* shape_i(Var* x, int i);
  Var* zeros_like(Var* x, std::optional<DType> dt = std::nullopt);
  Var* ones_like(Var* x, std::optional<DType> dt = std::nullopt);
  Var* fill(Var* model, Var* value) { return op(Op::Fill, {model, value}); }
  Var* alloc(Var* value, std::vector<Var*> dims);
  Var* join(int axis, std::vector<Var*> xs);
  Var* stack(int axis, std::vector<Var*> xs);

  // Reductions.
  Var* sum(Var* x, std::vector<int> axes, bool keepdims = false);  // axes empty: all
  Var* sum_all(Var* x) { return sum(x, {}, false); }

  // Indexing.
  Var* subtensor(Var* x, std::vector<IdxEntry> idx, std::vector<Var*> index_inputs = {});
  Var* inc_subtensor(Var* x, Var* y, std::vector<IdxEntry> idx, std::vector<Var*> index_inputs = {}, bool set = false);
  Var* index(Var* x, int64_t i);  // x[i] along dimension 0

  // Linear algebra.
  Var* dot(Var* a, Var* b) { return op(Op::Dot, {a, b}); }
  Var* outer(Var* a, Var* b) { return op(Op::Outer, {a, b}); }

  // Sums `g` over the dimensions in which `like` broadcasts (Theano's
  // unbroadcast) so it has like's rank and broadcastable pattern.
  Var* unbroadcast(Var* g, const Var* like);

  // Slice entries.
  static IdxEntry point(int64_t i);
  static IdxEntry point_input(int input);
  static IdxEntry slice(std::optional<int64_t> start, std::optional<int64_t> stop, std::optional<int64_t> step = std::nullopt);

 private:
  Graph& g_;
  std::string path_;
};

// Replaces every use of `from` by `to` in the nodes of `g` (not inside
// nested bodies: a body reads outer values through its scan's inputs).
void replace_uses(Graph& g, Var* from, Var* to);

}  // namespace tgc
