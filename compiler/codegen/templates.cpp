#include "codegen/templates.h"

#include "ir/error.h"

namespace tgc {

std::string render_template(const std::string& name, const std::map<std::string, std::string>& vars) {
  auto it = embedded_templates().find(name);
  if (it == embedded_templates().end()) throw internal_error("no template " + name);
  const std::string& t = it->second;
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    size_t open = t.find("{{", i);
    if (open == std::string::npos) {
      out.append(t, i, std::string::npos);
      break;
    }
    size_t close = t.find("}}", open);
    if (close == std::string::npos) throw internal_error("template " + name + ": unclosed {{");
    out.append(t, i, open - i);
    std::string key = t.substr(open + 2, close - open - 2);
    auto v = vars.find(key);
    if (v == vars.end()) throw internal_error("template " + name + ": no value for {{" + key + "}}");
    out += v->second;
    i = close + 2;
  }
  return out;
}

}  // namespace tgc
