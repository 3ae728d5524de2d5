// Tests of the loader's name tables (frontend/name_table.h).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/name_table.h"

using tgc::frontend::NameTable;

namespace {
std::string name(char prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%d", prefix, i);
  return buf;
}
}  // namespace

TEST_CASE("name table: insert, find, refuse a second insert of a key") {
  NameTable<int> t;
  CHECK(t.find("x") == nullptr);  // empty: no slots yet
  CHECK(t.insert("x", 1));
  CHECK(t.insert("xy", 2));
  CHECK(t.insert("", 3));  // the empty name is a key like any other
  CHECK_FALSE(t.insert("x", 9));
  REQUIRE(t.find("x") != nullptr);
  CHECK(*t.find("x") == 1);  // the first value stays
  CHECK(*t.find("xy") == 2);
  CHECK(*t.find("") == 3);
  CHECK_FALSE(t.contains("y"));
  CHECK(t.size() == 3);
  *t.find("xy") = 5;
  CHECK(*t.find("xy") == 5);
}

TEST_CASE("name table: agrees with std::unordered_map over growth") {
  // Keys are views: their text must outlive the table, as the document's does.
  std::vector<std::string> text;
  for (int i = 0; i < 50000; ++i) text.push_back(name('n', i * 7919 % 100003));
  NameTable<size_t> t;
  t.reserve(1000);  // smaller than needed: the table grows as it fills
  std::unordered_map<std::string, size_t> ref;
  for (size_t i = 0; i < text.size(); ++i) CHECK(t.insert(text[i], i) == ref.emplace(text[i], i).second);
  CHECK(t.size() == ref.size());
  for (const auto& [k, v] : ref) {
    const size_t* found = t.find(k);
    REQUIRE(found != nullptr);
    CHECK(*found == v);
  }
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(t.contains(name('m', i)));
}
