#include "api/route_deliveries.h"

#include <nlohmann/json.hpp>

#include "api/http_route_calls.h"
#include "api/owned_paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "common/base64.h"
#include "common/strings.h"
#include "common/uuid.h"
#include "service/audit_entry.h"
#include "store/audit.h"
#include "store/database.h"
#include "triggers/route_table.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const OwnedPath kTrigger{"http_triggers", "http trigger"};
constexpr const char* kMasked = "***";
constexpr uint64_t kPruneEvery = 16;

store::DeliveryRetention retention_of(const Config& config) {
  return {config.deliveries_kept, config.delivery_retention_s * 1000};
}

// Headers whose value may be a credential: the usual names, and any that says so. (An API-key
// route's own header is masked too once its call is authenticated: RecordedDelivery::mask.)
bool may_be_credential(const std::string& lower_name) {
  for (const char* word : {"authorization", "cookie", "token", "secret", "password", "key"}) {
    if (lower_name.find(word) != std::string::npos) return true;
  }
  return false;
}

json headers_json(const std::string& text) {
  json h = json::parse(text, nullptr, false);
  return h.is_object() ? h : json::object();
}

json delivery_json(const store::HttpDeliveryRecord& d) {
  json o = {{"id", d.id},
            {"received_at", format_rfc3339(d.received_at)},
            {"method", d.method},
            {"path", d.path},
            {"query", d.query},
            {"headers", headers_json(d.headers_json)},
            {"body", d.body},
            {"body_encoding", d.body_encoding},
            {"body_truncated", d.body_truncated},
            {"verified", d.verified},
            {"status", d.status}};
  o["reason"] = d.reason ? json(*d.reason) : json(nullptr);
  o["job_id"] = d.job_id ? json(*d.job_id) : json(nullptr);
  o["replay_of"] = d.replay_of ? json(*d.replay_of) : json(nullptr);
  return o;
}

void list_deliveries(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_read(ctx, req, ws, kTrigger, path);
  if (!who) return reply_error(r, who.error());
  auto page = paging(req);
  if (!page) return reply_error(r, page.error());
  auto found = ctx.db.read([&](store::Connection& c) {
    return store::list_http_deliveries(c, ws, path, retention_of(ctx.config), page->limit,
                                       ctx.clock.now_ms());
  });
  if (!found) return reply_error(r, found.error());
  json out = json::array();
  for (const auto& d : *found) out.push_back(delivery_json(d));
  reply_json(r, 200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

// A kept delivery, received again: a new job of its route, as its owner (or, on a `windmill`
// route, as whoever replays it), answered with the job's id.
void replay_delivery(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string id = req.params["id"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto found =
      ctx.db.read([&](store::Connection& c) { return store::find_http_delivery(c, ws, id); });
  if (!found) return reply_error(r, found.error());
  if (!*found) return reply_error(r, Error::not_found("delivery " + id + " not found"));
  const store::HttpDeliveryRecord& d = **found;
  // Replaying runs the route: who may change the route may replay its deliveries.
  if (auto st = check_write(ctx, *who, ws, kTrigger, d.trigger_path); !st) {
    return reply_error(r, st.error());
  }
  auto t = ctx.http_triggers.find(ws, d.trigger_path);
  if (!t) return reply_error(r, t.error());
  if (!*t)
    return reply_error(r, Error::not_found("http trigger not found at path " + d.trigger_path));
  if (!d.verified) {
    return reply_error(r, Error::bad_request("delivery " + id +
                                             " did not pass its route's authentication: it "
                                             "cannot be replayed"));
  }
  if (d.body_truncated) {
    return reply_error(r, Error::bad_request("delivery " + id +
                                             " was kept without all of its "
                                             "body: it cannot be replayed"));
  }
  http::Request again;
  again.method = d.method;
  again.query = d.query;
  again.remote = req.remote;
  const json headers = headers_json(d.headers_json);
  for (const auto& [k, v] : headers.items()) {
    if (v.is_string() && v.get<std::string>() != kMasked) again.headers.emplace_back(k, v);
  }
  if (d.body_encoding == "base64") {
    auto raw = base64_decode(d.body);
    if (!raw) return reply_error(r, Error::internal("delivery " + id + ": its body is not base64"));
    again.body = std::move(*raw);
  } else {
    again.body = d.body;
  }
  again.params["route"] = d.path;
  const RouteSettings settings = read_route_settings(**t);
  triggers::RouteTable table;
  table.add("route", (*t)->http_method, service::HttpTriggers::pattern(**t));
  auto params = table.match((*t)->http_method, d.path);
  if (!params) {
    return reply_error(r, Error::bad_request("the route no longer answers " + d.method +
                                             " /api/r/" + d.path + ": it changed since"));
  }
  RouteAuthenticator::Caller caller{*who, {}, {}};
  if (settings.authentication_method != "windmill") {
    auto owner = ctx.auth.member_identity((*t)->email, ws);
    if (!owner) {
      return reply_error(r, Error::permission_denied("the route's owner " + (*t)->email +
                                                     " is no longer a member"));
    }
    caller.who = std::move(*owner);
  }
  auto audit = audit_record(
      ctx, *who, ws,
      {"http_triggers.replay", "Execute", d.trigger_path, json{{"delivery", d.id}}.dump()});
  ctx.db.write([audit](store::Connection& c) { return store::insert_audit(c, audit); },
               [](const Status&) {});
  auto delivery = RecordedDelivery::wrap(ctx, again, **t, d.path, r);
  delivery->verified();
  delivery->replay_of(d.id);
  run_route_call(
      ctx, again, delivery,
      {**t, settings, std::move(params->params), std::move(caller), d.path, d.id, delivery});
}

}  // namespace

std::shared_ptr<RecordedDelivery> RecordedDelivery::wrap(ApiContext& ctx, const http::Request& req,
                                                         const store::HttpTriggerRecord& t,
                                                         const std::string& route,
                                                         http::ResponderPtr inner) {
  store::HttpDeliveryRecord d;
  const EpochMs now = ctx.clock.now_ms();
  d.id = new_uuid_v7(now);
  d.workspace_id = t.workspace_id;
  d.trigger_path = t.path;
  d.received_at = now;
  d.method = req.method;
  d.path = route;
  // A `?token=` (a Windmill route's caller may send it so) is a credential too.
  d.query = req.query.empty() ? std::string() : http::mask_token("?" + req.query).substr(1);
  json headers = json::object();
  for (const auto& [k, v] : req.headers) headers[k] = may_be_credential(k) ? kMasked : v;
  d.headers_json = headers.dump(-1, ' ', false, json::error_handler_t::replace);
  d.body_truncated = req.body.size() > kBodyLimit;
  std::string body = d.body_truncated ? req.body.substr(0, kBodyLimit) : req.body;
  if (is_valid_utf8(body)) {
    d.body = std::move(body);
  } else {
    d.body = base64_encode(body);
    d.body_encoding = "base64";
  }
  return std::shared_ptr<RecordedDelivery>(
      new RecordedDelivery(ctx, std::move(d), std::move(inner)));
}

RecordedDelivery::RecordedDelivery(ApiContext& ctx, store::HttpDeliveryRecord record,
                                   http::ResponderPtr inner)
    : ctx_(ctx), inner_(std::move(inner)), record_(std::move(record)) {
  route = inner_->route;
}

void RecordedDelivery::verified() {
  std::lock_guard lock(mutex_);
  record_.verified = true;
}

void RecordedDelivery::job(const std::string& id) {
  std::lock_guard lock(mutex_);
  record_.job_id = id;
}

void RecordedDelivery::replay_of(const std::string& id) {
  std::lock_guard lock(mutex_);
  record_.replay_of = id;
}

void RecordedDelivery::mask(const std::string& lower_name) {
  if (lower_name.empty()) return;
  std::lock_guard lock(mutex_);
  json headers = headers_json(record_.headers_json);
  if (!headers.contains(lower_name)) return;
  headers[lower_name] = kMasked;
  record_.headers_json = headers.dump(-1, ' ', false, json::error_handler_t::replace);
}

void RecordedDelivery::record(int64_t status, std::optional<std::string> reason) {
  if (recorded_.exchange(true) || ctx_.config.deliveries_kept <= 0) return;
  store::HttpDeliveryRecord d;
  {
    std::lock_guard lock(mutex_);
    record_.status = status;
    if (reason && reason->size() > 500) reason->resize(500);
    record_.reason = std::move(reason);
    d = record_;
  }
  // Old deliveries are dropped every kPruneEvery calls (of any route), not at each.
  static std::atomic<uint64_t> recorded{0};
  const bool prune = recorded.fetch_add(1) % kPruneEvery == 0;
  ctx_.db.write(
      [d = std::move(d), retention = retention_of(ctx_.config), prune](store::Connection& c) {
        return store::insert_http_delivery(c, d, retention, prune);
      },
      [](const Status&) {});
}

void RecordedDelivery::send(http::Response response) {
  std::optional<std::string> reason;
  if (response.status >= 400) reason = response.body;
  record(response.status, std::move(reason));
  inner_->send(std::move(response));
}

void RecordedDelivery::on_disconnect(std::function<void()> callback) {
  inner_->on_disconnect([weak = weak_from_this(), callback = std::move(callback)] {
    if (auto self = weak.lock()) self->record(499, "the caller left before the answer");
    callback();
  });
}

void RecordedDelivery::start_stream(http::Response head) {
  record(head.status, std::nullopt);
  inner_->start_stream(std::move(head));
}

void RecordedDelivery::write(std::string piece) {
  inner_->write(std::move(piece));
}

void RecordedDelivery::end() {
  inner_->end();
}

void add_route_delivery_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/w/:workspace/http_triggers/deliveries/*path",
             bind_handler(ctx, list_deliveries));
  router.add("POST", "/api/w/:workspace/http_triggers/replay/:id",
             bind_handler(ctx, replay_delivery));
}

}  // namespace millrace::api
