// An HTTP route's deliveries: every call a route answers is kept (store/http_deliveries.h) as it
// was received — its headers with credentials masked, its body up to kBodyLimit — with whether
// it passed the route's authentication, the status it was answered and the job it made. Each
// route keeps its last DELIVERIES_KEPT, for DELIVERY_RETENTION_S. The app lists them, and
// replays one that passed authentication as a new job of the route (audited
// `http_triggers.replay`).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/context.h"
#include "http/message.h"
#include "store/http_deliveries.h"
#include "store/http_triggers.h"

namespace millrace::api {

// The responder of a route's call: what it answers is written down as the delivery's outcome
// (once: the answer, the start of a stream, or the caller leaving first), then passed on.
class RecordedDelivery final : public http::Responder,
                               public std::enable_shared_from_this<RecordedDelivery> {
 public:
  static constexpr size_t kBodyLimit = 64 * 1024;

  static std::shared_ptr<RecordedDelivery> wrap(ApiContext& ctx, const http::Request& req,
                                                const store::HttpTriggerRecord& t,
                                                const std::string& route, http::ResponderPtr inner);
  void verified();                           // it passed the route's authentication
  void job(const std::string& id);           // the job it made
  void replay_of(const std::string& id);     // it replays that delivery
  void mask(const std::string& lower_name);  // a header found to be a credential

  void send(http::Response response) override;
  void on_disconnect(std::function<void()> callback) override;
  void start_stream(http::Response head) override;
  void write(std::string piece) override;
  void end() override;

 private:
  RecordedDelivery(ApiContext& ctx, store::HttpDeliveryRecord record, http::ResponderPtr inner);
  void record(int64_t status, std::optional<std::string> reason);

  ApiContext& ctx_;
  http::ResponderPtr inner_;
  std::mutex mutex_;
  store::HttpDeliveryRecord record_;
  std::atomic<bool> recorded_{false};
};

}  // namespace millrace::api
