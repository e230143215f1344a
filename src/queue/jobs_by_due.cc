#include "queue/jobs_by_due.h"

namespace millrace::queue {

bool JobsByDue::add(const std::string& id, EpochMs due) {
  auto bytes = uuid_bytes(id);
  if (!bytes) return false;
  Key key{due, next_seq_++};
  auto [it, inserted] = keys_.try_emplace(*bytes, key);
  if (!inserted) {
    by_due_.erase(it->second);
    it->second = key;
  }
  by_due_.emplace(key, *bytes);
  return true;
}

std::optional<std::string> JobsByDue::take_due(EpochMs now) {
  auto first = by_due_.begin();
  if (first == by_due_.end() || first->first.due > now) return std::nullopt;
  std::string id = uuid_text(first->second);
  keys_.erase(first->second);
  by_due_.erase(first);
  return id;
}

std::optional<EpochMs> JobsByDue::next_due() const {
  if (by_due_.empty()) return std::nullopt;
  return by_due_.begin()->first.due;
}

bool JobsByDue::remove(const std::string& id) {
  auto bytes = uuid_bytes(id);
  if (!bytes) return false;
  auto it = keys_.find(*bytes);
  if (it == keys_.end()) return false;
  by_due_.erase(it->second);
  keys_.erase(it);
  return true;
}

bool JobsByDue::contains(const std::string& id) const {
  auto bytes = uuid_bytes(id);
  return bytes && keys_.contains(*bytes);
}

}  // namespace millrace::queue
