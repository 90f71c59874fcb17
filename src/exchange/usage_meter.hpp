#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"

namespace govshare::exchange {

/// What a grant has used: today (Asia/Shanghai) and in the current minute.
struct Usage {
  std::int64_t today = 0;
  std::int64_t this_minute = 0;
};

/// Counts the uses of each grant against its daily quota and per-minute rate (Art. 14: no wider use than granted).
/// A use that would pass either limit is refused and not counted. Counters live in memory: they restart at zero with
/// the process (the audit log keeps the exact record of every use). Thread-safe; one short lock per grant per call.
class UsageMeter {
 public:
  /// Takes `n` uses (calls, or rows for bulk delivery) of grant `grant_id` at `now`. Returns "" if allowed, else the
  /// reason: quota_exceeded (the day's quota) or rate_limited (the minute's rate).
  std::string Take(std::string_view grant_id, std::int64_t quota_per_day, std::int64_t rate_per_minute,
                   common::UnixSeconds now, std::int64_t n = 1);
  Usage Get(std::string_view grant_id, common::UnixSeconds now) const;

 private:
  struct Counter {
    std::mutex mutex;
    std::int64_t day = -1;
    std::int64_t day_count = 0;
    std::int64_t minute = -1;
    std::int64_t minute_count = 0;
  };
  Counter& CounterFor(std::string_view grant_id);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Counter>> counters_;  // never erased: one per grant ever used
};

/// Row scope (Art. 14: no wider scope): a row is within a grant's scope if the scope is empty (the whole province) or
/// its region code starts with one of the scope's division-code prefixes. A row without a region code is outside any
/// non-empty scope (fail closed).
bool InRowScope(const std::vector<std::string>& row_scope, std::string_view region_code);

}  // namespace govshare::exchange
