# Writes OUT, a C++ file holding every template of FILES (a ;-list) as a raw
# string, so the tgc binary carries its templates with it.
string(REPLACE "|" ";" FILES "${FILES}")
set(body "// Generated at build time from templates/*.in. Do not edit.\n#include <map>\n#include <string>\nnamespace tgc {\nconst std::map<std::string, std::string>& embedded_templates() {\n  static const std::map<std::string, std::string> t = {\n")
foreach(f ${FILES})
  file(READ ${f} content)
  get_filename_component(name ${f} NAME)
  string(APPEND body "    {\"${name}\", R\"tgc_template(${content})tgc_template\"},\n")
endforeach()
string(APPEND body "  };\n  return t;\n}\n}  // namespace tgc\n")
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
