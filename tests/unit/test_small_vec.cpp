// SmallVec (ir/small_vec.h) against std::vector: the same operations give
// the same contents whether the values are inline or on the heap; and
// NodeAttrs (ir/graph.h): default attributes store nothing, edits and
// copies keep their own values.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "ir/graph.h"
#include "ir/small_vec.h"

using namespace tgc;

TEST_CASE("small vec: random edits match std::vector, inline and on the heap") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    SmallVec<int, 3> s;
    std::vector<int> v;
    for (int step = 0; step < 60; ++step) {
      int op = int(rng() % 7), x = int(rng() % 1000);
      if (op <= 2) {
        s.push_back(x);
        v.push_back(x);
      } else if (op == 3 && !v.empty()) {
        size_t at = rng() % v.size();
        s.erase(s.begin() + at);
        v.erase(v.begin() + long(at));
      } else if (op == 4) {
        size_t at = v.empty() ? 0 : rng() % (v.size() + 1);
        s.insert(s.begin() + at, x);
        v.insert(v.begin() + long(at), x);
      } else if (op == 5 && !v.empty()) {
        s.pop_back();
        v.pop_back();
      } else if (op == 6 && rng() % 8 == 0) {
        size_t n = rng() % 6;
        s.resize(n, x);
        v.resize(n, x);
      }
      REQUIRE(s.size() == v.size());
      REQUIRE(std::vector<int>(s) == v);
    }
    // Copies and moves keep the values and leave the source usable.
    SmallVec<int, 3> c = s;
    CHECK(c == s);
    SmallVec<int, 3> m = std::move(c);
    CHECK(m == s);
    CHECK(c.empty());
    c.push_back(7);
    CHECK(c.size() == 1);
    m = v;  // from a vector
    CHECK(m == v);
    std::vector<int> back = m;
    CHECK(back == v);
  }
}

TEST_CASE("small vec: reverse iteration, erase of a range, and at() bounds") {
  SmallVec<int, 2> s{1, 2, 3, 4, 5};
  std::vector<int> rev(s.rbegin(), s.rend());
  CHECK(rev == std::vector<int>{5, 4, 3, 2, 1});
  s.erase(s.begin() + 1, s.begin() + 3);
  CHECK(s == std::vector<int>{1, 4, 5});
  CHECK(s.at(2) == 5);
  CHECK_THROWS_AS(s.at(3), std::out_of_range);
  s.clear();
  CHECK(s.empty());
  s = {9};
  CHECK(s.front() == 9);
  CHECK(s.back() == 9);
}

TEST_CASE("node attrs: defaults store nothing; edits and copies own their values") {
  NodeAttrs none;
  CHECK(none->axes.empty());
  CHECK(none->inplace == -1);
  Attrs a;
  a.axes = {1, 0};
  NodeAttrs some = a;
  CHECK(some->axes == std::vector<int>{1, 0});
  CHECK_FALSE(some == none);
  NodeAttrs copy = some;
  copy.edit().axes = {2};
  CHECK(some->axes == std::vector<int>{1, 0});  // the copy has its own
  CHECK(copy->axes == std::vector<int>{2});
  NodeAttrs marked;
  marked.edit().inplace = 0;
  CHECK(marked->inplace == 0);
  CHECK(none->inplace == -1);  // the shared defaults are untouched
  marked.edit().inplace = -1;
  CHECK(marked == none);  // equal by value, whether stored or not
  const Attrs& read = some;
  CHECK(read.axes.size() == 2);
}
