// The warm interpreters of one worker slot: one per script version (workspace, language and
// content), kept while jobs of that version come; beyond `capacity` the least recently used
// is stopped. Owned and used by one worker thread, which starts them (they die with it).
#pragma once

#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/warm_interpreter.h"

namespace millrace::runtime {

class WarmInterpreters {
 public:
  explicit WarmInterpreters(size_t capacity);
  ~WarmInterpreters();
  WarmInterpreters(const WarmInterpreters&) = delete;
  WarmInterpreters& operator=(const WarmInterpreters&) = delete;

  // Runs the job in the interpreter kept for its script version, first started with `spec`
  // when there is none or the kept one has ended. `folder` holds the job's main file.
  JobRunOutcome run(const ProcessSpec& spec, const std::string& program, const std::string& folder,
                    const JobRunRequest& req, const OutputSink& logs, const CancelSignal* cancel);

 private:
  size_t capacity_;
  // Most recently used first.
  std::list<std::pair<std::string, std::unique_ptr<WarmInterpreter>>> kept_;
};

}  // namespace millrace::runtime
