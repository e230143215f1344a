// The JSON shapes the API answers with (Windmill's field names).
#pragma once

#include <string>
#include <vector>

#include "store/audit.h"
#include "store/flows.h"
#include "store/jobs.h"
#include "store/scripts.h"
#include "store/tokens.h"

namespace millrace::api {

// `object_json` (a dumped JSON object) with fields whose values are JSON texts added as they
// are: stored args and results are never re-parsed, so big integers keep every digit.
std::string with_raw_fields(std::string object_json,
                            const std::vector<std::pair<std::string, std::string>>& raw);

// QueuedJob or CompletedJob, with the `type` discriminator when `with_type`.
std::string job_json(const store::JobView& v, const std::string* logs, bool with_type);
// A jobs/list answer: without `include_args`, no args nor result; with it, an args or result
// over kListedFieldBytes (or once the answer passed kListedAnswerBytes) is replaced by a marker
// naming the route that gives it whole, {"omitted": "<why>: GET <route>"}.
constexpr size_t kListedFieldBytes = 64 * 1024;
constexpr size_t kListedAnswerBytes = 16 * 1024 * 1024;
std::string jobs_json(const std::vector<store::JobView>& list, bool include_args);
std::string script_json(const store::ScriptRecord& s);
std::string scripts_list_json(const std::vector<store::ScriptRecord>& list);
std::string script_history_json(const std::vector<store::ScriptRecord>& list);
// A flow (OpenFlowWPath plus edited_by/at, archived, version_id); list items leave out value.
std::string flow_json(const store::FlowRecord& f);
std::string flows_list_json(const std::vector<store::FlowRecord>& list);
std::string flow_version_json(const store::FlowVersionInfo& v);
std::string flow_history_json(const std::vector<store::FlowVersionInfo>& list);
std::string audit_json(const store::AuditRecord& a);
std::string audit_list_json(const std::vector<store::AuditRecord>& list);
std::string tokens_json(const std::vector<store::TokenRecord>& list);

}  // namespace millrace::api
