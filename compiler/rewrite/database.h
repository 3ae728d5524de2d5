// The rewrite database: every rule of rewrites/rewrites.def with its group
// and tags, the order groups run in, and what a mode enables.
#pragma once
#include <string>
#include <vector>

#include "rewrite/rewrite.h"

namespace tgc {

struct RewriteInfo {
  std::string name;
  std::string group;
  std::vector<std::string> tags;
  LocalRewrite local = nullptr;
  GlobalRewrite global = nullptr;
  std::string doc;  // one line: what it does
  // Per op, whether the rule can fire on it (a global pass: change anything
  // around it); empty: every op.
  std::vector<bool> anchors;
  bool anchored_on(Op op) const { return anchors.empty() || anchors[size_t(op)]; }
};

const std::vector<RewriteInfo>& all_rewrites();

// One step of the pipeline: a group's rules, run unconditionally or only
// when an earlier group changed the graph.
struct GroupStep {
  std::string group;
  std::string if_changed;  // "": always; else run only if this group fired
};

// The groups in pipeline order (the first and last are "merge").
const std::vector<GroupStep>& group_order();

struct RewriteSelection {
  Mode mode = Mode::FastRun;
  std::vector<std::string> including, excluding;  // rule names or tags
  bool enabled(const RewriteInfo& r) const;
};

// Throws Error(Usage) when a name in including/excluding is neither a rule nor a tag.
void check_selection(const RewriteSelection& s);

// The enabled rules of one group, in database order.
std::vector<const RewriteInfo*> group_rewrites(const RewriteSelection& s, const std::string& group);

}  // namespace tgc
