#include "runtime/job_folder.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace millrace::runtime {

std::optional<JobFolder> JobFolder::create(const Sandbox& sandbox, const std::string& job_id,
                                           std::string& error, const std::string& shared_id) {
  const std::string& root = sandbox.job_root;
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::string path = root + "/" + job_id;
  std::filesystem::remove_all(path, ec);  // leftovers of an interrupted earlier attempt
  if (mkdir(path.c_str(), 0700) != 0) {
    error = "cannot create job folder " + path + ": " + strerror(errno);
    return std::nullopt;
  }
  JobFolder folder(path, sandbox.user);
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
  std::error_code ec;
  std::filesystem::remove_all(sandbox.job_root + "/shared-" + shared_id, ec);
}

JobFolder::~JobFolder() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool JobFolder::write_file(const std::string& name, const std::string& content) const {
  // Written while the folder is still the server's (before hand_over): nothing else can have
  // put a link in its place; O_EXCL|O_NOFOLLOW says so again.
  int fd = open((path_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);
  return done == content.size();
}

std::string JobFolder::hand_over() const {
  if (!user_) return "";
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
