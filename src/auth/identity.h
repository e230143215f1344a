// Who is making a request: resolved from a token, then narrowed to a workspace.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace millrace::auth {

struct Identity {
  std::string email;
  std::string username;  // the member's username inside a workspace, else the instance one
  bool super_admin = false;
  bool is_admin = false;  // of the current workspace
  bool is_operator = false;
  std::vector<std::string> scopes;  // empty: the owner's full rights
  bool read_only = false;
  std::optional<std::string> bound_workspace;
  std::optional<std::string> token_label;
  std::string token_prefix;
  std::string token_hash;
  std::optional<std::string> job_id;  // set when the token is a job's WM_TOKEN
  bool from_app = false;              // the request came with the session cookie alone

  // The name jobs and audit rows show: webhook-*, http-*, ... labels as they
  // are, other labels as label-<label>, otherwise the username.
  std::string display_name() const;
  std::string permissioned_as() const { return "u/" + username; }
};

}  // namespace millrace::auth
