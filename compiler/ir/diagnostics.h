// Warnings: the compiler reports them through one sink, which the driver
// sets to print `warning: <file>: <where>: <what>` on standard error.
#pragma once
#include <functional>
#include <string>

namespace tgc {

using WarningSink = std::function<void(const std::string& where, const std::string& what)>;

// Replaces the sink; returns the previous one. The default prints to stderr.
WarningSink set_warning_sink(WarningSink sink);
void warn(const std::string& where, const std::string& what);

}  // namespace tgc
