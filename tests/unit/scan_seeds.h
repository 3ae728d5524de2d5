// The seed examples of Theano's scan documentation (graph files of the
// conformance suite, ../shared/conformance/cases/*/graph.json, copied here
// verbatim so the unit tests need no files).
#pragma once

namespace tgc::test::seeds {

inline const char* const kScanPow =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_pow", "inputs": [{"name": "A", )"
    R"("dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int32", "shape": []}], )"
    R"("nodes": [{"op": "ones_like", "inputs": ["A"], "outputs": ["one"]}, {"op": "scan", )"
    R"("outputs_info": ["one"], "non_sequences": ["A"], "n_steps": "k", "body": {"inputs": ["prior", )"
    R"("A_in"], "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}], )"
    R"("outputs": ["next"]}, "outputs": ["result"]}, {"op": "subtensor", "inputs": ["result"], )"
    R"("idx": [-1], "outputs": ["final"]}], "functions": [{"name": "power", "inputs": ["A", "k"], )"
    R"("outputs": ["final"]}]})";

inline const char* const kScanPolynomial =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_polynomial", )"
    R"("inputs": [{"name": "coefficients", "dtype": "float64", "shape": [null]}, {"name": "x", )"
    R"("dtype": "float64", "shape": []}], "nodes": [{"op": "arange", "inputs": [{"value": 0, )"
    R"("dtype": "int64"}, {"value": 10000, "dtype": "int64"}, {"value": 1, "dtype": "int64"}], )"
    R"("dtype": "int64", "outputs": ["full_range"]}, {"op": "scan", "sequences": ["coefficients", )"
    R"("full_range"], "outputs_info": [null], "non_sequences": ["x"], "body": {"inputs": ["coeff", )"
    R"("power", "free_var"], "nodes": [{"op": "pow", "inputs": ["free_var", "power"], )"
    R"("outputs": ["term"]}, {"op": "mul", "inputs": ["coeff", "term"], "outputs": ["component"]}], )"
    R"("outputs": ["component"]}, "outputs": ["components"]}, {"op": "sum", "inputs": ["components"], )"
    R"("axis": null, "outputs": ["polynomial"]}], "functions": [{"name": "calculate_polynomial", )"
    R"("inputs": ["coefficients", "x"], "outputs": ["polynomial"]}]})";

inline const char* const kScanRnnTaps =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_rnn_taps", "inputs": [{"name": "u", )"
    R"("dtype": "float64", "shape": [null, null]}, {"name": "x0", "dtype": "float64", "shape": [null, )"
    R"(null]}, {"name": "y0", "dtype": "float64", "shape": [null]}, {"name": "W", "dtype": "float64", )"
    R"("shape": [null, null]}, {"name": "W_in_1", "dtype": "float64", "shape": [null, null]}, )"
    R"({"name": "W_in_2", "dtype": "float64", "shape": [null, null]}, {"name": "W_feedback", )"
    R"("dtype": "float64", "shape": [null, null]}, {"name": "W_out", "dtype": "float64", "shape": [null, )"
    R"(null]}], "nodes": [{"op": "scan", "sequences": [{"input": "u", "taps": [-4, 0]}], )"
    R"("outputs_info": [{"initial": "x0", "taps": [-3, -1]}, {"initial": "y0"}], "non_sequences": ["W", )"
    R"("W_in_1", "W_in_2", "W_feedback", "W_out"], "strict": true, "body": {"inputs": ["u_tm4", "u_t", )"
    R"("x_tm3", "x_tm1", "y_tm1", "W", "W_in_1", "W_in_2", "W_feedback", "W_out"], "nodes": [{"op": "dot", )"
    R"("inputs": ["x_tm1", "W"], "outputs": ["rec"]}, {"op": "dot", "inputs": ["u_t", "W_in_1"], )"
    R"("outputs": ["in_1"]}, {"op": "dot", "inputs": ["u_tm4", "W_in_2"], "outputs": ["in_2"]}, )"
    R"({"op": "dot", "inputs": ["y_tm1", "W_feedback"], "outputs": ["fb"]}, {"op": "add", )"
    R"("inputs": ["rec", "in_1", "in_2", "fb"], "outputs": ["pre"]}, {"op": "tanh", "inputs": ["pre"], )"
    R"("outputs": ["x_t"]}, {"op": "dot", "inputs": ["x_tm3", "W_out"], "outputs": ["y_t"]}], )"
    R"("outputs": ["x_t", "y_t"]}, "outputs": ["x_vals", "y_vals"]}], "functions": [{"name": "rnn", )"
    R"("inputs": ["u", "x0", "y0", "W", "W_in_1", "W_in_2", "W_feedback", "W_out"], "outputs": ["x_vals", )"
    R"("y_vals"]}]})";

inline const char* const kScanSetValueAtPosition =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_set_value_at_position", )"
    R"("inputs": [{"name": "location", "dtype": "int32", "shape": [null, null]}, {"name": "values", )"
    R"("dtype": "float32", "shape": [null]}, {"name": "output_model", "dtype": "float32", "shape": [null, )"
    R"(null]}], "nodes": [{"op": "scan", "sequences": ["location", "values"], "outputs_info": [null], )"
    R"("non_sequences": ["output_model"], "body": {"inputs": ["a_location", "a_value", "model"], )"
    R"("nodes": [{"op": "zeros_like", "inputs": ["model"], "outputs": ["zeros"]}, {"op": "subtensor", )"
    R"("inputs": ["a_location"], "idx": [0], "outputs": ["row"]}, {"op": "subtensor", )"
    R"("inputs": ["a_location"], "idx": [1], "outputs": ["col"]}, {"op": "set_subtensor", )"
    R"("inputs": ["zeros", "a_value"], "idx": [{"var": "row"}, {"var": "col"}], "outputs": ["placed"]}], )"
    R"("outputs": ["placed"]}, "outputs": ["result"]}], )"
    R"("functions": [{"name": "assign_values_at_positions", "inputs": ["location", "values", )"
    R"("output_model"], "outputs": ["result"]}]})";

inline const char* const kScanSharedCounter =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_shared_counter", "shared": [{"name": "a", )"
    R"("dtype": "int64", "shape": [], "value": 1}], "nodes": [{"op": "scan", "outputs_info": [], )"
    R"("n_steps": 10, "body": {"inputs": [], "nodes": [{"op": "add", "inputs": ["a", {"value": 1, )"
    R"("dtype": "int64"}], "outputs": ["a_next"]}], "outputs": [], "updates": {"a": "a_next"}}, )"
    R"("outputs": [], "updates_out": {"a": "a_after"}}, {"op": "add", "inputs": ["a", {"value": 1, )"
    R"("dtype": "int64"}], "outputs": ["b"]}, {"op": "add", "inputs": ["a_after", {"value": 1, )"
    R"("dtype": "int64"}], "outputs": ["c"]}], "functions": [{"name": "f", "inputs": [], "outputs": ["b", )"
    R"("c"], "updates": {"a": "a_after"}}]})";

inline const char* const kScanTriangular =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_triangular", "inputs": [{"name": "up_to", )"
    R"("dtype": "int32", "shape": []}], "constants": [{"name": "zero", "dtype": "int64", "value": 0}], )"
    R"("nodes": [{"op": "arange", "inputs": [{"value": 0, "dtype": "int64"}, "up_to", {"value": 1, )"
    R"("dtype": "int64"}], "dtype": "int64", "outputs": ["seq"]}, {"op": "scan", "sequences": ["seq"], )"
    R"("outputs_info": ["zero"], "body": {"inputs": ["arange_val", "sum_to_date"], "nodes": [{"op": "add", )"
    R"("inputs": ["sum_to_date", "arange_val"], "outputs": ["new_sum"]}], "outputs": ["new_sum"]}, )"
    R"("outputs": ["scan_result"]}], "functions": [{"name": "triangular_sequence", "inputs": ["up_to"], )"
    R"("outputs": ["scan_result"]}]})";

inline const char* const kScanUntilPowerOf2 =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_until_power_of_2", )"
    R"("inputs": [{"name": "max_value", "dtype": "float64", "shape": []}], "constants": [{"name": "one", )"
    R"("dtype": "float64", "value": 1.0}], "nodes": [{"op": "scan", "outputs_info": [{"initial": "one"}], )"
    R"("non_sequences": ["max_value"], "n_steps": 1024, "body": {"inputs": ["previous_power", "limit"], )"
    R"("nodes": [{"op": "mul", "inputs": ["previous_power", {"value": 2.0, "dtype": "float64"}], )"
    R"("outputs": ["power"]}, {"op": "gt", "inputs": ["power", "limit"], "outputs": ["done"]}], )"
    R"("outputs": ["power"], "until": "done"}, "outputs": ["values"]}], "functions": [{"name": "f", )"
    R"("inputs": ["max_value"], "outputs": ["values"]}]})";

inline const char* const kScanGibbsRbm =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_gibbs_rbm", "inputs": [{"name": "vsample", )"
    R"("dtype": "float64", "shape": [null]}], "shared": [{"name": "W", "dtype": "float64", "shape": [4, )"
    R"(3], "value": [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.1], [0.7, -0.1, 0.05]]}, )"
    R"({"name": "bvis", "dtype": "float64", "shape": [4], "value": [0.1, -0.1, 0.2, 0.0]}, )"
    R"({"name": "bhid", "dtype": "float64", "shape": [3], "value": [0.0, 0.1, -0.1]}, {"name": "rng", )"
    R"("type": "rng", "seed": 1234}], "nodes": [{"op": "scan", "outputs_info": ["vsample"], )"
    R"("non_sequences": ["W", "bvis", "bhid"], "n_steps": 10, "body": {"inputs": ["v_tm1", "W_s", )"
    R"("bvis_s", "bhid_s"], "nodes": [{"op": "dot", "inputs": ["v_tm1", "W_s"], "outputs": ["vW"]}, )"
    R"({"op": "add", "inputs": ["vW", "bhid_s"], "outputs": ["h_act"]}, {"op": "sigmoid", )"
    R"("inputs": ["h_act"], "outputs": ["hmean"]}, {"op": "shape", "inputs": ["hmean"], )"
    R"("outputs": ["h_size"]}, {"op": "random_binomial", "inputs": ["rng", "h_size", {"value": 1, )"
    R"("dtype": "int64"}, "hmean"], "dtype": "int64", "outputs": ["rng_1", "hsample"]}, )"
    R"({"op": "transpose", "inputs": ["W_s"], "outputs": ["W_T"]}, {"op": "dot", "inputs": ["hsample", )"
    R"("W_T"], "outputs": ["hW"]}, {"op": "add", "inputs": ["hW", "bvis_s"], "outputs": ["v_act"]}, )"
    R"({"op": "sigmoid", "inputs": ["v_act"], "outputs": ["vmean"]}, {"op": "shape", "inputs": ["v_tm1"], )"
    R"("outputs": ["v_size"]}, {"op": "random_binomial", "inputs": ["rng_1", "v_size", {"value": 1, )"
    R"("dtype": "int64"}, "vmean"], "dtype": "float64", "outputs": ["rng_2", "v_t"]}], "outputs": ["v_t"], )"
    R"("updates": {"rng": "rng_2"}}, "outputs": ["values"], "updates_out": {"rng": "rng_after"}}, )"
    R"({"op": "subtensor", "inputs": ["values"], "idx": [-1], "outputs": ["last"]}], )"
    R"("functions": [{"name": "gibbs10", "inputs": ["vsample"], "outputs": ["last", "values"], )"
    R"("updates": {"rng": "rng_after"}}]})";

inline const char* const kScanGradRnn =
    R"({"format": "tgc-graph", "version": 1, "name": "scan_grad_rnn", "inputs": [{"name": "X", )"
    R"("dtype": "float64", "shape": [null, null, null]}, {"name": "h0", "dtype": "float64", )"
    R"("shape": [null, null]}, {"name": "Wx", "dtype": "float64", "shape": [null, null]}, {"name": "Wh", )"
    R"("dtype": "float64", "shape": [null, null]}, {"name": "b", "dtype": "float64", "shape": [null]}], )"
    R"("nodes": [{"op": "scan", "sequences": ["X"], "outputs_info": ["h0"], "non_sequences": ["Wx", "Wh", )"
    R"("b"], "strict": true, "body": {"inputs": ["x_t", "h_tm1", "Wx_s", "Wh_s", "b_s"], )"
    R"("nodes": [{"op": "dot", "inputs": ["x_t", "Wx_s"], "outputs": ["xWx"]}, {"op": "dot", )"
    R"("inputs": ["h_tm1", "Wh_s"], "outputs": ["hWh"]}, {"op": "add", "inputs": ["xWx", "hWh", "b_s"], )"
    R"("outputs": ["pre"]}, {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}], "outputs": ["h_t"]}, )"
    R"("outputs": ["H"]}, {"op": "subtensor", "inputs": ["H"], "idx": [-1], "outputs": ["h_last"]}, )"
    R"({"op": "sqr", "inputs": ["h_last"], "outputs": ["h_last_sq"]}, {"op": "sum", )"
    R"("inputs": ["h_last_sq"], "axis": null, "outputs": ["cost_last"]}, {"op": "sum", "inputs": ["H"], )"
    R"("axis": null, "outputs": ["cost_all"]}, {"op": "add", "inputs": ["cost_last", "cost_all"], )"
    R"("outputs": ["cost"]}, {"op": "grad", "inputs": ["cost"], "wrt": ["Wx", "Wh", "b", "h0"], )"
    R"("outputs": ["gWx", "gWh", "gb", "gh0"]}], "functions": [{"name": "cost_and_grads", "inputs": ["X", )"
    R"("h0", "Wx", "Wh", "b"], "outputs": ["cost", "gWx", "gWh", "gb", "gh0"]}]})";

inline const char* const kReduceFoldlFoldr =
    R"({"format": "tgc-graph", "version": 1, "name": "reduce_foldl_foldr", "inputs": [{"name": "v", )"
    R"("dtype": "float64", "shape": [null]}], "constants": [{"name": "zero", "dtype": "float64", )"
    R"("value": 0.0}], "nodes": [{"op": "reduce", "sequences": ["v"], "outputs_info": ["zero"], )"
    R"("body": {"inputs": ["r_t", "r_acc"], "nodes": [{"op": "add", "inputs": ["r_acc", "r_t"], )"
    R"("outputs": ["r_next"]}], "outputs": ["r_next"]}, "outputs": ["total"]}, {"op": "foldl", )"
    R"("sequences": ["v"], "outputs_info": ["zero"], "body": {"inputs": ["l_t", "l_acc"], )"
    R"("nodes": [{"op": "sub", "inputs": ["l_t", "l_acc"], "outputs": ["l_next"]}], )"
    R"("outputs": ["l_next"]}, "outputs": ["foldl_out"]}, {"op": "foldr", "sequences": ["v"], )"
    R"("outputs_info": ["zero"], "body": {"inputs": ["f_t", "f_acc"], "nodes": [{"op": "sub", )"
    R"("inputs": ["f_t", "f_acc"], "outputs": ["f_next"]}], "outputs": ["f_next"]}, )"
    R"("outputs": ["foldr_out"]}], "functions": [{"name": "f", "inputs": ["v"], "outputs": ["total", )"
    R"("foldl_out", "foldr_out"]}]})";

}  // namespace tgc::test::seeds
