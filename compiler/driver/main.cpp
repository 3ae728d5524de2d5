// The `tgc` command: parses options, runs a command, and maps every failure
// to one `error:` line and the exit code of ../shared/spec/cli.md.
#include <cstdio>
#include <exception>
#include <new>

#include "driver/commands.h"
#include "ir/error.h"

using namespace tgc;

namespace {

void print_error(const std::string& file, const Error& e) {
  std::string msg = e.located();
  // One line: indent continuation lines of multi-line details.
  std::string where = file.empty() ? "" : file + ": ";
  std::fprintf(stderr, "error: %s%s\n", where.c_str(), msg.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  driver::CliOptions o;
  try {
    o = driver::parse_options(args);
  } catch (const driver::UsageError& u) {
    std::fprintf(stderr, "error: %s\n", u.message.c_str());
    return int(ExitCode::Usage);
  }
  if (o.help) {
    std::fputs(driver::usage(o.command).c_str(), stdout);
    return 0;
  }
  try {
    if (o.command == "run") return driver::cmd_run(o);
    if (o.command == "compile") return driver::cmd_compile(o);
    if (o.command == "print" || o.command == "dot") return driver::cmd_print(o);
    if (o.command == "rewrites") return driver::cmd_rewrites(o);
  } catch (const Error& e) {
    print_error(o.graph, e);
    return int(e.code());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: %s: out of memory\n", o.graph.c_str());
    return int(ExitCode::Runtime);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s: internal error: %s\n", o.graph.c_str(), e.what());
    return int(ExitCode::Internal);
  }
  return int(ExitCode::Usage);
}
