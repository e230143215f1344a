// The jobs of one node that are waiting to be claimed, each with the time it is due, in the
// order they are taken: earliest due first, then first added. Only ids are held (16 bytes
// each, so a backlog of many thousands stays small); a job is read back from the store when it
// is claimed. Not thread-safe: MemoryReadySet guards it with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/uuid.h"

namespace millrace::queue {

class JobsByDue {
 public:
  // Adds the job, due at `due`; a job already in the set is moved to that time (and to the
  // back of the jobs due then). False, and nothing added, when `id` is not a UUID.
  bool add(const std::string& id, EpochMs due);
  // Takes out the first job due at or before `now`; nullopt when none is.
  std::optional<std::string> take_due(EpochMs now);
  // When the first job is due; nullopt when the set is empty.
  std::optional<EpochMs> next_due() const;
  // Takes the job out; false when it was not in the set.
  bool remove(const std::string& id);
  bool contains(const std::string& id) const;
  size_t size() const { return by_due_.size(); }
  bool empty() const { return by_due_.empty(); }

 private:
  struct Key {
    EpochMs due;
    uint64_t seq;
    bool operator<(const Key& o) const { return due != o.due ? due < o.due : seq < o.seq; }
  };
  std::map<Key, UuidBytes> by_due_;
  std::unordered_map<UuidBytes, Key, UuidBytesHash> keys_;
  uint64_t next_seq_ = 0;
};

}  // namespace millrace::queue
