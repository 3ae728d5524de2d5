/* Profiling counters of generated code (`tgc run --profile`, or generated
 * with CodegenOptions::profile). Code generated without profiling neither
 * includes this header nor exports these functions.
 *
 * A profiled module exports, beside its entry points:
 *
 *   int <prefix>_profile(<prefix>_model* m, const char* function,
 *                        tgc_profile_record* records, int capacity);
 *     Fills up to `capacity` records, one per scheduled node of `function`
 *     (nodes of scan bodies and ifelse branches included), in emission
 *     order; returns the number of nodes (-1: no such function).
 *   int <prefix>_profile_function(<prefix>_model* m, const char* function,
 *                                 tgc_profile_function* out);
 *     Calls and time of the whole function; returns 0 (-1: no such function).
 *   int <prefix>_profile_buffers(<prefix>_model* m, const char* function,
 *                                tgc_profile_buffer* buffers, int capacity);
 *     The workspace buffers of the function and their sizes after the calls;
 *     returns their number (-1: no such function).
 *
 * The strings of a record are static (they live as long as the library). */
#ifndef TGC_PROFILE_H
#define TGC_PROFILE_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output kinds, indices of tgc_profile_record::bytes. */
enum tgc_profile_kind { TGC_PROFILE_CREATED = 0, TGC_PROFILE_INPLACE = 1, TGC_PROFILE_VIEW = 2 };

typedef struct tgc_profile_record {
  int32_t index;       /* position in emission order: a scan's or an ifelse's nodes follow it */
  int32_t parent;      /* index of the enclosing scan or ifelse, -1 at the top level */
  int32_t depth;       /* nesting depth (0 at the top level) */
  const char* path;    /* JSON path, e.g. "nodes[3]" or "nodes[1].body.nodes[0]" */
  const char* op;      /* the op and its attributes, e.g. "sum{axis=0}" */
  const char* op_type; /* the op without attributes, e.g. "sum" */
  const char* family;  /* e.g. "elemwise", "linalg", "control" */
  const char* apply;   /* the node with its inputs, e.g. "dot22(x, W1)" */
  const char* outputs; /* one letter per tensor output: c (created), i (in place), v (view) */
  uint64_t calls;      /* times the node ran (once per step in a scan body) */
  uint64_t ns;         /* nanoseconds, nested nodes included for scan and ifelse */
  int64_t bytes[3];    /* bytes of its tensor outputs at its last run, by tgc_profile_kind */
} tgc_profile_record;

typedef struct tgc_profile_function {
  uint64_t calls;    /* calls that succeeded */
  uint64_t ns;       /* their total time, input checks, output copies and updates included */
  int32_t n_nodes;   /* records */
  int32_t n_buffers; /* workspace buffers */
} tgc_profile_function;

typedef struct tgc_profile_buffer {
  int32_t index;    /* slot of the workspace */
  int32_t n_values; /* tensors the static memory plan keeps in it (0: scratch of ops and copies) */
  int64_t bytes;    /* its capacity after the calls (grow-only, 64-byte granules) */
} tgc_profile_buffer;

#ifdef __cplusplus
}

#include <time.h>

// Used by generated code only.
namespace tgc::prof {

// Counters of one node (or of a whole function).
struct Counter {
  uint64_t calls = 0;
  uint64_t ns = 0;
  int64_t bytes[3] = {0, 0, 0};
};

// What the code generator knows of a node.
struct NodeInfo {
  int32_t index, parent, depth;
  const char *path, *op, *op_type, *family, *apply, *outputs;
};

inline uint64_t now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

inline void stop(Counter& c, uint64_t t0) {
  c.ns += now() - t0;
  ++c.calls;
}

inline int fill(const NodeInfo* info, const Counter* counters, int n, tgc_profile_record* r, int capacity) {
  for (int k = 0; k < n && k < capacity && r; ++k) {
    const NodeInfo& i = info[k];
    r[k].index = i.index;
    r[k].parent = i.parent;
    r[k].depth = i.depth;
    r[k].path = i.path;
    r[k].op = i.op;
    r[k].op_type = i.op_type;
    r[k].family = i.family;
    r[k].apply = i.apply;
    r[k].outputs = i.outputs;
    r[k].calls = counters[k].calls;
    r[k].ns = counters[k].ns;
    for (int j = 0; j < 3; ++j) r[k].bytes[j] = counters[k].bytes[j];
  }
  return n;
}

// B is tgc::rt::Buffer (kept generic so that this header needs no other).
template <class B> inline int fill_buffers(const B* ws, const int32_t* n_values, int n, tgc_profile_buffer* b, int capacity) {
  for (int k = 0; k < n && k < capacity && b; ++k) {
    b[k].index = k;
    b[k].n_values = n_values[k];
    b[k].bytes = int64_t(ws[k].cap);
  }
  return n;
}

}  // namespace tgc::prof
#endif
#endif
