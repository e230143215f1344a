#include "api/back_pressure.h"

#include <algorithm>
#include <cstdio>

#include "common/strings.h"
#include "metrics/registry.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

metrics::Counter& refusals(const char* reason) {
  static auto& family = metrics::registry().counters(
      "millrace_calls_refused_total",
      "Calls refused before any job was stored, by reason (rate, queue_limit, max_queued).");
  return family.counter({{"reason", reason}});
}

http::Response refusal(int status, const char* reason, int64_t retry_after_s,
                       const std::string& message) {
  refusals(reason).add();
  http::Response res = http::Response::text(status, message);
  res.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, retry_after_s)));
  return res;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

BackPressure::BackPressure(const Config& config, const Clock& clock, store::Database& db)
    : config_(config),
      clock_(clock),
      db_(db),
      limiter_(clock),
      per_token_{config.token_rate_per_second, config.token_rate_burst} {}

std::optional<http::Response> BackPressure::rate(const std::string& key,
                                                 const triggers::RateLimit& limit) {
  if (!(limit.per_second > 0)) return std::nullopt;
  auto decision = limiter_.take(key, limit);
  if (decision.allowed) return std::nullopt;
  const int64_t wait_s = (decision.retry_after_ms + 999) / 1000;
  return refusal(429, "rate", wait_s,
                 "Too many requests: the rate limit is " + format_number(limit.per_second) +
                     " per second; retry after " + std::to_string(std::max<int64_t>(1, wait_s)) +
                     " s");
}

std::optional<http::Response> BackPressure::token_rate(const std::string& token_prefix) {
  if (token_prefix.empty()) return std::nullopt;
  return rate("token " + token_prefix, per_token_);
}

std::optional<http::Response> BackPressure::queue(const std::string& ws,
                                                  const std::string& script_path,
                                                  std::optional<int64_t> limit) {
  if (limit) {
    auto waiting = db_.read([&](store::Connection& c) {
      return store::count_waiting_jobs(c, ws, script_path, clock_.now_ms());
    });
    if (waiting && *waiting >= *limit) {
      return refusal(429, "queue_limit", 1,
                     "Too many requests: " + std::to_string(*waiting) + " jobs of " + script_path +
                         " already wait to run (queue_limit " + std::to_string(*limit) + ")");
    }
  }
  if (config_.max_queued_jobs <= 0) return std::nullopt;
  int64_t unstarted = 0;
  {
    std::lock_guard lock(count_mutex_);
    const EpochMs now = clock_.now_ms();
    if (now - counted_at_ >= kQueueCountTtlMs) {
      auto n = db_.read([](store::Connection& c) { return store::count_unstarted_jobs(c); });
      if (n) {
        unstarted_ = *n;
        counted_at_ = now;
      }
    }
    unstarted = unstarted_;
  }
  if (unstarted < config_.max_queued_jobs) return std::nullopt;
  return refusal(503, "max_queued", 5,
                 "Service unavailable: " + std::to_string(unstarted) +
                     " jobs wait to run, the most this server holds (MAX_QUEUED_JOBS); retry "
                     "later");
}

}  // namespace millrace::api
