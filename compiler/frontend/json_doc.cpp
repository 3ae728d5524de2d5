// JSON values (frontend/json_doc.h): accessors and compact printing.
#include "frontend/json_doc.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace tgc::frontend {

const char* JsonValue::type_name() const {
  switch (kind_) {
    case Kind::Null: return "null";
    case Kind::Boolean: return "boolean";
    case Kind::String: return "string";
    case Kind::Array: return "array";
    case Kind::Object: return "object";
    default: return "number";
  }
}

size_t JsonValue::size() const {
  if (kind_ == Kind::Array || kind_ == Kind::Object) return count_;
  return kind_ == Kind::Null ? 0 : 1;
}

JsonValue::Members JsonValue::members() const {
  if (kind_ != Kind::Object) return {nullptr, nullptr};
  return {members_, members_ + count_};
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind_ != Kind::Object) return nullptr;
  const JsonMember* end = members_ + count_;
  // A node's object has a handful of members, and the loader asks for
  // many keys it does not have: comparing lengths first settles most
  // without reading the keys' bytes (they lie elsewhere in the arena).
  if (count_ <= 8) {
    for (const JsonMember* m = members_; m != end; ++m)
      if (m->key.size() == key.size() && (key.empty() || std::memcmp(m->key.data(), key.data(), key.size()) == 0))
        return &m->value;
    return nullptr;
  }
  // Members are sorted by key (the parser sorts them).
  const JsonMember* m =
      std::lower_bound(members_, end, key, [](const JsonMember& a, std::string_view k) { return a.key < k; });
  return m != end && m->key == key ? &m->value : nullptr;
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
  static const JsonValue null;
  const JsonValue* v = find(key);
  return v ? *v : null;
}

double JsonValue::as_double() const {
  switch (kind_) {
    case Kind::Float: return d_;
    case Kind::Integer: return double(i_);
    case Kind::Unsigned: return double(u_);
    default: return 0.0;
  }
}

JsonValue JsonValue::boolean(bool b) {
  JsonValue v(Kind::Boolean, 0);
  v.b_ = b;
  return v;
}
JsonValue JsonValue::integer(int64_t i) {
  JsonValue v(Kind::Integer, 0);
  v.i_ = i;
  return v;
}
JsonValue JsonValue::unsigned_integer(uint64_t u) {
  JsonValue v(Kind::Unsigned, 0);
  v.u_ = u;
  return v;
}
JsonValue JsonValue::floating(double d) {
  JsonValue v(Kind::Float, 0);
  v.d_ = d;
  return v;
}
JsonValue JsonValue::string(const char* s, uint32_t n) {
  JsonValue v(Kind::String, n);
  v.s_ = s;
  return v;
}
JsonValue JsonValue::array(const JsonValue* items, uint32_t n) {
  JsonValue v(Kind::Array, n);
  v.items_ = items;
  return v;
}
JsonValue JsonValue::object(const JsonMember* members, uint32_t n) {
  JsonValue v(Kind::Object, n);
  v.members_ = members;
  return v;
}

// ---- printing -------------------------------------------------------------------

namespace {

void dump_string(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// The shortest digits that read back as x, laid out as nlohmann::json does:
// plain decimals for exponents -4 < n <= 15 (n: digits before the point),
// always with a fractional part ("3.0"), else d.dddde+XX with at least two
// exponent digits.
void dump_double(double x, std::string& out) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  if (std::signbit(x)) {
    out += '-';
    x = -x;
  }
  if (x == 0.0) {
    out += "0.0";
    return;
  }
  char sci[64];
  auto res = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific);
  std::string_view text(sci, size_t(res.ptr - sci));  // d[.ddd]e[+-]XX
  size_t e = text.find('e');
  std::string digits(text.substr(0, e));
  if (digits.size() > 1) digits.erase(1, 1);  // drop the point
  int exp10 = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exp10);
  const int k = int(digits.size()), n = exp10 + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 15) {
    out += digits;
    out.append(size_t(n - k), '0');
    out += ".0";
  } else if (0 < n && n <= 15) {
    out.append(digits, 0, size_t(n));
    out += '.';
    out.append(digits, size_t(n), std::string::npos);
  } else if (-4 < n && n <= 0) {
    out += "0.";
    out.append(size_t(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    int ex = n - 1;
    out += ex < 0 ? "e-" : "e+";
    ex = std::abs(ex);
    if (ex < 10) out += '0';
    out += std::to_string(ex);
  }
}

}  // namespace

void JsonValue::dump_to(std::string& out) const {
  switch (kind_) {
    case Kind::Null: out += "null"; break;
    case Kind::Boolean: out += b_ ? "true" : "false"; break;
    case Kind::Integer: out += std::to_string(i_); break;
    case Kind::Unsigned: out += std::to_string(u_); break;
    case Kind::Float: dump_double(d_, out); break;
    case Kind::String: dump_string(str(), out); break;
    case Kind::Array:
      out += '[';
      for (uint32_t i = 0; i < count_; ++i) {
        if (i) out += ',';
        items_[i].dump_to(out);
      }
      out += ']';
      break;
    case Kind::Object:
      out += '{';
      for (uint32_t i = 0; i < count_; ++i) {
        if (i) out += ',';
        dump_string(members_[i].key, out);
        out += ':';
        members_[i].value.dump_to(out);
      }
      out += '}';
      break;
  }
}

std::string JsonValue::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

}  // namespace tgc::frontend
