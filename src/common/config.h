// Runtime configuration: command-line flags, each with a Windmill-style environment variable.
// A flag wins over its variable; `--help` prints the table below.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace millrace {

// A host folder shown in every sandboxed job (JOB_EXTRA_MOUNTS).
struct ExtraMount {
  std::string host;
  std::string inside;
  bool read_only = false;
};

// Whether a bind at `inside` (a path in a job's sandbox) would be hidden by what each job
// mounts of its own (/tmp, /dev, /job, /proc) or by the runtime wrappers (/opt/millrace).
bool hidden_in_job_sandbox(const std::string& inside);

struct Config {
  // serve (API and workers), server (API), worker (workers), backup (copy the database)
  std::string command = "serve";
  std::string backup_file;   // millrace backup <file>
  std::string cache_action;  // millrace cache prune
  std::string bind_address = "0.0.0.0";
  int port = 8000;                    // 0 picks a free port; the chosen one is printed
  std::string data_dir = "./data";    // SQLite database and server secrets
  std::string database_url;           // postgres://…: PostgreSQL instead of the SQLite file
  int database_max_connections = 20;  // this process's connections to the database, at most
  std::string job_dir;  // job folders; default <data>/jobs (unsandboxed: <tmp>/millrace-jobs-<pid>)
  std::string package_cache_dir;    // installed packages; default <data>/cache
  std::string pip_index_url;        // PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST: where
  std::string pip_extra_index_url;  // pip looks for packages (default: pip's own)
  std::string pip_trusted_host;
  std::string ui_dir;    // serve the web app from here, not the binary (development)
  std::string job_user;  // unsandboxed jobs run as this user; default nobody when root, "-" = self
  // Every job in its own sandbox (namespaces, a uid of its own, cgroup limits, seccomp): "auto"
  // (when the server runs as root), "on" (refuse to start without), "off".
  std::string job_sandbox = "auto";
  bool job_network = true;              // off: jobs run in an empty network namespace
  uint32_t job_uid_first = 2000000000;  // JOB_UID_RANGE: the uids sandboxed jobs run as
  uint32_t job_uid_last = 2000065535;
  int64_t job_pids_max = 256;                // processes and threads of one job at once
  int64_t job_disk_limit_mb = 1024;          // a job's folder, /tmp and /dev/shm together
  int64_t job_cpu_limit_s = 0;               // CPU time of one job, children included; 0 = none
  std::vector<ExtraMount> job_extra_mounts;  // shared with every sandboxed job
  std::string base_url;                      // default http://localhost:<port>
  int num_workers = 2;
  int64_t timeout_wait_result_s = 600;
  int64_t idempotency_window_s = 86400;   // a key's retries get its first job for this long
  int64_t deliveries_kept = 100;          // per HTTP route; 0 = none kept
  int64_t delivery_retention_s = 604800;  // an HTTP route's deliveries are kept this long
  int64_t max_queued_jobs = 0;            // jobs not yet started, instance-wide; 0 = no ceiling
  int64_t queue_limit_wait_result = 0;    // a sync call's queue_limit for all; 0 = none
  // RATE_LIMIT_PER_TOKEN ("<per second>[:<burst>]"), read once: 0 per second is no limit.
  double token_rate_per_second = 0;
  double token_rate_burst = 1;
  int64_t timeout_sse_stream_s = 60;  // an SSE stream of job updates ends (timeout) after this
  int64_t job_timeout_s = 604800;
  int64_t job_memory_limit_mb = 2048;    // per job; 0 = none
  int64_t max_result_size_mb = 64;       // a job's result; a larger one fails the job
  int64_t expression_timeout_ms = 5000;  // one flow expression's budget
  int64_t request_size_limit_bytes = 200ll * 1024 * 1024;
  int64_t script_size_limit_bytes = 1024 * 1024;             // a script's code (saved or previewed)
  int64_t request_buffer_limit_bytes = 512ll * 1024 * 1024;  // bodies being received at once
  int64_t session_validity_s = 259200;
  int max_crash_restarts = 3;         // a job interrupted by more crashes than this is failed
  bool restart_zombie_jobs = true;    // off: a job interrupted by a crash is failed at once
  int64_t zombie_job_timeout_s = 60;  // PostgreSQL: a running job unpinged this long is restarted
  int64_t safety_poll_ms = 5000;      // PostgreSQL: the check for lost notices, zombies, gone nodes
  // Which Python and TypeScript/JavaScript jobs run in warm interpreters: "dedicated" (scripts
  // saved with dedicated_worker), "all", or "off" (a new process for every job).
  std::string warm_workers = "dedicated";
  int warm_interpreters_per_worker = 4;  // script versions kept warm by each worker
  std::string superadmin_secret;
  std::string master_key;       // MILLRACE_MASTER_KEY: the key that seals secrets, itself
  std::string master_key_file;  // else this file; default <data>/master.key
  std::string admin_password;
  std::string include_headers;  // INCLUDE_HEADERS: always copied into webhook args
  bool raw_result_csp = true;   // a sync result served as a raw body is CSP-sandboxed
  bool access_log = true;
  bool quiet = false;
  bool log_json = false;      // LOG_FORMAT=json: one JSON object per log line
  std::string metrics_token;  // METRICS_TOKEN: a bearer token that reads GET /metrics
  std::string metrics_allow;  // METRICS_ALLOW: addresses and CIDRs that read it without one
  int http_threads = 2;
};

struct ConfigOption {
  std::string flag;  // "--port"
  std::string env;   // "PORT" or empty
  std::string help;
};

const std::vector<ConfigOption>& config_options();

// Parses argv and the environment. On `--help`, or a bad flag, fills `message` and returns
// false; `exit_code` says whether that is an error.
bool parse_config(int argc, char** argv, Config& config, std::string& message, int& exit_code);

}  // namespace millrace
