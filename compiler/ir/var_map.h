// Old variable -> its copy, for the passes that copy graphs (a function out
// of the module, scan bodies, merged scans).
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tgc {

// The variables of one graph (`dense`: the graph a whole function is copied
// out of) are found by id in a flat table, which a copy of a large graph
// reads in about the order the ids were given; a hash map the size of the
// graph would be read at random. Variables of other graphs (scan bodies,
// enclosing scopes) go to a hash map.
class VarMap {
 public:
  explicit VarMap(const Graph* dense = nullptr) : dense_(dense) {
    if (dense) flat_.assign(size_t(dense->id_bound()), nullptr);
  }
  // The copy of v, or null when v has none.
  Var* find(const Var* v) const {
    if (in_flat(v)) return flat_[size_t(v->id)];
    auto it = other_.find(v);
    return it == other_.end() ? nullptr : it->second;
  }
  // The copy of v, to assign.
  Var*& operator[](const Var* v) { return in_flat(v) ? flat_[size_t(v->id)] : other_[v]; }

 private:
  bool in_flat(const Var* v) const { return v && v->scope == dense_ && size_t(v->id) < flat_.size(); }
  const Graph* dense_;
  std::vector<Var*> flat_;  // by id
  std::unordered_map<const Var*, Var*> other_;
};

}  // namespace tgc
