#include "sandbox/root_template.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace millrace::sandbox {
namespace {

namespace fs = std::filesystem;

std::string failure(const std::string& what, const std::string& path) {
  return "cannot " + what + " " + path + " for the job sandbox: " + strerror(errno);
}

// Makes `target` (inside the template) show `source` read-only, submounts included.
std::string bind_read_only(const std::string& source, const std::string& target) {
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return failure("bind " + source + " on", target);
  }
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) {
    return "";
  }
  // Kernels before 5.12: the top mount only.
  if (mount(nullptr, target.c_str(), nullptr,
            MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    return failure("make read-only", target);
  }
  return "";
}

// A folder or file at `inside` (an absolute path) of the template, and its parents.
bool make_path(const std::string& root, const std::string& inside, bool as_file) {
  std::error_code ec;
  fs::path p = fs::path(root + inside);
  fs::create_directories(as_file ? p.parent_path() : p, ec);
  if (ec) return false;
  if (!as_file) return true;
  int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::string write_generated(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return failure("write", path);
  chmod(path.c_str(), 0644);
  return "";
}

std::string make_etc(const RootTemplateOptions& o) {
  const std::string& root = o.dir;
  if (auto e = bind_read_only("/etc", root + "/etc"); !e.empty()) return e;
  // Our own account files: every job uid has a name (tools look it up; an unknown uid sends
  // glibc to every NSS module there is), and only files are asked.
  std::string passwd =
      "root:x:0:0:root:/root:/usr/sbin/nologin\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
  std::string group = "root:x:0:\nnogroup:x:65534:\n";
  for (uid_t uid : o.uids) {
    std::string name = "job-" + std::to_string(uid);
    passwd += name + ":x:" + std::to_string(uid) + ":" + std::to_string(uid) +
              ":millrace job:/job:/usr/sbin/nologin\n";
    group += name + ":x:" + std::to_string(uid) + ":\n";
  }
  const std::string nsswitch =
      "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
      "protocols: files\nservices: files\nethers: files\nrpc: files\n";
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"passwd", passwd},
                                   {"group", group},
                                   {"nsswitch.conf", nsswitch}}) {
    std::string generated = o.files_dir + "/" + name;
    if (auto e = write_generated(generated, text); !e.empty()) return e;
    std::string target = root + "/etc/" + name;
    if (!fs::exists(target) && !make_path(root, "/etc/" + name, true)) {
      return failure("create", target);
    }
    if (auto e = bind_read_only(generated, target); !e.empty()) return e;
  }
  // A resolv.conf that links out of /etc (systemd-resolved) gets its target shown too.
  std::error_code ec;
  if (fs::is_symlink("/etc/resolv.conf", ec)) {
    fs::path real = fs::canonical("/etc/resolv.conf", ec);
    std::string r = real.string();
    if (!ec && !r.starts_with("/etc/") && !r.starts_with("/usr/")) {
      if (!make_path(root, r, true)) return failure("create", root + r);
      if (auto e = bind_read_only(r, root + r); !e.empty()) return e;
    }
  }
  return "";
}

std::string make_dev(const std::string& root) {
  std::string dev = root + "/dev";
  if (mkdir(dev.c_str(), 0755) != 0) return failure("create", dev);
  const struct {
    const char* name;
    unsigned minor;
  } nodes[] = {{"null", 3}, {"zero", 5}, {"full", 7}, {"random", 8}, {"urandom", 9}};
  for (const auto& n : nodes) {
    std::string path = dev + "/" + n.name;
    if (mknod(path.c_str(), S_IFCHR | 0666, makedev(1, n.minor)) != 0 ||
        chmod(path.c_str(), 0666) != 0) {
      return failure("create", path);
    }
  }
  const struct {
    const char* name;
    const char* to;
  } links[] = {{"fd", "/proc/self/fd"},
               {"stdin", "/proc/self/fd/0"},
               {"stdout", "/proc/self/fd/1"},
               {"stderr", "/proc/self/fd/2"}};
  for (const auto& l : links) {
    if (symlink(l.to, (dev + "/" + l.name).c_str()) != 0) return failure("create", dev + l.name);
  }
  if (mkdir((dev + "/shm").c_str(), 0755) != 0) return failure("create", dev + "/shm");
  return "";
}

}  // namespace

std::string build_root_template(const RootTemplateOptions& o) {
  const std::string& root = o.dir;
  if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) return failure("create", root);
  if (mount("millrace-root", root.c_str(), "tmpfs", MS_NOSUID, "mode=0755,size=8m") != 0) {
    return failure("mount a tmpfs on", root);
  }
  // The system, as the host has it: /usr, and /bin, /lib… as links into it or folders.
  if (mkdir((root + "/usr").c_str(), 0755) != 0) return failure("create", root + "/usr");
  if (auto e = bind_read_only("/usr", root + "/usr"); !e.empty()) return e;
  for (const char* top : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string host = std::string("/") + top;
    std::string target = root + host;
    std::error_code ec;
    auto status = fs::symlink_status(host, ec);
    if (ec || !fs::exists(status)) continue;
    if (fs::is_symlink(status)) {
      if (symlink(fs::read_symlink(host, ec).c_str(), target.c_str()) != 0) {
        return failure("create", target);
      }
    } else if (fs::is_directory(status)) {
      if (mkdir(target.c_str(), 0755) != 0) return failure("create", target);
      if (auto e = bind_read_only(host, target); !e.empty()) return e;
    }
  }
  if (mkdir((root + "/etc").c_str(), 0755) != 0) return failure("create", root + "/etc");
  if (auto e = make_etc(o); !e.empty()) return e;
  if (auto e = make_dev(root); !e.empty()) return e;
  for (const char* point : {"/proc", "/tmp", "/job", "/.old"}) {
    if (mkdir((root + point).c_str(), 0755) != 0) return failure("create", root + point);
  }
  if (!make_path(root, kRuntimeInside, false)) return failure("create", root + kRuntimeInside);
  if (auto e = bind_read_only(o.runtime_dir, root + kRuntimeInside); !e.empty()) return e;
  for (const Bind& extra : o.extra) {
    std::error_code ec;
    bool folder = fs::is_directory(extra.source, ec);
    if (!make_path(root, extra.target, !folder)) return failure("create", root + extra.target);
    std::string target = root + extra.target;
    if (extra.read_only) {
      if (auto e = bind_read_only(extra.source, target); !e.empty()) return e;
    } else if (mount(extra.source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) !=
                   0 ||
               mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV,
                     nullptr) != 0) {
      return failure("bind " + extra.source + " on", target);
    }
  }
  if (mount(nullptr, root.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID, nullptr) != 0) {
    return failure("make read-only", root);
  }
  return "";
}

}  // namespace millrace::sandbox
