// Errors carry the exit code of the CLI contract (../shared/spec/cli.md) and a
// location: a JSON path in the graph file, or an input's name.
#pragma once
#include <stdexcept>
#include <string>

namespace tgc {

enum class ExitCode : int { Ok = 0, Usage = 1, InvalidGraph = 2, Runtime = 3, Internal = 4 };

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string where, const std::string& what)
      : std::runtime_error(what), code_(code), where_(std::move(where)) {}
  ExitCode code() const { return code_; }
  const std::string& where() const { return where_; }
  // "where: what", or "what" when there is no location.
  std::string located() const { return where_.empty() ? what() : where_ + ": " + what(); }

 private:
  ExitCode code_;
  std::string where_;
};

// Invalid graph (exit 2): parse, schema, type or shape error before running.
inline Error graph_error(std::string where, const std::string& what) {
  return Error(ExitCode::InvalidGraph, std::move(where), what);
}
// Run-time error (exit 3): bad input file, index out of range, failed assert.
inline Error run_error(std::string where, const std::string& what) {
  return Error(ExitCode::Runtime, std::move(where), what);
}
// A bug in tgc (exit 4).
inline Error internal_error(const std::string& what) { return Error(ExitCode::Internal, "", what); }

}  // namespace tgc
