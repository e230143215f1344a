#include "worker/job_packages.h"

#include <nlohmann/json.hpp>

#include "packages/js_requirements.h"
#include "packages/python_requirements.h"
#include "packages/requirements.h"
#include "store/database.h"

namespace millrace::worker {
namespace {

using nlohmann::json;

// A failure the job shows: a message, without the kind's prefix.
Error job_error(const std::string& message) {
  return Error::of(ErrorKind::Unprocessable, message);
}

// The raw script a CLI's lock job is about: the entrypoint's, else the first.
const json* entry_script(const json& args) {
  if (!args.is_object() || !args.contains("raw_scripts") || !args["raw_scripts"].is_array()) {
    return nullptr;
  }
  const json& scripts = args["raw_scripts"];
  const std::string entry = args.contains("entrypoint") && args["entrypoint"].is_string()
                                ? args["entrypoint"].get<std::string>()
                                : "";
  for (const auto& s : scripts) {
    if (s.is_object() && s.value("script_path", s.value("path", "")) == entry) return &s;
  }
  return scripts.empty() || !scripts[0].is_object() ? nullptr : &scripts[0];
}

// A settled lock, or the failure every run of its version gets.
Result<std::string> settled_lock(const store::ScriptLock& lock) {
  if (lock.error) {
    return job_error("the dependencies of this script version could not be resolved:\n" +
                     *lock.error);
  }
  return lock.lock.value_or("");
}

}  // namespace

JobPackages::Resolving::Resolving(JobPackages& owner, std::string key)
    : owner_(owner), key_(std::move(key)) {
  {
    std::lock_guard lock(owner_.mutex_);
    auto& m = owner_.resolving_[key_];
    if (!m) m = std::make_shared<std::mutex>();
    mutex_ = m;
  }
  mutex_->lock();
}

JobPackages::Resolving::~Resolving() {
  mutex_->unlock();
  // The last one out drops the key's mutex (one that comes later makes a new one, and finds
  // the outcome stored).
  std::lock_guard lock(owner_.mutex_);
  if (mutex_.use_count() == 2) owner_.resolving_.erase(key_);
}

Result<std::string> JobPackages::fresh_lock(const std::string& language, const std::string& content,
                                            const packages::ToolContext& ctx) {
  switch (packages::package_manager(language)) {
    case packages::PackageManager::kPip:
      return cache_.lock_python(packages::python_requirements(content), ctx);
    case packages::PackageManager::kNpm:
      return cache_.lock_npm(packages::js_requirements(content), ctx);
    case packages::PackageManager::kNone:
      break;
  }
  return std::string();
}

Result<std::string> JobPackages::script_lock(const std::string& ws, const std::string& hash,
                                             const packages::ToolContext& ctx) {
  auto read = [&] {
    return db_.read([&](store::Connection& c) { return store::find_script_lock(c, ws, hash); });
  };
  auto current = read();
  if (!current) return current.error();
  if (!*current) return Error::not_found("script not found at hash " + hash);
  if ((*current)->pending()) {
    // One resolution per version in this process; another node may resolve it too, and the
    // first to store it wins.
    Resolving one_at_a_time(*this, ws + '\n' + hash);
    current = read();
    if (!current) return current.error();
    if (*current && (*current)->pending()) {
      auto script =
          db_.read([&](store::Connection& c) { return store::find_script_by_hash(c, ws, hash); });
      if (!script) return script.error();
      if (!*script) return Error::not_found("script not found at hash " + hash);
      auto resolved = fresh_lock((*script)->language, (*script)->content, ctx);
      if (!resolved && resolved.error().kind == ErrorKind::Unavailable) return resolved.error();
      store::ScriptLock outcome;
      if (resolved) {
        outcome.lock = *resolved;
      } else {
        outcome.error = resolved.error().message;
      }
      MR_TRY(db_.write_sync([&](store::Connection& c) -> Status {
        auto changed = store::settle_script_lock(c, ws, hash, outcome);
        return changed ? Status::ok() : Status(changed.error());
      }));
      current = read();
      if (!current) return current.error();
      if (!*current) return Error::not_found("script not found at hash " + hash);
    }
  }
  return settled_lock(**current);
}

Result<std::string> JobPackages::inline_lock(const std::string& language,
                                             const std::string& content,
                                             const packages::ToolContext& ctx) {
  // Code with the same requirements shares a lock.
  std::string key = language;
  if (packages::package_manager(language) == packages::PackageManager::kPip) {
    for (const auto& r : packages::python_requirements(content)) key += '\n' + r;
  } else {
    for (const auto& r : packages::js_requirements(content)) key += '\n' + r.name + '@' + r.version;
  }
  if (key == language) return std::string();
  Resolving one_at_a_time(*this, key);
  {
    std::lock_guard guard(mutex_);
    if (auto it = inline_locks_.find(key); it != inline_locks_.end()) return it->second;
  }
  auto resolved = fresh_lock(language, content, ctx);
  if (!resolved) return resolved.error();
  std::lock_guard guard(mutex_);
  if (inline_locks_.size() >= kMaxInlineLocks) inline_locks_.clear();
  inline_locks_[key] = *resolved;
  return resolved;
}

Result<std::vector<std::string>> JobPackages::prepare(const store::JobRecord& job,
                                                      const store::ScriptRecord* script,
                                                      const std::string& language,
                                                      const std::string& content,
                                                      const packages::ToolContext& ctx) {
  const auto manager = packages::package_manager(language);
  if (manager == packages::PackageManager::kNone) return std::vector<std::string>{};
  // A version's lock changes only once, from pending to settled: a settled one is read from
  // the version the worker has, and only a pending one from the database.
  const bool settled = script && (script->lock || script->lock_error_logs);
  auto lock = !script   ? inline_lock(language, content, ctx)
              : settled ? settled_lock({script->lock, script->lock_error_logs})
                        : script_lock(job.workspace_id, script->hash, ctx);
  if (!lock) return lock.error();
  if (lock->empty()) return std::vector<std::string>{};
  if (manager == packages::PackageManager::kPip) return cache_.python_path(*lock, ctx);
  auto modules = cache_.npm_modules(*lock, ctx);
  if (!modules) return modules.error();
  return std::vector<std::string>{*modules};
}

Result<std::string> JobPackages::run_lock_job(const store::JobRecord& job,
                                              const packages::ToolContext& ctx) {
  auto args = json::parse(job.args_json, nullptr, false);
  if (job.kind == JobKind::Dependencies) {
    if (job.script_hash) {
      // A version just saved: its lock is stored with it.
      auto lock = script_lock(job.workspace_id, *job.script_hash, ctx);
      if (!lock) return lock.error();
      return json{{"lock", *lock}}.dump();
    }
    const json* script = entry_script(args);
    if (!script) return json{{"lock", ""}}.dump();
    auto lock = fresh_lock(script->value("language", ""), script->value("raw_code", ""), ctx);
    if (!lock) return lock.error();
    return json{{"lock", *lock}}.dump();
  }
  // A flow's: each inline step that needs packages gets its lock.
  json value =
      args.is_object() && args.contains("flow_value") ? args["flow_value"] : json::object();
  std::vector<json*> pending = {&value};
  while (!pending.empty()) {
    json* node = pending.back();
    pending.pop_back();
    const std::string language = node->is_object() && node->value("type", "") == "rawscript" &&
                                         node->contains("language") &&
                                         (*node)["language"].is_string()
                                     ? (*node)["language"].get<std::string>()
                                     : "";
    if (packages::package_manager(language) != packages::PackageManager::kNone &&
        node->contains("content") && (*node)["content"].is_string()) {
      auto lock = fresh_lock(language, (*node)["content"].get<std::string>(), ctx);
      if (!lock) return lock.error();
      (*node)["lock"] = *lock;
    }
    if (node->is_structured()) {
      for (auto& child : *node) pending.push_back(&child);
    }
  }
  return json{{"updated_flow_value", value}}.dump();
}

}  // namespace millrace::worker
