// Command-line options of `tgc` (../shared/spec/cli.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tgc::driver {

struct CliOptions {
  std::string command;  // run, compile, print, dot, rewrites
  std::string graph;
  std::string function;
  std::string inputs, outputs, shared_in, shared_out, out_dir;
  int64_t calls = 1;
  std::string target = "cpu";
  std::string engine = "compiled";
  std::optional<Mode> mode;
  bool optimized = false;
  bool trace = false;
  bool profile = false;
  bool print = false;  // run: print the outputs on stdout
  bool help = false;
  std::vector<std::string> excluding, including;
};

// Thrown for usage errors (exit 1).
struct UsageError {
  std::string message;
};

// Parses argv (without the program name); throws UsageError.
CliOptions parse_options(const std::vector<std::string>& args);

// The help text of a command ("" for the overview).
std::string usage(const std::string& command);

}  // namespace tgc::driver
