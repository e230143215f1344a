// What a jail adds to starting and ending one process, without the server around it (bench/sandbox
// runs it after the webhook figures): the same program through run_process() in a cell, as a
// worker runs a job, and plainly (vfork + exec), alternately, N times each. Prints JSON figures.
// Needs root. Usage: millrace_spawn_bench [N] [program args...]  (default: 500 /bin/true)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/process.h"
#include "sandbox/isolation.h"
#include "sandbox/root_template.h"

using namespace millrace;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * p))];
}

}  // namespace

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    fprintf(stderr, "millrace_spawn_bench needs root (jails are made as root)\n");
    return 1;
  }
  int n = argc > 1 ? atoi(argv[1]) : 500;
  std::vector<std::string> program = {"/bin/true"};
  if (argc > 2) program.assign(argv + 2, argv + argc);
  if (n <= 0) return 1;

  if (auto error = sandbox::Isolation::enter_private_mount_namespace(); !error.empty()) {
    fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  char dir_template[] = "/tmp/millrace-spawn-bench-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  sandbox::IsolationOptions options;
  options.job_root = dir + "/jobs";
  options.uid_lock_dir = dir + "/uids";
  options.cells = 1;
  std::string error;
  auto isolation = sandbox::Isolation::create(options, error);
  auto cell = isolation ? isolation->new_cell("bench", options.limits, error) : nullptr;
  if (!cell) {
    fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }

  std::vector<double> jailed, plain, prepare;
  auto ignore = [](std::string_view) {};
  for (int i = 0; i < n; ++i) {
    double t0 = now_ms();
    auto folder = cell->new_folder(error);
    runtime::ProcessSpec spec;
    spec.argv = program;
    spec.env = {"PATH=/usr/bin:/bin"};
    if (folder) spec.jail = cell->jail(*folder, true, {}, error);
    if (!spec.jail) {
      fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    spec.cwd = sandbox::kJobFolderInside;
    double t1 = now_ms();
    auto outcome = runtime::run_process(spec, ignore, nullptr);
    double t2 = now_ms();
    if (!outcome.started) {
      fprintf(stderr, "%s\n", outcome.start_error.c_str());
      return 1;
    }
    prepare.push_back(t1 - t0);
    jailed.push_back(t2 - t1);

    runtime::ProcessSpec bare;
    bare.argv = program;
    bare.env = spec.env;
    bare.cwd = "/tmp";
    double t3 = now_ms();
    runtime::run_process(bare, ignore, nullptr);
    plain.push_back(now_ms() - t3);
  }
  cell.reset();
  isolation.reset();
  std::filesystem::remove_all(dir);

  printf(
      "{\n  \"program\": \"%s\",\n  \"runs\": %d,\n  \"plain_p50_ms\": %.3f,\n"
      "  \"jailed_p50_ms\": %.3f,\n  \"jail_adds_p50_ms\": %.3f,\n"
      "  \"jailed_p90_ms\": %.3f,\n  \"folder_and_jail_p50_ms\": %.3f\n}\n",
      program[0].c_str(), n, percentile(plain, 0.5), percentile(jailed, 0.5),
      percentile(jailed, 0.5) - percentile(plain, 0.5), percentile(jailed, 0.9),
      percentile(prepare, 0.5));
  return 0;
}
