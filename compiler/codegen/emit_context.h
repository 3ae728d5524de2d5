// State shared by the C++ emitters of one generated function: names of
// variables, their static facts (dtype, shape, contiguity, slot), and helpers
// that spell common statements (allocation, failure, dimension checks).
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/code_writer.h"
#include "ir/graph.h"
#include "ir/var_map.h"
#include "passes/memory_plan.h"
#include "passes/schedule.h"
#include "passes/views.h"

namespace tgc {

// Escapes text for a C string literal used as a printf format.
std::string c_format_string(const std::string& s);
// Escapes text for a plain C string literal.
std::string c_string(const std::string& s);
// An exact C++ literal of element i of t (e.g. "2.0", "0.5f", "int64_t(-3)").
std::string c_literal(const Tensor& t, int64_t i);
// A readable C++ identifier fragment from a user name.
std::string sanitize(const std::string& name, size_t max_len = 24);

// Definitions at file scope of a generated translation unit: constant
// arrays, one per distinct content, so functions of one file that use the
// same constant (the merge of constants across functions) share its array.
struct FileScope {
  std::vector<std::string> defs;                 // in order of first use
  std::map<std::string, std::string> by_content;  // "ctype[n]={...}" -> array name
  // The name of an array of `ctype` holding `values` (a C initializer list).
  std::string constant_array(const std::string& ctype, int64_t n, const std::string& values);
};

class EmitContext {
 public:
  // `function_graph`: the graph whose variables' names are kept by id.
  EmitContext(CodeWriter& w, ViewInfo& views, MemoryPlan& plan, const Graph* function_graph = nullptr)
      : w(w), views(views), plan(plan), name_index_(function_graph, -1) {}

  CodeWriter& w;
  ViewInfo& views;
  MemoryPlan& plan;

  // The C++ name of a variable's local (declared at the top of the function).
  const std::string& name(const Var* v);
  // C++ element type of a tensor variable.
  static std::string ctype(const Var* v) { return std::string(dtype_ctype(v->type.dtype)); }
  static std::string ctype(DType t) { return std::string(dtype_ctype(t)); }
  static std::string dtype_enum(DType t);
  // "tgc::rt::View<double, 2>"
  static std::string view_type(const Var* v);

  // Static size of dimension d, or -1.
  static int64_t static_dim(const Var* v, int d) { return v->type.shape[size_t(d)]; }
  // An expression for dimension d of v ("3" when static, else "v7.n[1]").
  std::string dim(const Var* v, int d);
  // An expression for stride d of v ("0" for broadcast dims, "1" for the last dim of a contiguous var).
  std::string stride(const Var* v, int d);
  bool contiguous(const Var* v) const;
  // A scalar constant: its literal, converted to `as`.
  std::optional<std::string> scalar_constant(const Var* v, DType as) const;

  // Declarations collected while emitting (placed at the top of the function).
  std::vector<std::string> decls;
  // File-scope definitions (constant arrays), shared by the unit's functions.
  FileScope* file_scope = nullptr;

  // Statement that makes the function fail with a run-time error located at
  // `path`: fmt is a printf format (already escaped), args its arguments.
  std::string fail(const std::string& path, const std::string& fmt, const std::string& args = "") const;
  // Emits: allocate storage for `count` elements of out in its slot, set shape dims (expressions) and strides.
  void alloc(const Var* out, const std::vector<std::string>& dims, const std::string& path);
  // Emits a scratch allocation of `count` elements of type `ctype` into pointer `ptr`.
  void alloc_scratch(const std::string& ptr, const std::string& ctype, const std::string& count, const std::string& path);
  // Emits a copy of `src` into contiguous storage for `dst` (its own slot).
  void emit_copy(const Var* src, const Var* dst, const std::string& path);
  // Emits the binding of constant `v` (static array + view) if not done yet.
  void bind_constant(const Var* v);
  // A fresh local name.
  std::string temp(const std::string& stem);
  // `out` is kept in the same C++ variable as `in` (a random state advanced in place).
  void alias_name(const Var* out, const Var* in) {
    name(in);
    int& i = name_index_[out];
    if (i < 0) i = name_index_.find(in);
  }

  std::string ws = "B";  // the workspace buffer array of the function

  // Values whose storage an enclosing construct provides (a scan writes a
  // recurrent output of its body straight into the row of its store):
  // alloc() points them there after checking their shape against `dims`.
  struct External {
    std::string ptr;                // pointer expression
    std::vector<std::string> dims;  // expected sizes (empty: `prepare` records them)
    // Statements run once the result's sizes are set, before `ptr` is taken
    // (a scan output with no initial value learns its row shape from the
    // first step and reserves its rows there).
    std::vector<std::string> prepare;
  };
  std::unordered_map<const Var*, External> external;

 private:
  // Each variable's local: an index into name_list_, a deque, whose names
  // stay where they are as more are added (name() returns a reference).
  VarTable<int> name_index_;
  std::deque<std::string> name_list_;
  std::set<const Var*> bound_constants_;
  int counter_ = 0;
  int temps_ = 0;
};

// Node emitters, one per op family (emit_*.cpp). Each emits the statements
// computing node n's outputs into c.w.
void emit_elemwise(EmitContext& c, const Node& n);
void emit_composite(EmitContext& c, const Node& n);
void emit_cast(EmitContext& c, const Node& n);
void emit_shape_op(EmitContext& c, const Node& n);
void emit_index_op(EmitContext& c, const Node& n);
void emit_reduce(EmitContext& c, const Node& n);
void emit_linalg(EmitContext& c, const Node& n);
void emit_sparse(EmitContext& c, const Node& n);
void emit_neural(EmitContext& c, const Node& n);
void emit_random(EmitContext& c, const Node& n);
void emit_assert(EmitContext& c, const Node& n);

// Elementwise loop over `out` (already allocated, contiguous) whose value at
// each index is expr(operands), operands being the inputs' elements
// converted to the compute types in `as` (one per input).
using ElemExpr = std::string (*)(const Node& n, const std::vector<std::string>& operands);
void emit_elemwise_loop(EmitContext& c, const Var* out, const std::vector<const Var*>& ins, const std::vector<DType>& as,
                        const std::function<std::string(const std::vector<std::string>&)>& expr);
// The same with statements before the value (locals of a fused program):
// body(operands, statements) returns the value and appends statements.
using ElemBody = std::function<std::string(const std::vector<std::string>&, std::vector<std::string>&)>;
void emit_elemwise_loop_body(EmitContext& c, const Var* out, const std::vector<const Var*>& ins,
                             const std::vector<DType>& as, const ElemBody& body, bool out_aliases_input = false);
// The statements (locals t0, t1, ...) evaluating a fused program over
// operand expressions of dtypes `types`; returns the result's expression,
// converted to `out`.
std::string emit_program(const ScalarProgram& p, const std::vector<std::string>& operands, const std::vector<DType>& types,
                         DType out, std::vector<std::string>& stmts);
// Emits the broadcast output dims of `ins` into locals and checks that
// non-broadcast sizes agree; returns the dim expressions.
std::vector<std::string> emit_broadcast_dims(EmitContext& c, const Var* out, const std::vector<const Var*>& ins,
                                             const std::string& path, const std::string& what);

}  // namespace tgc
