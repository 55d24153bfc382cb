# cmake -DIN=file -DOUT=file.cc -P EmbedText.cmake
# Writes a C++ source that defines zhcanon::strip::kDefaultBoilerplateRules as the file's text.
file(READ ${IN} content)
set(delim "zhcanon_rules")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\n"
  "namespace zhcanon::strip {\nextern const std::string_view kDefaultBoilerplateRules;\n"
  "const std::string_view kDefaultBoilerplateRules = R\"${delim}(${content})${delim}\";\n}\n")
