#include "rewrite/database.h"

#include <algorithm>
#include <sstream>

#include "ir/error.h"
#include "rewrites/rules.h"

namespace tgc {

namespace {

std::vector<std::string> split_tags(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> t;
  std::string w;
  while (in >> w) t.push_back(w);
  return t;
}

// The ops a rule may fire on (a global pass: change anything around), as
// one flag per op.
std::vector<bool> parse_anchors(const char* rule, const std::string& text) {
  std::vector<bool> on(size_t(num_ops()), false);
  for (const std::string& w : split_tags(text)) {
    if (w == "*") {
      on.assign(on.size(), true);
    } else if (w == "@elemwise") {
      for (int i = 0; i < num_ops(); ++i) {
        OpFamily f = op_info(Op(i)).family;
        if (f == OpFamily::Elemwise || f == OpFamily::Cast) on[size_t(i)] = true;
      }
    } else if (w == "@fused" || w == "@random") {
      OpFamily want = w == "@fused" ? OpFamily::Fused : OpFamily::Random;
      for (int i = 0; i < num_ops(); ++i)
        if (op_info(Op(i)).family == want) on[size_t(i)] = true;
    } else if (auto op = op_from_name(w)) {
      on[size_t(*op)] = true;
    } else {
      throw internal_error(std::string("rewrites.def: rule ") + rule + " anchors on unknown op " + w);
    }
  }
  return on;
}

}  // namespace

const std::vector<RewriteInfo>& all_rewrites() {
  static const std::vector<RewriteInfo> db = [] {
    std::vector<RewriteInfo> v;
#define TGC_LOCAL(name, group, tags, anchors, doc) \
  v.push_back({#name, group, split_tags(tags), &rules::name, nullptr, doc, parse_anchors(#name, anchors)});
#define TGC_GLOBAL(name, group, tags, anchors, doc) \
  v.push_back({#name, group, split_tags(tags), nullptr, &rules::name, doc, parse_anchors(#name, anchors)});
#include "rewrites/rewrites.def"
#undef TGC_LOCAL
#undef TGC_GLOBAL
    return v;
  }();
  return db;
}

const std::vector<GroupStep>& group_order() {
  // The scan rewrites build index arithmetic and new dots outside loops,
  // which merge, canonicalize and specialize then simplify. BLAS before
  // fusion, as in the seed's list (and Theano's optdb): fusion would
  // otherwise absorb the adds and muls around a dot that gemm replaces.
  static const std::vector<GroupStep> order = {
      {"merge", ""},        {"canonicalize", ""},      {"stabilize", ""},       {"specialize", ""},
      {"scan", ""},         {"merge", "scan"},         {"canonicalize", "scan"}, {"specialize", "scan"},
      {"blas", ""},         {"fusion", ""},            {"inplace", ""},         {"merge", ""}};
  return order;
}

bool RewriteSelection::enabled(const RewriteInfo& r) const {
  auto named = [&](const std::vector<std::string>& list) {
    for (const std::string& x : list) {
      if (x == r.name) return true;
      if (std::find(r.tags.begin(), r.tags.end(), x) != r.tags.end()) return true;
    }
    return false;
  };
  if (named(excluding)) return false;
  std::string mode_tag = mode == Mode::FastCompile ? "fast_compile" : "fast_run";
  bool on = std::find(r.tags.begin(), r.tags.end(), mode_tag) != r.tags.end();
  return on || named(including);
}

void check_selection(const RewriteSelection& s) {
  for (const auto* list : {&s.including, &s.excluding})
    for (const std::string& x : *list) {
      bool known = false;
      for (const RewriteInfo& r : all_rewrites())
        known = known || r.name == x || std::find(r.tags.begin(), r.tags.end(), x) != r.tags.end();
      if (!known) throw Error(ExitCode::Usage, "", "no rewrite or tag named \"" + x + "\" (see tgc rewrites)");
    }
}

std::vector<const RewriteInfo*> group_rewrites(const RewriteSelection& s, const std::string& group) {
  std::vector<const RewriteInfo*> r;
  for (const RewriteInfo& info : all_rewrites())
    if (info.group == group && s.enabled(info)) r.push_back(&info);
  return r;
}

}  // namespace tgc
