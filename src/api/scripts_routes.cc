// Scripts: every save is a new version (hash); the newest version of a path is what runs by path.
#include <nlohmann/json.hpp>

#include "api/code_limits.h"
#include "api/extra_fields.h"
#include "api/path_access.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "common/strings.h"
#include "packages/requirements.h"
#include "queue/job_queue.h"
#include "queue/new_job.h"
#include "runtime/schema.h"
#include "store/scripts.h"

namespace millrace::api {
namespace {

using nlohmann::json;

Result<store::ScriptRecord> parse_new_script(const json& b, const std::string& ws) {
  if (!b.is_object()) return json_data_error("expected a NewScript object");
  for (const char* f : {"path", "summary", "content", "language"}) {
    if (!b.contains(f)) return json_data_error(std::string("missing field `") + f + "`");
    if (!b[f].is_string()) return json_data_error(std::string(f) + ": expected a string");
  }
  store::ScriptRecord s;
  s.workspace_id = ws;
  s.path = b["path"].get<std::string>();
  s.summary = b["summary"].get<std::string>();
  s.content = b["content"].get<std::string>();
  s.language = b["language"].get<std::string>();
  if (!is_valid_script_path(s.path)) return invalid_path_error(s.path);
  if (!is_known_language(s.language)) {
    return json_data_error("language: unknown variant `" + s.language + "`");
  }
  if (b.contains("description") && !b["description"].is_null()) {
    if (!b["description"].is_string()) return json_data_error("description: expected a string");
    s.description = b["description"].get<std::string>();
  }
  if (b.contains("schema") && !b["schema"].is_null()) {
    if (!b["schema"].is_object()) return json_data_error("schema: expected a JSON schema object");
    s.schema_json = b["schema"].dump();
  } else {
    s.schema_json = runtime::infer_schema(s.language, s.content);
  }
  if (b.contains("kind") && !b["kind"].is_null()) {
    if (!b["kind"].is_string()) return json_data_error("kind: expected a string");
    s.kind = b["kind"].get<std::string>();
  }
  if (b.contains("lock") && !b["lock"].is_null()) {
    if (b["lock"].is_string()) {
      s.lock = b["lock"].get<std::string>();
    } else if (b["lock"].is_array()) {
      std::string lines;
      for (const auto& l : b["lock"])
        lines += (lines.empty() ? "" : "\n") + (l.is_string() ? l.get<std::string>() : l.dump());
      s.lock = lines;
    }
  }
  // No lock sent: one is resolved after the save when the code needs packages (absent until
  // then), else it needs none.
  if (!s.lock || s.lock->empty()) {
    s.lock = packages::needs_packages(s.language, s.content) ? std::nullopt
                                                             : std::optional<std::string>("");
  }
  if (b.contains("timeout") && !b["timeout"].is_null()) {
    if (!b["timeout"].is_number_integer() || b["timeout"].get<int64_t>() <= 0) {
      return json_data_error("timeout: expected a positive integer (seconds)");
    }
    s.timeout_s = b["timeout"].get<int64_t>();
  }
  if (b.contains("parent_hash") && !b["parent_hash"].is_null()) {
    if (!b["parent_hash"].is_string() ||
        !is_valid_script_hash(b["parent_hash"].get<std::string>())) {
      return json_data_error("parent_hash: expected a script hash (16 hex digits)");
    }
    s.parent_hash = to_lower(b["parent_hash"].get<std::string>());
  }
  json extra = extra_fields(
      b, {"path", "parent_hash", "summary", "description", "content", "language", "schema", "kind",
          "lock", "timeout", "auto_parent", "skip_draft_deletion", "deployment_message"});
  if (!extra.empty()) s.extra_json = extra.dump();
  return s;
}

void create_script(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  auto parsed = parse_new_script(b, ws);
  if (!parsed) return reply_error(r, parsed.error());
  if (auto st = check_code_size(ctx.config, parsed->content); !st) {
    return reply_error(r, st.error());
  }
  if (auto st = may_write_path(ctx, *who, ws, parsed->path); !st) {
    return reply_error(r, st.error());
  }
  auto skip_noop = query_bool(req, "skip_if_noop");
  if (!skip_noop) return reply_error(r, skip_noop.error());
  const bool needs_lock = !parsed->lock;
  const std::string path = parsed->path;
  auto hash = ctx.scripts.save(*who, std::move(*parsed),
                               {b.value("auto_parent", false), skip_noop->value_or(false)});
  if (!hash) return reply_error(r, hash.error());
  if (!needs_lock) return reply_text(r, 201, *hash);
  // Its dependency job resolves the lock now; a run that comes first resolves it itself.
  queue::JobRequest lock_job;
  lock_job.origin = caller_origin(*who, ws);
  lock_job.target = queue::LockTarget{JobKind::Dependencies, path, *hash};
  ctx.queue.enqueue(queue::make_job(std::move(lock_job), ctx.clock.now_ms()),
                    [r, hash = *hash](const Status&) { reply_text(r, 201, hash); });
}

// The script a member may see: its newest version at `path`, or the version `hash`; 404 as if
// absent when it may not read its path.
Result<std::shared_ptr<const store::ScriptRecord>> readable_script(
    ApiContext& ctx, const auth::Identity& who, const std::string& ws,
    const std::optional<std::string>& path, const std::optional<std::string>& hash) {
  auto s = path ? ctx.scripts.latest(ws, *path) : ctx.scripts.version(ws, *hash);
  if (!s) return s.error();
  auto readable = may_read_path(ctx, who, ws, (*s)->path);
  if (!readable) return readable.error();
  if (!*readable) {
    return path ? Error::not_found("script not found at name " + *path)
                : Error::not_found("script not found at hash " + *hash);
  }
  return s;
}

#define MR_READABLE_SCRIPT_OR_REPLY(name, path, hash)     \
  const std::string ws = req.params["workspace"];         \
  auto who = authorize(ctx, req, ws);                     \
  if (!who) return reply_error(r, who.error());           \
  auto name = readable_script(ctx, *who, ws, path, hash); \
  if (!name) return reply_error(r, name.error())

void get_by_path(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_SCRIPT_OR_REPLY(s, req.params["path"], std::nullopt);
  reply_json(r, 200, script_json(**s));
}

void get_by_hash(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_SCRIPT_OR_REPLY(s, std::nullopt, req.params["hash"]);
  reply_json(r, 200, script_json(**s));
}

// Windmill's raw route also accepts the path with a language suffix (u/a/b.py).
std::string without_suffix(std::string path) {
  if (auto dot = path.rfind('.'); dot != std::string::npos && dot > path.rfind('/'))
    path.resize(dot);
  return path;
}

void raw_by_path(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_SCRIPT_OR_REPLY(s, without_suffix(req.params["path"]), std::nullopt);
  reply_text(r, 200, (*s)->content);
}

// Windmill's raw-by-hash route takes the hash with a file suffix (<hash>.ts).
std::string hash_without_suffix(std::string hash) {
  if (auto dot = hash.find('.'); dot != std::string::npos) hash.resize(dot);
  return hash;
}

void raw_by_hash(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_SCRIPT_OR_REPLY(s, std::nullopt, hash_without_suffix(req.params["hash"]));
  reply_text(r, 200, (*s)->content);
}

void exists_by_path(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto s = readable_script(ctx, *who, ws, req.params["path"], std::nullopt);
  if (!s && s.error().kind != ErrorKind::NotFound) return reply_error(r, s.error());
  reply_json(r, 200, s ? "true" : "false");
}

void list_scripts(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto page = paging(req);
  if (!page) return reply_error(r, page.error());
  auto archived = query_bool(req, "show_archived");
  if (!archived) return reply_error(r, archived.error());
  store::ScriptListFilter f;
  f.path_start = req.query_param("path_start");
  f.path_exact = req.query_param("path_exact");
  f.created_by = req.query_param("created_by");
  if (auto langs = req.query_param("languages")) {
    for (const auto& l : split(*langs, ',')) {
      if (!l.empty()) f.languages.push_back(l);
    }
  }
  f.show_archived = archived->value_or(false);
  f.limit = page->limit;
  f.offset = page->offset;
  auto readable = readable_prefixes(ctx, *who, ws);
  if (!readable) return reply_error(r, readable.error());
  f.visible_prefixes = std::move(*readable);
  auto list = ctx.scripts.list(ws, f);
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, scripts_list_json(*list));
}

void history(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string path = req.params["path"];
  auto readable = may_read_path(ctx, *who, ws, path);
  if (!readable) return reply_error(r, readable.error());
  auto list = ctx.scripts.history(ws, path);
  if (!list) return reply_error(r, list.error());
  if (list->empty() || !*readable) {
    return reply_error(r, Error::not_found("script not found at name " + path));
  }
  reply_json(r, 200, script_history_json(*list));
}

void archive_by_path(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string path = req.params["path"];
  if (!is_valid_script_path(path)) return reply_error(r, invalid_path_error(path));
  if (auto st = may_write_path(ctx, *who, ws, path); !st) return reply_error(r, st.error());
  bool archived = true;  // an empty body archives; {"archived": false} brings it back
  if (!req.body.empty()) {
    auto text = json_body_text(req);
    if (!text) return reply_error(r, text.error());
    json b = json::parse(*text);
    if (!b.is_object() || (b.contains("archived") && !b["archived"].is_boolean())) {
      return reply_error(r, json_data_error("expected {\"archived\": boolean}"));
    }
    archived = b.value("archived", true);
  }
  if (Status s = ctx.scripts.set_archived(*who, ws, path, archived); !s) {
    return reply_error(r, s.error());
  }
  reply_text(r, 200, "");
}

}  // namespace

void add_script_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/scripts";
  router.add("POST", base + "/create", bind_handler(ctx, create_script));
  router.add("GET", base + "/get/p/*path", bind_handler(ctx, get_by_path));
  router.add("GET", base + "/get/h/:hash", bind_handler(ctx, get_by_hash));
  router.add("GET", base + "/raw/p/*path", bind_handler(ctx, raw_by_path));
  router.add("GET", base + "/raw/h/:hash", bind_handler(ctx, raw_by_hash));
  router.add("GET", base + "/exists/p/*path", bind_handler(ctx, exists_by_path));
  router.add("GET", base + "/list", bind_handler(ctx, list_scripts));
  router.add("GET", base + "/history/p/*path", bind_handler(ctx, history));
  router.add("POST", base + "/archive/p/*path", bind_handler(ctx, archive_by_path));
}

}  // namespace millrace::api
