// The words that describe a job, as enums: what kind of job it is, how it ended, and what
// started it. Each is stored, and shown by the API, as Windmill spells it (to_string()); parse_*()
// reads that spelling back and answers nullopt for any other text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace millrace {

enum class JobKind {
  Script,            // a saved script, by path or hash ("script")
  FlowScript,        // a flow step's inline code ("flowscript")
  Flow,              // a flow run ("flow")
  FlowNode,          // the body of one loop iteration or branch of a flow ("flownode")
  Dependencies,      // a script's lock job, as the CLI starts it ("dependencies")
  FlowDependencies,  // a flow's lock job ("flowdependencies")
  Preview,           // unsaved code, run from the editor ("preview")
  FlowPreview,       // an unsaved flow, run from the flow builder ("flowpreview")
};

// How a completed job ended.
enum class JobStatus { Success, Failure, Canceled };

// What made the job (absent: the API or the app, on a user's behalf).
enum class TriggerKind {
  Webhook,  // a run route called with a token ("webhook")
  Http,     // an HTTP route, /api/r/... ("http")
  Ui,       // the web app, with the session cookie ("ui")
};

std::string to_string(JobKind kind);
std::string to_string(JobStatus status);
std::string to_string(TriggerKind kind);

std::optional<JobKind> parse_job_kind(std::string_view text);
std::optional<JobStatus> parse_job_status(std::string_view text);
std::optional<TriggerKind> parse_trigger_kind(std::string_view text);

// Flow jobs (a flow run, or the body of one loop iteration or branch) are advanced by the flow
// engine instead of running code.
inline bool is_flow_kind(JobKind kind) {
  return kind == JobKind::Flow || kind == JobKind::FlowNode || kind == JobKind::FlowPreview;
}
inline bool is_lock_kind(JobKind kind) {
  return kind == JobKind::Dependencies || kind == JobKind::FlowDependencies;
}

}  // namespace millrace
