#include "store/job_progress.h"

#include "store/rows.h"

namespace millrace::store {

Status raise_job_progress(Connection& c, const std::string& job_id, int64_t percent) {
  auto s = c.prepare(
      "INSERT INTO job_progress (job_id, percent) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE "
      "SET percent = CASE WHEN excluded.percent > job_progress.percent THEN excluded.percent "
      "ELSE job_progress.percent END");
  s.bind(1, job_id).bind(2, percent);
  return s.run();
}

Result<std::optional<int64_t>> find_job_progress(Connection& c, const std::string& job_id) {
  auto s = c.prepare("SELECT percent FROM job_progress WHERE job_id = ?");
  s.bind(1, job_id);
  std::optional<int64_t> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.int64(0); }));
  return out;
}

}  // namespace millrace::store
