// local_remove_all_assert: unsafe; the user vouches that the graph's
// assertions hold, so they are not checked at run time.
#include "rewrites/rules.h"

namespace tgc::rules {

// assert(x, c...) -> x
std::optional<std::vector<Var*>> local_remove_all_assert(RewriteContext& ctx, Node& n) {
  (void)ctx;
  if (n.op != Op::Assert) return std::nullopt;
  return std::vector<Var*>{n.inputs[0]};
}

}  // namespace tgc::rules
