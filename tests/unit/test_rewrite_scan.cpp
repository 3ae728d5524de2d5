// Tests of the scan rewrites: the graph before, the graph expected after
// (Theano's scan-aware debugprint), a case where the rule must not fire, and
// a numeric check with the reference interpreter.
#include <doctest/doctest.h>

#include "rewrite_check.h"

using namespace tgc;

namespace {

// An RNN whose body has loop-invariant work (transpose of W), an input
// projection of the current element (x_t . Wt) and a recurrence (h . W).
const char* kRnn = R"({"format": "tgc-graph", "version": 1, "name": "t",
 "inputs": [{"name": "x", "dtype": "float64", "shape": [null, 3]}, {"name": "W", "dtype": "float64", "shape": [3, 3]}],
 "constants": [{"name": "h0", "dtype": "float64", "shape": [3], "value": [0, 0, 0]}],
 "nodes": [{"op": "scan", "sequences": ["x"], "outputs_info": ["h0"], "non_sequences": ["W"],
   "body": {"inputs": ["x_t", "h", "W_s"],
     "nodes": [{"op": "transpose", "inputs": ["W_s"], "outputs": ["Wt"]},
               {"op": "dot", "inputs": ["x_t", "Wt"], "outputs": ["xw"]},
               {"op": "dot", "inputs": ["h", "W_s"], "outputs": ["hw"]},
               {"op": "add", "inputs": ["xw", "hw"], "outputs": ["pre"]},
               {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
     "outputs": ["h_t"]},
   "outputs": ["H"]},
   {"op": "subtensor", "inputs": ["H"], "idx": [-1], "outputs": ["last"]}],
 "functions": [{"name": "f", "inputs": ["x", "W"], "outputs": ["H", "last"]},
               {"name": "g", "inputs": ["x", "W"], "outputs": ["last"]}]})";

// A scan with nothing to move: the body reads only the recurrence.
const char* kPlain = R"({"format": "tgc-graph", "version": 1, "name": "t",
 "inputs": [{"name": "a", "dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int64", "shape": []}],
 "nodes": [{"op": "scan", "outputs_info": ["a"], "n_steps": "k",
   "body": {"inputs": ["p"], "nodes": [{"op": "mul", "inputs": ["p", "p"], "outputs": ["q"]}], "outputs": ["q"]},
   "outputs": ["R"]}],
 "functions": [{"name": "f", "inputs": ["a", "k"], "outputs": ["R"]}]})";

}  // namespace

TEST_CASE("rewrite scan_pushout_nonseq: transpose(W) is computed once, before the loop") {
  test::RewriteRun r = test::apply_rule(kRnn, "f", "scan_pushout_nonseq");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "scan{seqs=[[0]] outs=[[-1]] nonseqs=2} [id A] 'H' float64 (?, 3)\n"
        " |x [id B] float64 (?, 3)\n"
        " |TensorConstant{[0.0, 0.0, 0.0]} [id C] 'h0' float64 (3,)\n"
        " |W [id D] float64 (3, 3)\n"
        " |transpose [id E] 'Wt' float64 (3, 3)\n"
        " | |W [id D] float64 (3, 3)\n"
        "subtensor{idx=[-1]} [id F] 'last' float64 (3,)\n"
        " |scan{seqs=[[0]] outs=[[-1]] nonseqs=2} [id A] 'H' float64 (?, 3)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[[0]] outs=[[-1]] nonseqs=2} [id A]\n"
        " >tanh [id G] 'h_t' float64 (3,)\n"
        " > |add [id H] 'pre' float64 (3,)\n"
        " > | |dot [id I] 'xw' float64 (3,)\n"
        " > | | |x_t [id J] float64 (3,) (sequence 0, tap 0) -> [id B]\n"
        " > | | |Wt [id K] float64 (3, 3) (non-sequence 1) -> [id E]\n"
        " > | |dot [id L] 'hw' float64 (3,)\n"
        " > | | |h [id M] float64 (3,) (output 0, tap -1) -> [id C]\n"
        " > | | |W_s [id N] float64 (3, 3) (non-sequence 0) -> [id D]\n");
  test::check_rule_numerically(kRnn, "f", "scan_pushout_nonseq");
  CHECK(test::apply_rule(kPlain, "f", "scan_pushout_nonseq").fired == 0);
}

// An RNN whose input projection x_t . U reads a sequence and a non-sequence.
const char* kRnnProj = R"({"format": "tgc-graph", "version": 1, "name": "t",
 "inputs": [{"name": "x", "dtype": "float64", "shape": [null, 3]}, {"name": "U", "dtype": "float64", "shape": [3, 3]},
            {"name": "W", "dtype": "float64", "shape": [3, 3]}],
 "constants": [{"name": "h0", "dtype": "float64", "shape": [3], "value": [0, 0, 0]}],
 "nodes": [{"op": "scan", "sequences": ["x"], "outputs_info": ["h0"], "non_sequences": ["U", "W"],
   "body": {"inputs": ["x_t", "h", "U_s", "W_s"],
     "nodes": [{"op": "dot", "inputs": ["x_t", "U_s"], "outputs": ["xw"]},
               {"op": "dot", "inputs": ["h", "W_s"], "outputs": ["hw"]},
               {"op": "add", "inputs": ["xw", "hw"], "outputs": ["pre"]},
               {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
     "outputs": ["h_t"]},
   "outputs": ["H"]}],
 "functions": [{"name": "f", "inputs": ["x", "U", "W"], "outputs": ["H"]}]})";

TEST_CASE("rewrite scan_pushout_seq: the input projection of every step is one dot before the loop") {
  test::RewriteRun r = test::apply_rule(kRnnProj, "f", "scan_pushout_seq");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "scan{seqs=[[0]] outs=[[-1]] nonseqs=2} [id A] 'H' float64 (?, 3)\n"
        " |dot [id B] float64 (?, 3)\n"
        " | |x [id C] float64 (?, 3)\n"
        " | |U [id D] float64 (3, 3)\n"
        " |TensorConstant{[0.0, 0.0, 0.0]} [id E] 'h0' float64 (3,)\n"
        " |U [id D] float64 (3, 3)\n"
        " |W [id F] float64 (3, 3)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[[0]] outs=[[-1]] nonseqs=2} [id A]\n"
        " >tanh [id G] 'h_t' float64 (3,)\n"
        " > |add [id H] 'pre' float64 (3,)\n"
        " > | |xw [id I] float64 (3,) (sequence 0, tap 0) -> [id B]\n"
        " > | |dot [id J] 'hw' float64 (3,)\n"
        " > | | |h [id K] float64 (3,) (output 0, tap -1) -> [id E]\n"
        " > | | |W_s [id L] float64 (3, 3) (non-sequence 1) -> [id F]\n");
  test::check_rule_numerically(kRnnProj, "f", "scan_pushout_seq");
  CHECK(test::apply_rule(kPlain, "f", "scan_pushout_seq").fired == 0);
}

TEST_CASE("rewrite scan_save_mem: an output read only at [-1] keeps one step") {
  test::RewriteRun r = test::apply_rule(kRnn, "g", "scan_save_mem");
  CHECK(r.fired == 1);
  CHECK(r.after.find("keep") == std::string::npos);  // the kept count is not printed
  test::check_rule_numerically(kRnn, "g", "scan_save_mem");
  // Must not fire: function f returns the whole sequence H too.
  CHECK(test::apply_rule(kRnn, "f", "scan_save_mem").fired == 0);
}

TEST_CASE("rewrite scan_pushout_dot: a sum of per-step dots becomes one dot after the loop") {
  // acc_t = acc_{t-1} + dot(transpose(x_t), y_t): the weight gradient of a
  // layer over a sequence; after: x^T y over all rows at once.
  const char* g = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "x", "dtype": "float64", "shape": [null, 2, 3]}, {"name": "y", "dtype": "float64", "shape": [null, 2, 4]}],
   "constants": [{"name": "z", "dtype": "float64", "shape": [3, 4], "value": {"fill": 0.0}}],
   "nodes": [{"op": "scan", "sequences": ["x", "y"], "outputs_info": ["z"],
     "body": {"inputs": ["x_t", "y_t", "acc"],
       "nodes": [{"op": "transpose", "inputs": ["x_t"], "outputs": ["xT"]},
                 {"op": "dot", "inputs": ["xT", "y_t"], "outputs": ["p"]},
                 {"op": "add", "inputs": ["acc", "p"], "outputs": ["acc2"]}],
       "outputs": ["acc2"]},
     "outputs": ["accs"]},
     {"op": "subtensor", "inputs": ["accs"], "idx": [-1], "outputs": ["total"]}],
   "functions": [{"name": "f", "inputs": ["x", "y"], "outputs": ["total"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "scan_pushout_dot");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "add [id A] float64 (3, 4)\n"
        " |TensorConstant{(3, 4) of 0.0} [id B] 'z' float64 (3, 4)\n"
        " |dot [id C] float64 (?, ?)\n"
        " | |transpose [id D] float64 (?, ?)\n"
        " | | |reshape [id E] float64 (?, ?)\n"
        " | | | |subtensor{idx=[0:$1]} [id F] float64 (?, 2, 3)\n"
        " | | | | |x [id G] float64 (?, 2, 3)\n"
        " | | | | |minimum [id H] int64 ()\n"
        " | | | | | |shape_i{0} [id I] int64 ()\n"
        " | | | | | | |x [id G] float64 (?, 2, 3)\n"
        " | | | | | |shape_i{0} [id J] int64 ()\n"
        " | | | | | | |y [id K] float64 (?, 2, 4)\n"
        " | | | |stack [id L] int64 (2,)\n"
        " | | | | |TensorConstant{-1} [id M] int64 ()\n"
        " | | | | |shape_i{2} [id N] int64 ()\n"
        " | | | | | |subtensor{idx=[0:$1]} [id F] float64 (?, 2, 3)\n"
        " | |reshape [id O] float64 (?, ?)\n"
        " | | |subtensor{idx=[0:$1]} [id P] float64 (?, 2, 4)\n"
        " | | | |y [id K] float64 (?, 2, 4)\n"
        " | | | |minimum [id H] int64 ()\n"
        " | | |stack [id Q] int64 (2,)\n"
        " | | | |TensorConstant{-1} [id R] int64 ()\n"
        " | | | |shape_i{2} [id S] int64 ()\n"
        " | | | | |subtensor{idx=[0:$1]} [id P] float64 (?, 2, 4)\n");
  test::check_rule_numerically(g, "f", "scan_pushout_dot");
  CHECK(test::apply_rule(kRnn, "f", "scan_pushout_dot").fired == 0);
}

TEST_CASE("rewrite scan_remove_unused: an output nobody reads and an unread non-sequence go") {
  const char* g = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "w", "dtype": "float64", "shape": []}],
   "nodes": [{"op": "scan", "sequences": ["x"], "outputs_info": [null, null], "non_sequences": ["w"],
     "body": {"inputs": ["x_t", "w_s"],
       "nodes": [{"op": "exp", "inputs": ["x_t"], "outputs": ["e"]}, {"op": "neg", "inputs": ["x_t"], "outputs": ["n"]}],
       "outputs": ["e", "n"]},
     "outputs": ["E", "N"]}],
   "functions": [{"name": "f", "inputs": ["x", "w"], "outputs": ["E"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "scan_remove_unused");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "scan{seqs=[[0]] outs=[[]]} [id A] 'E' float64 (?,)\n"
        " |x [id B] float64 (?,)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[[0]] outs=[[]]} [id A]\n"
        " >exp [id C] 'e' float64 ()\n"
        " > |x_t [id D] float64 () (sequence 0, tap 0) -> [id B]\n");
  test::check_rule_numerically(g, "f", "scan_remove_unused");
  CHECK(test::apply_rule(kRnn, "f", "scan_remove_unused").fired == 0);
}

TEST_CASE("rewrite dot_merge_shared_operand: x.dot(U) and x.dot(V) become one dot, the join built before the loop") {
  const char* g = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "h0", "dtype": "float64", "shape": [2]}, {"name": "U", "dtype": "float64", "shape": [2, 2]},
              {"name": "V", "dtype": "float64", "shape": [2, 2]}, {"name": "k", "dtype": "int64", "shape": []}],
   "nodes": [{"op": "scan", "outputs_info": ["h0"], "non_sequences": ["U", "V"], "n_steps": "k",
     "body": {"inputs": ["h", "U_s", "V_s"],
       "nodes": [{"op": "dot", "inputs": ["h", "U_s"], "outputs": ["a"]}, {"op": "dot", "inputs": ["h", "V_s"], "outputs": ["b"]},
                 {"op": "sigmoid", "inputs": ["a"], "outputs": ["sa"]}, {"op": "tanh", "inputs": ["b"], "outputs": ["tb"]},
                 {"op": "mul", "inputs": ["sa", "tb"], "outputs": ["h2"]}],
       "outputs": ["h2"]},
     "outputs": ["H"]}],
   "functions": [{"name": "f", "inputs": ["h0", "U", "V", "k"], "outputs": ["H"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "dot_merge_shared_operand");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "scan{seqs=[] outs=[[-1]] nonseqs=5 n_steps} [id A] 'H' float64 (?, ?)\n"
        " |k [id B] int64 ()\n"
        " |h0 [id C] float64 (2,)\n"
        " |U [id D] float64 (2, 2)\n"
        " |V [id E] float64 (2, 2)\n"
        " |join [id F] float64 (2, 4)\n"
        " | |U [id D] float64 (2, 2)\n"
        " | |V [id E] float64 (2, 2)\n"
        " |add [id G] int64 ()\n"
        " | |TensorConstant{0} [id H] int64 ()\n"
        " | |shape_i{1} [id I] int64 ()\n"
        " | | |U [id D] float64 (2, 2)\n"
        " |add [id J] int64 ()\n"
        " | |add [id G] int64 ()\n"
        " | |shape_i{1} [id K] int64 ()\n"
        " | | |V [id E] float64 (2, 2)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[] outs=[[-1]] nonseqs=5 n_steps} [id A]\n"
        " >mul [id L] 'h2' float64 (?,)\n"
        " > |sigmoid [id M] 'sa' float64 (?,)\n"
        " > | |subtensor{idx=[$1:$2]} [id N] float64 (?,)\n"
        " > | | |dot [id O] float64 (4,)\n"
        " > | | | |h [id P] float64 (2,) (output 0, tap -1) -> [id C]\n"
        " > | | | |<float64 (2, 4)> [id Q] float64 (2, 4) (non-sequence 2) -> [id F]\n"
        " > | | |TensorConstant{0} [id R] int64 ()\n"
        " > | | |<int64 ()> [id S] int64 () (non-sequence 3) -> [id G]\n"
        " > |tanh [id T] 'tb' float64 (?,)\n"
        " > | |subtensor{idx=[$1:$2]} [id U] float64 (?,)\n"
        " > | | |dot [id O] float64 (4,)\n"
        " > | | |<int64 ()> [id S] int64 () (non-sequence 3) -> [id G]\n"
        " > | | |<int64 ()> [id V] int64 () (non-sequence 4) -> [id J]\n");
  test::check_rule_numerically(g, "f", "dot_merge_shared_operand", -1, 1, 3, 1e-7, 1e-9);
  CHECK(test::apply_rule(kRnn, "f", "dot_merge_shared_operand").fired == 0);
}

TEST_CASE("rewrite scan_merge: two loops over the same sequence become one") {
  const char* g = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "a", "dtype": "float64", "shape": []}],
   "nodes": [{"op": "scan", "sequences": ["x"], "outputs_info": ["a"],
       "body": {"inputs": ["x1", "s"], "nodes": [{"op": "add", "inputs": ["s", "x1"], "outputs": ["s2"]}], "outputs": ["s2"]},
       "outputs": ["S"]},
     {"op": "scan", "sequences": ["x"], "outputs_info": ["a"],
       "body": {"inputs": ["x2", "p"], "nodes": [{"op": "mul", "inputs": ["p", "x2"], "outputs": ["p2"]}], "outputs": ["p2"]},
       "outputs": ["P"]}],
   "functions": [{"name": "f", "inputs": ["x", "a"], "outputs": ["S", "P"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "scan_merge");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "scan{seqs=[[0]] outs=[[-1],[-1]]}.0 [id A] 'S' float64 (?,)\n"
        " |x [id B] float64 (?,)\n"
        " |a [id C] float64 ()\n"
        " |a [id C] float64 ()\n"
        "scan{seqs=[[0]] outs=[[-1],[-1]]}.1 [id A] 'P' float64 (?,)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[[0]] outs=[[-1],[-1]]} [id A]\n"
        " >add [id D] 's2' float64 ()\n"
        " > |s [id E] float64 () (output 0, tap -1) -> [id C]\n"
        " > |x1 [id F] float64 () (sequence 0, tap 0) -> [id B]\n"
        " >mul [id G] 'p2' float64 ()\n"
        " > |p [id H] float64 () (output 1, tap -1) -> [id C]\n"
        " > |x1 [id F] float64 () (sequence 0, tap 0) -> [id B]\n");
  test::check_rule_numerically(g, "f", "scan_merge");
  // Must not fire: the second loop reads the first one's results.
  const char* h = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "a", "dtype": "float64", "shape": []}],
   "nodes": [{"op": "scan", "sequences": ["x"], "outputs_info": ["a"],
       "body": {"inputs": ["x1", "s"], "nodes": [{"op": "add", "inputs": ["s", "x1"], "outputs": ["s2"]}], "outputs": ["s2"]},
       "outputs": ["S"]},
     {"op": "scan", "sequences": ["S"], "outputs_info": ["a"],
       "body": {"inputs": ["x2", "p"], "nodes": [{"op": "mul", "inputs": ["p", "x2"], "outputs": ["p2"]}], "outputs": ["p2"]},
       "outputs": ["P"]}],
   "functions": [{"name": "f", "inputs": ["x", "a"], "outputs": ["P"]}]})";
  CHECK(test::apply_rule(h, "f", "scan_merge").fired == 0);
}

TEST_CASE("rewrite scan_inplace: a recurrence read only at [-1] is updated in place") {
  const char* g = R"({"format": "tgc-graph", "version": 1, "name": "t",
   "inputs": [{"name": "a", "dtype": "float64", "shape": [null]}],
   "nodes": [{"op": "ones_like", "inputs": ["a"], "outputs": ["one"]},
     {"op": "scan", "outputs_info": ["one"], "non_sequences": ["a"], "n_steps": 4,
       "body": {"inputs": ["p", "a_s"], "nodes": [{"op": "mul", "inputs": ["p", "a_s"], "outputs": ["q"]}], "outputs": ["q"]},
       "outputs": ["R"]},
     {"op": "subtensor", "inputs": ["R"], "idx": [-1], "outputs": ["last"]}],
   "functions": [{"name": "f", "inputs": ["a"], "outputs": ["last"]}, {"name": "g", "inputs": ["a"], "outputs": ["R"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "scan_inplace");
  CHECK(r.fired == 1);
  CHECK(r.after.find("mul{inplace=0}") != std::string::npos);
  test::check_rule_numerically(g, "f", "scan_inplace");
  // Must not fire: function g returns every step.
  CHECK(test::apply_rule(g, "g", "scan_inplace").fired == 0);
}
