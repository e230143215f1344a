# Writes a C++ source that holds a file's text as a NUL-terminated char array, so scripts the
# server hands to interpreters (wrappers, the expression evaluator) live as real .py/.mjs files
# that can be read and linted. Run at build time:
#   cmake -DINPUT=<file> -DOUTPUT=<file.cc> -DNAMESPACE=<ns> -DSYMBOL=<name> -P embed_file.cmake
# The header that declares it says `extern const char <name>[];`.
include(${CMAKE_CURRENT_LIST_DIR}/c_bytes.cmake)
c_bytes("${INPUT}" bytes byte_count)
# As char literals: a byte above 0x7f in an initializer of `char` would be a narrowing error.
string(REGEX REPLACE "0x([0-9a-f][0-9a-f])," "'\\\\x\\1'," bytes "${bytes}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}"
  "// Generated at build time from ${input_name} by cmake/embed_file.cmake: edit that file.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char ${SYMBOL}[];\n"
  "// ${byte_count} bytes and a NUL.\n"
  "const char ${SYMBOL}[] = {\n  ${bytes}0};\n"
  "}  // namespace ${NAMESPACE}\n")
