// Old variable -> its copy, for the passes that copy graphs (a function out
// of the module, scan bodies, merged scans).
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tgc {

// A value per variable. The variables of one graph (`dense`: the graph a
// whole function is copied out of, or the function whose code is made) are
// found by id in a flat table, which a pass over a large graph reads in
// about the order the ids were given; a hash map the size of the graph would
// be read at random. Variables of other graphs (scan bodies, enclosing
// scopes) and those made after the table go to a hash map. `none` is the
// value of a variable that has none.
template <class T>
class VarTable {
 public:
  explicit VarTable(const Graph* dense = nullptr, T none = T{}) : dense_(dense), none_(none) {
    if (dense) flat_.assign(size_t(dense->id_bound()), none);
  }
  // v's value, or `none`.
  T find(const Var* v) const {
    if (in_flat(v)) return flat_[size_t(v->id)];
    auto it = other_.find(v);
    return it == other_.end() ? none_ : it->second;
  }
  // v's value, to assign (`none` until then). The reference stays valid
  // while the table lives: the flat table never grows, and the map's
  // entries do not move when it does.
  T& operator[](const Var* v) { return in_flat(v) ? flat_[size_t(v->id)] : other_.try_emplace(v, none_).first->second; }
  // How many variables have a value other than `none`.
  size_t count() const {
    size_t n = 0;
    for (const T& x : flat_) n += x != none_;
    for (const auto& e : other_) n += e.second != none_;
    return n;
  }
  // f(value) for every value other than `none`, in no particular order.
  template <class F>
  void for_each_value(F f) const {
    for (const T& x : flat_)
      if (x != none_) f(x);
    for (const auto& e : other_)
      if (e.second != none_) f(e.second);
  }

 private:
  bool in_flat(const Var* v) const { return v && v->scope == dense_ && size_t(v->id) < flat_.size(); }
  const Graph* dense_;
  T none_;
  std::vector<T> flat_;  // by id
  std::unordered_map<const Var*, T> other_;
};

// Old variable -> its copy (null: none yet).
using VarMap = VarTable<Var*>;

}  // namespace tgc
