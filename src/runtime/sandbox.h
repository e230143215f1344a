// Where and as whom jobs run. When the server runs as root, jobs run as an unprivileged user
// (JOB_USER, `nobody` by default), so they cannot read the server's data folder (0700) or
// signal the server; each job's folder is owned by that user.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace millrace::runtime {

struct JobUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

struct Sandbox {
  std::string job_root;         // job folders are made here, one per job
  std::optional<JobUser> user;  // nullopt: jobs run as the server's own user
};

// Creates the job root. When jobs run as another user it is made searchable but not listable
// (0711): a job reaches its own folder (0700, its own) and sees no one else's name. Answers an
// error message, or empty.
std::string prepare_job_root(const Sandbox& sandbox);

// Resolves `name` (a user name or a numeric uid). Empty `name` means the server's own user,
// except for root, which gets `nobody`. nullopt with `error` set when the user does not exist.
std::optional<JobUser> resolve_job_user(const std::string& name, bool server_is_root,
                                        std::string& error);

}  // namespace millrace::runtime
