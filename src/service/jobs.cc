#include "service/jobs.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/database.h"
#include "store/job_progress.h"

namespace millrace::service {

Result<std::optional<store::JobView>> Jobs::find(const std::string& ws, const std::string& id) {
  return db_.read([&](store::Connection& c) { return store::get_job(c, ws, id); });
}

Result<bool> Jobs::exists(const std::string& id) {
  return db_.read([&](store::Connection& c) { return store::job_exists(c, id); });
}

Result<std::string> Jobs::logs(const std::string& id, int64_t from) {
  if (from > 0) {
    return db_.read([&](store::Connection& c) { return store::get_job_logs_from(c, id, from); });
  }
  auto all = db_.read([&](store::Connection& c) { return store::get_job_logs(c, id); });
  if (!all) return all.error();
  return all->value_or("");
}

Result<store::ResultStreamPart> Jobs::result_stream(const std::string& id, int64_t idx) {
  return db_.read([&](store::Connection& c) { return store::get_result_stream_from(c, id, idx); });
}

Result<std::vector<store::JobView>> Jobs::list(const std::string& ws,
                                               const store::JobListFilter& f) {
  return db_.read([&](store::Connection& c) { return store::list_jobs(c, ws, f); });
}

Result<queue::CancelOutcome> Jobs::cancel(const auth::Identity& who, const std::string& ws,
                                          const std::string& id, const std::string& reason) {
  auto audit = audit_row(clock_, who, ws,
                         {"jobs.cancel", "Delete", id, nlohmann::json{{"reason", reason}}.dump()});
  return queue_.cancel(ws, id, who.username, reason, std::move(audit));
}

Status Jobs::set_progress(const store::JobView& job, int64_t percent) {
  if (job.completed) {
    return Error::bad_request("job " + job.job.id + " is over: its progress is final");
  }
  percent = std::clamp<int64_t>(percent, 0, 100);
  return db_.write_sync(
      [&](store::Connection& c) { return store::raise_job_progress(c, job.job.id, percent); });
}

Result<std::optional<int64_t>> Jobs::progress(const std::string& id) {
  return db_.read([&](store::Connection& c) { return store::find_job_progress(c, id); });
}

}  // namespace millrace::service
