#include "runtime/job_folder.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sandbox/isolation.h"
#include "sandbox/root_template.h"
#include "sandbox/trees.h"

namespace millrace::runtime {

namespace {

// Sandboxed: the flow's shared folder. Its steps run as the uids of the cells they land in, at
// the same time in a parallel loop: the folder is open to every uid (it is mounted only in the
// jails of that flow's steps), and given to the uid of the step about to run, for what earlier
// steps made with a narrow mode.
std::string prepare_shared_in_cell(const Sandbox& sandbox, const sandbox::Cell& cell,
                                   const std::string& shared_id, std::string& error) {
  std::string shared = sandbox.isolation->shared_dir() + "/" + shared_id;
  if (mkdir(shared.c_str(), 0700) == 0) {
    sandbox::open_to_every_uid(shared);
  } else if (errno != EEXIST) {
    error = "cannot create the shared folder " + shared + ": " + strerror(errno);
    return "";
  }
  sandbox::chown_tree(shared, cell.uid(), cell.uid());
  return shared;
}

}  // namespace

std::optional<JobFolder> JobFolder::create(const Sandbox& sandbox, sandbox::Cell* cell,
                                           const std::string& job_id, std::string& error,
                                           const std::string& shared_id) {
  JobFolder folder;
  if (cell) {
    auto made = cell->new_folder(error);
    if (!made) return std::nullopt;
    folder.cell_ = cell;
    folder.cell_folder_ = std::make_unique<sandbox::CellFolder>(std::move(*made));
    folder.path_ = folder.cell_folder_->job();
    folder.inside_ = sandbox::kJobFolderInside;
    if (!shared_id.empty()) {
      std::string shared = prepare_shared_in_cell(sandbox, *cell, shared_id, error);
      if (shared.empty()) return std::nullopt;
      if (mkdir((folder.path_ + "/shared").c_str(), 0700) != 0) {
        error = "cannot create " + folder.path_ + "/shared: " + strerror(errno);
        return std::nullopt;
      }
      folder.binds_.push_back({shared, folder.inside_ + "/shared", false});
    }
    return folder;
  }
  const std::string& root = sandbox.job_root;
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::string path = root + "/" + job_id;
  sandbox::remove_tree(path);  // leftovers of an interrupted earlier attempt
  if (mkdir(path.c_str(), 0700) != 0) {
    error = "cannot create job folder " + path + ": " + strerror(errno);
    return std::nullopt;
  }
  folder.path_ = path;
  folder.inside_ = path;
  folder.user_ = sandbox.user;
  if (!shared_id.empty()) {
    // Made whole (created, given to the job user) under a name of this job's, then put in place
    // in one step: a step starting at the same time sees it complete, or makes its own.
    std::string shared = root + "/shared-" + shared_id;
    std::string draft = shared + ".draft-" + job_id;
    if (mkdir(draft.c_str(), 0700) != 0) {
      error = "cannot create the shared folder " + draft + ": " + strerror(errno);
      return std::nullopt;
    }
    if (sandbox.user && chown(draft.c_str(), sandbox.user->uid, sandbox.user->gid) != 0) {
      error = "cannot give the shared folder " + draft + " to " + sandbox.user->name + ": " +
              strerror(errno);
      rmdir(draft.c_str());
      return std::nullopt;
    }
    if (renameat2(AT_FDCWD, draft.c_str(), AT_FDCWD, shared.c_str(), RENAME_NOREPLACE) != 0) {
      int err = errno;
      rmdir(draft.c_str());
      if (err != EEXIST) {
        error = "cannot create the shared folder " + shared + ": " + strerror(err);
        return std::nullopt;
      }
    }
    if (symlink(shared.c_str(), (path + "/shared").c_str()) != 0) {
      error = "cannot link the shared folder into " + path + ": " + strerror(errno);
      return std::nullopt;
    }
  }
  return folder;
}

void JobFolder::remove_shared(const Sandbox& sandbox, const std::string& shared_id) {
  sandbox::remove_tree(sandbox.isolation ? sandbox.isolation->shared_dir() + "/" + shared_id
                                         : sandbox.job_root + "/shared-" + shared_id);
}

JobFolder::JobFolder(JobFolder&& o) noexcept
    : path_(std::move(o.path_)),
      inside_(std::move(o.inside_)),
      user_(std::move(o.user_)),
      cell_(o.cell_),
      cell_folder_(std::move(o.cell_folder_)),
      binds_(std::move(o.binds_)) {
  o.path_.clear();
}

JobFolder::~JobFolder() {
  // A cell's folder goes once the job's outcome is stored (sandbox::remove_later).
  if (cell_folder_) {
    sandbox::remove_later(std::move(*cell_folder_));
  } else if (!path_.empty()) {
    sandbox::remove_tree(path_);
  }
}

bool JobFolder::write_file(const std::string& name, const std::string& content) const {
  // Written before the job starts: nothing else can have put a link in its place;
  // O_EXCL|O_NOFOLLOW says so again.
  return write_new_file(path_, name, content);
}

bool JobFolder::add_link(const std::string& name, const std::string& target) const {
  return symlink(target.c_str(), (path_ + "/" + name).c_str()) == 0;
}

namespace {

bool write_all(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return done == content.size();
}

}  // namespace

std::string make_job_subfolder(const std::string& parent, const std::string& name, uid_t uid,
                               const std::string& file_name, const std::string& content,
                               const std::string& link_name, const std::string& link_target) {
  const std::string where = parent + "/" + name;
  int dir = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return "cannot open " + parent + ": " + strerror(errno);
  std::string error;
  if (mkdirat(dir, name.c_str(), 0700) != 0) {
    error = "cannot create the job folder " + where + ": " + strerror(errno);
    close(dir);
    return error;
  }
  int made = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(dir);
  struct stat st {};
  // Root's until given away: anything else was put there by the job in the meantime.
  if (made < 0 || fstat(made, &st) != 0 || st.st_uid != 0) {
    error = "the job folder " + where + " was replaced before it was ready";
  } else {
    int file =
        openat(made, file_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool written = file >= 0 && write_all(file, content);
    if (file >= 0) close(file);
    if (!written) {
      error = "cannot write " + where + "/" + file_name;
    } else if (!link_target.empty() &&
               symlinkat(link_target.c_str(), made, link_name.c_str()) != 0) {
      error = "cannot link " + where + "/" + link_name + ": " + strerror(errno);
    } else if (fchown(made, uid, uid) != 0) {
      error = "cannot give the job folder " + where + " to its uid: " + strerror(errno);
    }
  }
  if (made >= 0) close(made);
  return error;
}

bool write_new_file(const std::string& dir, const std::string& name, const std::string& content) {
  int fd =
      open((dir + "/" + name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool written = write_all(fd, content);
  close(fd);
  return written;
}

std::string JobFolder::hand_over() const {
  if (cell_ || !user_) return "";  // a cell's job/ is its uid's from the start
  if (chown(path_.c_str(), user_->uid, user_->gid) != 0) {
    return "cannot give job folder " + path_ + " to " + user_->name + ": " + strerror(errno);
  }
  return "";
}

Result<std::optional<std::string>> JobFolder::read_output(const std::string& name,
                                                          uint64_t max_bytes) const {
  // The job owns the folder: the file may be a link to a server secret, a FIFO that never
  // ends, or endless. Only a regular file of bounded size is read.
  int fd = open((path_ + "/" + name).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error::bad_request(name + " cannot be read: " + strerror(errno) +
                              (errno == ELOOP ? " (a link is not followed)" : ""));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error::bad_request(name + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return Error::bad_request(name + " is larger than " +
                              std::to_string(max_bytes / (1024 * 1024)) + " MiB");
  }
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);
  out.resize(done);
  return std::optional<std::string>(std::move(out));
}

}  // namespace millrace::runtime
