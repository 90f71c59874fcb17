#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/status.hpp"

namespace govshare::calendar {

// Day numbers throughout this module are days since 1970-01-01 (the value common::ParseDate returns); the inverse
// direction ("YYYY-MM-DD" → day) is common::ParseDate itself.

/// "YYYY-MM-DD" of a day number (proleptic Gregorian).
std::string FormatDay(std::int64_t day);

/// The calendar day in Asia/Shanghai (UTC+8, no DST since 1991) of an instant: the "day of receipt" (DOMAIN.md §3).
std::int64_t ShanghaiDay(common::UnixSeconds t);

/// 23:59:59 Asia/Shanghai of `day`, as Unix seconds: the end of a deadline day.
common::UnixSeconds EndOfShanghaiDay(std::int64_t day);

/// One year's schedule from the State Council notice (国务院办公厅关于部分节假日安排的通知): the days off and the
/// weekend days designated as make-up working days (调休上班). Everything else follows the week: Mon–Fri work.
struct YearData {
  int year = 0;
  std::string source;                         // the notice the data comes from
  std::vector<std::int64_t> holidays;         // every day off, ranges expanded; may fall on any weekday
  std::vector<std::int64_t> makeup_workdays;  // each a Saturday or Sunday
};

struct YearSummary {
  int year = 0;
  int working_days = 0;
  std::vector<std::int64_t> holidays;         // sorted
  std::vector<std::int64_t> makeup_workdays;  // sorted
};

/// The working-day calendar of DOMAIN.md §3: a working day is Monday–Friday that is not a holiday, plus the make-up
/// working days. The calendar is data, one year at a time; a question about a day in a year without data is answered
/// with Status code "calendar_year_missing", never with a guess.
///
/// Thread safety: all const members may be called concurrently; AddYear/LoadDirectory may run at the same time as
/// readers (a std::shared_mutex guards the years). Each reader call sees one consistent set of years.
class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  WorkingCalendar(const WorkingCalendar&) = delete;
  WorkingCalendar& operator=(const WorkingCalendar&) = delete;

  /// Parses and validates one year file: {"year":2026,"source":"...","holidays":[...],"makeup_workdays":[...]}.
  /// Codes: invalid_calendar (shape, year not an integer in 1990–2100, a date that is not a real YYYY-MM-DD),
  /// date_outside_year, duplicate_date, holiday_and_makeup, makeup_not_weekend. `field` is a JSON pointer.
  static common::Result<YearData> ParseYear(const nlohmann::json& json);

  /// Checks a YearData built in code with the same rules as ParseYear (minus the JSON shape).
  static common::Status ValidateYear(const YearData& data);

  /// Loads every file named YYYY.json in `dir` (other files are ignored); the year inside must equal the file name
  /// (code calendar_file_mismatch). All or nothing: on any error no year is changed. A directory without a year file
  /// is an error (invalid_calendar); a missing directory is missing_directory.
  common::Status LoadDirectory(const std::string& dir);

  /// Adds a year or replaces an existing one (after validation).
  common::Status AddYear(YearData data);

  /// The years with data, ascending.
  std::vector<int> Years() const;

  common::Result<bool> IsWorkingDay(std::int64_t day) const;

  /// The due day of a period of `n` working days received on `receipt_day`: the period starts on the first working
  /// day AFTER the day of receipt, and the result is its n-th working day (DOMAIN.md §3). n ≥ 1 (invalid_argument).
  common::Result<std::int64_t> AddWorkingDays(std::int64_t receipt_day, int n) const;

  /// As AddWorkingDays, with the day of receipt taken in Asia/Shanghai from `received_at`; returns 23:59:59
  /// Asia/Shanghai of the due day as Unix seconds.
  common::Result<common::UnixSeconds> DueTime(common::UnixSeconds received_at, int n) const;

  /// The number of working days d with from_day < d ≤ to_day (the receipt day itself does not count, matching
  /// AddWorkingDays: WorkingDaysBetween(r, AddWorkingDays(r, n)) == n). 0 if to_day ≤ from_day.
  common::Result<int> WorkingDaysBetween(std::int64_t from_day, std::int64_t to_day) const;

  common::Result<YearSummary> Summary(int year) const;

 private:
  struct Year {
    YearData data;               // holidays and make-up days sorted
    std::int64_t first_day = 0;  // day number of January 1
    std::vector<bool> working;   // indexed by day - first_day
    int working_days = 0;
  };

  // Requires mu_ held (shared or exclusive).
  common::Result<bool> IsWorkingDayLocked(std::int64_t day) const;
  static std::shared_ptr<const Year> Build(YearData data);

  mutable std::shared_mutex mu_;
  std::map<int, std::shared_ptr<const Year>> years_;  // guarded by mu_
};

/// A statutory deadline table (DOMAIN.md §4) as data, selected per deployment; "hebei-2022" is the default.
/// Immutable once loaded, so safe to share between threads.
class RulePack {
 public:
  struct Step {
    std::string id;       // stable snake_case, e.g. "unconditional_provide"
    std::string name;     // Chinese name shown to people
    std::string article;  // the article of the regulation the limit comes from
    int working_days = 0;
    int extension_working_days = 0;  // length of one extension, 0 if none
    int max_extensions = 0;
  };

  static constexpr int kMaxWorkingDays = 60;
  static constexpr int kMaxExtensions = 3;

  /// Reads and validates a rule pack file. Code invalid_rule_pack (or the ReadJsonFile codes) with a JSON pointer.
  static common::Result<RulePack> Load(const std::string& path);
  static common::Result<RulePack> FromJson(const nlohmann::json& json);

  /// The step with that id, or nullptr.
  const Step* Find(std::string_view id) const;

  const std::string& id() const { return id_; }
  const std::string& title() const { return title_; }
  const std::string& note() const { return note_; }
  const std::vector<Step>& steps() const { return steps_; }

 private:
  RulePack() = default;

  std::string id_;
  std::string title_;
  std::string note_;
  std::vector<Step> steps_;
};

}  // namespace govshare::calendar
