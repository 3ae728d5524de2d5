// Building generated libraries ahead of the tests that load them, on every
// core: the tests then find them in the build cache.
#pragma once
#include <vector>

#include "codegen/cpu_target.h"

namespace tgc::test {

// Builds each unit's library (largest first, so the last builds to finish
// are short ones). Build failures are left for the tests to report.
void build_in_parallel(std::vector<GeneratedUnit> units);

}  // namespace tgc::test
