#include "runtime/warm_interpreters.h"

#include <sodium.h>

#include <algorithm>

#include "common/strings.h"

namespace millrace::runtime {
namespace {

// Two jobs share an interpreter only when they run the same code in the same workspace; a
// cryptographic hash, so no two scripts can ever be mistaken for each other.
std::string version_key(const JobRunRequest& req) {
  std::string key = req.language + '\n' + req.workspace_id + '\n' + req.content;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return hex_encode(digest, sizeof digest);
}

}  // namespace

WarmInterpreters::WarmInterpreters(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

WarmInterpreters::~WarmInterpreters() = default;

JobRunOutcome WarmInterpreters::run(const ProcessSpec& spec, const std::string& program,
                                    const std::string& folder, const JobRunRequest& req,
                                    const OutputSink& logs, const CancelSignal* cancel) {
  const std::string key = version_key(req);
  auto it = std::find_if(kept_.begin(), kept_.end(), [&](auto& e) { return e.first == key; });
  if (it != kept_.end() && !it->second->alive()) {
    kept_.erase(it);
    it = kept_.end();
  }
  if (it == kept_.end()) {
    std::string error;
    auto started = WarmInterpreter::start(spec, program, error);
    if (!started) {
      return {false, error_object("ExecutionErr", "cannot start " + program + ": " + error), false};
    }
    kept_.emplace_front(key, std::move(started));
    while (kept_.size() > capacity_) kept_.pop_back();
  } else {
    kept_.splice(kept_.begin(), kept_, it);
  }
  WarmInterpreter& interpreter = *kept_.front().second;
  JobRunOutcome out = interpreter.run(folder, req, logs, cancel);
  if (!interpreter.alive()) kept_.pop_front();
  return out;
}

}  // namespace millrace::runtime
