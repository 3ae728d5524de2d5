// Tests of the arena graph documents are parsed into (frontend/json_arena.h).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>

#include "frontend/json_arena.h"
#include "frontend/loader.h"
#include "frontend/loader_impl.h"
#include "ir/error.h"

using namespace tgc;
using namespace tgc::frontend;

TEST_CASE("json arena: aligned blocks it owns, from chunks that grow") {
  JsonArena arena;
  std::vector<void*> blocks;
  for (size_t k = 0; k < 5000; ++k) {
    size_t align = size_t(1) << (k % 5);  // 1 .. 16
    void* p = arena.allocate(1 + k % 200, align);
    CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
    blocks.push_back(p);
  }
  void* big = arena.allocate(size_t(20) << 20, 8);  // larger than any chunk
  blocks.push_back(big);
  for (void* p : blocks) CHECK(arena.owns(p));
  auto outside = std::make_unique<int>(1);
  CHECK_FALSE(arena.owns(outside.get()));
}

TEST_CASE("json arena: documents use the current arena, and the heap when there is none") {
  CHECK(current_json_arena() == nullptr);
  json on_heap = json::array({1, 2, 3});  // no arena: heap blocks, freed as usual
  JsonArena arena;
  {
    JsonArenaScope scope(arena);
    CHECK(current_json_arena() == &arena);
    json doc = json::parse(R"({"a": [1, 2, {"b": "a string longer than fifteen characters"}]})");
    CHECK(doc["a"][2]["b"] == "a string longer than fifteen characters");
    json copy = on_heap;  // made inside the scope: from the arena
    CHECK(copy.size() == 3);
    {
      JsonArena inner;
      JsonArenaScope nested(inner);
      CHECK(current_json_arena() == &inner);
    }
    CHECK(current_json_arena() == &arena);  // a scope restores the one before it
  }
  CHECK(current_json_arena() == nullptr);
  CHECK(on_heap.size() == 3);
}

TEST_CASE("json arena: loading leaves no arena behind, also when the graph is invalid") {
  const std::string good = R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "float64", "shape": [null]}],
    "nodes": [{"op": "exp", "inputs": ["x"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["x"], "outputs": ["y"]}]})";
  Module a = load_graph_text(good, "t.json", ".");
  Module b = load_graph_text(good, "t.json", ".");
  CHECK(current_json_arena() == nullptr);
  CHECK(a.root->nodes().size() == b.root->nodes().size());
  std::string bad = good;
  bad.replace(bad.find("\"exp\""), 5, "\"nope\"");
  CHECK_THROWS_AS(load_graph_text(bad, "t.json", "."), Error);
  CHECK(current_json_arena() == nullptr);
  CHECK_THROWS_AS(load_graph_text("{\"format\": ", "t.json", "."), Error);
  CHECK(current_json_arena() == nullptr);
}
