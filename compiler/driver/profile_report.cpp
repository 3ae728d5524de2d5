#include "driver/profile_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace tgc::driver {

namespace {

double secs(uint64_t ns) { return double(ns) * 1e-9; }
double pct(uint64_t part, uint64_t whole) { return whole ? 100.0 * double(part) / double(whole) : 0.0; }
double per_call(uint64_t ns, uint64_t calls) { return calls ? secs(ns) / double(calls) : 0.0; }

// One line of a time table (Theano's columns): % of node time, cumulative %,
// seconds, cumulative seconds, time per call.
std::string time_columns(uint64_t ns, uint64_t cum, uint64_t total, uint64_t calls) {
  return fmt::format("{:6.1f}%  {:6.1f}%  {:9.3e}s  {:9.3e}s  {:9.2e}s", pct(ns, total), pct(cum, total), secs(ns),
                     secs(cum), per_call(ns, calls));
}

struct Group {
  std::string name;
  uint64_t ns = 0, calls = 0;
  int n_apply = 0;
  std::set<std::string> ops;  // distinct ops with attributes
  int first = 0;              // index of its first node (ties)
};

std::vector<Group> group_by(const FunctionProfile& p, const std::vector<uint64_t>& self, bool by_type) {
  std::map<std::string, Group> m;
  for (const NodeProfile& n : p.nodes) {
    const std::string& key = by_type ? n.op_type : n.op;
    auto [it, fresh] = m.try_emplace(key);
    Group& g = it->second;
    if (fresh) {
      g.name = key;
      g.first = n.index;
    }
    g.ns += self[size_t(n.index)];
    g.calls += n.calls;
    ++g.n_apply;
    g.ops.insert(n.op);
  }
  std::vector<Group> v;
  for (auto& [k, g] : m) v.push_back(std::move(g));
  std::sort(v.begin(), v.end(), [](const Group& a, const Group& b) { return a.ns != b.ns ? a.ns > b.ns : a.first < b.first; });
  return v;
}

std::string kb(int64_t bytes) { return fmt::format("{:>10.1f} KB  ({} bytes)", double(bytes) / 1024.0, bytes); }

int64_t node_bytes(const NodeProfile& n) { return n.bytes[0] + n.bytes[1] + n.bytes[2]; }

// "[3200]" or, when a node's outputs are of several kinds, "[1600 i, 320 c]".
std::string sizes_text(const NodeProfile& n) {
  std::string kinds;
  for (char ch : n.outputs)
    if (kinds.find(ch) == std::string::npos) kinds += ch;
  auto of = [&](char ch) { return n.bytes[ch == 'c' ? 0 : ch == 'i' ? 1 : 2]; };
  if (kinds.size() <= 1) return "[" + std::to_string(node_bytes(n)) + "]";
  std::string s = "[";
  for (size_t k = 0; k < kinds.size(); ++k) s += (k ? ", " : "") + std::to_string(of(kinds[k])) + " " + kinds[k];
  return s + "]";
}

}  // namespace

std::vector<uint64_t> self_times(const FunctionProfile& p) {
  std::vector<uint64_t> self(p.nodes.size(), 0), inner(p.nodes.size(), 0);
  for (const NodeProfile& n : p.nodes)
    if (n.parent >= 0 && size_t(n.parent) < p.nodes.size()) inner[size_t(n.parent)] += n.ns;
  for (size_t k = 0; k < p.nodes.size(); ++k) self[k] = p.nodes[k].ns > inner[k] ? p.nodes[k].ns - inner[k] : 0;
  return self;
}

int64_t allocated_size(int64_t bytes) { return bytes <= 64 ? 64 : (bytes + 63) / 64 * 64; }

MemorySummary memory_summary(const FunctionProfile& p) {
  MemorySummary s;
  for (const NodeProfile& n : p.nodes) {
    if (n.calls == 0) continue;  // never ran (a branch not taken): holds nothing
    const char letters[3] = {'c', 'i', 'v'};
    int64_t* into[3] = {&s.created, &s.inplace, &s.view};
    for (int j = 0; j < 3; ++j)
      if (n.outputs.find(letters[j]) != std::string::npos) *into[j] += allocated_size(n.bytes[j]);
  }
  int64_t value_buffers = 0;
  for (const BufferProfile& b : p.buffers) {
    s.with_plan += b.bytes;
    if (b.n_values == 0) s.scratch += b.bytes;
    else value_buffers += b.bytes;
  }
  s.without_plan = s.created + s.inplace + s.view + s.scratch;
  s.saved_view = s.view;
  s.saved_inplace = s.inplace;
  s.saved_reuse = s.created - value_buffers;
  return s;
}

std::string profile_report(const FunctionProfile& p, size_t top) {
  std::string r;
  auto line = [&](const std::string& s) { r += s + "\n"; };
  const std::vector<uint64_t> self = self_times(p);
  uint64_t node_ns = 0;
  for (uint64_t t : self) node_ns += t;
  size_t nested = 0, ran = 0;
  for (const NodeProfile& n : p.nodes) {
    nested += n.parent >= 0 ? 1 : 0;
    ran += n.calls > 0 ? 1 : 0;
  }

  line("Function profile of " + p.function + " (tgc run --profile)");
  line("Function summary:");
  line("  <% total fct time> <total time> <time per call> <nb call> <fct name>");
  line(fmt::format("  {:6.1f}%  {:9.3e}s  {:9.2e}s  {}  {}", 100.0, secs(p.ns), per_call(p.ns, p.calls), p.calls, p.function));
  uint64_t outside = p.ns > node_ns ? p.ns - node_ns : 0;
  line(fmt::format("  Time in nodes {:.3e}s ({:.1f}% of the function); outside the nodes (input checks, output copies, "
                   "updates, timers) {:.3e}s ({:.1f}%)",
                   secs(node_ns), pct(node_ns, p.ns), secs(outside), pct(outside, p.ns)));
  line(fmt::format("  {} nodes scheduled ({} inside scan bodies or ifelse branches), {} ran at least once", p.nodes.size(),
                   nested, ran));
  line("");

  // By op type (Theano's Single Op-wise).
  std::vector<Group> types = group_by(p, self, true);
  line("Single Op-wise summary (by op type):");
  line("  <% of node time> <cumulative %> <self seconds> <cumulative seconds> <time per call> <nb_call> <nb_op> "
       "<nb_apply> <Op type>");
  uint64_t cum = 0;
  for (const Group& g : types) {
    cum += g.ns;
    line(fmt::format("  {}  {:>7}  {:>3}  {:>3}  <{}>", time_columns(g.ns, cum, node_ns, g.calls), g.calls, g.ops.size(),
                     g.n_apply, g.name));
  }
  line("");

  // By op with attributes (Theano's Op-wise).
  std::vector<Group> ops = group_by(p, self, false);
  line("Op-wise summary (by op and attributes):");
  line("  <% of node time> <cumulative %> <self seconds> <cumulative seconds> <time per call> <nb_call> <nb_apply> "
       "<Op name>");
  cum = 0;
  for (size_t k = 0; k < ops.size() && k < top; ++k) {
    const Group& g = ops[k];
    cum += g.ns;
    line(fmt::format("  {}  {:>7}  {:>3}  {}", time_columns(g.ns, cum, node_ns, g.calls), g.calls, g.n_apply, g.name));
  }
  if (ops.size() > top) {
    uint64_t rest = node_ns - cum;
    line(fmt::format("  ... (remaining {} ops account for {:.1f}% ({:.3e}s) of the node time)", ops.size() - top,
                     pct(rest, node_ns), secs(rest)));
  }
  line("");

  // By node (Theano's Apply-wise).
  std::vector<size_t> order(p.nodes.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return self[a] > self[b]; });
  line("Apply-wise summary:");
  line("  <% of node time> <cumulative %> <apply time> <cumulative seconds> <time per call> <nb_call> <#node> <JSON path> "
       "<Apply>");
  cum = 0;
  std::set<int> parents;
  for (const NodeProfile& n : p.nodes) parents.insert(n.parent);
  bool containers = false;
  for (size_t k = 0; k < order.size() && k < top; ++k) {
    const NodeProfile& n = p.nodes[order[k]];
    uint64_t t = self[order[k]];
    cum += t;
    bool container = parents.count(n.index) != 0;
    containers = containers || container;
    line(fmt::format("  {}  {:>7}  {:>4} {}  {}{}", time_columns(t, cum, node_ns, n.calls), n.calls,
                     "#" + std::to_string(n.index), n.path, n.apply, container ? "  (self)" : ""));
  }
  if (order.size() > top) {
    uint64_t rest = node_ns - cum;
    line(fmt::format("  ... (remaining {} nodes account for {:.1f}% ({:.3e}s) of the node time)", order.size() - top,
                     pct(rest, node_ns), secs(rest)));
  }
  if (containers)
    line("  (self): a scan's or an ifelse's own time; the nodes of its body or branches are listed apart, once per step");
  line("");

  // Memory.
  MemorySummary m = memory_summary(p);
  int value_buffers = 0;
  for (const BufferProfile& b : p.buffers) value_buffers += b.n_values > 0 ? 1 : 0;
  line("Memory profile of " + p.function + ":");
  line("  (Output sizes at each node's last run, one step for a scan body; the workspace buffers after the calls.");
  line("   Sizes are counted as allocated, in 64-byte granules; memory used inside BLAS is not counted.)");
  line("  Max without reuse, inplace and view  " + kb(m.without_plan));
  line("  Max with the plan                    " + kb(m.with_plan));
  line(fmt::format("    ({} workspace buffers: {} hold values, {} are scratch of ops and output copies, {} bytes)",
                   p.buffers.size(), value_buffers, p.buffers.size() - size_t(value_buffers), m.scratch));
  line("  Memory saved by view                 " + kb(m.saved_view));
  line("  Memory saved by inplace              " + kb(m.saved_inplace));
  line("  Memory saved by buffer reuse         " + kb(m.saved_reuse));
  if (m.saved_reuse < 0)
    line("    (negative: the buffers hold more than the values of the last call need: scan stores reserve their rows\n"
         "     ahead, and a buffer keeps the capacity a larger call gave it)");
  line("  <Sum apply outputs (bytes)> <Apply outputs memory size (bytes)> <created/inplace/view> <Apply node>");
  std::vector<size_t> by_size;
  for (size_t k = 0; k < p.nodes.size(); ++k)
    if (!p.nodes[k].outputs.empty()) by_size.push_back(k);
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return node_bytes(p.nodes[a]) > node_bytes(p.nodes[b]); });
  int64_t shown = 0, all = 0;
  for (size_t k : by_size) all += node_bytes(p.nodes[k]);
  for (size_t k = 0; k < by_size.size() && k < top; ++k) {
    const NodeProfile& n = p.nodes[by_size[k]];
    shown += node_bytes(n);
    line(fmt::format("  {:>10}B  {:<18} {:<4} {:>4} {}  {}", node_bytes(n), sizes_text(n), n.outputs,
                     "#" + std::to_string(n.index), n.path, n.apply));
  }
  if (by_size.size() > top)
    line(fmt::format("  ... (remaining {} nodes output {}B)", by_size.size() - top, all - shown));
  return r;
}

}  // namespace tgc::driver
