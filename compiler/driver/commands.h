// The commands of `tgc`; each returns the process exit code and throws
// tgc::Error for errors that carry one.
#pragma once
#include "driver/options.h"

namespace tgc::driver {

int cmd_run(const CliOptions& o);
int cmd_compile(const CliOptions& o);
int cmd_print(const CliOptions& o);  // print and dot
int cmd_rewrites(const CliOptions& o);

}  // namespace tgc::driver
