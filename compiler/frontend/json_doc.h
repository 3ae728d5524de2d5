// A parsed graph document (RFC 8259 JSON), read-only, in one arena.
//
// The loader reads each node's object a few times (names defined and read,
// then the node itself), so the document is kept whole rather than streamed.
// It is laid out compactly: a value is 16 bytes, an object's members sit in
// one array sorted by key, arrays are arrays, and strings are decoded once
// into the arena. A 20,000-node graph becomes about 3 MB of document, where
// a general-purpose DOM (a tree node and a string per member) took 14 MB,
// and the whole document is freed at once. Accessors follow nlohmann::json's
// names, which the loader was first written against.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "frontend/json_arena.h"

namespace tgc::frontend {

struct JsonMember;

class JsonValue {
 public:
  // Non-negative integers are Unsigned and negative ones Integer (as
  // nlohmann::json has them); an integer beyond 64 bits is a Float.
  enum class Kind : uint8_t { Null, Boolean, Integer, Unsigned, Float, String, Array, Object };

  JsonValue() : u_(0) {}

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_boolean() const { return kind_ == Kind::Boolean; }
  bool is_number() const { return kind_ == Kind::Integer || kind_ == Kind::Unsigned || kind_ == Kind::Float; }
  bool is_number_integer() const { return kind_ == Kind::Integer || kind_ == Kind::Unsigned; }
  bool is_number_unsigned() const { return kind_ == Kind::Unsigned; }
  bool is_number_float() const { return kind_ == Kind::Float; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }
  // "null", "boolean", "number", "string", "array" or "object".
  const char* type_name() const;

  // Elements of an array, members of an object; 0 for null, 1 otherwise.
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Array elements (empty for anything else).
  const JsonValue* begin() const { return kind_ == Kind::Array ? items_ : nullptr; }
  const JsonValue* end() const { return kind_ == Kind::Array ? items_ + count_ : nullptr; }
  // The i-th element of an array (i < size()).
  const JsonValue& operator[](size_t i) const { return items_[i]; }
  const JsonValue& operator[](int i) const { return items_[i]; }

  // An object's members, sorted by key (empty for anything else).
  struct Members {
    const JsonMember* first;
    const JsonMember* last;
    const JsonMember* begin() const { return first; }
    const JsonMember* end() const { return last; }
  };
  Members members() const;
  // The member `key` of an object, or null when there is none (or this is
  // not an object).
  const JsonValue* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // The member `key`, or a null value when there is none.
  const JsonValue& operator[](std::string_view key) const;
  const JsonValue& operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  const JsonValue& operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }

  // Scalars: the string's text, the boolean, and the number converted to the
  // type asked for (as nlohmann::json's get<T>()). Only for a value of that
  // kind; a mismatch returns a zero value.
  std::string_view str() const { return kind_ == Kind::String ? std::string_view(s_, count_) : std::string_view(); }
  template <class T>
  T get() const;

  // Compact JSON text, as nlohmann::json::dump() writes it.
  std::string dump() const;

  // ---- construction (the parser) ----
  static JsonValue boolean(bool b);
  static JsonValue integer(int64_t i);
  static JsonValue unsigned_integer(uint64_t u);
  static JsonValue floating(double d);
  static JsonValue string(const char* s, uint32_t n);
  static JsonValue array(const JsonValue* items, uint32_t n);
  static JsonValue object(const JsonMember* members, uint32_t n);

 private:
  JsonValue(Kind kind, uint32_t count) : kind_(kind), count_(count), u_(0) {}
  double as_double() const;
  void dump_to(std::string& out) const;

  Kind kind_ = Kind::Null;
  uint32_t count_ = 0;  // string bytes, array elements or object members
  union {
    bool b_;
    int64_t i_;
    uint64_t u_;
    double d_;
    const char* s_;
    const JsonValue* items_;
    const JsonMember* members_;
  };
};

struct JsonMember {
  std::string_view key;
  JsonValue value;
};

template <>
inline std::string JsonValue::get<std::string>() const {
  return std::string(str());
}
template <>
inline bool JsonValue::get<bool>() const {
  return kind_ == Kind::Boolean && b_;
}
template <>
inline double JsonValue::get<double>() const {
  return as_double();
}
template <>
inline int64_t JsonValue::get<int64_t>() const {
  return kind_ == Kind::Integer ? i_ : kind_ == Kind::Unsigned ? int64_t(u_) : int64_t(as_double());
}
template <>
inline uint64_t JsonValue::get<uint64_t>() const {
  return kind_ == Kind::Unsigned ? u_ : kind_ == Kind::Integer ? uint64_t(i_) : uint64_t(as_double());
}

// A parsed document: its root and the arena everything in it lives in.
class JsonDocument {
 public:
  // Parses `text` (one JSON value, whitespace around it allowed). Strings
  // must be valid UTF-8 and an object must not repeat a key; arrays and
  // objects nested deeper than `max_depth` are refused. Throws
  // graph_error("", "invalid JSON: ... at line L, column C").
  JsonDocument(std::string_view text, int max_depth);
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  const JsonValue& root() const { return root_; }

 private:
  JsonArena arena_;
  JsonValue root_;
};

}  // namespace tgc::frontend
