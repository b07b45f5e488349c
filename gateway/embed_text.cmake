# Writes a C++ source defining `const std::string_view <VAR>` with the text of INPUT, at
# build time (cmake -P): the demo configuration travels inside the binary and always
# matches config/demo.yaml. Arguments: INPUT, OUTPUT, VAR (qualified name), HEADER.
file(READ "${INPUT}" text)
set(delim "siptgw_embed")
string(FIND "${text}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delim}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by gateway/embed_text.cmake; do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "const std::string_view ${VAR} = R\"${delim}(${text})${delim}\";\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
