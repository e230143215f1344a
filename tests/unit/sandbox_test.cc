// The parts of the job sandbox that need no namespaces: removing and handing over folders a job
// wrote without following its links, leasing uids, the syscall filter, and the settings that
// describe the sandbox, and how a jailed start answers. The sandbox's boundaries are tested
// through the server (tests/e2e/test_sandbox).
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "runtime/job_folder.h"
#include "runtime/process.h"
#include "sandbox/isolation.h"
#include "sandbox/root_template.h"
#include "sandbox/seccomp.h"
#include "sandbox/spawn.h"
#include "sandbox/trees.h"
#include "sandbox/uid_pool.h"

namespace millrace::sandbox {
namespace {

namespace fs = std::filesystem;
using runtime::ProcessOutcome;
using runtime::ProcessSpec;
using runtime::run_process;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/millrace-sandbox-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(TreesTest, RemoveTreeRemovesEverythingButNeverWhatItsLinksName) {
  TempDir outside, job;
  write(outside.path() + "/precious", "keep me");
  fs::create_directories(job.path() + "/a/b/c");
  write(job.path() + "/a/b/c/file", "x");
  fs::create_directory_symlink(outside.path(), job.path() + "/a/link_to_dir");
  fs::create_symlink(outside.path() + "/precious", job.path() + "/a/b/link_to_file");
  EXPECT_TRUE(remove_tree(job.path()));
  EXPECT_FALSE(fs::exists(job.path()));
  EXPECT_TRUE(fs::exists(outside.path() + "/precious"));
  // A link given as the tree itself is removed, not followed.
  fs::create_directory_symlink(outside.path(), job.path());
  EXPECT_TRUE(remove_tree(job.path()));
  EXPECT_FALSE(fs::exists(fs::symlink_status(job.path())));
  EXPECT_TRUE(fs::exists(outside.path() + "/precious"));
  EXPECT_TRUE(remove_tree(job.path() + "/never-there"));
}

TEST(TreesTest, RemoveTreeRemovesATreeOfAnyDepth) {
  // A job can nest folders deeper than removal keeps descriptors open; the tree must still go
  // (left behind, it would fill the scratch of the next jobs of the same worker slot).
  TempDir outside, job;
  write(outside.path() + "/precious", "keep me");
  std::string deep = job.path();
  for (int i = 0; i < 1000; ++i) deep += i % 300 == 0 ? "/branch" : "/d";
  fs::create_directories(deep);
  write(deep + "/bottom", "x");
  fs::create_directory_symlink(outside.path(), deep + "/link_to_dir");
  EXPECT_TRUE(remove_tree(job.path()));
  EXPECT_FALSE(fs::exists(job.path()));
  EXPECT_TRUE(fs::exists(outside.path() + "/precious"));
}

TEST(JobSubfolderTest, MadeWithItsFileThenGivenAwayNeverThroughWhatTheJobPutThere) {
  // The parent is the job's to change (a warm interpreter's /job), as a link in place of the
  // new folder would be: nothing reaches outside.
  if (geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
  TempDir parent, outside;
  ASSERT_EQ(runtime::make_job_subfolder(parent.path(), "job1", 4242, "main.py", "print(1)"), "");
  struct stat st {};
  ASSERT_EQ(stat((parent.path() + "/job1").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4242u);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::ifstream in(parent.path() + "/job1/main.py");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "print(1)");
  fs::create_directory_symlink(outside.path(), parent.path() + "/job2");
  EXPECT_NE(runtime::make_job_subfolder(parent.path(), "job2", 4242, "main.py", "x"), "");
  EXPECT_FALSE(fs::exists(outside.path() + "/main.py"));
  ASSERT_EQ(stat(outside.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  // A folder of the job's own under that name is not taken over either.
  fs::create_directory(parent.path() + "/job3");
  ASSERT_EQ(chown((parent.path() + "/job3").c_str(), 4242, 4242), 0);
  EXPECT_NE(runtime::make_job_subfolder(parent.path(), "job3", 4242, "main.py", "x"), "");
  EXPECT_FALSE(fs::exists(parent.path() + "/job3/main.py"));
}

TEST(TreesTest, ChownTreeGivesTheTreeAndLinksThemselvesNotWhatTheyName) {
  if (geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
  TempDir outside, shared;
  write(outside.path() + "/precious", "keep me");
  fs::create_directories(shared.path() + "/sub");
  write(shared.path() + "/sub/file", "x");
  fs::create_symlink(outside.path() + "/precious", shared.path() + "/sub/link");
  chown_tree(shared.path(), 2000000123, 2000000123);
  struct stat st;
  for (const char* p : {"", "/sub", "/sub/file"}) {
    ASSERT_EQ(lstat((shared.path() + p).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 2000000123u) << p;
  }
  ASSERT_EQ(lstat((shared.path() + "/sub/link").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 2000000123u);
  ASSERT_EQ(stat((outside.path() + "/precious").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
}

TEST(UidPoolTest, LeasesSkipAccountsAndUidsAnotherLeaseHolds) {
  TempDir locks;
  std::string error;
  // 65534 is nobody's, on Debian.
  auto first = UidPool::lease(65530, 65540, 3, locks.path(), error);
  ASSERT_TRUE(first) << error;
  auto second = UidPool::lease(65530, 65540, 3, locks.path(), error);
  ASSERT_TRUE(second) << error;
  for (uid_t a : first->leased()) {
    EXPECT_NE(a, 65534u);
    for (uid_t b : second->leased()) EXPECT_NE(a, b);
  }
  EXPECT_FALSE(UidPool::lease(65530, 65540, 6, locks.path(), error));
  EXPECT_NE(error.find("JOB_UID_RANGE 65530-65540"), std::string::npos) << error;
  // Lent to one holder at a time.
  auto a = first->take(), b = first->take(), c = first->take();
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(first->take());
  first->give_back(*b);
  EXPECT_EQ(first->take(), b);
  // Released with the pool: another lease may take them.
  first.reset();
  EXPECT_TRUE(UidPool::lease(65530, 65540, 3, locks.path(), error)) << error;
}

// In a child: installs the filter, then reports each call's errno through its exit code.
int errno_after_filter(long (*call)()) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, &job_syscall_filter()) != 0) {
      _exit(200);
    }
    _exit(call() == -1 ? errno : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(SeccompTest, DeniedCallsAnswerEpermCloneThreeEnosysAndTheRestWork) {
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0); }), EPERM);
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_process_vm_readv, 1, 0, 0, 0, 0, 0); }),
            EPERM);
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_unshare, CLONE_NEWUSER); }), EPERM);
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_bpf, 0, 0, 0); }), EPERM);
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_keyctl, 0, 0, 0); }), EPERM);
  EXPECT_EQ(errno_after_filter([] { return syscall(SYS_clone3, 0, 0); }), ENOSYS);
  // clone with a namespace flag is refused; plain fork (clone) is not.
  EXPECT_EQ(
      errno_after_filter([] { return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0); }),
      EPERM);
  EXPECT_EQ(errno_after_filter([] {
              pid_t child = fork();
              if (child == 0) _exit(0);
              return child > 0 ? 0L : -1L;
            }),
            0);
  EXPECT_EQ(errno_after_filter([] { return static_cast<long>(getpid() > 0 ? 0 : -1); }), 0);
}

// One cell in a private mount namespace (this test's process is its own: ctest runs each test
// alone), as the server makes them.
class JailedStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "jails need root";
    ASSERT_EQ(Isolation::enter_private_mount_namespace(), "");
    IsolationOptions options;
    options.job_root = dir_.path() + "/jobs";
    options.uid_lock_dir = dir_.path() + "/uids";
    options.cells = 1;
    std::string error;
    isolation_ = Isolation::create(options, error);
    ASSERT_TRUE(isolation_) << error;
    cell_ = isolation_->new_cell("test", options.limits, error);
    ASSERT_TRUE(cell_) << error;
  }

  ProcessOutcome run(std::vector<std::string> argv, const std::vector<Bind>& more,
                     std::string& output) {
    std::string error;
    auto folder = cell_->new_folder(error);
    EXPECT_TRUE(folder) << error;
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.jail = cell_->jail(*folder, false, more, error);
    EXPECT_TRUE(spec.jail) << error;
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.cwd = kJobFolderInside;
    spec.limits.timeout_ms = 30000;
    return run_process(
        spec, [&](std::string_view chunk) { output += chunk; }, nullptr);
  }

  TempDir dir_;
  std::unique_ptr<Isolation> isolation_;
  std::unique_ptr<Cell> cell_;
};

TEST_F(JailedStartTest, AProgramRunsAsTheCellsUidWithItsOutputAndExitCode) {
  std::string output;
  auto outcome = run({"/bin/sh", "-c", "id -u; echo to stderr >&2; exit 3"}, {}, output);
  ASSERT_TRUE(outcome.started) << outcome.start_error;
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(output, std::to_string(cell_->uid()) + "\nto stderr\n");
}

TEST_F(JailedStartTest, AProgramThatCannotBeExecutedIsAFailedStartInWords) {
  std::string output;
  auto outcome = run({"/no/such/program"}, {}, output);
  EXPECT_FALSE(outcome.started);
  EXPECT_EQ(outcome.start_error,
            "cannot execute /no/such/program in the job's sandbox: No such file or directory");
  EXPECT_EQ(output, "");
  // The cell serves the next tree.
  outcome = run({"/bin/sh", "-c", "echo next"}, {}, output);
  ASSERT_TRUE(outcome.started) << outcome.start_error;
  EXPECT_EQ(output, "next\n");
}

TEST_F(JailedStartTest, AMountThatCannotBeMadeIsAFailedStartThatNamesIt) {
  std::string output;
  auto outcome = run({"/bin/true"}, {Bind{dir_.path() + "/missing", "/job/shared", false}}, output);
  EXPECT_FALSE(outcome.started);
  EXPECT_EQ(outcome.start_error,
            "cannot mount /job/shared in the job's sandbox: No such file or directory");
}

// An init made ahead (prepare), then given its program (launch), as run_process() does for a
// thread's next job.
class PreparedInitTest : public JailedStartTest {
 protected:
  // Runs argv in a prepared init with the cell's binds plus `more`; the output, or why it did
  // not start.
  std::string launch(std::vector<std::string> argv, const std::vector<Bind>& more, bool& started) {
    std::string error;
    auto folder = cell_->new_folder(error);
    EXPECT_TRUE(folder) << error;
    for (const Bind& bind : more) {  // mount points in the job's folder
      if (bind.target.starts_with("/job/"))
        fs::create_directory(folder->job() + bind.target.substr(4));
    }
    auto jail = cell_->jail(*folder, true, more, error);
    EXPECT_TRUE(jail) << error;
    auto init = JailedInit::prepare(jail->root, true, error);
    EXPECT_TRUE(init) << error;
    int out[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    char path[] = "PATH=/usr/bin:/bin";
    char* env[] = {path, nullptr};
    JailedExec exec;
    exec.argv = args.data();
    exec.envp = env;
    exec.cwd = kJobFolderInside;
    exec.stdout_fd = out[1];
    exec.stderr_fd = out[1];
    started = init->launch(*jail, exec, error);
    close(out[1]);
    std::string output = started ? "" : error;
    char buffer[4096];
    ssize_t n;
    while (started && (n = read(out[0], buffer, sizeof buffer)) > 0) output.append(buffer, n);
    close(out[0]);
    return output;
  }
};

TEST_F(PreparedInitTest, ItsProgramGetsTheBindsTheUidAndAPidNamespaceOfItsOwn) {
  std::string shared = dir_.path() + "/shared";
  fs::create_directory(shared);
  fs::permissions(shared, fs::perms::all);  // only the read-only mount keeps the job out
  write(shared + "/note", "from the host\n");
  bool started = false;
  std::string output =
      launch({"/bin/sh", "-c",
              "cat /job/data/note; touch /job/data/x 2>/dev/null || echo read-only; echo $$; "
              "id -u; touch /job/mine && echo job-writable; set -- /proc/[0-9]*; echo $#"},
             {Bind{shared, "/job/data", true}}, started);
  ASSERT_TRUE(started) << output;
  EXPECT_EQ(output, "from the host\nread-only\n2\n" + std::to_string(cell_->uid()) +
                        "\njob-writable\n1\n");  // sh alone (a builtin lists): the init is hidden
}

TEST_F(PreparedInitTest, ABindThatCannotBeCopiedFailsTheLaunchAndLeavesNoDescriptorBehind) {
  auto open_descriptors = [] {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
  };
  auto before = open_descriptors();
  bool started = true;
  std::string output =
      launch({"/bin/true"}, {Bind{dir_.path() + "/missing", "/data", false}}, started);
  EXPECT_FALSE(started);
  EXPECT_EQ(output, "cannot mount /data in the job's sandbox: No such file or directory");
  // The job's folder, /tmp and /dev/shm were copied before the failure: closed with the init.
  EXPECT_EQ(open_descriptors(), before);
}

TEST_F(PreparedInitTest, AnInitNeverLaunchedEndsWithItsOwner) {
  std::string error;
  auto folder = cell_->new_folder(error);
  ASSERT_TRUE(folder) << error;
  auto jail = cell_->jail(*folder, true, {}, error);
  ASSERT_TRUE(jail) << error;
  auto init = JailedInit::prepare(jail->root, true, error);
  ASSERT_TRUE(init) << error;
  pid_t pid = init->pid();
  EXPECT_EQ(kill(pid, 0), 0);
  init.reset();
  EXPECT_NE(kill(pid, 0), 0);  // killed and reaped
}

bool parses(std::vector<std::string> args, Config& config, std::string& message) {
  std::vector<char*> argv = {const_cast<char*>("millrace"), const_cast<char*>("serve")};
  for (auto& a : args) argv.push_back(a.data());
  int exit_code = 0;
  return parse_config(static_cast<int>(argv.size()), argv.data(), config, message, exit_code);
}

TEST(SandboxSettingsTest, ExtraMountsUidRangeAndModeAreCheckedWhenRead) {
  Config c;
  std::string message;
  ASSERT_TRUE(parses({"--job-extra-mounts", "/srv/data:/data:ro,/var/shared"}, c, message))
      << message;
  ASSERT_EQ(c.job_extra_mounts.size(), 2u);
  EXPECT_EQ(c.job_extra_mounts[0].host, "/srv/data");
  EXPECT_EQ(c.job_extra_mounts[0].inside, "/data");
  EXPECT_TRUE(c.job_extra_mounts[0].read_only);
  EXPECT_EQ(c.job_extra_mounts[1].inside, "/var/shared");
  EXPECT_FALSE(c.job_extra_mounts[1].read_only);
  // Hidden by each job's own folders, relative, or climbing out: refused.
  for (const char* bad :
       {"/srv:/tmp/x", "/srv:/job", "/srv:/dev/shm", "srv", "/srv:/a/../b", "/srv:/"}) {
    Config d;
    EXPECT_FALSE(parses({"--job-extra-mounts", bad}, d, message)) << bad;
  }
  ASSERT_TRUE(parses({"--job-uid-range", "3000000-3000099"}, c, message)) << message;
  EXPECT_EQ(c.job_uid_first, 3000000u);
  EXPECT_EQ(c.job_uid_last, 3000099u);
  for (const char* bad : {"5-1", "0-100", "x", "100"}) {
    Config d;
    EXPECT_FALSE(parses({"--job-uid-range", bad}, d, message)) << bad;
  }
  EXPECT_FALSE(parses({"--job-sandbox", "maybe"}, c, message));
  ASSERT_TRUE(parses({"--job-sandbox", "off", "--job-network", "off"}, c, message));
  EXPECT_EQ(c.job_sandbox, "off");
  EXPECT_FALSE(c.job_network);
}

}  // namespace
}  // namespace millrace::sandbox
