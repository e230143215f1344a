#include "store/folders.h"

#include <nlohmann/json.hpp>

#include "store/rows.h"

namespace millrace::store {
namespace {

using nlohmann::json;

constexpr const char* kColumns =
    "workspace_id, name, summary, owners, extra_perms, created_by, edited_at";

FolderRecord read_folder(Statement& s) {
  FolderRecord f;
  f.workspace_id = s.text(0);
  f.name = s.text(1);
  f.summary = s.optional_text(2);
  auto owners = json::parse(s.text(3), nullptr, false);
  if (owners.is_array()) {
    for (const auto& o : owners) {
      if (o.is_string()) f.owners.push_back(o.get<std::string>());
    }
  }
  auto perms = json::parse(s.text(4), nullptr, false);
  if (perms.is_object()) {
    for (auto it = perms.begin(); it != perms.end(); ++it) {
      if (it.value().is_boolean()) f.extra_perms[it.key()] = it.value().get<bool>();
    }
  }
  f.created_by = s.text(5);
  f.edited_at = s.int64(6);
  return f;
}

std::string owners_json(const FolderRecord& f) {
  return json(f.owners).dump();
}
std::string perms_json(const FolderRecord& f) {
  json o = json::object();
  for (const auto& [who, write] : f.extra_perms) o[who] = write;
  return o.dump();
}

}  // namespace

Result<std::optional<FolderRecord>> find_folder(Connection& c, const std::string& ws,
                                                const std::string& name) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM folder WHERE workspace_id = ? AND name = ?");
  s.bind(1, ws).bind(2, name);
  std::optional<FolderRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_folder(r); }));
  return out;
}

Result<std::vector<FolderRecord>> list_folders(Connection& c, const std::string& ws) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM folder WHERE workspace_id = ? ORDER BY name");
  s.bind(1, ws);
  std::vector<FolderRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_folder(r)); }));
  return out;
}

Status insert_folder(Connection& c, const FolderRecord& f) {
  auto s =
      c.prepare(std::string("INSERT INTO folder (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, f.workspace_id).bind(2, f.name).bind(3, f.summary).bind(4, owners_json(f));
  s.bind(5, perms_json(f)).bind(6, f.created_by).bind(7, f.edited_at);
  return s.run();
}

Status update_folder(Connection& c, const FolderRecord& f) {
  auto s = c.prepare(
      "UPDATE folder SET summary = ?, owners = ?, extra_perms = ?, edited_at = ? "
      "WHERE workspace_id = ? AND name = ?");
  s.bind(1, f.summary).bind(2, owners_json(f)).bind(3, perms_json(f)).bind(4, f.edited_at);
  s.bind(5, f.workspace_id).bind(6, f.name);
  return s.run();
}

Result<int64_t> delete_folder(Connection& c, const std::string& ws, const std::string& name) {
  auto s = c.prepare("DELETE FROM folder WHERE workspace_id = ? AND name = ?");
  s.bind(1, ws).bind(2, name);
  MR_TRY(s.run());
  return c.changes();
}

}  // namespace millrace::store
