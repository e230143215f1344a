#include "common/job_types.h"

#include <array>
#include <utility>

namespace millrace {
namespace {

// Each enum's spellings, in the enum's order.
constexpr std::array kJobKinds = {
    std::pair{JobKind::Script, std::string_view("script")},
    std::pair{JobKind::FlowScript, std::string_view("flowscript")},
    std::pair{JobKind::Flow, std::string_view("flow")},
    std::pair{JobKind::FlowNode, std::string_view("flownode")},
    std::pair{JobKind::Dependencies, std::string_view("dependencies")},
    std::pair{JobKind::FlowDependencies, std::string_view("flowdependencies")},
    std::pair{JobKind::Preview, std::string_view("preview")},
    std::pair{JobKind::FlowPreview, std::string_view("flowpreview")},
};
constexpr std::array kJobStatuses = {
    std::pair{JobStatus::Success, std::string_view("success")},
    std::pair{JobStatus::Failure, std::string_view("failure")},
    std::pair{JobStatus::Canceled, std::string_view("canceled")},
};
constexpr std::array kTriggerKinds = {
    std::pair{TriggerKind::Webhook, std::string_view("webhook")},
    std::pair{TriggerKind::Http, std::string_view("http")},
    std::pair{TriggerKind::Ui, std::string_view("ui")},
};

template <typename Enum, size_t N>
std::string_view name_in(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, text] : names) {
    if (value == e) return text;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> parse_in(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, spelling] : names) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string to_string(JobKind kind) {
  return std::string(name_in(kJobKinds, kind));
}
std::string to_string(JobStatus status) {
  return std::string(name_in(kJobStatuses, status));
}
std::string to_string(TriggerKind kind) {
  return std::string(name_in(kTriggerKinds, kind));
}

std::optional<JobKind> parse_job_kind(std::string_view text) {
  return parse_in(kJobKinds, text);
}
std::optional<JobStatus> parse_job_status(std::string_view text) {
  return parse_in(kJobStatuses, text);
}
std::optional<TriggerKind> parse_trigger_kind(std::string_view text) {
  return parse_in(kTriggerKinds, text);
}

}  // namespace millrace
