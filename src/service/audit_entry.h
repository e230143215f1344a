// The audit row of something a caller did: who (as jobs and the log show them), when, what, on
// what. Services write it in the same transaction as the change it records.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "store/audit.h"

namespace millrace::auth {
struct Identity;
}

namespace millrace::service {

struct AuditEntry {
  std::string operation;    // e.g. scripts.create
  std::string action_kind;  // Create | Update | Delete | Execute
  std::optional<std::string> resource;
  std::optional<std::string> parameters_json;
};

store::AuditRecord audit_row(const Clock& clock, const auth::Identity& who,
                             const std::string& workspace, AuditEntry entry);

}  // namespace millrace::service
