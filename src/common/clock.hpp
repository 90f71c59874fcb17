#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace govshare::common {

/// Seconds since the Unix epoch, the unit every store uses for times.
using UnixSeconds = std::int64_t;

/// The source of "now". Services take a Clock so that tests can move time (expiry, lockout, deadlines).
/// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<UnixSeconds> now_;
};

/// The calendar date of `t` in Asia/Shanghai, YYYY-MM-DD.
std::string FormatDate(UnixSeconds t);
/// Days since 1970-01-01 of a strict YYYY-MM-DD date that exists, or nullopt.
std::optional<std::int64_t> ParseDate(std::string_view date);

/// RFC 3339 in China Standard Time, e.g. "2026-11-26T08:00:00+08:00" (the API's time format).
std::string FormatRfc3339(UnixSeconds t);
/// China Standard Time to the minute for text people read (inbox messages), e.g. "2026-11-26 08:00".
std::string FormatLocalMinute(UnixSeconds t);

}  // namespace govshare::common
