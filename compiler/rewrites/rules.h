// Declarations of every rule of rewrites.def (one definition each in the
// rule files of this folder, named after their family).
#pragma once
#include "passes/function_graph.h"
#include "rewrite/rewrite.h"

namespace tgc {
class ReaderCounts;  // rewrite/driver.h
}

namespace tgc::rules {

#define TGC_LOCAL(name, group, tags, anchors, doc) std::optional<std::vector<Var*>> name(RewriteContext& ctx, Node& n);
#define TGC_GLOBAL(name, group, tags, anchors, doc) bool name(FunctionGraph& fg, RewriteTrace& trace);
#include "rewrites/rewrites.def"

// Moves the loop-invariant work of one scan's body before the loop (the
// work of scan_pushout_nonseq for one scan; other scan rules reuse it).
bool hoist_invariants(Graph& outer, Node& scan, RewriteTrace& trace);

// Clears the in-place marks among `order` (one scope's nodes in topological
// order, `u` its reader counts) whose destroyed input gained readers since
// they were made (the final merge can make two readers of one value out of
// two values). Scan bodies are scopes of their own: the caller's to visit.
bool revalidate_inplace_marks(const std::vector<Node*>& order, const ReaderCounts& u);

}  // namespace tgc::rules
