#include "runtime/warm_interpreters.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/random.h"
#include "common/strings.h"
#include "runtime/job_folder.h"
#include "sandbox/isolation.h"
#include "sandbox/root_template.h"
#include "sandbox/trees.h"

namespace millrace::runtime {
namespace {

// Two jobs share an interpreter only when they run the same code in the same workspace, as the
// same identity, with the same network; a cryptographic hash, so that no two can ever be
// mistaken for each other.
std::string version_key(const JobRunRequest& req) {
  // The lock's folders (no newline in any) come before the content, which may hold anything.
  std::string key = req.language + '\n' + req.workspace_id + '\n' + req.identity + '\n' +
                    (req.network ? "net" : "no-net") + '\n' +
                    std::to_string(req.import_path.size()) + '\n';
  for (const auto& folder : req.import_path) key += folder + '\n';
  key += req.content;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return hex_encode(digest, sizeof digest);
}

}  // namespace

struct WarmInterpreters::Kept {
  std::string key;
  std::unique_ptr<sandbox::Cell> cell;        // sandboxed: the interpreter's own
  std::unique_ptr<sandbox::CellFolder> area;  // its /job, /tmp and /dev/shm
  std::unique_ptr<WarmInterpreter> interpreter;
  ~Kept() { interpreter.reset(); }  // stopped before its cell goes
};

WarmInterpreters::WarmInterpreters(size_t capacity, Sandbox sandbox, std::string name)
    : capacity_(std::max<size_t>(1, capacity)),
      sandbox_(std::move(sandbox)),
      name_(std::move(name)) {}

WarmInterpreters::~WarmInterpreters() = default;

std::unique_ptr<WarmInterpreters::Kept> WarmInterpreters::start(const std::string& key,
                                                                const WarmLaunch& launch,
                                                                const JobRunRequest& req,
                                                                std::string& error) {
  auto kept = std::make_unique<Kept>();
  kept->key = key;
  ProcessSpec spec = launch.spec;
  if (sandbox_.isolation) {
    auto& iso = *sandbox_.isolation;
    kept->cell =
        iso.new_cell(name_ + "-warm" + std::to_string(++started_), iso.options().limits, error);
    if (!kept->cell) return nullptr;
    auto area = kept->cell->new_folder(error);
    if (!area) return nullptr;
    kept->area = std::make_unique<sandbox::CellFolder>(std::move(*area));
    auto jail = kept->cell->jail(*kept->area, req.network, {}, error);
    if (!jail) return nullptr;
    spec.jail = std::move(*jail);
    spec.cwd = sandbox::kJobFolderInside;
  }
  kept->interpreter = WarmInterpreter::start(spec, launch.program, error);
  if (!kept->interpreter) return nullptr;
  return kept;
}

JobRunOutcome WarmInterpreters::run(const WarmLaunch& launch, const JobRunRequest& req,
                                    const OutputSink& logs, const CancelSignal* cancel) {
  auto failed = [](const std::string& message) {
    return JobRunOutcome{false, error_object("ExecutionErr", message), false};
  };
  const std::string key = version_key(req);
  auto it = std::find_if(kept_.begin(), kept_.end(), [&](auto& k) { return k->key == key; });
  if (it != kept_.end() && !(*it)->interpreter->alive()) {
    kept_.erase(it);
    it = kept_.end();
  }
  if (it == kept_.end()) {
    std::string error;
    auto started = start(key, launch, req, error);
    if (!started) return failed("cannot start " + launch.program + ": " + error);
    kept_.push_front(std::move(started));
    while (kept_.size() > capacity_) kept_.pop_back();
  } else {
    kept_.splice(kept_.begin(), kept_, it);
  }
  Kept& kept = *kept_.front();

  // The job's own folder: sandboxed, a new one in the interpreter's /job; else one in the
  // job root, like a cold job's.
  std::string host_dir, inside_dir;
  std::optional<JobFolder> plain;
  if (kept.cell) {
    // The interpreter's earlier jobs may have left threads that watch its /job.
    std::string name = random_alphanumeric(20);
    host_dir = kept.area->job() + "/" + name;
    inside_dir = std::string(sandbox::kJobFolderInside) + "/" + name;
    std::string e = make_job_subfolder(kept.area->job(), name, kept.cell->uid(), launch.main_name,
                                       launch.main_content, "node_modules", launch.modules_link);
    if (!e.empty()) {
      sandbox::remove_tree(host_dir);
      return failed(e);
    }
  } else {
    std::string error;
    if (auto made = JobFolder::create(sandbox_, nullptr, req.job_id, error)) {
      plain.emplace(std::move(*made));
    } else {
      return failed(error);
    }
    host_dir = inside_dir = plain->path();
  }
  struct RemoveAfter {
    std::string path;
    ~RemoveAfter() {
      if (!path.empty()) sandbox::remove_tree(path);
    }
  } remove_after{kept.cell ? host_dir : ""};
  if (plain) {
    if (!plain->write_file(launch.main_name, launch.main_content) ||
        (!launch.modules_link.empty() && !plain->add_link("node_modules", launch.modules_link))) {
      return failed("cannot write the job's files");
    }
    if (auto e = plain->hand_over(); !e.empty()) return failed(e);
  }
  WarmInterpreter& interpreter = *kept.interpreter;
  JobRunOutcome out = interpreter.run(inside_dir, req, logs, cancel, kept.cell.get());
  if (!interpreter.alive()) kept_.pop_front();
  return out;
}

}  // namespace millrace::runtime
