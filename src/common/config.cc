#include "common/config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "common/strings.h"

namespace millrace {

bool hidden_in_job_sandbox(const std::string& inside) {
  for (const char* own : {"/tmp", "/job", "/dev", "/proc", "/opt/millrace"}) {
    if (inside == own || inside.starts_with(std::string(own) + "/")) return true;
  }
  return false;
}

namespace {

using Setter = std::function<bool(Config&, const std::string&)>;

bool parse_int(const std::string& v, int64_t& out) {
  if (v.empty()) return false;
  char* end = nullptr;
  long long n = strtoll(v.c_str(), &end, 10);
  if (*end != '\0' || n < 0) return false;
  out = n;
  return true;
}

Setter int_setter(int Config::*field) {
  return [field](Config& c, const std::string& v) {
    int64_t n;
    if (!parse_int(v, n) || n > 1000000) return false;
    c.*field = static_cast<int>(n);
    return true;
  };
}
Setter i64_setter(int64_t Config::*field) {
  return [field](Config& c, const std::string& v) {
    int64_t n;
    if (!parse_int(v, n)) return false;
    c.*field = n;
    return true;
  };
}
Setter string_setter(std::string Config::*field) {
  return [field](Config& c, const std::string& v) {
    c.*field = v;
    return true;
  };
}
Setter bool_setter(bool Config::*field) {
  return [field](Config& c, const std::string& v) {
    if (v == "1" || v == "true" || v == "on" || v.empty()) {
      c.*field = true;
    } else if (v == "0" || v == "false" || v == "off") {
      c.*field = false;
    } else {
      return false;
    }
    return true;
  };
}

struct Entry {
  ConfigOption option;
  Setter set;
  bool is_switch = false;  // takes no value on the command line
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"--port", "PORT", "HTTP port (0 = any free port)"}, int_setter(&Config::port)},
      {{"--bind", "SERVER_BIND_ADDR", "address to listen on (default 0.0.0.0)"},
       string_setter(&Config::bind_address)},
      {{"--data", "MILLRACE_DATA", "data folder: database and server secret (default ./data)"},
       string_setter(&Config::data_dir)},
      {{"--master-key-file", "MILLRACE_MASTER_KEY_FILE",
        "the file that keeps the master key sealing every secret (default <data>/master.key, "
        "made with the first secret); MILLRACE_MASTER_KEY gives the key itself (base64 or hex of "
        "32 bytes) instead"},
       string_setter(&Config::master_key_file)},
      {{"--master-key", "MILLRACE_MASTER_KEY",
        "the master key itself (base64 or hex of 32 bytes), instead of the key file"},
       string_setter(&Config::master_key)},
      {{"--database-url", "DATABASE_URL",
        "postgres://user@host:port/db to keep everything in PostgreSQL instead of the SQLite "
        "file in the data folder"},
       [](Config& c, const std::string& v) {
         if (!v.starts_with("postgres://") && !v.starts_with("postgresql://")) return false;
         c.database_url = v;
         return true;
       }},
      {{"--database-max-connections", "DATABASE_MAX_CONNECTIONS",
        "connections this process opens to the database, at most (default 20): one writer; on "
        "PostgreSQL a listener and one claim session per worker; the rest read, and a read "
        "waits for a free one"},
       int_setter(&Config::database_max_connections)},
      {{"--job-dir", "JOB_DIR",
        "where job folders are made (default <data>/jobs; unsandboxed, a temp folder)"},
       string_setter(&Config::job_dir)},
      {{"--package-cache-dir", "PACKAGE_CACHE_DIR",
        "where the packages of scripts' locks are installed, once each (default <data>/cache)"},
       string_setter(&Config::package_cache_dir)},
      {{"--pip-index-url", "PIP_INDEX_URL",
        "the package index pip resolves and installs Python requirements from (default pip's)"},
       string_setter(&Config::pip_index_url)},
      {{"--pip-extra-index-url", "PIP_EXTRA_INDEX_URL", "more package indexes for pip"},
       string_setter(&Config::pip_extra_index_url)},
      {{"--pip-trusted-host", "PIP_TRUSTED_HOST",
        "hosts pip may reach over plain HTTP or without a valid certificate"},
       string_setter(&Config::pip_trusted_host)},
      {{"--ui-dir", "MILLRACE_UI_DIR",
        "serve the web app from this folder instead of the copy built in (for UI development); "
        "what it lacks, such as the bundled code editor, still comes from the binary"},
       string_setter(&Config::ui_dir)},
      {{"--job-sandbox", "JOB_SANDBOX",
        "each job in a sandbox of its own (namespaces, its own uid, cgroup limits, seccomp): auto "
        "(when the server runs as root, the default), on (refuse to start without), off"},
       [](Config& c, const std::string& v) {
         if (v != "auto" && v != "on" && v != "off") return false;
         c.job_sandbox = v;
         return true;
       }},
      {{"--job-network", "JOB_NETWORK",
        "sandboxed jobs reach the network (default on); off: an empty network namespace (a "
        "script saved with \"no_network\": true never has it)"},
       bool_setter(&Config::job_network)},
      {{"--job-uid-range", "JOB_UID_RANGE",
        "FIRST-LAST: uids sandboxed jobs run as, one per running job, none an account's (default "
        "2000000000-2000065535)"},
       [](Config& c, const std::string& v) {
         auto dash = v.find('-');
         int64_t first, last;
         if (dash == std::string::npos || !parse_int(v.substr(0, dash), first) ||
             !parse_int(v.substr(dash + 1), last) || first < 1000 || last < first ||
             last > 4294967294LL) {
           return false;
         }
         c.job_uid_first = static_cast<uint32_t>(first);
         c.job_uid_last = static_cast<uint32_t>(last);
         return true;
       }},
      {{"--job-pids-max", "JOB_PIDS_MAX",
        "processes and threads one sandboxed job may run at once (default 256)"},
       i64_setter(&Config::job_pids_max)},
      {{"--job-disk-limit-mb", "JOB_DISK_LIMIT_MB",
        "size of a sandboxed job's folder, /tmp and /dev/shm together, in MB (default 1024)"},
       i64_setter(&Config::job_disk_limit_mb)},
      {{"--job-cpu-limit-s", "JOB_CPU_LIMIT_S",
        "CPU seconds one sandboxed job may use, its children included; 0 = none (default)"},
       i64_setter(&Config::job_cpu_limit_s)},
      {{"--job-extra-mounts", "JOB_EXTRA_MOUNTS",
        "HOST[:INSIDE][:ro],...: host folders every sandboxed job sees (and may write, unless "
        ":ro), not under /tmp, /job, /dev or /proc; none by default"},
       [](Config& c, const std::string& v) {
         c.job_extra_mounts.clear();
         for (const auto& entry : split(v, ',')) {
           auto parts = split(entry, ':');
           ExtraMount m;
           if (!parts.empty() && parts.back() == "ro") {
             m.read_only = true;
             parts.pop_back();
           } else if (!parts.empty() && parts.back() == "rw") {
             parts.pop_back();
           }
           if (parts.empty() || parts.size() > 2) return false;
           m.host = parts[0];
           m.inside = parts.size() == 2 ? parts[1] : parts[0];
           if (!m.host.starts_with("/") || !m.inside.starts_with("/") ||
               m.inside.find("..") != std::string::npos || m.inside == "/") {
             return false;
           }
           if (hidden_in_job_sandbox(m.inside)) return false;
           c.job_extra_mounts.push_back(m);
         }
         return true;
       }},
      {{"--job-user", "JOB_USER",
        "unsandboxed: user jobs run as (default: nobody when the server runs as root; - = the "
        "server's user)"},
       string_setter(&Config::job_user)},
      {{"--base-url", "BASE_URL", "public URL given to jobs as WM_BASE_URL"},
       string_setter(&Config::base_url)},
      {{"--workers", "NUM_WORKERS", "job workers in this process (default 2)"},
       int_setter(&Config::num_workers)},
      {{"--http-threads", "HTTP_THREADS", "threads serving HTTP (default 2)"},
       int_setter(&Config::http_threads)},
      {{"--timeout-wait-result", "TIMEOUT_WAIT_RESULT",
        "seconds a sync webhook waits before answering 500 and canceling (default 600)"},
       i64_setter(&Config::timeout_wait_result_s)},
      {{"--idempotency-window", "IDEMPOTENCY_WINDOW_S",
        "seconds a request's Idempotency-Key (or a sender's delivery id) keeps its job: a retry "
        "gets that job, not another (default 86400)"},
       i64_setter(&Config::idempotency_window_s)},
      {{"--deliveries-kept", "DELIVERIES_KEPT",
        "calls each HTTP route keeps, to show and replay (default 100; 0: none)"},
       i64_setter(&Config::deliveries_kept)},
      {{"--delivery-retention", "DELIVERY_RETENTION_S",
        "seconds an HTTP route's calls are kept (default 604800: 7 days)"},
       i64_setter(&Config::delivery_retention_s)},
      {{"--max-queued-jobs", "MAX_QUEUED_JOBS",
        "jobs not yet started, instance-wide, beyond which calls are refused with 503 (default "
        "0: no ceiling)"},
       i64_setter(&Config::max_queued_jobs)},
      {{"--queue-limit-wait-result", "QUEUE_LIMIT_WAIT_RESULT",
        "a sync call is refused with 429 when this many jobs of its script or flow already "
        "wait (default 0: only its own ?queue_limit=)"},
       i64_setter(&Config::queue_limit_wait_result)},
      {{"--rate-limit-per-token", "RATE_LIMIT_PER_TOKEN",
        "calls that run something, per token: <per second>[:<burst>] (default none)"},
       [](Config& c, const std::string& v) {
         auto number = [](const std::string& text, double least, double& out) {
           char* end = nullptr;
           out = strtod(text.c_str(), &end);
           return !text.empty() && *end == '\0' && out >= least && out > 0 && out <= 1e9;
         };
         auto colon = v.find(':');
         double rate = 0, burst = 0;
         if (!number(v.substr(0, colon), 0, rate)) return false;
         if (colon == std::string::npos) {
           burst = rate;
         } else if (!number(v.substr(colon + 1), 1, burst)) {
           return false;
         }
         c.token_rate_per_second = rate;
         c.token_rate_burst = std::max(1.0, std::floor(burst));
         return true;
       }},
      {{"--timeout-sse-stream", "TIMEOUT_SSE_STREAM",
        "seconds an SSE stream of job updates lasts before its timeout event (default 60)"},
       i64_setter(&Config::timeout_sse_stream_s)},
      {{"--timeout", "TIMEOUT", "maximum job duration in seconds (default 604800)"},
       i64_setter(&Config::job_timeout_s)},
      {{"--job-memory-limit-mb", "JOB_MEMORY_LIMIT_MB",
        "memory one job may use, in MB: its processes together when sandboxed, and each "
        "process's address space (Python, Bash) or heap (TypeScript); 0 = no limit (default "
        "2048)"},
       i64_setter(&Config::job_memory_limit_mb)},
      {{"--max-result-size-mb", "MAX_RESULT_SIZE_MB",
        "largest result a job may return, in MB; a larger one fails the job (default 64)"},
       i64_setter(&Config::max_result_size_mb)},
      {{"--expression-timeout-ms", "EXPRESSION_TIMEOUT_MS",
        "milliseconds a flow expression may run before its step fails (default 5000)"},
       i64_setter(&Config::expression_timeout_ms)},
      {{"--request-size-limit", "REQUEST_SIZE_LIMIT",
        "maximum request body in bytes (200 MB); a body over 64 KiB is read only once its "
        "token is checked"},
       i64_setter(&Config::request_size_limit_bytes)},
      {{"--script-size-limit", "SCRIPT_SIZE_LIMIT",
        "largest code a script may have, in bytes, saved or run as a preview (1 MiB); a larger "
        "one is refused with 413"},
       i64_setter(&Config::script_size_limit_bytes)},
      {{"--request-buffer-limit", "REQUEST_BUFFER_LIMIT",
        "request bodies being received at once hold at most this many bytes; beyond, 503 "
        "(512 MB)"},
       i64_setter(&Config::request_buffer_limit_bytes)},
      {{"--session-validity", "MAX_SESSION_VALIDITY_SECONDS", "login session lifetime (3 days)"},
       i64_setter(&Config::session_validity_s)},
      {{"--warm-workers", "WARM_WORKERS",
        "Python and TypeScript jobs run in a kept interpreter: dedicated (scripts saved with "
        "dedicated_worker, the default), all, or off"},
       [](Config& c, const std::string& v) {
         if (v != "dedicated" && v != "all" && v != "off") return false;
         c.warm_workers = v;
         return true;
       }},
      {{"--warm-interpreters-per-worker", "WARM_INTERPRETERS_PER_WORKER",
        "script versions each worker keeps warm; the least recently used goes (default 4)"},
       int_setter(&Config::warm_interpreters_per_worker)},
      {{"--max-crash-restarts", "MAX_CRASH_RESTARTS",
        "times a job interrupted by a crash is restarted before it is failed (default 3)"},
       int_setter(&Config::max_crash_restarts)},
      {{"--restart-zombie-jobs", "RESTART_ZOMBIE_JOBS",
        "restart a job whose worker died (up to MAX_CRASH_RESTARTS times); off: fail it at once "
        "(default on)"},
       bool_setter(&Config::restart_zombie_jobs)},
      {{"--zombie-job-timeout", "ZOMBIE_JOB_TIMEOUT",
        "PostgreSQL: seconds a running job may go without a ping from its worker before another "
        "node restarts it (default 60)"},
       i64_setter(&Config::zombie_job_timeout_s)},
      {{"--safety-poll-ms", "SAFETY_POLL_MS",
        "PostgreSQL: milliseconds between checks for a lost notice, zombie jobs and nodes that "
        "are gone (default 5000)"},
       i64_setter(&Config::safety_poll_ms)},
      {{"--superadmin-secret", "SUPERADMIN_SECRET", "a token value accepted as superadmin"},
       string_setter(&Config::superadmin_secret)},
      {{"--admin-password", "MILLRACE_ADMIN_PASSWORD",
        "password of admin@windmill.dev on first start (default: random, printed once)"},
       string_setter(&Config::admin_password)},
      {{"--include-headers", "INCLUDE_HEADERS",
        "request headers always copied into job args (never authorization, cookie, x-api-key "
        "or proxy-authorization)"},
       [](Config& c, const std::string& v) {
         for (const auto& name : split(v, ',')) {
           std::string key = to_lower(trim(name));
           if (key == "authorization" || key == "cookie" || key == "x-api-key" ||
               key == "proxy-authorization") {
             return false;
           }
         }
         c.include_headers = v;
         return true;
       }},
      {{"--raw-result-csp", "RAW_RESULT_CSP",
        "a sync result served as a raw body (windmill_content_type other than JSON) gets "
        "Content-Security-Policy: sandbox and nosniff, so it runs no script on this origin "
        "(default on)"},
       bool_setter(&Config::raw_result_csp)},
      {{"--access-log", "ACCESS_LOG", "log one line per request, tokens masked (default on)"},
       bool_setter(&Config::access_log)},
      {{"--log-format", "LOG_FORMAT",
        "text (the default) or json: one JSON object per line, with fields such as job_id, "
        "status, duration_ms and trace_id (from a request's traceparent)"},
       [](Config& c, const std::string& v) {
         if (v != "text" && v != "json") return false;
         c.log_json = v == "json";
         return true;
       }},
      {{"--metrics-token", "METRICS_TOKEN",
        "a token (as Authorization: Bearer) that reads GET /metrics; a superadmin's token "
        "always may"},
       string_setter(&Config::metrics_token)},
      {{"--metrics-allow", "METRICS_ALLOW",
        "addresses or CIDR ranges, comma-separated (127.0.0.1,10.0.0.0/8,::1), from which GET "
        "/metrics needs no token (the connection's own address: put no proxy in front)"},
       string_setter(&Config::metrics_allow)},
      {{"--quiet", "MILLRACE_QUIET", "only warnings and errors on stderr"},
       bool_setter(&Config::quiet),
       true},
  };
  return table;
}

}  // namespace

const std::vector<ConfigOption>& config_options() {
  static const std::vector<ConfigOption> options = [] {
    std::vector<ConfigOption> out;
    for (const auto& e : entries()) out.push_back(e.option);
    return out;
  }();
  return options;
}

bool parse_config(int argc, char** argv, Config& config, std::string& message, int& exit_code) {
  auto usage = [] {
    std::string s =
        "usage: millrace serve|server|worker [flags]   (or MODE=standalone|server|worker)\n"
        "       millrace backup FILE [--data FOLDER]\n"
        "       millrace rotate-key [--data FOLDER | --database-url URL]\n"
        "       millrace cache prune [--data FOLDER | --database-url URL]\n\n"
        "  serve    the API and the workers in one process (the default)\n"
        "  server   the API only                 } any number of each on one PostgreSQL\n"
        "  worker   the workers only (no HTTP)   } database (DATABASE_URL)\n"
        "  backup FILE   copy the SQLite database of --data into FILE while the server runs\n"
        "  rotate-key    seal every workspace's key with a new master key (and replace the key\n"
        "                file; with MILLRACE_MASTER_KEY, print the new key to put there)\n"
        "  cache prune   remove the installed packages that no saved script version's lock\n"
        "                names\n\n"
        "flags (each also read from the environment variable shown):\n";
    for (const auto& e : entries()) {
      std::string left = "  " + e.option.flag + (e.is_switch ? "" : " V");
      left.resize(std::max<size_t>(left.size() + 1, 28), ' ');
      s += left + (e.option.env.empty() ? "" : "[" + e.option.env + "] ") + e.option.help + "\n";
    }
    s += "  --help                    this text\n";
    return s;
  };
  exit_code = 0;
  for (const auto& e : entries()) {
    if (e.option.env.empty()) continue;
    if (const char* v = getenv(e.option.env.c_str()); v && *v) {
      if (!e.set(config, v)) {
        message = "invalid value for " + e.option.env + ": " + v + "\n";
        exit_code = 2;
        return false;
      }
    }
  }
  // Windmill's MODE names the same three (standalone is serve); a command given wins.
  if (const char* mode = getenv("MODE"); mode && *mode) {
    config.command = std::string(mode) == "standalone" ? "serve" : mode;
  }
  int i = 1;
  if (i < argc && argv[i][0] != '-') config.command = argv[i++];
  if (config.command == "backup") {
    if (i >= argc || argv[i][0] == '-') {
      message = "usage: millrace backup FILE [--data FOLDER]\n";
      exit_code = 2;
      return false;
    }
    config.backup_file = argv[i++];
  }
  if (config.command == "cache") {
    if (i >= argc || std::string(argv[i]) != "prune") {
      message = "usage: millrace cache prune [--data FOLDER | --database-url URL]\n";
      exit_code = 2;
      return false;
    }
    config.cache_action = argv[i++];
  }
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      message = usage();
      return false;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const Entry* found = nullptr;
    for (const auto& e : entries()) {
      if (e.option.flag == arg) found = &e;
    }
    if (!found) {
      message = "unknown flag " + arg + "\n\n" + usage();
      exit_code = 2;
      return false;
    }
    if (!has_value && !found->is_switch) {
      if (i + 1 >= argc) {
        message = arg + " needs a value\n";
        exit_code = 2;
        return false;
      }
      value = argv[++i];
    }
    if (!found->set(config, value)) {
      message = "invalid value for " + arg + ": " + value + "\n";
      exit_code = 2;
      return false;
    }
  }
  if (config.command != "serve" && config.command != "server" && config.command != "worker" &&
      config.command != "backup" && config.command != "rotate-key" && config.command != "cache") {
    message = "unknown command " + config.command + "\n\n" + usage();
    exit_code = 2;
    return false;
  }
  if (config.command == "backup") {
    if (!config.database_url.empty()) {
      message =
          "millrace backup copies the embedded SQLite database; a PostgreSQL database is backed "
          "up with its own tools (pg_dump)\n";
      exit_code = 2;
      return false;
    }
    return true;
  }
  if (config.command == "rotate-key" || config.command == "cache") return true;
  if (config.command != "serve" && config.database_url.empty()) {
    message = "millrace " + config.command +
              " shares a PostgreSQL database with other processes: set DATABASE_URL (the "
              "embedded SQLite database serves one process, with millrace serve)\n";
    exit_code = 2;
    return false;
  }
  if (config.zombie_job_timeout_s < 1 || config.safety_poll_ms < 10) {
    message = "ZOMBIE_JOB_TIMEOUT must be >= 1 and SAFETY_POLL_MS >= 10\n";
    exit_code = 2;
    return false;
  }
  if (config.num_workers < 0 || config.http_threads < 1) {
    message = "NUM_WORKERS must be >= 0 and HTTP_THREADS >= 1\n";
    exit_code = 2;
    return false;
  }
  return true;
}

}  // namespace millrace
