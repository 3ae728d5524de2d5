// Fixed scaffolding of generated files (templates/*.in, embedded in the
// compiler at build time), filled by {{name}} substitution only.
#pragma once
#include <map>
#include <string>

namespace tgc {

const std::map<std::string, std::string>& embedded_templates();

// The template `name` with every {{key}} replaced by vars[key]; a key
// missing from vars is an internal error.
std::string render_template(const std::string& name, const std::map<std::string, std::string>& vars);

}  // namespace tgc
