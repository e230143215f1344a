// A Clock that moves only when told: tests drive timeouts, schedules and back-offs by hand.
// Thread-safe (the code under test reads it from its own threads).
#pragma once

#include <atomic>

#include "common/clock.h"

namespace millrace {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(EpochMs start = 1'800'000'000'000) : now_(start) {}
  EpochMs now_ms() const override { return now_.load(); }
  void advance(EpochMs ms) { now_ += ms; }
  void set(EpochMs ms) { now_ = ms; }

 private:
  std::atomic<EpochMs> now_;
};

}  // namespace millrace
