// PLACEHOLDER: rules not written yet.
#include "rewrites/rules.h"

namespace tgc::rules {

std::optional<std::vector<Var*>> shape_promotion(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> fill_cut(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> reshape_chain(RewriteContext&, Node&) { return std::nullopt; }

}  // namespace tgc::rules
