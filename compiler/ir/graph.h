// The IR: typed variables, nodes, and scopes (a scan body is a nested Graph).
//
// A Graph owns its variables and nodes. Variables are inputs, shared
// variables, constants, node outputs, or parameters of a scan body. Node
// inputs may refer to variables of enclosing scopes only through the scan's
// explicit inputs: after loading, every body reads outer values through its
// parameters (captures are turned into non-sequences), so a body is a closed
// function of its parameters and constants.
#pragma once
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "ir/composite.h"
#include "ir/dtype.h"
#include "ir/op.h"
#include "ir/small_vec.h"
#include "ir/tensor.h"

namespace tgc {

enum class TypeKind : uint8_t { Tensor, Csr, Rng };

// The static shape of a type: inline up to 4 dimensions (ir/small_vec.h),
// so that types are copied and compared without touching the heap.
using TypeShape = SmallVec<int64_t, 4>;

struct Type {
  TypeKind kind = TypeKind::Tensor;
  DType dtype = DType::Float64;
  TypeShape shape;  // one entry per dimension; -1: known only at run time

  static Type tensor(DType dt, TypeShape s) { return Type{TypeKind::Tensor, dt, std::move(s)}; }
  static Type csr(DType dt) { return Type{TypeKind::Csr, dt, {-1, -1}}; }
  static Type rng() { return Type{TypeKind::Rng, DType::UInt64, {}}; }

  int ndim() const { return int(shape.size()); }
  bool is_tensor() const { return kind == TypeKind::Tensor; }
  // Theano's broadcastable flag: a static size of 1.
  bool broadcastable(int d) const { return shape[size_t(d)] == 1; }
  bool operator==(const Type& o) const { return kind == o.kind && dtype == o.dtype && shape == o.shape; }
  bool operator!=(const Type& o) const { return !(*this == o); }
  std::string str() const;  // "float64 (?, 4)", "csr float64", "rng"
};

enum class VarKind : uint8_t { Input, Shared, Constant, NodeOutput, Param };

struct Node;
class Graph;

struct alignas(64) Var {
  // What traversals read comes first, in the variable's first cache line:
  // id, marks, the owner (what a topological walk follows) and the scope
  // (which dense tables check); the type, whose shape is inline, follows.
  int id = 0;
  VarKind kind = VarKind::NodeOutput;
  // An inline scalar written without dtype (NEP 50 weak scalar); resolved
  // away when it meets a tensor in an elementwise op.
  WeakKind weak = WeakKind::None;
  int index = 0;  // NodeOutput: which output of owner
  // Where the use table indexing this scope keeps this variable's readers
  // (rewrite/rewrite.h): valid while use_epoch is that table's epoch.
  mutable uint32_t use_epoch = 0;
  mutable uint32_t use_slot = 0;
  // A topological walk (ir/topo_walk.h) sets this to its epoch once the
  // owner is placed, so readers of the value find the owner done from this
  // line, without fetching the owner's.
  mutable uint32_t placed_epoch = 0;
  Node* owner = nullptr;  // NodeOutput: the producing node
  Graph* scope = nullptr;
  Type type;
  std::string name;

  // Constant: its value. Shared: its initial value (Tensor or RngState).
  // Null for the others.
  const std::shared_ptr<const Value>& value() const { return decl_ ? decl_->value : kNoDecl.value; }
  void set_value(std::shared_ptr<const Value> v) {
    if (v || decl_) decl().value = std::move(v);
  }
  // Where it was declared in the graph file: set for inputs, shared
  // variables, constants and body parameters. Empty for the outputs of
  // nodes: their node's path says where they were declared, and storing
  // each one's own ("nodes[12].outputs[0]", longer than a string holds
  // inline) cost a heap block per value, copied again by every extraction.
  const std::string& path() const { return decl_ ? decl_->path : kNoDecl.path; }
  void set_path(std::string p) {
    if (!p.empty() || decl_) decl().path = std::move(p);
  }

  bool is_constant() const { return kind == VarKind::Constant; }
  const Tensor* constant_tensor() const {
    return kind == VarKind::Constant && decl_ && decl_->value ? std::get_if<Tensor>(decl_->value.get()) : nullptr;
  }

 private:
  // What only declared variables (inputs, shared variables, constants,
  // parameters) have, kept out of line: most variables are node outputs,
  // and without these 48 bytes a variable is two cache lines, not three, so
  // a large graph's variables take a third less memory (padding a variable
  // by one more line instead made the 20,000-node optimizer time grow by
  // 0.1 more times the 10,000-node one: tools/bench/README.md).
  struct Decl {
    std::shared_ptr<const Value> value;
    std::string path;
  };
  static const Decl kNoDecl;
  Decl& decl() {
    if (!decl_) decl_ = std::make_unique<Decl>();
    return *decl_;
  }
  std::unique_ptr<Decl> decl_;
};
static_assert(sizeof(Var) == 128, "a variable is two cache lines (see Var::Decl)");

// One bound of a slice, or a single index.
struct IdxBound {
  enum Kind : uint8_t { None, Const, Input } kind = None;
  int64_t value = 0;  // Const
  int input = -1;     // Input: position in the node's inputs
  bool operator==(const IdxBound& o) const { return kind == o.kind && value == o.value && input == o.input; }
};

// One entry of a subtensor's `idx`: an integer or int-variable index (drops
// the dimension), or a slice (keeps it).
struct IdxEntry {
  bool is_slice = false;
  IdxBound point;              // !is_slice
  IdxBound start, stop, step;  // is_slice
  bool operator==(const IdxEntry& o) const {
    return is_slice == o.is_slice && point == o.point && start == o.start && stop == o.stop && step == o.step;
  }
};

// Attributes of every op; each op reads only its own (see ops.def and the
// graph format). Kept in one plain struct so merge can compare them.
struct Attrs {
  std::optional<DType> dtype;     // cast, arange, random_*, zeros_like/ones_like, sum/prod
  bool axis_all = true;           // reductions: axis null
  std::vector<int> axes;          // reductions (as written: may be negative), transpose, join/stack (axes[0])
  bool keepdims = false;
  std::vector<int> pattern;       // dimshuffle: axis numbers, -1 for "x"
  std::optional<Shape> shape;     // reshape / random size given as an attribute
  int ndim = 1;                   // flatten
  int i = 0;                      // shape_i
  std::vector<IdxEntry> idx;      // subtensor family
  std::string message;            // assert
  int n_tensor_inputs = 0;        // subtensor family: tensors before the index inputs
  int n_branch = 0;               // ifelse: outputs per branch; grad: number of wrt
  std::string disconnected = "raise";  // grad
  std::shared_ptr<const ScalarProgram> program;  // composite
  // In-place (set by the inplace rewrites): the output is written into the
  // buffer of this input, which nothing reads afterwards; -1 when not.
  int inplace = -1;
  bool operator==(const Attrs& o) const;
  std::string str() const;        // for printing and merge keys
};

// A node's attributes, kept out of line. Most nodes (elementwise arithmetic,
// dots) have only the defaults and store nothing; the others point to one
// Attrs. Attrs is about 200 bytes: inside Node it made every node 3x larger
// than the fields traversals read, and a traversal of a 20,000-node graph
// touched that much more memory. Reads go through ->; the few writers call
// edit().
//
// Copies share the Attrs (copy on write): extracting a function, cloning a
// body and rules that rebuild a node with its own attributes copy a pointer
// instead of 200 bytes and the attribute's own vectors, and merge finds two
// such nodes' attributes equal from the pointers alone.
class NodeAttrs {
 public:
  NodeAttrs() = default;
  NodeAttrs(Attrs a) { *this = std::move(a); }  // NOLINT: implicit, as Attrs was
  NodeAttrs& operator=(Attrs a);

  const Attrs& operator*() const { return p_ ? *p_ : defaults(); }
  const Attrs* operator->() const { return &**this; }
  operator const Attrs&() const { return **this; }  // NOLINT: reads as an Attrs
  // The node's own attributes, made (or unshared) on first write.
  Attrs& edit();
  bool operator==(const NodeAttrs& o) const { return p_ == o.p_ || **this == *o; }

 private:
  static const Attrs& defaults();
  // null: every attribute has its default. Shared between copies; written
  // only through edit(), which first makes it this node's alone.
  std::shared_ptr<Attrs> p_;
};

// Theano's scan, with the node's inputs laid out as
//   [n_steps]? sequences... | initial values of recurrent outputs... |
//   initial values of shared states... | non-sequences...
// and its outputs as
//   one stacked output per body output | final value of each shared state.
// The body's parameters are: every sequence tap, every recurrent tap, one per
// shared state, every non-sequence, in that order. The body's outputs are:
// one per scan output, one per shared state (its value after the step), and
// the `until` condition last when present.
struct ScanInfo {
  bool has_n_steps = false;  // first input is an integer scalar
  std::vector<std::vector<int>> seq_taps;
  std::vector<std::vector<int>> out_taps;  // per scan output; empty: no recurrence
  int n_shared = 0;  // shared variables / random states updated in the body
  int n_nonseq = 0;
  bool go_backwards = false;
  int truncate_gradient = -1;
  bool has_until = false;
  // Per scan output, the number of last steps kept after the loop (set by
  // scan_save_mem when every reader takes x[-1] .. x[-keep]); 0: all steps.
  // The stacked output then holds only those steps (readers index from the end).
  std::vector<int64_t> keep;
  int64_t kept(int out) const { return size_t(out) < keep.size() ? keep[size_t(out)] : 0; }
  std::unique_ptr<Graph> body;

  int n_seqs() const { return int(seq_taps.size()); }
  int n_outs() const { return int(out_taps.size()); }
  int n_recurrent() const;  // outputs with taps
  // Positions in the node's inputs.
  int seq_input(int k) const { return (has_n_steps ? 1 : 0) + k; }
  int init_input(int out) const;  // requires out_taps[out] non-empty
  int shared_input(int k) const { return seq_input(n_seqs()) + n_recurrent() + k; }
  int nonseq_input(int k) const { return shared_input(n_shared) + k; }
  // Steps of initial value a recurrent output needs: -min(taps).
  int init_depth(int out) const;
};

struct alignas(64) Node {
  // Fields read by every traversal come first and fit in 64 bytes.
  int id = 0;
  Op op = Op::Add;
  // Traversal marks of topo_order and the verifier: valid while visit_epoch
  // is the traversal's (new_visit_epoch()), instead of hash sets.
  mutable uint8_t visit_state = 0;  // 1: on the stack, 2: done
  mutable uint32_t visit_epoch = 0;
  SmallVec<Var*, 3> inputs;   // inline up to 3 (ir/small_vec.h)
  SmallVec<Var*, 1> outputs;  // inline up to 1
  NodeAttrs attrs;
  std::string path;  // JSON path, e.g. "nodes[3]" or "nodes[1].body.nodes[0]"
  std::unique_ptr<ScanInfo> scan;  // set exactly on scans (the verifier checks it)

  // Whether this is a scan, from the first cache line: loops over every
  // node that only look for scans do not fetch the line holding `scan`.
  bool is_scan() const { return op == Op::Scan; }
};

// Stable-address storage of a graph's nodes or variables, built in chunks:
// objects made one after another (a graph is built mostly in topological
// order) share cache lines and pages, so a traversal of a large graph
// touches a fraction of the memory that one heap block per object spreads
// over. Objects live until the pool dies.
template <class T>
class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    for (size_t c = 0; c < chunks_.size(); ++c) {
      size_t n = c + 1 == chunks_.size() ? used_ : kChunk;
      for (size_t i = 0; i < n; ++i) chunks_[c][i].~T();
      ::operator delete(static_cast<void*>(chunks_[c]), std::align_val_t(alignof(T)));
    }
  }
  T* make() {
    if (chunks_.empty() || used_ == kChunk) {
      chunks_.push_back(static_cast<T*>(::operator new(sizeof(T) * kChunk, std::align_val_t(alignof(T)))));
      used_ = 0;
    }
    T* p = new (chunks_.back() + used_) T();
    ++used_;
    return p;
  }

 private:
  static constexpr size_t kChunk = 128;
  std::vector<T*> chunks_;
  size_t used_ = 0;  // objects made in the last chunk
};

class Graph {
 public:
  explicit Graph(Graph* parent = nullptr) : parent_(parent) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  Graph* parent() const { return parent_; }
  void set_parent(Graph* p) { parent_ = p; }

  Var* new_var(std::string name, Type type, VarKind kind);
  Var* new_constant(std::string name, Tensor value);
  // Adds a node and creates its outputs with types from type inference.
  // Throws graph_error(path, ...) on a type or shape error.
  Node* add_node(Op op, std::vector<Var*> inputs, NodeAttrs attrs, std::string path,
                 std::unique_ptr<ScanInfo> scan = nullptr);
  // Adds a node whose output types are given (used when cloning).
  Node* add_node_typed(Op op, std::vector<Var*> inputs, NodeAttrs attrs, std::string path,
                       std::unique_ptr<ScanInfo> scan, const std::vector<Type>& out_types);
  // Makes n compute its outputs as `op` of `inputs` with `attrs`, keeping
  // its output variables (so every reader reads the new computation with no
  // use list to update), when inference gives the new computation exactly
  // the outputs' current types; otherwise leaves n as it was and returns
  // false. Not for scans; another number of outputs or another dtype is the
  // caller's bug (internal_error).
  bool rebuild_node(Node& n, Op op, std::vector<Var*> inputs, NodeAttrs attrs);

  const std::vector<Var*>& vars() const { return vars_; }
  // Every variable and node made in this graph has an id below this bound
  // (ids are dense per graph: tables indexed by id need no hashing).
  int id_bound() const { return next_id_; }
  // The nodes made in this graph and not dropped: in the order they were
  // made, until keep_nodes orders them.
  const std::vector<Node*>& nodes() const { return nodes_; }
  // Whether nodes() holds a node of this op (kept up to date as nodes are
  // added and dropped, so asking costs no traversal).
  bool has_op(Op op) const { return op_count_[size_t(op)] != 0; }

  // Body parameters (scan) in order.
  std::vector<Var*> params;
  // Body outputs (scan): see ScanInfo.
  std::vector<Var*> outputs;

  // The epoch of the use table that marks this scope's variables, 0 when
  // none does (one table at a time owns the marks; see rewrite/rewrite.h).
  mutable uint32_t use_table_epoch = 0;

  // Keeps exactly `live` (nodes of this graph, each listed once) in nodes(),
  // in the order given, and drops the others (used by DCE, which lists the
  // live nodes in topological order); their memory stays with the graph.
  void keep_nodes(std::vector<Node*> live);

 private:
  Graph* parent_;
  Pool<Var> var_pool_;
  Pool<Node> node_pool_;
  std::vector<Var*> vars_;
  std::vector<Node*> nodes_;
  std::vector<uint32_t> op_count_ = std::vector<uint32_t>(size_t(num_ops()), 0);  // nodes_ per op
  int next_id_ = 0;
};

enum class Mode : uint8_t { FastRun, FastCompile, Debug };
std::optional<Mode> mode_from_name(std::string_view s);
std::string_view mode_name(Mode m);

struct Function {
  std::string name;
  std::vector<Var*> inputs;
  std::vector<Var*> outputs;
  std::vector<std::string> output_names;
  std::vector<std::pair<Var*, Var*>> updates;  // shared variable -> its new value
  std::vector<std::pair<Var*, Var*>> givens;   // replaced -> replacement
  std::optional<Mode> mode;
  std::string path;  // "functions[0]"
};

// A loaded graph file.
struct Module {
  std::string name;
  std::string file;  // the graph file, as given on the command line
  std::unique_ptr<Graph> root = std::make_unique<Graph>();
  std::vector<Var*> inputs;
  std::vector<Var*> shared;
  std::vector<Function> functions;

  const Function* find_function(std::string_view name) const;
};

// Type inference: the output types of a node, or graph_error(node.path, ...).
std::vector<Type> infer_types(const Node& node);

// Sets present[op] for the op of every node made in g and not erased, scan
// bodies included: a superset of the live nodes' ops, read from the graphs'
// counts (no traversal).
void mark_ops_present(const Graph& g, std::vector<bool>& present);

// The scans among `order` (nodes of scope g, e.g. a walk's order), found
// without reading the order when g's op counts say it holds none: a loop
// over a large order fetches every node's line again.
std::vector<Node*> scans_in(const Graph& g, const std::vector<Node*>& order);

// Variables of `g` read by nodes of `g` (including through nested bodies'
// scan inputs), in a topological order of the nodes reachable from `roots`.
std::vector<Node*> topo_order(const std::vector<Var*>& roots);

// A fresh epoch for Node::visit_epoch marks; a traversal that takes one must
// not run another inside it.
uint32_t new_visit_epoch();

}  // namespace tgc
