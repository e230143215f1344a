# Writes a C++ source that holds a file's text as a NUL-terminated char array, so scripts the
# server hands to interpreters (wrappers, the expression evaluator) live as real .py/.mjs files
# that can be read and linted. Run at build time:
#   cmake -DINPUT=<file> -DOUTPUT=<file.cc> -DNAMESPACE=<ns> -DSYMBOL=<name> -P embed_file.cmake
# The header that declares it says `extern const char <name>[];`.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
# Sixteen bytes to a line, each as 0xNN.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line_of_bytes)  # CMake's regexes have no {16}
string(REGEX REPLACE "(${line_of_bytes})" "\\1\n  " bytes "${bytes}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}"
  "// Generated at build time from ${input_name} by cmake/embed_file.cmake: edit that file.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char ${SYMBOL}[];\n"
  "// ${byte_count} bytes and a NUL.\n"
  "const char ${SYMBOL}[] = {\n  ${bytes}0x00};\n"
  "}  // namespace ${NAMESPACE}\n")
