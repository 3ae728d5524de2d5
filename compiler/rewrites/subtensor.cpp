// PLACEHOLDER: rules not written yet.
#include "rewrites/rules.h"

namespace tgc::rules {

std::optional<std::vector<Var*>> inc_subtensor_serialize(RewriteContext&, Node&) { return std::nullopt; }

}  // namespace tgc::rules
