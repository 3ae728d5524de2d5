// Tests of the graph document parser (frontend/json_doc.h) and its arena.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "frontend/json_arena.h"
#include "frontend/json_doc.h"
#include "frontend/loader.h"
#include "ir/error.h"

using namespace tgc;
using namespace tgc::frontend;

namespace {

std::string parse_error(const std::string& text, int max_depth = 200) {
  try {
    JsonDocument doc(text, max_depth);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Whether our document and nlohmann's agree on every value, key and kind.
bool same(const JsonValue& a, const nlohmann::json& b) {
  switch (a.kind()) {
    case JsonValue::Kind::Null: return b.is_null();
    case JsonValue::Kind::Boolean: return b.is_boolean() && a.get<bool>() == b.get<bool>();
    case JsonValue::Kind::Integer: return b.is_number_integer() && !b.is_number_unsigned() && a.get<int64_t>() == b.get<int64_t>();
    case JsonValue::Kind::Unsigned: return b.is_number_unsigned() && a.get<uint64_t>() == b.get<uint64_t>();
    case JsonValue::Kind::Float: return b.is_number_float() && a.get<double>() == b.get<double>();
    case JsonValue::Kind::String: return b.is_string() && a.str() == b.get<std::string>();
    case JsonValue::Kind::Array:
      if (!b.is_array() || a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
      return true;
    case JsonValue::Kind::Object: {
      if (!b.is_object() || a.size() != b.size()) return false;
      for (const JsonMember& m : a.members()) {
        auto it = b.find(std::string(m.key));
        if (it == b.end() || !same(m.value, *it)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

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

TEST_CASE("json document: values, members sorted by key, lookups") {
  JsonDocument doc(R"( {"b": [1, -2, 2.5, true, false, null, "s"], "a": {"z": {}, "y": []}, "c": "x"} )", 200);
  const JsonValue& r = doc.root();
  REQUIRE(r.is_object());
  CHECK(r.size() == 3);
  std::string keys;
  for (const JsonMember& m : r.members()) keys += std::string(m.key);
  CHECK(keys == "abc");
  const JsonValue& b = r["b"];
  REQUIRE(b.is_array());
  CHECK(b.size() == 7);
  CHECK(b[0].is_number_unsigned());
  CHECK(b[0].get<int64_t>() == 1);
  CHECK(b[1].is_number_integer());
  CHECK_FALSE(b[1].is_number_unsigned());
  CHECK(b[1].get<int64_t>() == -2);
  CHECK(b[1].get<double>() == -2.0);
  CHECK(b[2].is_number_float());
  CHECK(b[2].get<double>() == 2.5);
  CHECK(b[3].get<bool>());
  CHECK_FALSE(b[4].get<bool>());
  CHECK(b[5].is_null());
  CHECK(b[6].str() == "s");
  CHECK(r["a"]["z"].is_object());
  CHECK(r["a"]["z"].empty());
  CHECK(r["a"]["y"].is_array());
  CHECK(r["a"]["y"].begin() == r["a"]["y"].end());
  CHECK(r.contains("c"));
  CHECK_FALSE(r.contains("d"));
  CHECK(r["d"].is_null());                     // a missing member reads as null
  CHECK(r.find("d") == nullptr);
  CHECK(b["key"].is_null());                   // and so does a key of a non-object
  CHECK(std::string(b.type_name()) == "array");
  CHECK(std::string(b[2].type_name()) == "number");
}

TEST_CASE("json document: numbers") {
  JsonDocument doc("[0, -0, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, "
                   "1e2, 1E-2, -0.0, 1e-400, 123456789012345678901234567890]",
                   200);
  const JsonValue& a = doc.root();
  CHECK(a[0].is_number_unsigned());
  CHECK(a[1].is_number_integer());
  CHECK_FALSE(a[1].is_number_unsigned());
  CHECK(a[2].is_number_unsigned());
  CHECK(a[2].get<uint64_t>() == UINT64_MAX);
  CHECK(a[3].is_number_float());  // beyond 64 bits: a double, as nlohmann reads it
  CHECK(a[3].get<double>() == 18446744073709551616.0);
  CHECK(a[4].get<int64_t>() == INT64_MIN);
  CHECK(a[5].is_number_float());
  CHECK(a[6].get<double>() == 100.0);
  CHECK(a[7].get<double>() == 0.01);
  CHECK(std::signbit(a[8].get<double>()));
  CHECK(a[9].get<double>() == 0.0);  // underflow reads as zero
  CHECK(a[10].is_number_float());
  for (const char* bad : {"01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "NaN", "Infinity"})
    CHECK_MESSAGE(parse_error(bad).find("invalid JSON") == 0, bad);
  CHECK(parse_error("1e400").find("number overflow") != std::string::npos);
}

TEST_CASE("json document: strings, escapes and UTF-8") {
  JsonDocument doc(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "\u0000x", "é中😀"])", 200);
  const JsonValue& a = doc.root();
  CHECK(a[0].str() == "a\"b\\c/d\b\f\n\r\t");
  CHECK(a[1].str() == "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
  CHECK(a[2].str() == std::string("\0x", 2));
  CHECK(a[3].str() == a[1].str());
  for (const std::string& bad : {std::string("\"\\ud83d\""), std::string("\"\\ude00\""), std::string("\"\\ud83dx\""),
                                std::string("\"\\u12\""), std::string("\"\\q\""), std::string("\"a\nb\""),
                                std::string("\"\xc0\x80\""), std::string("\"\xed\xa0\x80\""),
                                std::string("\"\xf5\x80\x80\x80\""), std::string("\"\xe4\xb8\""),
                                std::string("\"abc")})
    CHECK_MESSAGE(parse_error(bad).find("invalid JSON") == 0, bad);
}

TEST_CASE("json document: errors say what and where") {
  CHECK(parse_error("{\n  \"a\": tru }") == "invalid JSON: unexpected character 't' at line 2, column 8");
  CHECK(parse_error("[1, 2,]").find("at line 1, column 7") != std::string::npos);
  CHECK(parse_error("").find("empty") != std::string::npos);
  CHECK(parse_error("  \n ").find("empty") != std::string::npos);
  CHECK(parse_error("{} {}").find("after the document") != std::string::npos);
  CHECK(parse_error("{\"a\": 1,}").find("expected a string key") != std::string::npos);
  CHECK(parse_error("{\"a\" 1}").find("expected ':'") != std::string::npos);
  CHECK(parse_error("[1 2]").find("expected ',' or ']'") != std::string::npos);
  CHECK(parse_error("[1, {\"b\": 2]").find("expected ',' or '}'") != std::string::npos);
  CHECK(parse_error("[").find("end of the document") != std::string::npos);
  // A repeated key is refused, not silently dropped.
  CHECK(parse_error("{\"x\": 1, \"y\": 2, \"x\": 3}") ==
        "invalid JSON: the object repeats the key \"x\" at line 1, column 1");
  // Nesting: max_depth levels of arrays and objects, not one more.
  std::string deep = std::string(5, '[') + std::string(5, ']');
  CHECK(parse_error(deep, 5).empty());
  CHECK(parse_error("[" + deep + "]", 5).find("deeper than 5 levels") != std::string::npos);
  std::string hostile(1000000, '[');  // refused at the limit, not parsed
  CHECK(parse_error(hostile).find("deeper than 200 levels") != std::string::npos);
}

TEST_CASE("json document: dump writes compact JSON as nlohmann::json does") {
  JsonDocument doc(R"({"k": [2.5, 0.1, 1e-5, 0.0001, 1e16, 1e15, 1e14, 1234567890123456.0, 123.0, -0.0, 0.0, 3, -7, 1.5e300, 6.02214076e23,
                            true, null, "q\"\n\u0001"], "a": {}})",
                   200);
  CHECK(doc.root().dump() == nlohmann::json::parse(doc.root().dump()).dump());
  const JsonValue& k = doc.root()["k"];
  const char* want[] = {"2.5",     "0.1",  "1e-05", "0.0001", "1e+16", "1e+15", "100000000000000.0", "1.234567890123456e+15", "123.0", "-0.0", "0.0",
                        "3",       "-7",   "1.5e+300", "6.02214076e+23", "true", "null", "\"q\\\"\\n\\u0001\""};
  for (size_t i = 0; i < k.size(); ++i) CHECK(k[i].dump() == want[i]);
  // Random doubles: the same text as nlohmann's, which reads back exactly.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-30, 30);
  int same_text = 0;
  for (int i = 0; i < 2000; ++i) {
    double x = mantissa(rng) * std::pow(10.0, exponent(rng));
    std::string theirs = nlohmann::json(x).dump();
    JsonDocument d(theirs, 1);
    CHECK(d.root().get<double>() == x);
    JsonDocument back(d.root().dump(), 1);
    CHECK(back.root().get<double>() == x);
    same_text += d.root().dump() == theirs;
  }
  // nlohmann's Grisu2 is not always the shortest form; the two agree on
  // nearly every value and both read back exactly.
  CHECK(same_text >= 1990);
}

TEST_CASE("json document: the same document nlohmann::json reads") {
  // A generated graph-like document with every kind of value.
  std::mt19937_64 rng(11);
  nlohmann::json doc = nlohmann::json::object();
  nlohmann::json nodes = nlohmann::json::array();
  for (int i = 0; i < 300; ++i) {
    char in[16], out[16];
    std::snprintf(in, sizeof in, "n%d", i);
    std::snprintf(out, sizeof out, "m%d", i);
    nlohmann::json n = {{"op", i % 3 ? "add" : "dot"},
                        {"inputs", {in, {{"value", double(rng() % 1000) / 7.0}}}},
                        {"outputs", {out}},
                        {"axis", i % 2 ? nlohmann::json(nullptr) : nlohmann::json(-int(i % 4))},
                        {"keepdims", i % 5 == 0},
                        {"seed", uint64_t(rng())}};
    nodes.push_back(n);
  }
  doc["nodes"] = nodes;
  doc["name"] = "g\u00e9\t";
  for (int indent : {-1, 2}) {
    std::string text = doc.dump(indent);
    JsonDocument ours(text, 200);
    CHECK(same(ours.root(), nlohmann::json::parse(text)));
  }
}

TEST_CASE("json document: a graph file that is not JSON is an invalid-graph error") {
  try {
    load_graph_text("{\"format\": \"tgc-graph\",\n \"version\": 1,,}", "t.json", ".");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "invalid JSON: expected a string key in an object at line 2, column 15");
    CHECK(e.code() == ExitCode::InvalidGraph);
  }
}

TEST_CASE("json document: damaged documents give an error or a document, never a crash") {
  // Random byte edits of a valid graph document (run under ASan+UBSan in the
  // suite): each parse either succeeds or throws the invalid-graph error.
  const std::string good = R"({"format": "tgc-graph", "version": 1, "name": "t\u00e9",
    "inputs": [{"name": "x", "dtype": "float32", "shape": [null, 3]}],
    "nodes": [{"op": "mul", "inputs": ["x", {"value": -2.5e-3}], "outputs": ["y"]},
              {"op": "sum", "inputs": ["y"], "axis": [0, 1], "keepdims": false, "outputs": ["z"]}],
    "functions": [{"name": "f", "inputs": ["x"], "outputs": ["z"], "updates": {}}]})";
  const char alphabet[] = "{}[]\",:\\ \n0123456789.eE+-tfnulabcxyz\x01\x7f\xc3\xa9\xe4\xed\xf0\xff";
  std::mt19937_64 rng(5);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = good;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      char c = alphabet[rng() % (sizeof alphabet - 1)];
      switch (rng() % 3) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + long(at), c); break;
        default: text.erase(at, 1 + rng() % 8); break;
      }
    }
    try {
      JsonDocument doc(text, 200);
      doc.root().dump();  // every value of a parsed document can be walked
      ++parsed;
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::InvalidGraph);
      CHECK(std::string(e.what()).rfind("invalid JSON: ", 0) == 0);
      ++refused;
    }
  }
  CHECK(parsed > 0);
  CHECK(refused > 0);
  // Truncations at every byte: none parses but the whole document.
  for (size_t n = 0; n < good.size(); ++n) CHECK_THROWS_AS(JsonDocument(good.substr(0, n), 200), Error);
  CHECK_NOTHROW(JsonDocument(good, 200));
}

TEST_CASE("json document: find answers alike for small objects (scanned) and large ones (searched)") {
  // Keys of equal length and shared prefixes, an empty key, and one object
  // on each side of the 8 members up to which find scans instead of searching.
  for (int n : {3, 8, 9, 40}) {
    std::string text = "{";
    std::vector<std::string> keys = {"", "ab", "ba", "abc"};
    for (int k = 0; int(keys.size()) < n; ++k) keys.push_back(std::string("k").append(std::to_string(k)));
    keys.resize(size_t(n));
    for (size_t k = 0; k < keys.size(); ++k) {
      text += k ? ", \"" : "\"";
      text += keys[k];
      text += "\": ";
      text += std::to_string(k);
    }
    text += "}";
    JsonDocument doc(text, 10);
    const JsonValue& r = doc.root();
    INFO(text);
    for (size_t k = 0; k < keys.size(); ++k) {
      const JsonValue* v = r.find(keys[k]);
      REQUIRE(v != nullptr);
      CHECK(v->get<int64_t>() == int64_t(k));
    }
    for (const char* missing : {"a", "b", "aa", "abd", "k", "k99", "abcd"}) CHECK(r.find(missing) == nullptr);
  }
}
