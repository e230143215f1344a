// TypeScript and JavaScript jobs (languages bun, deno, nativets, bunnative) on Node.js
//: esbuild strips the types once per script content (kept in memory
// by its hash), node runs the wrapper, which calls main with positional arguments.
#include <sodium.h>

#include <filesystem>
#include <list>
#include <mutex>
#include <unordered_map>

#include "common/strings.h"
#include "runtime/executor.h"
#include "runtime/job_folder.h"
#include "runtime/node_wrapper.h"
#include "runtime/npm_specifier.h"
#include "runtime/warm_interpreters.h"

namespace millrace::runtime {
namespace {

// Transpiled scripts kept in memory (by content hash); the oldest go first.
constexpr size_t kMaxCachedScripts = 512;
// esbuild's own budget for one script.
constexpr int64_t kTranspileTimeoutMs = 30'000;

// Where jobs find the windmill-client package, below the runtime folder.
constexpr const char* kClientFolder = "node_modules/windmill-client";

// Copies the package's ES modules and its package.json (what `import` needs) into `to`.
bool copy_client_package(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::create_directories(to + "/dist", ec);
  fs::copy_file(from + "/package.json", to + "/package.json", ec);
  if (ec) return false;
  for (auto it = fs::recursive_directory_iterator(from + "/dist", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), from, ec);
    if (it->is_directory()) {
      fs::create_directories(to + "/" + rel.string(), ec);
    } else if (it->path().extension() == ".mjs") {
      fs::copy_file(it->path(), to + "/" + rel.string(), ec);
    }
    if (ec) return false;
  }
  return true;
}

// `from "windmill-client"` (and `import("windmill-client")`) in esbuild's output made to name
// the copy in the runtime folder: Node resolves a bare name only from node_modules folders
// above the script, and a job's folder has none.
std::string with_client_imports(std::string js, const std::string& entry) {
  for (const char* name : {"\"windmill-client\"", "'windmill-client'"}) {
    const std::string quoted = std::string("\"") + entry + "\"";
    for (size_t at = 0; (at = js.find(name, at)) != std::string::npos; at += quoted.size()) {
      js.replace(at, std::string_view(name).size(), quoted);
    }
  }
  return js;
}

std::string content_hash(const std::string& content) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(content.data()),
                     content.size());
  return hex_encode(digest, sizeof digest);
}

class NodeExecutor final : public Executor {
 public:
  NodeExecutor(Sandbox sandbox, std::string node, std::optional<std::string> esbuild,
               const std::optional<std::string>& windmill_client)
      : sandbox_(std::move(sandbox)), node_(std::move(node)), esbuild_(std::move(esbuild)) {
    wrapper_ = install_wrapper(sandbox_, "wrapper_v1.mjs", kNodeWrapperV1);
    const std::string client = std::string("/") + kClientFolder;
    if (windmill_client && copy_client_package(*windmill_client, sandbox_.runtime_dir() + client)) {
      client_entry_ = sandbox_.runtime_dir_inside() + client + "/dist/index.mjs";
    }
  }

  JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel) override {
    std::string err;
    auto folder = JobFolder::create(sandbox_, req.cell, req.job_id, err, req.shared_folder_id);
    if (!folder) return {false, error_object("ExecutionErr", err), false};
    auto js = transpiled(req, *folder, logs);
    if (!js) return {false, error_object("ExecutionErr", js.error().message), false};
    // The lock's packages: Node.js finds bare imports in node_modules beside main.mjs.
    const std::string modules = req.import_path.empty() ? "" : req.import_path.front();
    // V8 reserves far more address space than it uses: the limit is on its heap instead.
    std::vector<std::string> argv = {node_, "--no-warnings"};
    if (req.memory_limit_mb > 0) {
      argv.push_back("--max-old-space-size=" + std::to_string(req.memory_limit_mb));
    }
    argv.push_back(wrapper_);
    if (req.warm) {
      WarmLaunch launch;
      launch.spec.env = base_environment("/", "/tmp");
      launch.spec.cwd = sandbox_.job_root;
      launch.spec.user = sandbox_.user;
      launch.spec.argv = std::move(argv);
      launch.spec.argv.push_back("--warm");
      launch.program = "node";
      launch.main_name = "main.mjs";
      launch.main_content = *js;
      launch.modules_link = modules;
      return req.warm->run(launch, req, logs, cancel);
    }
    if (!folder->write_file("main.mjs", *js) || !folder->write_file("args.json", req.args_json) ||
        (!modules.empty() && !folder->add_link("node_modules", modules))) {
      return {false, error_object("ExecutionErr", "cannot write the job's files"), false};
    }
    if (auto e = folder->hand_over(); !e.empty())
      return {false, error_object("ExecutionErr", e), false};
    auto spec = job_process_spec(sandbox_, *folder, req, false);
    if (!spec) return {false, error_object("ExecutionErr", spec.error().message), false};
    spec->argv = std::move(argv);
    if (req.preprocess) spec->argv.push_back("--preprocess");
    JobProcess run = run_job_process(std::move(*spec), *folder, req, logs, cancel);
    if (run.ended) return *run.ended;
    return outcome_from_result_file(*folder, run, req, "node");
  }

 private:
  // The script as JavaScript: from the cache, or made by esbuild in the job's folder (in the
  // job's jail when sandboxed, before the job's own files are written) and kept.
  Result<std::string> transpiled(const JobRunRequest& req, const JobFolder& folder,
                                 const OutputSink& logs) {
    // With a lock, its packages are bundled in (as Bun would load them: a CommonJS package's
    // named exports too); each lock is transpiled apart.
    const std::string modules = req.import_path.empty() ? "" : req.import_path.front();
    const std::string content = without_npm_prefixes(req.content);
    const std::string key = content_hash(req.content + '\n' + modules);
    {
      std::lock_guard lock(mutex_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    if (!esbuild_) {
      return Error::of(
          ErrorKind::Internal,
          "TypeScript needs esbuild, which this server cannot find (`npm ci` in the project "
          "folder installs it, or set ESBUILD_BINARY_PATH)");
    }
    if (!folder.write_file("main.ts", content) ||
        (!modules.empty() && !folder.add_link("node_modules", modules))) {
      return Error::of(ErrorKind::Internal, "cannot write main.ts");
    }
    JobRunRequest transpile = req;
    transpile.timeout_ms = kTranspileTimeoutMs;
    transpile.job_env.clear();  // esbuild needs no token
    auto made = job_process_spec(sandbox_, folder, transpile, false);
    if (!made) return made.error();
    ProcessSpec& spec = *made;
    spec.argv = {*esbuild_,         "main.ts",         "--loader:.ts=ts",   "--format=esm",
                 "--platform=node", "--target=node18", "--log-level=error", "--outfile=main.mjs"};
    // A script that pins its own windmill-client (npm:windmill-client@x) bundles that one.
    const bool own_client = req.content.find("npm:windmill-client@") != std::string::npos;
    if (!modules.empty()) {
      spec.argv.push_back("--bundle");
      if (!own_client) spec.argv.push_back("--external:windmill-client");
      // What a bundled CommonJS package requires (Node's built-ins) is loaded through this; a
      // global, so that the script may still declare its own `require`.
      spec.argv.push_back(
          "--banner:js=import { createRequire as __millraceRequire } from \"node:module\"; "
          "globalThis.require ||= __millraceRequire(import.meta.url);");
    }
    std::string said;
    auto outcome = run_process(
        spec, [&](std::string_view chunk) { said.append(chunk); }, nullptr);
    if (!outcome.started)
      return Error::of(ErrorKind::Internal, "cannot start esbuild: " + outcome.start_error);
    if (outcome.exit_code != 0) {
      logs(said);
      return Error::of(ErrorKind::Internal,
                       "the script does not compile:\n" + std::string(trim(said)));
    }
    auto js = folder.read_output("main.mjs");
    if (!js || !*js) return Error::of(ErrorKind::Internal, "esbuild wrote no main.mjs");
    if (!client_entry_.empty() && !own_client) {
      **js = with_client_imports(std::move(**js), client_entry_);
    }
    std::error_code ec;
    std::filesystem::remove(folder.path() + "/main.mjs", ec);  // written again for the job
    std::filesystem::remove(folder.path() + "/main.ts", ec);
    std::filesystem::remove(folder.path() + "/node_modules", ec);  // linked again for the job
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedScripts) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    return cache_.emplace(key, std::move(**js)).first->second;
  }

  Sandbox sandbox_;
  std::string node_;
  std::optional<std::string> esbuild_;
  std::string wrapper_;
  std::string client_entry_;  // windmill-client's entry inside the jail; empty without it
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> cache_;
  std::list<std::string> order_;
};

}  // namespace

std::unique_ptr<Executor> make_node_executor(Sandbox sandbox, std::string node,
                                             std::optional<std::string> esbuild,
                                             std::optional<std::string> windmill_client) {
  return std::make_unique<NodeExecutor>(std::move(sandbox), std::move(node), std::move(esbuild),
                                        windmill_client);
}

}  // namespace millrace::runtime
