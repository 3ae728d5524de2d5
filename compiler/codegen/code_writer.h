// Indented C++ text building for the code generators.
#pragma once
#include <string>
#include <string_view>

namespace tgc {

class CodeWriter {
 public:
  // One line at the current indentation.
  void line(std::string_view s) {
    if (!s.empty()) out_.append(size_t(indent_ * 2), ' ');
    out_.append(s);
    out_.push_back('\n');
  }
  void blank() { out_.push_back('\n'); }
  // "s {" and indent.
  void open(std::string_view s) {
    line(std::string(s) + (s.empty() ? "{" : " {"));
    ++indent_;
  }
  // Dedent and "}" followed by `tail` (e.g. " else {").
  void close(std::string_view tail = "") {
    --indent_;
    line("}" + std::string(tail));
  }
  void indent() { ++indent_; }
  // Room for n bytes of text (saves the copies of growing a large output).
  void reserve(size_t n) { out_.reserve(n); }
  void dedent() { --indent_; }
  // Raw text, no indentation added.
  void raw(std::string_view s) { out_.append(s); }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  int indent_ = 0;
};

}  // namespace tgc
