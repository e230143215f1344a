#include "cli/serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "api/context.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/login_limiter.h"
#include "auth/password_pool.h"
#include "cli/bootstrap.h"
#include "cli/cache_prune.h"
#include "cli/rotate_key.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timer_queue.h"
#include "flow/expressions.h"
#include "flow/flow_engine.h"
#include "flow/js_evaluator.h"
#include "http/server.h"
#include "packages/package_cache.h"
#include "queue/job_queue.h"
#include "runtime/executor.h"
#include "runtime/leftovers.h"
#include "sandbox/isolation.h"
#include "sandbox/root_template.h"
#include "secrets/vault.h"
#include "service/flow_step_access.h"
#include "service/job_inputs.h"
#include "store/database.h"
#include "ui/static_site.h"
#include "worker/job_packages.h"
#include "worker/worker_pool.h"

namespace millrace::cli {
namespace {

// Every connection is a descriptor: take the hard limit (jobs get their own, lower, limit).
void raise_open_file_limit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int fail(const std::string& message) {
  log::error(message);
  return 1;
}

// Where an interpreter outside /usr is installed (its prefix when it sits in a bin/ folder):
// jails show that folder read-only at its own path. Empty when /usr has it.
std::string install_folder(const std::string& binary) {
  std::error_code ec;
  auto real = std::filesystem::canonical(binary, ec);
  if (ec || real.string().starts_with("/usr/")) return "";
  auto dir = real.parent_path();
  return (dir.filename() == "bin" ? dir.parent_path() : dir).string();
}

// Jails show the interpreters' install folders (see install_folder). Where a job's own mounts
// would hide one (a project checked out under /tmp, with esbuild in its node_modules), it is
// shown below /opt/millrace-tools instead, and `interpreters` names the binary there: every
// job runs in a jail.
std::unique_ptr<sandbox::Isolation> make_isolation(const Config& config,
                                                   runtime::Interpreters& interpreters,
                                                   const std::string& job_root,
                                                   const std::string& package_cache,
                                                   std::string& error) {
  sandbox::IsolationOptions o;
  o.job_root = job_root;
  o.first_uid = config.job_uid_first;
  o.last_uid = config.job_uid_last;
  // A cell for each worker, each of its warm interpreters, and each expression evaluator.
  o.cells = static_cast<size_t>(config.num_workers) *
                (1 + static_cast<size_t>(std::max(0, config.warm_interpreters_per_worker))) +
            flow::JsEvaluatorOptions{}.processes;
  o.limits.memory_bytes = config.job_memory_limit_mb << 20;
  o.limits.max_processes = config.job_pids_max;
  o.limits.disk_bytes = config.job_disk_limit_mb << 20;
  o.limits.cpu_time_ms = config.job_cpu_limit_s * 1000;
  o.network = config.job_network;
  int moved = 0;
  for (std::optional<std::string>* binary :
       {&interpreters.python3, &interpreters.bash, &interpreters.node, &interpreters.esbuild}) {
    if (!*binary) continue;
    std::string folder = install_folder(**binary);
    if (folder.empty()) continue;
    if (!hidden_in_job_sandbox(folder)) {
      o.extra_mounts.push_back({folder, folder, true});
      continue;
    }
    std::error_code ec;
    std::string real = std::filesystem::canonical(**binary, ec).string();
    if (ec) continue;
    std::string inside = std::string(sandbox::kToolsInside) + "/" + std::to_string(++moved);
    o.extra_mounts.push_back({folder, inside, true});
    **binary = inside + real.substr(folder.size());
  }
  // Installed packages, read-only: a job's import path names the folders of its lock.
  o.extra_mounts.push_back({package_cache, sandbox::kPackagesInside, true});
  for (const auto& m : config.job_extra_mounts) {
    if (!std::filesystem::exists(m.host)) {
      error = "JOB_EXTRA_MOUNTS: " + m.host + " does not exist";
      return nullptr;
    }
    o.extra_mounts.push_back({m.host, m.inside, m.read_only});
  }
  return sandbox::Isolation::create(o, error);
}

// How jobs on this machine reach its API: over loopback, unless the server listens on one
// address only.
std::string internal_url(const std::string& bind, int port) {
  std::string host = bind == "0.0.0.0" || bind == "::" || bind.empty() ? "127.0.0.1" : bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

}  // namespace

int serve(const Config& config) {
  const bool api = config.command != "worker";   // serve, server
  const bool work = config.command != "server";  // serve, worker
  log::set_quiet(config.quiet);
  log::set_format(config.log_json ? log::Format::kJson : log::Format::kText);
  auto metrics_allow = api::AddressAllowList::parse(config.metrics_allow);
  if (!metrics_allow) return fail("METRICS_ALLOW: " + metrics_allow.error().message);
  // Sandboxed jobs (as root, unless JOB_SANDBOX=off): the mount namespace is made now, before
  // any thread exists.
  const bool root = geteuid() == 0;
  const bool sandboxed =
      work && config.job_sandbox != "off" && (root || config.job_sandbox == "on");
  if (sandboxed && !root) {
    return fail(
        "JOB_SANDBOX=on needs the server to run as root (to make namespaces, switch uids "
        "and set cgroup limits)");
  }
  if (sandboxed) {
    if (auto e = sandbox::Isolation::enter_private_mount_namespace(); !e.empty()) {
      return fail(e +
                  ": jobs cannot be sandboxed here (set JOB_SANDBOX=off to run them "
                  "unsandboxed, as JOB_USER)");
    }
  } else if (work) {
    log::warn("jobs run unsandboxed" + std::string(root ? " (JOB_SANDBOX=off)" : " (not root)") +
              ": they share this machine's processes, files and network with the server");
  }
  signal(SIGPIPE, SIG_IGN);
  // A worker node has no event loop to end: its main thread waits for these (blocked here,
  // before any thread starts, so that every thread leaves them to it).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (!api) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  raise_open_file_limit();
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return fail("cannot create data folder " + config.data_dir + ": " + ec.message());
  std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);

  // The data folder keeps the SQLite file, unless DATABASE_URL names a PostgreSQL database.
  // Connections: the writer; on PostgreSQL the notice listener and a claim session per worker;
  // what is left of DATABASE_MAX_CONNECTIONS reads.
  const int fixed_connections =
      1 + (config.database_url.empty() ? 0 : 1 + (work ? config.num_workers : 0));
  if (config.database_max_connections <= fixed_connections) {
    return fail("DATABASE_MAX_CONNECTIONS=" + std::to_string(config.database_max_connections) +
                " is too few: this process keeps " + std::to_string(fixed_connections) +
                " (the writer" +
                (config.database_url.empty() ? "" : ", the listener and one per worker") +
                ") and needs at least one more to read");
  }
  auto db = store::Database::open(
      config.database_url.empty() ? config.data_dir + "/millrace.db" : config.database_url,
      static_cast<size_t>(config.database_max_connections - fixed_connections));
  if (!db) return fail(db.error().message);
  auto boot = bootstrap(**db, config);
  if (!boot) return fail(boot.error().message);

  // Secrets open only with the master key: a wrong or missing one stops the start here.
  auto vault = secrets::Vault::open(**db, master_key_source(config), Clock::system());
  if (!vault) return fail(vault.error().message);
  auth::Authenticator authenticator(**db, Clock::system(), config.superadmin_secret,
                                    boot->job_token_secret);
  // On PostgreSQL this process is one node among any number on the database.
  std::optional<queue::SharedQueueOptions> shared;
  std::string node_name;
  if ((*db)->shared()) {
    shared = queue::SharedQueueOptions{
        static_cast<int64_t>(random_u64() % 0x7fffffff) + 1, config.safety_poll_ms,
        config.zombie_job_timeout_s * 1000, [](const std::string& job_id) {
          if (size_t n = runtime::kill_leftover_job_processes({job_id})) {
            log::warn("killed " + std::to_string(n) + " processes left by zombie job " + job_id);
          }
        }};
    char hex[16];
    snprintf(hex, sizeof hex, "%08llx", static_cast<unsigned long long>(shared->node));
    node_name = hex;
  }
  queue::JobQueue queue(**db, Clock::system(),
                        config.restart_zombie_jobs ? config.max_crash_restarts : 0, shared);
  auto interrupted = queue.recover();
  if (!interrupted) return fail(interrupted.error().message);
  if (size_t n = runtime::kill_leftover_job_processes(*interrupted)) {
    log::warn("killed " + std::to_string(n) + " processes left by jobs of the previous run");
  }

  // Declaration order is teardown order, reversed: whatever may still hold a connection (the
  // timers and the API context of parked sync calls) is declared after the server, so it is
  // gone before the server's event loop is.
  http::Router router;
  http::ServerOptions options;
  options.bind_address = config.bind_address;
  options.port = config.port;
  options.threads = config.http_threads;
  options.body_limit_bytes = config.request_size_limit_bytes;
  options.max_buffered_body_bytes = config.request_buffer_limit_bytes;
  options.access_log = config.access_log;
  // Large bodies are read only for authenticated requests (set once the API exists).
  std::function<http::BodyAdmission(const http::Request&)> admit_body;
  options.admit_body = [&admit_body](const http::Request& head) {
    return admit_body ? admit_body(head) : http::BodyAdmission{false, 503, "starting"};
  };
  std::optional<http::Server> server;
  int port = config.port;
  if (api) {
    server.emplace(router, options);
    std::string error;
    port = server->listen(error);
    if (port < 0) return fail(error);
  }
  TimerQueue timers;
  // Passwords are hashed on their own threads: a burst of logins never holds the HTTP threads.
  auth::PasswordPool passwords(2, 64);
  auth::LoginLimiter logins(Clock::system());
  api::ApiContext ctx{
      config,
      Clock::system(),
      **db,
      authenticator,
      queue,
      timers,
      service::Scripts(**db, Clock::system()),
      service::Flows(**db, Clock::system()),
      service::Folders(**db, Clock::system()),
      service::Tokens(**db, Clock::system(), authenticator),
      service::Users(**db, Clock::system(), authenticator),
      service::Jobs(**db, queue, Clock::system()),
      service::AuditLog(**db),
      service::Variables(**db, Clock::system(), **vault),
      service::Resources(**db, Clock::system()),
      service::HttpTriggers(**db, Clock::system()),
      flow::Approvals(**db, queue, Clock::system()),
      api::KnownWorkspaces(**db),
      config.base_url.empty() ? "http://localhost:" + std::to_string(port) : config.base_url,
      passwords,
      logins,
      *metrics_allow,
      {},
      api::BackPressure(config, Clock::system(), **db)};
  if (api) {
    admit_body = [&ctx](const http::Request& head) { return api::admit_body(ctx, head); };
    api::register_routes(router, ctx);
    router.set_fallback(ui::static_site_handler(config.ui_dir));
  }

  auto interpreters = runtime::Interpreters::detect();
  const std::string cache_dir = package_cache_dir(config);
  std::string job_root;
  runtime::Sandbox sandbox;
  std::unique_ptr<sandbox::Isolation> isolation;
  if (sandboxed) {
    job_root = config.job_dir.empty() ? config.data_dir + "/jobs" : config.job_dir;
    std::string error;
    std::filesystem::create_directories(cache_dir, ec);
    isolation = make_isolation(config, interpreters, job_root, cache_dir, error);
    if (!isolation) return fail(error + " (set JOB_SANDBOX=off to run jobs unsandboxed)");
    log::info(isolation->describe());
    if (isolation->cgroups() == sandbox::CgroupTree::Kind::kNone) log::warn(isolation->describe());
    sandbox.job_root = job_root;
    sandbox.isolation = isolation.get();
  } else {
    job_root = config.job_dir.empty() ? std::filesystem::temp_directory_path().string() +
                                            "/millrace-jobs-" + std::to_string(getpid())
                                      : config.job_dir;
    std::string user_error;
    sandbox = {job_root, runtime::resolve_job_user(config.job_user, root, user_error)};
    if (!user_error.empty()) return fail(user_error);
    if (auto e = runtime::prepare_job_root(sandbox); !e.empty()) return fail(e);
  }
  runtime::Runtimes runtimes(sandbox, interpreters);
  std::optional<packages::PackageCache> package_cache;
  std::optional<worker::JobPackages> job_packages;
  if (work) {
    std::string error;
    package_cache = packages::PackageCache::open(
        {cache_dir,
         sandboxed ? sandbox::kPackagesInside : cache_dir,
         sandbox,
         interpreters.python3,
         {config.pip_index_url, config.pip_extra_index_url, config.pip_trusted_host},
         interpreters.node,
         interpreters.npm_cli,
         getenv("NPM_CONFIG_REGISTRY") ? getenv("NPM_CONFIG_REGISTRY") : ""},
        error);
    if (!package_cache) return fail(error);
  }
  // Flow expressions run in Node.js processes started on first use, as the job user.
  std::unique_ptr<flow::JsEvaluator> evaluator;
  if (interpreters.node) {
    flow::JsEvaluatorOptions js;
    js.node = *interpreters.node;
    js.user = sandbox.user;
    js.work_dir = job_root;
    js.timeout_ms = config.expression_timeout_ms;
    js.isolation = isolation.get();
    evaluator = std::make_unique<flow::JsEvaluator>(js);
  } else if (work) {
    log::warn("node not found: flow expressions other than property paths will fail");
  }
  flow::Expressions expressions(evaluator.get());
  service::FlowStepAccess step_access(authenticator, ctx.folders);
  flow::FlowEngine flows(**db, expressions, Clock::system(), &step_access);
  worker::ScriptCache scripts(**db);
  if (package_cache) job_packages.emplace(**db, *package_cache);
  // Worker names are unique among the nodes of a shared database.
  service::WorkspaceJobInputs job_inputs(authenticator, ctx.variables, ctx.resources, ctx.folders);
  worker::WorkerPool workers(
      queue, scripts, runtimes, authenticator, flows, job_inputs,
      {work ? config.num_workers : 0, ctx.base_url,
       api ? internal_url(config.bind_address, port) : ctx.base_url, config.job_timeout_s,
       config.job_memory_limit_mb, config.max_result_size_mb,
       node_name.empty() ? "wk" : "wk-" + node_name, config.warm_workers,
       config.warm_interpreters_per_worker, config.job_network},
      job_packages ? &*job_packages : nullptr);
  if (auto e = workers.start(); !e.empty()) return fail(e);

  if (boot->created_admin) {
    // A password the operator chose is theirs already: only a generated one is printed.
    printf(
        "\nFirst start: created the superadmin.\n"
        "  email:    admin@windmill.dev\n"
        "  password: %s\n",
        config.admin_password.empty()
            ? (boot->admin_password +
               "   (generated, shown once; set MILLRACE_ADMIN_PASSWORD to choose it)")
                  .c_str()
            : "the one in MILLRACE_ADMIN_PASSWORD");
  }
  if (api) {
    printf(
        "\nMillrace is listening on %s (port %d), data in %s\n"
        "Log in:  curl -s -X POST %s/api/auth/login -H 'Content-Type: application/json' \\\n"
        "           -d '{\"email\":\"admin@windmill.dev\",\"password\":\"...\"}'\n"
        "  → prints a token; send it as 'Authorization: Bearer <token>'. Workspace: admins\n"
        "Or open %s/ in a browser.\n",
        ctx.base_url.c_str(), port, config.data_dir.c_str(), ctx.base_url.c_str(),
        ctx.base_url.c_str());
    if (!work) printf("API only (millrace server): the jobs run on worker nodes.\n");
    printf("listening on port %d\n", port);
  } else {
    printf("millrace worker node %s: %d workers on the shared database; jobs call %s\n",
           node_name.c_str(), config.num_workers, ctx.base_url.c_str());
    printf("worker ready\n");
  }
  fflush(stdout);

  if (server) {
    server->run();
  } else {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
  }
  passwords.stop();  // no login answered from here on: what it needs is going away
  log::info("stopping: waiting for running jobs to finish");
  queue.stop();
  workers.join();
  timers.stop();
  // A barrier: the completions of writes still queued run now, while what they use exists.
  (*db)->write_sync([](store::Connection&) { return Status::ok(); });
  // Unsandboxed, the job root is this process's own; sandboxed, its node folder goes with the
  // isolation.
  if (!sandboxed) std::filesystem::remove_all(job_root, ec);
  return 0;
}

}  // namespace millrace::cli
