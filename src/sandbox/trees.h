// Removing or handing over a folder a job could write into, without ever following a link:
// every step is taken relative to a directory already opened with O_NOFOLLOW, and never leaves
// its filesystem. A job racing the walk (renaming, swapping in links) can only make it do less.
#pragma once

#include <sys/types.h>

#include <string>

namespace millrace::sandbox {

// Removes `path` (a folder, or anything else) and everything below it. True when it is gone.
bool remove_tree(const std::string& path);
// Gives `path` and everything below it to uid:gid (links themselves, not what they name).
void chown_tree(const std::string& path, uid_t uid, gid_t gid);
// Makes the folder `path` writable by every uid, and what is made in it too whatever the
// maker's umask (a default ACL: user, group and other rwx). False when the file system has no
// ACLs (the folder is still 0777).
bool open_to_every_uid(const std::string& path);

}  // namespace millrace::sandbox
