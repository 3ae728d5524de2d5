// PLACEHOLDER: rules not written yet.
#include "rewrites/rules.h"

namespace tgc::rules {

std::optional<std::vector<Var*>> add_canonicalize(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> mul_canonicalize(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> neg_neg(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> neg_div_neg(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> constant_elimination(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> add_specialize(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> mul_specialize(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> pow_specialize(RewriteContext&, Node&) { return std::nullopt; }
std::optional<std::vector<Var*>> sum_scalar_mul(RewriteContext&, Node&) { return std::nullopt; }

}  // namespace tgc::rules
