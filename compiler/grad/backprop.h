// Reverse-mode differentiation of a graph scope.
//
// Gradients flow from seed variables (the cost, or a scan body's outputs)
// back through the nodes that compute them, in reverse topological order;
// each node's rule (rules_*.cpp) gives its inputs' gradients from its
// outputs'. Contributions to one variable are summed. Nodes exclusive to a
// branch of an ifelse are differentiated inside that branch and their
// contributions leave it through a new ifelse, so the gradient of an untaken
// branch is never computed (lazy, as Theano's IfElse gradient).
//
// Gradient nodes are built in `bwd` (the forward scope itself for a
// function; the backward body for a scan), reading forward values directly;
// the scan rule turns reads across scopes into stored values afterwards.
#pragma once
#include <set>
#include <unordered_set>
#include <unordered_map>
#include <vector>

#include "ir/builder.h"
#include "ir/graph.h"

namespace tgc {

class Backprop {
 public:
  Backprop(Graph& fwd, Graph& bwd, std::string path) : fwd_(fwd), bwd_(bwd), path_(std::move(path)) {}

  // Variables gradients must not flow through (consider_constant).
  std::set<const Var*> stop;
  // When set, only these variables need gradients (those that depend on a
  // variable whose gradient was asked for); nodes with no needed input are
  // not differentiated, so no work is spent on gradients nobody reads.
  bool prune = false;
  std::unordered_set<const Var*> needed;
  bool needs(const Var* v) const { return !prune || needed.count(v) != 0; }

  // Propagates from `seeds` (forward variable, its gradient) and returns the
  // gradient of every variable reached (float variables only).
  std::unordered_map<const Var*, Var*> run(const std::vector<std::pair<Var*, Var*>>& seeds);

  Graph& fwd() { return fwd_; }
  Graph& bwd() { return bwd_; }
  const std::string& path() const { return path_; }

 private:
  void process_region(const struct Schedule& s, int region, std::unordered_map<const Var*, Var*>& grads);
  void differentiate_ifelse(const struct Schedule& s, const Node& n, std::unordered_map<const Var*, Var*>& grads);

  Graph& fwd_;
  Graph& bwd_;
  std::string path_;
};

// The variables among those computing `roots` that depend on `sources`
// (sources included): the ones whose gradients can be non-zero.
std::unordered_set<const Var*> depending_on(const std::vector<Var*>& roots, const std::vector<const Var*>& sources);

// Adds g to the gradient accumulated for v (creating it when absent).
void accumulate(Builder& b, std::unordered_map<const Var*, Var*>& grads, const Var* v, Var* g);

// True when gradients flow through values of this type.
inline bool differentiable(const Var* v) { return v->type.is_tensor() && is_float(v->type.dtype); }

// The gradient rule of one node (not ifelse): the gradients of its inputs
// (null where none flows) given its outputs' gradients (null: zero).
std::vector<Var*> grad_rule(Backprop& bp, Builder& b, const Node& n, const std::vector<Var*>& gout);

// Rule families (rules_*.cpp, grad_scan.cpp).
std::vector<Var*> grad_elemwise(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_shape(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_index(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_reduce(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_linalg(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_neural(Builder& b, const Node& n, Var* gz);
std::vector<Var*> grad_scan(Backprop& bp, const Node& n, const std::vector<Var*>& gout);

}  // namespace tgc
