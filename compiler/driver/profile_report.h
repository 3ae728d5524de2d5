// The report `tgc run --profile` prints, in the spirit of Theano's
// ProfileMode: the function summary, time by op type ("Single Op-wise") and
// by op with attributes ("Op-wise"), by node ("Apply-wise"), and memory:
// what the function's values would take if each had its own buffer, what
// the workspace buffers of the static memory plan hold, and what views,
// in-place operations and buffer reuse saved.
//
// Assumes: counters read from generated code built with profiling (see
// tgc/profile.h): node records in emission order, parents before children.
// Guarantees: the report is a pure function of the profile (deterministic
// order: ties broken by node index).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tgc::driver {

struct NodeProfile {
  int index = 0, parent = -1, depth = 0;
  std::string path, op, op_type, family, apply, outputs;
  uint64_t calls = 0, ns = 0;  // ns: nested nodes included (scan, ifelse)
  int64_t bytes[3] = {0, 0, 0};  // output bytes at the last run: created, in place, view
};

struct BufferProfile {
  int index = 0;
  int n_values = 0;  // values planned into it; 0: scratch
  int64_t bytes = 0; // capacity after the calls
};

struct FunctionProfile {
  std::string function;
  uint64_t calls = 0, ns = 0;
  std::vector<NodeProfile> nodes;
  std::vector<BufferProfile> buffers;
};

// Each node's own time: a scan's or an ifelse's time less that of the nodes
// directly inside it.
std::vector<uint64_t> self_times(const FunctionProfile& p);

// Memory of one function, in bytes. Sizes are counted as the workspace
// allocates them (at least 64 bytes, in 64-byte granules), so that the
// figures compare with the buffers' capacities.
struct MemorySummary {
  int64_t created = 0;      // outputs with storage of their own
  int64_t inplace = 0;      // outputs written into an input's buffer
  int64_t view = 0;         // outputs sharing another value's storage
  int64_t scratch = 0;      // buffers holding no value (temporaries of ops, copies of outputs)
  int64_t without_plan = 0; // created + inplace + view + scratch: every value its own buffer
  int64_t with_plan = 0;    // the workspace buffers' capacities
  // Their sum is without_plan - with_plan. saved_reuse is created less the
  // capacity of the buffers holding values: negative when those hold more
  // than the last call's values need (a scan's store reserves rows ahead).
  int64_t saved_view = 0, saved_inplace = 0, saved_reuse = 0;
};
MemorySummary memory_summary(const FunctionProfile& p);
// The size the workspace allocates for `bytes` bytes.
int64_t allocated_size(int64_t bytes);

// The whole report; `top` bounds the per-node lists.
std::string profile_report(const FunctionProfile& p, size_t top = 20);

}  // namespace tgc::driver
