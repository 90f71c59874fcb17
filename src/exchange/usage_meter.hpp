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
#include "common/status.hpp"

namespace govshare::exchange {

/// What a grant has used: today (Asia/Shanghai) and in the current minute.
struct Usage {
  std::int64_t today = 0;
  std::int64_t this_minute = 0;
};

/// A grant's uses on one quota day (days run midnight to midnight, Asia/Shanghai; UsageMeter::DayOf): what one node
/// adds (UsageMeter::TakeChanged, UsageStore::Save) or the total of every node (UsageStore::LoadDay).
struct DayUsage {
  std::string grant_id;
  std::int64_t day = 0;
  std::int64_t uses = 0;
};

/// Where the daily counts survive a restart (the main database, migration 9).
class UsageStore {
 public:
  virtual ~UsageStore() = default;
  /// Adds each entry's uses (a node's uses since its last save) to the grant's stored count for its day, so that the
  /// nodes of one database count together; all of a save or nothing.
  virtual common::Status Save(const std::vector<DayUsage>& usage) = 0;
  /// Every grant's count for `day`: the total of every node.
  virtual common::Result<std::vector<DayUsage>> LoadDay(std::int64_t day) = 0;
};

/// Counts each grant's calls against its per-minute rate and the records it delivers against its daily quota (Art. 14:
/// no wider use than granted). A use that would pass either limit is refused and not counted. Counting is in memory
/// (one short lock per grant per call); the platform saves the day's counts that changed every second and at shutdown
/// (TakeChanged → UsageStore) and restores them at start-up (Restore), so a restart does not reset a quota. A crash
/// loses at most the last second's counts. The per-minute counts are not saved. Thread-safe.
class UsageMeter {
 public:
  /// The quota day of `now`.
  static std::int64_t DayOf(common::UnixSeconds now);

  /// Admits one call of grant `grant_id` at `now` against the minute's rate of calls, and takes `records` of the
  /// day's volume of records (the grant's quota: the volume per day its scenario declared). Returns "" if allowed
  /// (and counted), else the reason, counting nothing: rate_limited, or quota_exceeded when fewer than
  /// max(records, 1) records are left today. A call that knows how many records it delivers only once it has run (a
  /// query page, the change feed) is admitted with 0 and Charge()s them afterwards.
  std::string Take(std::string_view grant_id, std::int64_t quota_per_day, std::int64_t rate_per_minute,
                   common::UnixSeconds now, std::int64_t records = 1);
  /// Takes `records` more of the day's volume: "" if they fit, else quota_exceeded, taking nothing.
  std::string Charge(std::string_view grant_id, std::int64_t quota_per_day, common::UnixSeconds now,
                     std::int64_t records);
  Usage Get(std::string_view grant_id, common::UnixSeconds now) const;
  /// The uses counted since the last call, per grant and day (for UsageStore::Save, which adds them up). Uses of a
  /// day that ended before they were saved are dropped: that day's quota no longer matters.
  std::vector<DayUsage> TakeChanged();
  /// Gives back uses whose saving failed, so that the next save adds them.
  void MarkUnsaved(const std::vector<DayUsage>& usage);
  /// Takes the stored totals (every node's saved uses: UsageStore::LoadDay) as the day's counts, plus this node's
  /// uses not saved yet; a count is never lowered, and a total for an older day than the counter's is ignored. At
  /// start-up, and after each save: with several nodes on one database a grant's quota is then exceeded by at most
  /// what the other nodes admitted since their last save (about a second's worth).
  void Restore(const std::vector<DayUsage>& usage);

 private:
  struct Counter {
    std::mutex mutex;
    std::int64_t day = -1;
    std::int64_t day_count = 0;
    std::int64_t minute = -1;
    std::int64_t minute_count = 0;
    std::int64_t unsaved = 0;  // of day_count: this node's uses since the last TakeChanged
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
