// Building generated code into a shared library, cached by content hash: a
// second run of the same graph with the same compiler, flags and runtime
// headers finds the library and does not recompile.
#pragma once
#include <string>
#include <vector>

#include "codegen/cpu_target.h"

namespace tgc::driver {

struct BuildResult {
  std::string library;  // path of the shared library
  bool cached = false;  // found in the cache
  double seconds = 0;   // time spent compiling (0 when cached)
};

// Directory of the runtime headers generated code includes.
std::string runtime_include_dir();
// The cache directory (created if needed).
std::string cache_dir();
// The command line that builds `source` into `library`.
std::vector<std::string> build_command(const std::string& source, const std::string& library);

// Builds (or finds) the library for `unit`; throws internal_error when the
// C++ compiler rejects generated code (with the compiler's first errors).
BuildResult build_library(const GeneratedUnit& unit);

}  // namespace tgc::driver
