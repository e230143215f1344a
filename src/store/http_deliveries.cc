#include "store/http_deliveries.h"

#include <algorithm>

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kColumns =
    "id, workspace_id, trigger_path, received_at, method, path, query, headers, body, "
    "body_encoding, body_truncated, verified, status, reason, job_id, replay_of";

HttpDeliveryRecord read_delivery(Statement& s) {
  HttpDeliveryRecord d;
  d.id = s.text(0);
  d.workspace_id = s.text(1);
  d.trigger_path = s.text(2);
  d.received_at = s.int64(3);
  d.method = s.text(4);
  d.path = s.text(5);
  d.query = s.text(6);
  d.headers_json = s.text(7);
  d.body = s.text(8);
  d.body_encoding = s.text(9);
  d.body_truncated = s.int64(10) != 0;
  d.verified = s.int64(11) != 0;
  d.status = s.int64(12);
  d.reason = s.optional_text(13);
  d.job_id = s.optional_text(14);
  d.replay_of = s.optional_text(15);
  return d;
}

}  // namespace

Status insert_http_delivery(Connection& c, const HttpDeliveryRecord& d,
                            const DeliveryRetention& retention, bool prune) {
  auto s = c.prepare(std::string("INSERT INTO http_delivery (") + kColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, d.id).bind(2, d.workspace_id).bind(3, d.trigger_path).bind(4, d.received_at);
  s.bind(5, d.method).bind(6, d.path).bind(7, d.query).bind(8, d.headers_json).bind(9, d.body);
  s.bind(10, d.body_encoding).bind(11, d.body_truncated).bind(12, d.verified);
  s.bind(13, d.status).bind(14, d.reason).bind(15, d.job_id).bind(16, d.replay_of);
  MR_TRY(s.run());
  if (!prune) return Status::ok();
  auto old = c.prepare(
      "DELETE FROM http_delivery WHERE workspace_id = ?1 AND trigger_path = ?2 AND "
      "(received_at < ?3 OR id < (SELECT id FROM http_delivery WHERE workspace_id = ?1 AND "
      "trigger_path = ?2 ORDER BY id DESC LIMIT 1 OFFSET ?4))");
  old.bind(1, d.workspace_id).bind(2, d.trigger_path);
  old.bind(3, d.received_at - retention.max_age_ms).bind(4, retention.kept - 1);
  return old.run();
}

Result<std::vector<HttpDeliveryRecord>> list_http_deliveries(Connection& c, const std::string& ws,
                                                             const std::string& trigger_path,
                                                             const DeliveryRetention& retention,
                                                             int64_t limit, EpochMs now) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM http_delivery WHERE workspace_id = ? AND trigger_path = ? AND "
                     "received_at >= ? ORDER BY id DESC LIMIT ?");
  s.bind(1, ws).bind(2, trigger_path).bind(3, now - retention.max_age_ms);
  s.bind(4, std::min(limit, retention.kept));
  std::vector<HttpDeliveryRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_delivery(r)); }));
  return out;
}

Result<std::optional<HttpDeliveryRecord>> find_http_delivery(Connection& c, const std::string& ws,
                                                             const std::string& id) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM http_delivery WHERE workspace_id = ? AND id = ?");
  s.bind(1, ws).bind(2, id);
  std::optional<HttpDeliveryRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_delivery(r); }));
  return out;
}

Status move_http_deliveries(Connection& c, const std::string& ws, const std::string& from,
                            const std::string& to) {
  auto s = c.prepare(
      "UPDATE http_delivery SET trigger_path = ? WHERE workspace_id = ? AND trigger_path = ?");
  s.bind(1, to).bind(2, ws).bind(3, from);
  return s.run();
}

Status delete_http_deliveries(Connection& c, const std::string& ws, const std::string& path) {
  auto s = c.prepare("DELETE FROM http_delivery WHERE workspace_id = ? AND trigger_path = ?");
  s.bind(1, ws).bind(2, path);
  return s.run();
}

}  // namespace millrace::store
