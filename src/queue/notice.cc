#include "queue/notice.h"

#include "store/claims.h"

namespace millrace::queue {
namespace {

char letter(Notice::Kind kind) {
  switch (kind) {
    case Notice::Kind::Ready:
      return 'q';
    case Notice::Kind::Done:
      return 'd';
    case Notice::Kind::News:
      return 'n';
    case Notice::Kind::Canceled:
      return 'c';
    case Notice::Kind::EarlyAnswer:
      return 'e';
  }
  return '?';
}

}  // namespace

std::string Notice::encode() const {
  std::string text(1, letter(kind));
  if (kind != Kind::Ready) text += " " + job_id;
  return text;
}

std::optional<Notice> Notice::decode(std::string_view text) {
  if (text == "q") return ready();
  if (text.size() < 3 || text[1] != ' ') return std::nullopt;
  std::string id(text.substr(2));
  switch (text[0]) {
    case 'd':
      return done(std::move(id));
    case 'n':
      return news(std::move(id));
    case 'c':
      return canceled(std::move(id));
    case 'e':
      return early_answer(std::move(id));
    default:
      return std::nullopt;
  }
}

Status notify_nodes(store::Connection& c, const Notice& notice) {
  return store::notify(c, notice.encode());
}

}  // namespace millrace::queue
