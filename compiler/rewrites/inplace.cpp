// PLACEHOLDER
#include "rewrites/rules.h"
namespace tgc::rules {
bool inplace_setsubtensor(FunctionGraph&, RewriteTrace&) { return false; }
bool inplace_elemwise(FunctionGraph&, RewriteTrace&) { return false; }
bool inplace_random(FunctionGraph&, RewriteTrace&) { return false; }
}  // namespace tgc::rules
