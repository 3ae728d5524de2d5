// Editing a scan node in place while keeping the ScanInfo layout (graph.h):
// inputs [n_steps]? | sequences | initial values | shared states | non-sequences,
// body parameters in the same groups, outputs | final states. Every edit
// keeps existing Var objects (so references to the scan's outputs stay
// valid) and renumbers output indices.
#pragma once
#include "ir/builder.h"
#include "ir/graph.h"

namespace tgc::scan_edit {

// Index of the first body parameter of each group.
size_t first_seq_param(const ScanInfo& s, int seq);
size_t first_tap_param(const ScanInfo& s, int out);  // requires out to have taps
size_t first_state_param(const ScanInfo& s);
size_t first_nonseq_param(const ScanInfo& s);

// Adds a non-sequence fed by `outer` (a value of the scan's scope); returns
// its body parameter.
Var* add_nonseq(Node& scan, Var* outer, const std::string& name);

// Adds a sequence with taps [0] fed by `outer`; returns its body parameter.
Var* add_sequence(Node& scan, Var* outer, const std::string& name);

// Adds an output without recurrence stacking body value `v` at every step;
// returns the scan's new stacked output (a variable of `scope`).
Var* add_nitsot(Graph& scope, Node& scan, Var* v, const std::string& name);

// Removes output k (no recurrence, or a recurrence whose tap parameters
// nothing reads); its stacked output must be unread. Removes the initial
// value input of a recurrent output.
void remove_output(Node& scan, int k);

// Removes sequence j (its parameters must be unread). Only valid when the
// number of steps does not change (another sequence of the same length
// remains, or n_steps is given and checked elsewhere).
void remove_sequence(Node& scan, int j);

// Removes non-sequence k (its parameter must be unread).
void remove_nonseq(Node& scan, int k);

// Recomputes the scan's output types from its body (after edits).
void refresh_types(Node& scan);

// The number of steps the scan runs, built with `b` in the scan's scope:
// n_steps when given (the scan checks it against its sequences), otherwise
// min over sequences j of max(len_j - (max(taps_j, 0) - min(taps_j, 0)), 0).
// Requires no `until` (the count is then known only after the loop).
Var* step_count(Builder& b, const Node& scan);

}  // namespace tgc::scan_edit
