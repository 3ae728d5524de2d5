// The JSON parser behind JsonDocument (frontend/json_doc.h): RFC 8259,
// recursive descent with a depth bound, building the document in its arena.
//
// Elements and members of the containers being parsed wait on two scratch
// stacks; a container is copied into the arena in one block when it closes,
// so the arena holds each array and object once, contiguous, in parse order.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "frontend/json_doc.h"
#include "ir/error.h"

namespace tgc::frontend {

namespace {

class Parser {
 public:
  Parser(std::string_view text, int max_depth, JsonArena& arena)
      : p_(text.data()), begin_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth),
        arena_(arena) {}

  JsonValue parse_document() {
    skip_space();
    if (p_ == end_) fail("the document is empty", p_);
    JsonValue root = parse_value(0);
    skip_space();
    if (p_ != end_) fail("unexpected text after the document", p_);
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what, const char* at) const {
    int line = 1;
    const char* line_start = begin_;
    for (const char* c = begin_; c < at; ++c)
      if (*c == '\n') {
        ++line;
        line_start = c + 1;
      }
    throw graph_error("", "invalid JSON: " + what + " at line " + std::to_string(line) + ", column " +
                              std::to_string(at - line_start + 1));
  }

  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  JsonValue parse_value(int depth) {
    if (p_ == end_) fail("unexpected end of the document", p_);
    switch (*p_) {
      case '{': return parse_object(depth + 1);
      case '[': return parse_array(depth + 1);
      case '"': {
        std::string_view s = parse_string();
        return JsonValue::string(s.data(), uint32_t(s.size()));
      }
      case 't': return parse_literal("true", JsonValue::boolean(true));
      case 'f': return parse_literal("false", JsonValue::boolean(false));
      case 'n': return parse_literal("null", JsonValue());
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return parse_number();
        fail(std::string("unexpected character '") + printable(*p_) + "'", p_);
    }
  }

  static std::string printable(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string(1, c);
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    return buf;
  }

  JsonValue parse_literal(std::string_view word, JsonValue v) {
    if (size_t(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      fail("unexpected character '" + printable(*p_) + "'", p_);
    p_ += word.size();
    return v;
  }

  void enter(int depth, const char* at) const {
    if (depth > max_depth_) fail("arrays and objects nest deeper than " + std::to_string(max_depth_) + " levels", at);
  }

  // The comma-separated entries of an array or object, up to `close`, each
  // read by `entry`. p_ is at the opening bracket.
  template <class Entry>
  void parse_entries(char close, const char* what, Entry entry) {
    ++p_;
    skip_space();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return;
    }
    for (;;) {
      skip_space();
      entry();
      skip_space();
      if (p_ == end_) fail(std::string("unexpected end of the document in ") + what, p_);
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != close) fail(std::string("expected ',' or '") + close + "' in " + what, p_);
      ++p_;
      return;
    }
  }

  // Moves the scratch entries from `first` on into one arena block.
  template <class T>
  std::pair<T*, uint32_t> to_arena(std::vector<T>& scratch, size_t first) {
    size_t n = scratch.size() - first;
    if (n > UINT32_MAX) fail("an array or object has more than 2^32 - 1 entries", p_);
    auto* block = static_cast<T*>(arena_.allocate(n * sizeof(T), alignof(T)));
    std::copy(scratch.begin() + long(first), scratch.end(), block);
    scratch.resize(first);
    return {block, uint32_t(n)};
  }

  JsonValue parse_array(int depth) {
    enter(depth, p_);
    size_t first = items_.size();
    parse_entries(']', "an array", [&] { items_.push_back(parse_value(depth)); });
    auto [block, n] = to_arena(items_, first);
    return JsonValue::array(block, n);
  }

  JsonValue parse_object(int depth) {
    const char* start = p_;
    enter(depth, p_);
    size_t first = members_.size();
    parse_entries('}', "an object", [&] {
      if (p_ == end_ || *p_ != '"') fail("expected a string key in an object", p_);
      std::string_view key = parse_string();
      skip_space();
      if (p_ == end_ || *p_ != ':') fail("expected ':' after an object key", p_);
      ++p_;
      skip_space();
      members_.push_back({key, parse_value(depth)});
    });
    auto [block, n] = to_arena(members_, first);
    // Sorted by key: lookups bisect, and a repeated key sits next to its twin.
    std::sort(block, block + n, [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; });
    for (size_t i = 1; i < n; ++i)
      if (block[i].key == block[i - 1].key)
        fail("the object repeats the key \"" + std::string(block[i].key) + "\"", start);
    return JsonValue::object(block, n);
  }



  // A string's decoded bytes, in the arena. p_ is at the opening quote.
  std::string_view parse_string() {
    const char* open = p_++;
    // Without escapes the decoded string is the raw text; with them it is
    // shorter, so the raw length bounds the block either way.
    const char* close = p_;
    while (close < end_ && *close != '"') close += (*close == '\\') ? 2 : 1;
    if (close >= end_) fail("unterminated string", open);
    size_t raw = size_t(close - p_);
    if (raw > UINT32_MAX) fail("a string is longer than 2^32 - 1 bytes", open);
    char* out = static_cast<char*>(arena_.allocate(raw + 1, 1));
    char* o = out;
    while (p_ < close) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '\\') {
        o = decode_escape(o);
      } else if (c < 0x20) {
        fail("a control character in a string must be escaped", p_);
      } else if (c < 0x80) {
        *o++ = char(c);
        ++p_;
      } else {
        o = copy_utf8(o, close);
      }
    }
    ++p_;  // closing quote
    *o = '\0';
    return std::string_view(out, size_t(o - out));
  }

  // One multi-byte UTF-8 sequence, validated (no overlong forms, no
  // surrogates, nothing above U+10FFFF).
  char* copy_utf8(char* o, const char* limit) {
    auto b0 = static_cast<unsigned char>(*p_);
    int len = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
    if (len == 0 || limit - p_ < len) fail("invalid UTF-8 in a string", p_);
    auto b1 = static_cast<unsigned char>(p_[1]);
    unsigned lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
    bool ok = b1 >= lo && b1 <= hi;
    for (int k = 2; ok && k < len; ++k) ok = (static_cast<unsigned char>(p_[k]) & 0xC0) == 0x80;
    if (!ok) fail("invalid UTF-8 in a string", p_);
    std::memcpy(o, p_, size_t(len));
    p_ += len;
    return o + len;
  }

  unsigned hex4(const char* at) {
    if (end_ - at < 4) fail("incomplete \\u escape", at);
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = at[k];
      unsigned d = c >= '0' && c <= '9'   ? unsigned(c - '0')
                   : c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? unsigned(c - 'A' + 10)
                                          : 16u;
      if (d == 16) fail("invalid \\u escape", at);
      v = v * 16 + d;
    }
    return v;
  }

  char* decode_escape(char* o) {
    const char* at = p_;
    char c = p_ + 1 < end_ ? p_[1] : '\0';
    p_ += 2;
    switch (c) {
      case '"': *o++ = '"'; return o;
      case '\\': *o++ = '\\'; return o;
      case '/': *o++ = '/'; return o;
      case 'b': *o++ = '\b'; return o;
      case 'f': *o++ = '\f'; return o;
      case 'n': *o++ = '\n'; return o;
      case 'r': *o++ = '\r'; return o;
      case 't': *o++ = '\t'; return o;
      case 'u': break;
      default: fail("invalid escape in a string", at);
    }
    unsigned cp = hex4(p_);
    p_ += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a \\u escape is a lone low surrogate", at);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      // A high surrogate must be followed by an escaped low one: 6 text
      // bytes for 4 output bytes, so the decoded string still fits.
      if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') fail("a \\u escape is a lone high surrogate", at);
      unsigned low = hex4(p_ + 2);
      if (low < 0xDC00 || low > 0xDFFF) fail("a \\u escape is a lone high surrogate", at);
      p_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      *o++ = char(cp);
    } else if (cp < 0x800) {
      *o++ = char(0xC0 | (cp >> 6));
      *o++ = char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *o++ = char(0xE0 | (cp >> 12));
      *o++ = char(0x80 | ((cp >> 6) & 0x3F));
      *o++ = char(0x80 | (cp & 0x3F));
    } else {
      *o++ = char(0xF0 | (cp >> 18));
      *o++ = char(0x80 | ((cp >> 12) & 0x3F));
      *o++ = char(0x80 | ((cp >> 6) & 0x3F));
      *o++ = char(0x80 | (cp & 0x3F));
    }
    return o;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  JsonValue parse_number() {
    const char* start = p_;
    auto digits = [&] {
      const char* d = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return p_ > d;
    };
    bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      fail("invalid number", start);
    }
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      integral = false;
      if (!digits()) fail("invalid number: no digits after '.'", start);
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      integral = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) fail("invalid number: no digits in the exponent", start);
    }
    if (integral) {
      // Non-negative integers are unsigned, negative ones signed; one that
      // fits neither is read as a double.
      if (negative) {
        int64_t i = 0;
        if (std::from_chars(start, p_, i).ec == std::errc()) return JsonValue::integer(i);
      } else {
        uint64_t u = 0;
        if (std::from_chars(start, p_, u).ec == std::errc()) return JsonValue::unsigned_integer(u);
      }
    }
    double d = 0.0;
    auto r = std::from_chars(start, p_, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Underflow reads as (signed) zero or a subnormal, as strtod gives it;
      // overflow is an error.
      std::string token(start, p_);
      d = std::strtod(token.c_str(), nullptr);
      if (std::abs(d) == HUGE_VAL) fail("number overflow: " + token, start);
    } else if (r.ec != std::errc()) {
      fail("invalid number", start);
    }
    return JsonValue::floating(d);
  }

  const char* p_;
  const char* begin_;
  const char* end_;
  int max_depth_;
  JsonArena& arena_;
  std::vector<JsonValue> items_;
  std::vector<JsonMember> members_;
};

}  // namespace

JsonDocument::JsonDocument(std::string_view text, int max_depth) {
  root_ = Parser(text, max_depth, arena_).parse_document();
}

}  // namespace tgc::frontend
