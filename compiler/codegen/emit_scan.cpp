// scan as a native loop.
#include "codegen/emit_control.h"
#include "ir/error.h"

namespace tgc {

void emit_scan(EmitContext& c, const Node& n) {
  (void)c;
  throw Error(ExitCode::InvalidGraph, n.path, "scan is not supported by the compiled engine yet");
}

}  // namespace tgc
