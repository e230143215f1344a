// What one node of a shared queue tells the others (PostgreSQL NOTIFY on the channel
// store::kNoticeChannel, sent when the writing transaction commits). Encoded and decoded here
// only; on the wire a notice is one letter, then a space and a job id when it names one:
//   q  jobs may be ready to claim           d <id>  a job is done (its outcome is committed)
//   n <id>  a job has new logs or stream    c <id>  a running job was canceled
//   e <id>  a flow's early_return answer is stored
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace millrace::store {
class Connection;
}

namespace millrace::queue {

struct Notice {
  enum class Kind { Ready, Done, News, Canceled, EarlyAnswer };
  Kind kind = Kind::Ready;
  std::string job_id;  // empty for Ready

  static Notice ready() { return {Kind::Ready, {}}; }
  static Notice done(std::string id) { return {Kind::Done, std::move(id)}; }
  static Notice news(std::string id) { return {Kind::News, std::move(id)}; }
  static Notice canceled(std::string id) { return {Kind::Canceled, std::move(id)}; }
  static Notice early_answer(std::string id) { return {Kind::EarlyAnswer, std::move(id)}; }

  std::string encode() const;
  // nullopt for text that is not a notice (an unknown letter, a missing or extra id).
  static std::optional<Notice> decode(std::string_view text);

  bool operator==(const Notice&) const = default;
};

// Queues the notice on the writer's transaction: every node hears it once, at commit.
Status notify_nodes(store::Connection& c, const Notice& notice);

}  // namespace millrace::queue
