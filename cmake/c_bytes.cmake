# c_bytes(<file> <bytes var> <size var>): the file's content as a C array initializer body
# ("0x23,0x21,...", lines of 16 bytes) and its size in bytes. Shared by the scripts that
# compile files into the binary (cmake/embed_file.cmake, src/ui/embed.cmake).
function(c_bytes file bytes_var size_var)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line_of_bytes)  # CMake's regexes have no {16}
  string(REGEX REPLACE "(${line_of_bytes})" "\\1\n  " bytes "${bytes}")
  set(${bytes_var} "${bytes}" PARENT_SCOPE)
  set(${size_var} "${size}" PARENT_SCOPE)
endfunction()
