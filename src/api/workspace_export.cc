// The workspace as `wmill sync pull` reads it: GET workspaces/tarball, a tar archive of every
// live script (its code, `<path>.<ext>`, and its metadata, `<path>.script.json`) and flow
// (`<path>.flow.json`) the caller may read. Windmill answers a zip first; Millrace answers the
// zip request with Windmill's own "Invalid Archive Type", on which the CLI asks for tar.
#include <nlohmann/json.hpp>

#include "api/path_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "common/tar_archive.h"

namespace millrace::api {
namespace {

using nlohmann::json;

constexpr int64_t kPage = 500;  // rows read at a time

// The file the CLI expects a script's code in; default_ts names what plain `.ts` is.
std::string code_extension(const std::string& language, const std::string& default_ts) {
  if (language == "python3") return ".py";
  if (language == "bash") return ".sh";
  if (language == "bun") return default_ts == "deno" ? ".bun.ts" : ".ts";
  if (language == "deno") return default_ts == "deno" ? ".ts" : ".deno.ts";
  if (language == "nativets") return ".fetch.ts";
  if (language == "powershell") return ".ps1";
  if (language == "go") return ".go";
  return "." + language;
}

json parsed_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  json v = json::parse(*text, nullptr, false);
  return v.is_discarded() ? json(nullptr) : v;
}

Status add_scripts(ApiContext& ctx, const std::string& ws,
                   const std::optional<std::vector<std::string>>& visible,
                   const std::string& default_ts, TarArchive& tar) {
  for (int64_t offset = 0;; offset += kPage) {
    store::ScriptListFilter f;
    f.visible_prefixes = visible;
    f.limit = kPage;
    f.offset = offset;
    auto page = ctx.scripts.list(ws, f);
    if (!page) return page.error();
    for (const auto& s : *page) {
      const int64_t mtime = s.created_at / 1000;
      MR_TRY(tar.add_file(s.path + code_extension(s.language, default_ts), s.content, mtime));
      json meta = {{"summary", s.summary},
                   {"description", s.description},
                   {"schema", parsed_or_null(s.schema_json)},
                   {"kind", s.kind.empty() ? "script" : s.kind},
                   {"lock", s.lock ? json(*s.lock) : json(nullptr)},
                   {"language", s.language}};
      MR_TRY(tar.add_file(s.path + ".script.json", meta.dump(2), mtime));
    }
    if (static_cast<int64_t>(page->size()) < kPage) return Status::ok();
  }
}

Status add_flows(ApiContext& ctx, const std::string& ws,
                 const std::optional<std::vector<std::string>>& visible, TarArchive& tar) {
  for (int64_t offset = 0;; offset += kPage) {
    store::FlowListFilter f;
    f.visible_prefixes = visible;
    f.limit = kPage;
    f.offset = offset;
    auto page = ctx.flows.list(ws, f);
    if (!page) return page.error();
    for (const auto& fl : *page) {
      json meta = {{"summary", fl.summary},
                   {"description", fl.description},
                   {"value", parsed_or_null(std::optional<std::string>(fl.value_json))},
                   {"schema", parsed_or_null(fl.schema_json)}};
      MR_TRY(tar.add_file(fl.path + ".flow.json", meta.dump(2), fl.edited_at / 1000));
    }
    if (static_cast<int64_t>(page->size()) < kPage) return Status::ok();
  }
}

void tarball(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string type = req.query_param("archive_type").value_or("zip");
  if (type != "tar") {
    return reply_error(r, Error::bad_request("Invalid Archive Type " + type +
                                             ": this server exports tar archives"));
  }
  auto visible = readable_prefixes(ctx, *who, ws);
  if (!visible) return reply_error(r, visible.error());
  const std::string default_ts = req.query_param("default_ts").value_or("bun");
  TarArchive tar;
  if (auto st = add_scripts(ctx, ws, *visible, default_ts, tar); !st) {
    return reply_error(r, st.error());
  }
  if (auto st = add_flows(ctx, ws, *visible, tar); !st) return reply_error(r, st.error());
  http::Response res;
  res.status = 200;
  res.content_type = "application/x-tar";
  res.body = tar.finish();
  r->send(std::move(res));
}

}  // namespace

void add_workspace_export_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/w/:workspace/workspaces/tarball", bind_handler(ctx, tarball));
}

}  // namespace millrace::api
