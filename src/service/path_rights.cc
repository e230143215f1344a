#include "service/path_rights.h"

#include <algorithm>

#include "common/strings.h"
#include "service/folders.h"
#include "store/folders.h"

namespace millrace::service {
namespace {

bool is_admin(const auth::Identity& who) {
  return who.is_admin || who.super_admin;
}

// The folder of an f/ path, the user of a u/ path; empty otherwise.
std::string second_segment(const std::string& path) {
  auto slash = path.find('/', 2);
  return path.size() > 2 && path[1] == '/' ? path.substr(2, slash - 2) : "";
}

}  // namespace

PathRights folder_rights(const auth::Identity& who, const store::FolderRecord& folder) {
  PathRights rights;
  const std::string me = "u/" + who.username;
  if (std::find(folder.owners.begin(), folder.owners.end(), me) != folder.owners.end()) {
    rights = {true, true};
  }
  for (const std::string& subject : {std::string("g/all"), me}) {
    auto it = folder.extra_perms.find(subject);
    if (it == folder.extra_perms.end()) continue;
    rights.read = true;
    rights.write = rights.write || it->second;
  }
  if (who.is_operator) rights.write = false;
  return rights;
}

Result<PathRights> path_rights(Folders& folders, const auth::Identity& who, const std::string& ws,
                               const std::string& path) {
  if (is_admin(who)) return PathRights{true, true};
  const std::string owner = second_segment(path);
  if (starts_with(path, "u/")) {
    bool mine = owner == who.username;
    return PathRights{mine, mine && !who.is_operator};
  }
  if (!starts_with(path, "f/")) return PathRights{};
  auto folder = folders.find(ws, owner);
  if (!folder) return folder.error();
  if (!*folder) return PathRights{};
  return folder_rights(who, **folder);
}

Result<std::optional<std::vector<std::string>>> readable_prefixes(Folders& folders,
                                                                  const auth::Identity& who,
                                                                  const std::string& ws) {
  if (is_admin(who)) return std::optional<std::vector<std::string>>();
  std::vector<std::string> prefixes = {"u/" + who.username + "/"};
  auto all = folders.list(ws);
  if (!all) return all.error();
  for (const auto& f : *all) {
    if (folder_rights(who, f).read) prefixes.push_back("f/" + f.name + "/");
  }
  return std::optional<std::vector<std::string>>(std::move(prefixes));
}

Result<bool> may_read_path(Folders& folders, const auth::Identity& who, const std::string& ws,
                           const std::string& path) {
  auto rights = path_rights(folders, who, ws, path);
  if (!rights) return rights.error();
  return rights->read;
}

Status may_write_path(Folders& folders, const auth::Identity& who, const std::string& ws,
                      const std::string& path) {
  if (who.is_operator && !is_admin(who)) {
    return Error::permission_denied("an operator runs and views scripts and flows; " +
                                    who.username + " may not create or change " + path);
  }
  auto rights = path_rights(folders, who, ws, path);
  if (!rights) return rights.error();
  if (rights->write) return Status::ok();
  const std::string owner = second_segment(path);
  if (starts_with(path, "u/")) {
    return Error::permission_denied("only " + owner + " or an admin may write at " + path);
  }
  return Error::permission_denied("only the owners and writers of the folder " + owner +
                                  " (or an admin) may write at " + path);
}

}  // namespace millrace::service
