// The warm interpreters of one worker slot: one per script version and identity (workspace,
// language, content, who the job runs as, and whether it has network), kept while jobs of that
// version come; beyond `capacity` the least recently used is stopped. A caller never gets an
// interpreter that held another identity's token. Sandboxed, each interpreter lives in a cell
// of its own (its uid, limits and scratch), and each job gets a fresh folder in it. Owned and
// used by one worker thread, which starts them (they die with it).
#pragma once

#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/warm_interpreter.h"

namespace millrace::sandbox {
class Cell;
class CellFolder;
}  // namespace millrace::sandbox

namespace millrace::runtime {

// How to start an interpreter of a version, and the file each of its jobs loads.
struct WarmLaunch {
  ProcessSpec spec;       // argv (with --warm), environment, limits; cwd when unsandboxed
  std::string program;    // "python3", "node": names it in error messages
  std::string main_name;  // main.py, main.mjs
  std::string main_content;
  std::string modules_link;  // set: the job's folder links node_modules to it
};

class WarmInterpreters {
 public:
  // `name` (the worker slot's) prefixes the names of the interpreters' cells.
  WarmInterpreters(size_t capacity, Sandbox sandbox, std::string name);
  ~WarmInterpreters();
  WarmInterpreters(const WarmInterpreters&) = delete;
  WarmInterpreters& operator=(const WarmInterpreters&) = delete;

  // Runs the job in the interpreter kept for its version and identity, first started from
  // `launch` when there is none or the kept one has ended.
  JobRunOutcome run(const WarmLaunch& launch, const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel);

 private:
  struct Kept;
  // Starts an interpreter for `key`; nullptr with `error` set.
  std::unique_ptr<Kept> start(const std::string& key, const WarmLaunch& launch,
                              const JobRunRequest& req, std::string& error);

  size_t capacity_;
  Sandbox sandbox_;
  std::string name_;
  int64_t started_ = 0;
  // Most recently used first.
  std::list<std::unique_ptr<Kept>> kept_;
};

}  // namespace millrace::runtime
