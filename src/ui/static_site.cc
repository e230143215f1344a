#include "ui/static_site.h"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "common/strings.h"
#include "ui/embedded_files.h"

namespace millrace::ui {
namespace {

struct File {
  std::string body;
  std::string etag;
};

std::string content_type(std::string_view path) {
  static const std::map<std::string_view, std::string_view> types = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  size_t dot = path.rfind('.');
  if (dot != std::string_view::npos) {
    if (auto it = types.find(path.substr(dot)); it != types.end()) return std::string(it->second);
  }
  return "application/octet-stream";
}

// The last segment has an extension: a request for a file, never for a page of the app.
bool names_a_file(std::string_view path) {
  size_t slash = path.rfind('/');
  return path.find('.', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

class FileSource {
 public:
  virtual ~FileSource() = default;
  virtual std::optional<File> find(const std::string& path) const = 0;
};

class EmbeddedSource : public FileSource {
 public:
  EmbeddedSource() {
    for (const auto& f : embedded_files()) files_[f.path] = &f;
  }
  std::optional<File> find(const std::string& path) const override {
    auto it = files_.find(path);
    if (it == files_.end()) return std::nullopt;
    const EmbeddedFile& f = *it->second;
    return File{std::string(reinterpret_cast<const char*>(f.data), f.size), f.etag};
  }

 private:
  std::map<std::string, const EmbeddedFile*, std::less<>> files_;  // the bytes stay in the binary
};

class FolderSource : public FileSource {
 public:
  explicit FolderSource(std::string dir) : dir_(std::move(dir)) {}
  std::optional<File> find(const std::string& path) const override {
    for (auto& segment : split(path, '/')) {
      if (segment == ".." || segment == ".") return std::nullopt;
    }
    std::ifstream in(dir_ + path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    return File{body.str(), ""};  // no ETag: always the file as it is now
  }

 private:
  std::string dir_;
};

// A folder of the app's files (for editing them without a rebuild) over the embedded ones: what
// the folder lacks, such as the bundles the build makes, comes from the binary.
class LayeredSource : public FileSource {
 public:
  explicit LayeredSource(std::string dir) : folder_(std::move(dir)) {}
  std::optional<File> find(const std::string& path) const override {
    auto file = folder_.find(path);
    return file ? file : embedded_.find(path);
  }

 private:
  FolderSource folder_;
  EmbeddedSource embedded_;
};

void add_security_headers(http::Response& res) {
  // The app loads only its own files and talks only to its own /api.
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

http::Handler static_site_handler(std::string dev_dir) {
  std::shared_ptr<const FileSource> source;
  if (dev_dir.empty()) {
    source = std::make_shared<EmbeddedSource>();
  } else {
    source = std::make_shared<LayeredSource>(std::move(dev_dir));
  }
  return [source](http::Request& req, http::ResponderPtr r) {
    if (req.path == "/api" || starts_with(req.path, "/api/")) {
      return r->send(
          http::Response::text(404, "Not found: no route for " + req.method + " " + req.path));
    }
    if (req.method != "GET" && req.method != "HEAD") {
      return r->send(
          http::Response::text(405, "Method Not Allowed: " + req.method + " " + req.path));
    }
    std::string path = req.path;
    std::optional<File> file;
    if (names_a_file(path)) {
      file = source->find(path);
      if (!file) return r->send(http::Response::text(404, "Not found: " + path));
    } else {
      path = "/index.html";
      file = source->find(path);
      if (!file) return r->send(http::Response::text(404, "Not found: the web app is missing"));
    }
    http::Response res;
    res.headers.emplace_back("Cache-Control", "no-cache");
    add_security_headers(res);
    if (!file->etag.empty()) {
      res.headers.emplace_back("ETag", file->etag);
      const std::string* match = req.header("if-none-match");
      if (match && *match == file->etag) {
        res.status = 304;
        return r->send(std::move(res));
      }
    }
    res.status = 200;
    res.content_type = content_type(path);
    res.body = std::move(file->body);
    r->send(std::move(res));
  };
}

}  // namespace millrace::ui
