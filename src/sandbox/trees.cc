#include "sandbox/trees.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace millrace::sandbox {
namespace {

constexpr int kMaxDepth = 256;

// Folders below kMaxDepth are moved up to the top of the tree being removed, and emptied from
// there: a tree of any depth goes without holding more than kMaxDepth descriptors.
struct Removal {
  int top;  // the directory being emptied
  dev_t dev;
  std::vector<std::string> moved_up;
  long moves = 0;  // bounded: processes of the tree's uid may still be adding to it
};

constexpr long kMaxMoves = 100000;

// Empties the directory open as `dir` (which it closes), staying on the removal's device.
void empty_directory(int dir, Removal& removal, int depth) {
  DIR* d = fdopendir(dir);
  if (!d) {
    close(dir);
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  for (const auto& name : names) {
    if (unlinkat(dirfd(d), name.c_str(), 0) == 0 || errno != EISDIR) continue;
    if (depth >= kMaxDepth) {
      std::string up = ".removed-" + std::to_string(removal.moves);
      if (removal.moves < kMaxMoves &&
          renameat2(dirfd(d), name.c_str(), removal.top, up.c_str(), RENAME_NOREPLACE) == 0) {
        ++removal.moves;
        removal.moved_up.push_back(std::move(up));
      }
      continue;
    }
    int sub = openat(dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) continue;
    struct stat st;
    if (fstat(sub, &st) != 0 || st.st_dev != removal.dev) {  // a mount point: never cross it
      close(sub);
      continue;
    }
    empty_directory(sub, removal, depth + 1);
    unlinkat(dirfd(d), name.c_str(), AT_REMOVEDIR);
  }
  closedir(d);
}

// Empties the directory open as `dir` (which it keeps open), deep folders included.
void empty_tree(int dir, dev_t dev) {
  Removal removal{dir, dev, {}};
  int first = fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (first < 0) return;
  empty_directory(first, removal, 0);
  while (!removal.moved_up.empty()) {
    std::string name = std::move(removal.moved_up.back());
    removal.moved_up.pop_back();
    int sub = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) continue;
    empty_directory(sub, removal, 1);
    unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
}

// Gives everything in the directory open as `dir` (which it closes) to uid:gid.
void chown_directory(int dir, dev_t dev, uid_t uid, gid_t gid, int depth) {
  DIR* d = fdopendir(dir);
  if (!d) {
    close(dir);
    return;
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    fchownat(dirfd(d), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (depth >= kMaxDepth) continue;
    int sub = openat(dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) continue;
    struct stat st;
    if (fstat(sub, &st) != 0 || st.st_dev != dev) {
      close(sub);
      continue;
    }
    chown_directory(sub, dev, uid, gid, depth + 1);
  }
  closedir(d);
}

}  // namespace

void chown_tree(const std::string& path, uid_t uid, gid_t gid) {
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return;
  struct stat st;
  if (fstat(dir, &st) != 0 || fchown(dir, uid, gid) != 0) {
    close(dir);
    return;
  }
  chown_directory(dir, st.st_dev, uid, gid, 0);
}

bool open_to_every_uid(const std::string& path) {
  if (chmod(path.c_str(), 0777) != 0) return false;
  // The kernel's posix_acl_default format: a version, then (tag, permissions, id) entries.
  struct Entry {
    uint16_t tag;
    uint16_t perm;
    uint32_t id;
  };
  struct {
    uint32_t version = 2;
    Entry entries[3] = {{0x01, 7, ~0u}, {0x04, 7, ~0u}, {0x20, 7, ~0u}};  // user, group, other
  } acl;
  return setxattr(path.c_str(), "system.posix_acl_default", &acl, sizeof acl, 0) == 0;
}

bool remove_tree(const std::string& path) {
  if (unlink(path.c_str()) == 0 || errno == ENOENT) return true;
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return false;
  struct stat st;
  if (fstat(dir, &st) != 0) {
    close(dir);
    return false;
  }
  empty_tree(dir, st.st_dev);
  close(dir);
  return rmdir(path.c_str()) == 0 || errno == ENOENT;
}

}  // namespace millrace::sandbox
