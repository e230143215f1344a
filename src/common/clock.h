// Time, injected: code that schedules, expires or times out takes a Clock so tests need not sleep.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace millrace {

// Milliseconds since the Unix epoch; the unit of every timestamp stored by Millrace.
using EpochMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual EpochMs now_ms() const = 0;
  // The process-wide real clock.
  static const Clock& system();
  // Milliseconds that only move forward (steady_clock), not since the epoch: for deadlines a
  // change of the wall clock must not move.
  static const Clock& monotonic();
};

EpochMs now_ms();

// RFC 3339 in UTC with milliseconds: 2026-11-27T10:32:06.123Z.
std::string format_rfc3339(EpochMs ms);
// Accepts RFC 3339 with or without fractional seconds, with Z or a ±hh:mm offset.
std::optional<EpochMs> parse_rfc3339(const std::string& text);

}  // namespace millrace
