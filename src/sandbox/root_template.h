// The root every jail sees as /, built once per process in its private mount namespace: a
// read-only tmpfs holding read-only binds of the system (/usr and the host's /bin, /lib…
// links, /etc with passwd, group and nsswitch.conf of our own), a minimal /dev, mount points
// for /proc, /tmp, /dev/shm and /job, the runtime wrappers at /opt/millrace, and the folders
// of interpreters installed elsewhere, at their own paths (or below /opt/millrace-tools when a
// job's own mounts would hide that path), and the folders an administrator shares with every
// job (JOB_EXTRA_MOUNTS). The data folder, /home, /root, /run, /var and every
// job's folder are absent.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sandbox/jail.h"

namespace millrace::sandbox {

// Inside a jail.
constexpr const char* kJobFolderInside = "/job";
constexpr const char* kRuntimeInside = "/opt/millrace";
constexpr const char* kToolsInside = "/opt/millrace-tools";
constexpr const char* kPackagesInside = "/opt/millrace-packages";  // the package cache

struct RootTemplateOptions {
  std::string dir;          // an empty folder to build it on
  std::string files_dir;    // where the generated /etc files are written
  std::string runtime_dir;  // shown read-only at /opt/millrace
  std::vector<Bind> extra;  // more host paths, shown where each says
  std::vector<uid_t> uids;  // each gets a passwd and a group entry
};

// Answers an error message, or empty.
std::string build_root_template(const RootTemplateOptions& options);

}  // namespace millrace::sandbox
