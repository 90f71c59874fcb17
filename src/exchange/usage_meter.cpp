#include "exchange/usage_meter.hpp"

#include <algorithm>

namespace govshare::exchange {

namespace {
constexpr std::int64_t kBeijingOffset = 8 * 3600;  // quota days run midnight to midnight, Asia/Shanghai
}

std::int64_t UsageMeter::DayOf(common::UnixSeconds now) { return (now + kBeijingOffset) / 86400; }

UsageMeter::Counter& UsageMeter::CounterFor(std::string_view grant_id) {
  const std::string key(grant_id);
  {
    std::shared_lock lock(mutex_);
    if (auto it = counters_.find(key); it != counters_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto& slot = counters_[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

std::string UsageMeter::Take(std::string_view grant_id, std::int64_t quota_per_day, std::int64_t rate_per_minute,
                             common::UnixSeconds now, std::int64_t records) {
  auto& c = CounterFor(grant_id);
  const std::int64_t day = DayOf(now);
  const std::int64_t minute = now / 60;
  std::lock_guard lock(c.mutex);
  if (c.day != day) {
    c.day = day;
    c.day_count = 0;
    c.unsaved = 0;
  }
  if (c.minute != minute) {
    c.minute = minute;
    c.minute_count = 0;
  }
  if (c.minute_count + 1 > rate_per_minute) return "rate_limited";
  if (c.day_count + std::max<std::int64_t>(records, 1) > quota_per_day) return "quota_exceeded";
  c.minute_count += 1;
  c.day_count += records;
  c.unsaved += records;
  return {};
}

std::string UsageMeter::Charge(std::string_view grant_id, std::int64_t quota_per_day, common::UnixSeconds now,
                               std::int64_t records) {
  auto& c = CounterFor(grant_id);
  const std::int64_t day = DayOf(now);
  std::lock_guard lock(c.mutex);
  if (c.day != day) {
    c.day = day;
    c.day_count = 0;
    c.unsaved = 0;
  }
  if (c.day_count + records > quota_per_day) return "quota_exceeded";
  c.day_count += records;
  c.unsaved += records;
  return {};
}

std::vector<DayUsage> UsageMeter::TakeChanged() {
  std::vector<DayUsage> out;
  std::shared_lock lock(mutex_);
  for (const auto& [grant_id, counter] : counters_) {
    std::lock_guard counter_lock(counter->mutex);
    if (counter->unsaved == 0) continue;
    out.push_back(DayUsage{grant_id, counter->day, counter->unsaved});
    counter->unsaved = 0;
  }
  return out;
}

void UsageMeter::MarkUnsaved(const std::vector<DayUsage>& usage) {
  for (const auto& u : usage) {
    auto& c = CounterFor(u.grant_id);
    std::lock_guard lock(c.mutex);
    if (c.day == u.day) c.unsaved += u.uses;
  }
}

void UsageMeter::Restore(const std::vector<DayUsage>& usage) {
  for (const auto& u : usage) {
    auto& c = CounterFor(u.grant_id);
    std::lock_guard lock(c.mutex);
    if (u.day < c.day) continue;
    if (u.day > c.day) {
      c.day = u.day;
      c.day_count = 0;
      c.unsaved = 0;
    }
    c.day_count = std::max(c.day_count, u.uses + c.unsaved);
  }
}

Usage UsageMeter::Get(std::string_view grant_id, common::UnixSeconds now) const {
  std::shared_lock lock(mutex_);
  auto it = counters_.find(std::string(grant_id));
  if (it == counters_.end()) return {};
  auto& c = *it->second;
  std::lock_guard counter_lock(c.mutex);
  Usage u;
  if (c.day == DayOf(now)) u.today = c.day_count;
  if (c.minute == now / 60) u.this_minute = c.minute_count;
  return u;
}

bool InRowScope(const std::vector<std::string>& row_scope, std::string_view region_code) {
  if (row_scope.empty()) return true;
  for (const auto& prefix : row_scope) {
    if (!prefix.empty() && region_code.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace govshare::exchange
