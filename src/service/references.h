// `$var:<path>` and `$res:<path>` inside a JSON value (a resource's value, a job's arguments):
// every string that is exactly such a reference is replaced by what it names — a variable's
// value (a secret opened, and audited), a resource's value (its own references resolved in
// turn, four levels at most) — as `who` may read it. A reference to nothing, or to what `who`
// may not read, is an error (404, as if absent), never an empty value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace millrace::auth {
struct Identity;
}

namespace millrace::service {

class Folders;
class Resources;
class Variables;

class References {
 public:
  References(Variables& variables, Resources& resources, Folders& folders)
      : variables_(variables), resources_(resources), folders_(folders) {}

  // `json_text` with its references resolved (the same text when it holds none).
  Result<std::string> resolve(const auth::Identity& who, const std::string& ws,
                              const std::string& json_text);
  // The first reference `json_text` holds, if any.
  static std::optional<std::string> first_reference(const std::string& json_text);
  // A cheap scan: false when `json_text` cannot hold a reference, so most jobs never parse.
  static bool may_hold_references(std::string_view json_text);
  // 403 when a scoped token names, in arguments it sends, a variable or resource its scopes do
  // not let it read (`variables:read:<path>`, `resources:read:<path>`): the job would read it
  // as the token's user, and hand it back.
  static Status check_scopes(const std::vector<std::string>& scopes, const std::string& json_text);

 private:
  Variables& variables_;
  Resources& resources_;
  Folders& folders_;
};

}  // namespace millrace::service
