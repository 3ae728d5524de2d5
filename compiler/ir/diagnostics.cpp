#include "ir/diagnostics.h"

#include <cstdio>

namespace tgc {

namespace {
WarningSink& sink() {
  static WarningSink s = [](const std::string& where, const std::string& what) {
    std::fprintf(stderr, "warning: %s%s%s\n", where.c_str(), where.empty() ? "" : ": ", what.c_str());
  };
  return s;
}
}  // namespace

WarningSink set_warning_sink(WarningSink s) {
  WarningSink old = sink();
  sink() = std::move(s);
  return old;
}

void warn(const std::string& where, const std::string& what) { sink()(where, what); }

}  // namespace tgc
