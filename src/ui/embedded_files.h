// The web app's files, compiled into the binary by src/ui/embed.cmake.
#pragma once

#include <cstddef>
#include <vector>

namespace millrace::ui {

struct EmbeddedFile {
  const char* path;  // "/index.html", "/js/app.js"
  const unsigned char* data;
  size_t size;
  const char* etag;  // quoted, from the file's SHA-256
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace millrace::ui
