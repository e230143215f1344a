#include "api/views.h"

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace millrace::api {
namespace {

using nlohmann::json;

json parse_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  auto j = json::parse(*text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json opt_time(const std::optional<EpochMs>& v) {
  return v ? json(format_rfc3339(*v)) : json(nullptr);
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json job_object(const store::JobView& v, const std::string* logs, bool with_type) {
  const auto& j = v.job;
  json o;
  o["workspace_id"] = j.workspace_id;
  o["id"] = j.id;
  o["parent_job"] = opt(j.parent_job);
  o["root_job"] = opt(j.root_job);
  o["created_by"] = j.created_by;
  o["created_at"] = format_rfc3339(j.created_at);
  o["script_hash"] = opt(j.script_hash);
  o["script_path"] = opt(j.script_path);
  o["job_kind"] = to_string(j.kind);
  o["permissioned_as"] = j.permissioned_as;
  o["email"] = j.email;
  o["is_flow_step"] = j.parent_job.has_value() && j.flow_step_id.has_value();
  o["flow_step_id"] = opt(j.flow_step_id);
  if (j.raw_code) o["raw_code"] = *j.raw_code;
  o["language"] = opt(j.language);
  o["visible_to_owner"] = true;
  o["tag"] = j.tag;
  o["priority"] = j.priority;
  o["trigger_kind"] = j.trigger_kind ? json(to_string(*j.trigger_kind)) : json(nullptr);
  if (logs) o["logs"] = *logs;
  if (v.completed) {
    const auto& c = *v.completed;
    o["started_at"] = opt_time(c.started_at);
    o["completed_at"] = format_rfc3339(c.completed_at);
    o["duration_ms"] = c.duration_ms;
    o["success"] = c.status == JobStatus::Success;
    o["result_columns"] = nullptr;
    o["deleted"] = false;
    o["canceled"] = c.status == JobStatus::Canceled;
    o["canceled_by"] = opt(c.canceled_by);
    o["canceled_reason"] = opt(c.canceled_reason);
    o["is_skipped"] = false;
    o["worker"] = opt(c.worker);
    o["status"] = to_string(c.status);
    if (with_type) o["type"] = "CompletedJob";
  } else {
    const auto& q = v.queued ? *v.queued : store::QueueState{};
    o["started_at"] = opt_time(q.started_at);
    o["scheduled_for"] = format_rfc3339(q.scheduled_for);
    o["running"] = q.running;
    o["canceled"] = q.canceled_by.has_value();
    o["canceled_by"] = opt(q.canceled_by);
    o["canceled_reason"] = opt(q.canceled_reason);
    o["last_ping"] = opt_time(q.ping);
    o["same_worker"] = false;
    o["script_entrypoint_override"] = nullptr;
    o["worker"] = opt(q.worker);
    if (with_type) o["type"] = "QueuedJob";
  }
  return o;
}

json script_object(const store::ScriptRecord& s) {
  json o = s.extra_json ? parse_or_null(s.extra_json) : json::object();
  if (!o.is_object()) o = json::object();
  o["workspace_id"] = s.workspace_id;
  o["hash"] = s.hash;
  o["path"] = s.path;
  o["parent_hashes"] = s.parent_hash ? json::array({*s.parent_hash}) : json(nullptr);
  o["summary"] = s.summary;
  o["description"] = s.description;
  o["content"] = s.content;
  o["created_by"] = s.created_by;
  o["created_at"] = format_rfc3339(s.created_at);
  o["archived"] = s.archived;
  o["deleted"] = s.deleted;
  o["schema"] = parse_or_null(s.schema_json);
  o["is_template"] = false;
  o["extra_perms"] = json::object();
  o["lock"] = opt(s.lock);
  o["lock_error_logs"] = opt(s.lock_error_logs);
  // Not Windmill's: what the lock fields mean, said once.
  o["lock_status"] = s.lock ? "ready" : (s.lock_error_logs ? "failed" : "pending");
  o["language"] = s.language;
  o["kind"] = s.kind;
  o["timeout"] = opt(s.timeout_s);
  if (!o.contains("tag")) o["tag"] = nullptr;
  return o;
}

json flow_object(const store::FlowRecord& f, bool with_value) {
  json o = f.extra_json ? parse_or_null(f.extra_json) : json::object();
  if (!o.is_object()) o = json::object();
  o["workspace_id"] = f.workspace_id;
  o["path"] = f.path;
  o["summary"] = f.summary;
  o["description"] = f.description;
  if (with_value) {
    o["value"] = parse_or_null(f.value_json);
    o["schema"] = parse_or_null(f.schema_json);
  }
  o["edited_by"] = f.edited_by;
  o["edited_at"] = format_rfc3339(f.edited_at);
  o["archived"] = f.archived;
  o["extra_perms"] = json::object();
  o["starred"] = false;
  o["has_draft"] = false;
  o["draft_only"] = false;
  o["version_id"] = f.version_id;
  return o;
}

json flow_version_object(const store::FlowVersionInfo& v) {
  return {{"id", v.id},
          {"created_by", v.created_by},
          {"created_at", format_rfc3339(v.created_at)},
          {"deployment_msg", opt(v.deployment_msg)}};
}

}  // namespace

std::string flow_json(const store::FlowRecord& f) {
  return dump(flow_object(f, true));
}

std::string flows_list_json(const std::vector<store::FlowRecord>& list) {
  json a = json::array();
  for (const auto& f : list) a.push_back(flow_object(f, false));
  return dump(a);
}

std::string flow_version_json(const store::FlowVersionInfo& v) {
  return dump(flow_version_object(v));
}

std::string flow_history_json(const std::vector<store::FlowVersionInfo>& list) {
  json a = json::array();
  for (const auto& v : list) a.push_back(flow_version_object(v));
  return dump(a);
}

std::string with_raw_fields(std::string object_json,
                            const std::vector<std::pair<std::string, std::string>>& raw) {
  object_json.pop_back();  // the closing brace
  for (const auto& [name, value] : raw) {
    if (object_json.size() > 1) object_json += ',';
    object_json += dump(json(name));
    object_json += ':';
    object_json += value.empty() ? "null" : value;
  }
  object_json += '}';
  return object_json;
}

std::string job_json(const store::JobView& v, const std::string* logs, bool with_type) {
  std::vector<std::pair<std::string, std::string>> raw = {{"args", v.job.args_json}};
  if (v.completed) raw.emplace_back("result", v.completed->result_json.value_or("null"));
  // A flow's state and value, as stored (the engine wrote them as JSON).
  if (v.job.flow_status) raw.emplace_back("flow_status", *v.job.flow_status);
  if (v.job.raw_flow) raw.emplace_back("raw_flow", *v.job.raw_flow);
  return with_raw_fields(dump(job_object(v, logs, with_type)), raw);
}

std::string jobs_json(const std::vector<store::JobView>& list, bool include_args) {
  std::string out = "[";
  for (const auto& v : list) {
    if (out.size() > 1) out += ',';
    std::vector<std::pair<std::string, std::string>> raw;
    auto add = [&](const char* name, const std::string& value, const std::string& route) {
      if (value.size() <= kListedFieldBytes && out.size() + value.size() <= kListedAnswerBytes) {
        raw.emplace_back(name, value);
        return;
      }
      raw.emplace_back(
          name, dump(json{{"omitted", std::string(name) + " of " + std::to_string(value.size()) +
                                          " bytes: GET /api/w/" + v.job.workspace_id + route +
                                          v.job.id}}));
    };
    if (include_args) {
      add("args", v.job.args_json, "/jobs_u/get/");
      if (v.completed) {
        add("result", v.completed->result_json.value_or("null"), "/jobs_u/completed/get_result/");
      }
    }
    if (v.job.flow_status) add("flow_status", *v.job.flow_status, "/jobs_u/get/");
    out += with_raw_fields(dump(job_object(v, nullptr, true)), raw);
  }
  return out + "]";
}

std::string script_json(const store::ScriptRecord& s) {
  return dump(script_object(s));
}

std::string scripts_list_json(const std::vector<store::ScriptRecord>& list) {
  json a = json::array();
  for (const auto& s : list) {
    json o;
    o["workspace_id"] = s.workspace_id;
    o["hash"] = s.hash;
    o["path"] = s.path;
    o["summary"] = s.summary;
    o["description"] = s.description;
    o["created_at"] = format_rfc3339(s.created_at);
    o["created_by"] = s.created_by;
    o["archived"] = s.archived;
    o["extra_perms"] = json::object();
    o["language"] = s.language;
    o["starred"] = false;
    o["tag"] = nullptr;
    o["kind"] = s.kind;
    o["has_draft"] = false;
    o["draft_only"] = false;
    o["has_deploy_errors"] = false;
    a.push_back(std::move(o));
  }
  return dump(a);
}

std::string script_history_json(const std::vector<store::ScriptRecord>& list) {
  json a = json::array();
  for (const auto& s : list) {
    a.push_back({{"script_hash", s.hash},
                 {"deployment_msg", nullptr},
                 {"created_at", format_rfc3339(s.created_at)},
                 {"created_by", s.created_by},
                 {"archived", s.archived}});
  }
  return dump(a);
}

namespace {
json audit_object(const store::AuditRecord& a) {
  return {{"workspace_id", a.workspace_id},
          {"id", a.id},
          {"timestamp", format_rfc3339(a.timestamp)},
          {"username", a.username},
          {"email", opt(a.email)},
          {"operation", a.operation},
          {"action_kind", a.action_kind},
          {"resource", opt(a.resource)},
          {"parameters", parse_or_null(a.parameters_json)},
          {"token_prefix", opt(a.token_prefix)}};
}
}  // namespace

std::string audit_json(const store::AuditRecord& a) {
  return dump(audit_object(a));
}

std::string audit_list_json(const std::vector<store::AuditRecord>& list) {
  json arr = json::array();
  for (const auto& a : list) arr.push_back(audit_object(a));
  return dump(arr);
}

std::string tokens_json(const std::vector<store::TokenRecord>& list) {
  json a = json::array();
  for (const auto& t : list) {
    a.push_back({{"label", opt(t.label)},
                 {"token_prefix", t.prefix},
                 {"expiration", opt_time(t.expiration)},
                 {"created_at", format_rfc3339(t.created_at)},
                 {"last_used_at", format_rfc3339(t.last_used_at)},
                 {"scopes", parse_or_null(t.scopes_json)},
                 {"workspace_id", opt(t.workspace_id)},
                 {"read_only", t.read_only}});
  }
  return dump(a);
}

}  // namespace millrace::api
