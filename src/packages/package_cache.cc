#include "packages/package_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "common/random.h"
#include "metrics/registry.h"
#include "packages/npm_lock.h"
#include "packages/python_lock.h"
#include "runtime/job_folder.h"

namespace millrace::packages {
namespace {

namespace fs = std::filesystem;

metrics::Histogram& install_seconds(const char* language) {
  static auto& family = metrics::registry().histograms("millrace_package_install_seconds",
                                                       "Time to install one package into the cache",
                                                       metrics::duration_buckets());
  return family.histogram({{"language", language}});
}

metrics::Histogram& lock_seconds(const char* language) {
  static auto& family = metrics::registry().histograms(
      "millrace_package_lock_seconds", "Time to resolve a script's requirements into a lock",
      metrics::duration_buckets());
  return family.histogram({{"language", language}});
}

metrics::Gauge& cache_bytes(const char* language) {
  return metrics::registry()
      .gauges("millrace_package_cache_bytes", "Bytes of installed packages in this node's cache")
      .gauge({{"language", language}});
}

metrics::Counter& installs(const char* language, const char* outcome) {
  return metrics::registry()
      .counters("millrace_package_installs_total", "Packages installed into the cache")
      .counter({{"language", language}, {"outcome", outcome}});
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// An exclusive flock on a file, held until destroyed.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

bool is_folder(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status make_folder(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Error::internal("cannot make " + path + ": " + std::strerror(errno));
  }
  if (!is_folder(path)) return Error::internal(path + " is not a folder");
  ::chmod(path.c_str(), mode);
  return Status::ok();
}

// A file the tool wrote: an error when it is missing, a link or too large.
Result<std::string> tool_output(const runtime::JobFolder& folder, const std::string& name,
                                const std::string& tool) {
  auto text = folder.read_output(name);
  if (!text)
    return Error::of(ErrorKind::Unprocessable, tool + "'s " + name + ": " + text.error().message);
  if (!*text) return Error::of(ErrorKind::Unprocessable, tool + " wrote no " + name);
  return std::move(**text);
}

}  // namespace

std::optional<PackageCache> PackageCache::open(PackageCacheOptions options, std::string& error) {
  std::error_code ec;
  fs::create_directories(options.root, ec);
  if (ec) {
    error = "cannot make the package cache " + options.root + ": " + ec.message();
    return std::nullopt;
  }
  // Jobs read it (its packages are not secrets); only the server writes it. Installs in
  // progress and lock files are the server's alone.
  if (auto s = make_folder(options.root, 0755); !s) {
    error = s.error().message;
    return std::nullopt;
  }
  for (const char* kind : {"python", "npm"}) {
    const std::string base = options.root + "/" + kind;
    for (auto [path, mode] :
         {std::pair{base, 0755}, {base + "/.locks", 0700}, {base + "/.staging", 0700}}) {
      if (auto s = make_folder(path, static_cast<mode_t>(mode)); !s) {
        error = s.error().message;
        return std::nullopt;
      }
    }
    // What an install left half done when the process died.
    for (const auto& entry : fs::directory_iterator(base + "/.staging", ec)) {
      fs::remove_all(entry.path(), ec);
    }
    cache_bytes(kind).set(static_cast<int64_t>(folder_bytes(base)));
  }
  return PackageCache(std::move(options));
}

uint64_t PackageCache::folder_bytes(const std::string& path) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  return total;
}

std::vector<std::string> PackageCache::pip_environment() const {
  std::vector<std::string> env = {"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1",
                                  "PIP_ROOT_USER_ACTION=ignore", "PYTHONUNBUFFERED=1"};
  const auto& p = options_.pip;
  if (!p.index_url.empty()) env.push_back("PIP_INDEX_URL=" + p.index_url);
  if (!p.extra_index_url.empty()) env.push_back("PIP_EXTRA_INDEX_URL=" + p.extra_index_url);
  if (!p.trusted_host.empty()) env.push_back("PIP_TRUSTED_HOST=" + p.trusted_host);
  return env;
}

Result<std::string> PackageCache::lock_python(const std::vector<std::string>& requirements,
                                              const ToolContext& ctx) const {
  if (requirements.empty()) return std::string();
  if (!options_.python3) return Error::of(ErrorKind::Unprocessable, "python3 is not installed");
  std::string text;
  for (const auto& r : requirements) {
    // One requirement per line: a newline inside one would be a second (an option, a file).
    if (r.find_first_of("\r\n") != std::string::npos || r.starts_with("-")) {
      return Error::of(ErrorKind::Unprocessable, "requirement `" + r + "` is not one");
    }
    text += r + "\n";
  }
  auto start = std::chrono::steady_clock::now();
  ctx.logs("resolving the requirements with pip:\n" + text);
  ToolRun run;
  run.name = "pip";
  run.argv = {
      *options_.python3,    "-I",       "-m",          "pip", "install",         "--dry-run",
      "--ignore-installed", "--report", "report.json", "-r",  "requirements.txt"};
  run.files = {{"requirements.txt", text}};
  run.env = pip_environment();
  std::string lock;
  Status s = run_tool(options_.sandbox, run, ctx, [&](const runtime::JobFolder& folder) -> Status {
    auto report = tool_output(folder, "report.json", "pip");
    if (!report) return report.error();
    auto parsed = python_lock_from_pip_report(*report);
    if (!parsed) return Error::of(ErrorKind::Unprocessable, parsed.error().message);
    lock = std::move(*parsed);
    return Status::ok();
  });
  lock_seconds("python").observe(seconds_since(start));
  if (!s) return s.error();
  ctx.logs("lock:\n" + lock + "\n");
  return lock;
}

Result<std::vector<std::string>> PackageCache::python_path(const std::string& lock,
                                                           const ToolContext& ctx) const {
  auto packages = parse_python_lock(lock);
  if (!packages) return packages.error();
  const std::string base = options_.root + "/python/";
  std::vector<std::string> path;
  std::vector<const LockedPackage*> missing;
  for (const auto& p : *packages) {
    path.push_back(options_.root_inside + "/python/" + p.folder());
    if (!is_folder(base + p.folder())) missing.push_back(&p);
  }
  if (missing.empty()) return path;
  if (!options_.python3) return Error::of(ErrorKind::Unprocessable, "python3 is not installed");
  for (const auto* p : missing) {
    const std::string requirement = p->name + "==" + p->version;
    ToolRun run;
    run.name = "pip";
    run.argv = {*options_.python3, "-I",       "-m",  "pip",      "install",
                "--no-deps",       "--target", "out", requirement};
    run.env = pip_environment();
    MR_TRY(ensure_installed("python", p->folder(), run, "out", "", ctx));
  }
  return path;
}

std::vector<std::string> PackageCache::npm_environment() const {
  std::vector<std::string> env = {"NPM_CONFIG_UPDATE_NOTIFIER=false", "NPM_CONFIG_FUND=false",
                                  "NPM_CONFIG_AUDIT=false", "NPM_CONFIG_IGNORE_SCRIPTS=true"};
  if (!options_.npm_registry.empty()) env.push_back("NPM_CONFIG_REGISTRY=" + options_.npm_registry);
  return env;
}

Result<std::string> PackageCache::lock_npm(const std::vector<NpmRequirement>& requirements,
                                           const ToolContext& ctx) const {
  if (requirements.empty()) return std::string();
  if (!options_.node || !options_.npm_cli) {
    return Error::of(ErrorKind::Unprocessable, "npm is not installed on this server");
  }
  auto start = std::chrono::steady_clock::now();
  NpmLock lock;
  lock.package_json = npm_package_json(requirements);
  ctx.logs("resolving the imports with npm:\n" + lock.package_json + "\n");
  ToolRun run;
  run.name = "npm";
  run.argv = {*options_.node,     *options_.npm_cli, "install",  "--package-lock-only",
              "--ignore-scripts", "--no-audit",      "--no-fund"};
  run.files = {{"package.json", lock.package_json}};
  run.env = npm_environment();
  Status s = run_tool(options_.sandbox, run, ctx, [&](const runtime::JobFolder& folder) -> Status {
    auto text = tool_output(folder, "package-lock.json", "npm");
    if (!text) return text.error();
    lock.package_lock = std::move(*text);
    return Status::ok();
  });
  lock_seconds("npm").observe(seconds_since(start));
  if (!s) return s.error();
  return npm_lock_text(lock);
}

Result<std::string> PackageCache::npm_modules(const std::string& lock,
                                              const ToolContext& ctx) const {
  auto parsed = parse_npm_lock(lock);
  if (!parsed) return parsed.error();
  const std::string folder = npm_lock_folder(lock);
  const std::string inside = options_.root_inside + "/npm/" + folder + "/node_modules";
  if (is_folder(options_.root + "/npm/" + folder)) return inside;
  if (!options_.node || !options_.npm_cli) {
    return Error::of(ErrorKind::Unprocessable, "npm is not installed on this server");
  }
  ToolRun run;
  run.name = "npm";
  run.argv = {*options_.node,     *options_.npm_cli, "ci",
              "--ignore-scripts", "--no-audit",      "--no-fund"};
  run.files = {{"package.json", parsed->package_json}, {"package-lock.json", parsed->package_lock}};
  run.env = npm_environment();
  MR_TRY(ensure_installed("npm", folder, run, "node_modules", "node_modules", ctx));
  return inside;
}

Status PackageCache::ensure_installed(const char* kind, const std::string& folder,
                                      const ToolRun& run, const std::string& made,
                                      const std::string& inside, const ToolContext& ctx) const {
  const std::string base = options_.root + "/" + kind + "/";
  // Two installs of one folder never run at once (in any process on this cache): the second
  // waits, then finds it made.
  FileLock lock(base + ".locks/" + folder + ".lock");
  if (!lock.held()) return Error::internal("cannot lock " + folder + " in the package cache");
  if (is_folder(base + folder)) return Status::ok();
  auto start = std::chrono::steady_clock::now();
  ctx.logs(std::string("installing ") +
           (std::string(kind) == "python" ? run.argv.back() : "the npm lock " + folder) + "\n");
  Status s = run_tool(options_.sandbox, run, ctx, [&](const runtime::JobFolder& tool) -> Status {
    const std::string& tool_folder = tool.path();
    // Copied as the server, from the folder of a tool that has exited: links stay links, no
    // mode bit but read and execute survives, and the times stay (Python's bytecode checks
    // them).
    const std::string staging = base + ".staging/" + random_alphanumeric(16);
    const std::string target = inside.empty() ? staging : staging + "/" + inside;
    if (!inside.empty()) MR_TRY(make_folder(staging, 0755));
    if (is_folder(tool_folder + "/" + made)) {
      MR_TRY(run_host_command({"/bin/cp", "-R", "-P", "--preserve=timestamps", "--",
                               tool_folder + "/" + made, target}));
    } else {
      MR_TRY(make_folder(target, 0755));
    }
    MR_TRY(run_host_command({"/bin/chmod", "-R", "u=rwX,go=rX", "--", staging}));
    if (::rename(staging.c_str(), (base + folder).c_str()) != 0) {
      std::error_code ec;
      fs::remove_all(staging, ec);
      return Error::internal("cannot move " + folder +
                             " into the package cache: " + std::strerror(errno));
    }
    cache_bytes(kind).add(static_cast<int64_t>(folder_bytes(base + folder)));
    return Status::ok();
  });
  install_seconds(kind).observe(seconds_since(start));
  installs(kind, s ? "success" : "failure").add();
  return s;
}

Result<PruneReport> prune_packages(const std::string& root, const std::vector<std::string>& locks) {
  std::set<std::string> used;  // kind/folder
  for (const auto& lock : locks) {
    if (parse_npm_lock(lock)) {
      used.insert("npm/" + npm_lock_folder(lock));
    } else if (auto packages = parse_python_lock(lock)) {
      for (const auto& p : *packages) used.insert("python/" + p.folder());
    }
  }
  PruneReport report;
  std::error_code ec;
  for (const char* kind : {"python", "npm"}) {
    const std::string base = root + "/" + kind + "/";
    for (const auto& entry : fs::directory_iterator(base, ec)) {
      std::string name = entry.path().filename().string();
      if (name.starts_with(".") || entry.is_symlink(ec) || !entry.is_directory(ec)) continue;
      if (used.count(std::string(kind) + "/" + name)) {
        ++report.kept;
        continue;
      }
      // Under its lock, so that no install of it is half done.
      FileLock lock(base + ".locks/" + name + ".lock");
      uint64_t bytes = PackageCache::folder_bytes(entry.path().string());
      fs::remove_all(entry.path(), ec);
      if (ec) {
        return Error::internal("cannot remove " + entry.path().string() + ": " + ec.message());
      }
      ++report.removed;
      report.bytes += bytes;
    }
  }
  return report;
}

}  // namespace millrace::packages
