// Emission of a scheduled scope: nodes in order, ifelse as lazy branches,
// scan as a loop (emit_scan.cpp).
#pragma once
#include "codegen/emit_context.h"
#include "passes/schedule.h"

namespace tgc {

// Emits the nodes of region `region` of schedule `s` (ifelse branches nested).
void emit_scope(EmitContext& c, const Schedule& s, int region);
// Emits one node that is not an ifelse.
void emit_node(EmitContext& c, const Node& n);
// Emits a scan node as a loop (emit_scan.cpp).
void emit_scan(EmitContext& c, const Node& n);

}  // namespace tgc
