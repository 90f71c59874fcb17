#include "calendar/calendar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "common/json_file.hpp"

namespace govshare::calendar {

namespace {

using common::Result;
using common::Status;

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kShanghaiOffsetSeconds = std::int64_t{8} * 3600;  // Asia/Shanghai has had no DST since 1991.
constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;
constexpr int kShanghaiOffsetHours = 8;

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days, the inverse of the days_from_civil behind common::ParseDate.
Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

// 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday.
unsigned Weekday(std::int64_t day) { return static_cast<unsigned>(day >= -4 ? (day + 4) % 7 : (day + 5) % 7 + 6); }

bool IsWeekend(std::int64_t day) {
  const unsigned wd = Weekday(day);
  return wd == 0 || wd == 6;
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int YearOf(std::int64_t day) { return static_cast<int>(CivilFromDays(day).year); }

std::int64_t FirstDayOf(int year) { return *common::ParseDate(fmt::format("{:04}-01-01", year)); }

Status CalendarInvalid(std::string message, std::string field = {}) {
  return Status::Invalid("invalid_calendar", std::move(message), std::move(field));
}

Result<std::vector<std::int64_t>> ParseDateList(const nlohmann::json& json, const char* key) {
  const std::string field = fmt::format("/{}", key);
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array())
    return CalendarInvalid(fmt::format("{} must be an array of dates", key), field);
  std::vector<std::int64_t> days;
  days.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    const std::string item_field = fmt::format("{}/{}", field, i);
    if (!v.is_string()) return CalendarInvalid(fmt::format("{}[{}] must be a YYYY-MM-DD string", key, i), item_field);
    const auto& text = v.get_ref<const std::string&>();
    const auto day = common::ParseDate(text);
    if (!day) return CalendarInvalid(fmt::format("{} is not a real YYYY-MM-DD date", text), item_field);
    days.push_back(*day);
  }
  return days;
}

// Checks that every day of `days` lies in `year` and appears once in `seen` (shared between both lists).
Status CheckDays(int year, const std::vector<std::int64_t>& days, const char* key,
                 std::unordered_set<std::int64_t>& seen) {
  for (std::size_t i = 0; i < days.size(); ++i) {
    const std::string field = fmt::format("/{}/{}", key, i);
    if (YearOf(days[i]) != year) {
      return Status::Unprocessable("date_outside_year", fmt::format("{} is not in {}", FormatDay(days[i]), year),
                                   field);
    }
    if (!seen.insert(days[i]).second) {
      return Status::Unprocessable("duplicate_date", fmt::format("{} is listed twice in {}", FormatDay(days[i]), key),
                                   field);
    }
  }
  return Status::Ok();
}

Status RuleInvalid(std::string message, std::string field = {}) {
  return Status::Invalid("invalid_rule_pack", std::move(message), std::move(field));
}

// A non-empty string member, or an error naming `field`.
Result<std::string> RequiredString(const nlohmann::json& obj, const char* key, const std::string& field) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return RuleInvalid(fmt::format("{} must be a non-empty string", key), field);
  }
  return it->get<std::string>();
}

// An integer member in [lo, hi]; absent means `fallback` when `required` is false.
Result<int> IntInRange(const nlohmann::json& obj, const char* key, int lo, int hi, bool required, int fallback,
                       const std::string& field) {
  const auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return RuleInvalid(fmt::format("{} is required", key), field);
    return fallback;
  }
  if (!it->is_number_integer()) return RuleInvalid(fmt::format("{} must be an integer", key), field);
  const auto v = it->get<std::int64_t>();
  if (v < lo || v > hi) return RuleInvalid(fmt::format("{} must be between {} and {}, got {}", key, lo, hi, v), field);
  return static_cast<int>(v);
}

}  // namespace

std::string FormatDay(std::int64_t day) {
  const Civil c = CivilFromDays(day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::int64_t ShanghaiDay(common::UnixSeconds t) { return FloorDiv(t + kShanghaiOffsetSeconds, kSecondsPerDay); }

common::UnixSeconds EndOfShanghaiDay(std::int64_t day) {
  return (day + 1) * kSecondsPerDay - kShanghaiOffsetSeconds - 1;
}

// ---------------------------------------------------------------------------------------------------------------------
// WorkingCalendar

Result<YearData> WorkingCalendar::ParseYear(const nlohmann::json& json) {
  if (!json.is_object()) return CalendarInvalid("a calendar year must be a JSON object");
  const auto year_it = json.find("year");
  if (year_it == json.end() || !year_it->is_number_integer()) {
    return CalendarInvalid("year must be an integer", "/year");
  }
  const auto year = year_it->get<std::int64_t>();
  if (year < kMinYear || year > kMaxYear) {
    return CalendarInvalid(fmt::format("year {} is outside {}–{}", year, kMinYear, kMaxYear), "/year");
  }
  YearData data;
  data.year = static_cast<int>(year);
  if (const auto it = json.find("source"); it != json.end()) {
    if (!it->is_string()) return CalendarInvalid("source must be a string", "/source");
    data.source = it->get<std::string>();
  }
  auto holidays = ParseDateList(json, "holidays");
  if (!holidays.ok()) return holidays.status();
  auto makeup = ParseDateList(json, "makeup_workdays");
  if (!makeup.ok()) return makeup.status();
  data.holidays = std::move(holidays).value();
  data.makeup_workdays = std::move(makeup).value();
  GOVSHARE_RETURN_IF_ERROR(ValidateYear(data));
  return data;
}

Status WorkingCalendar::ValidateYear(const YearData& data) {
  if (data.year < kMinYear || data.year > kMaxYear) {
    return CalendarInvalid(fmt::format("year {} is outside {}–{}", data.year, kMinYear, kMaxYear), "/year");
  }
  std::unordered_set<std::int64_t> holidays;
  GOVSHARE_RETURN_IF_ERROR(CheckDays(data.year, data.holidays, "holidays", holidays));
  std::unordered_set<std::int64_t> makeup;
  GOVSHARE_RETURN_IF_ERROR(CheckDays(data.year, data.makeup_workdays, "makeup_workdays", makeup));
  for (std::size_t i = 0; i < data.makeup_workdays.size(); ++i) {
    const std::int64_t day = data.makeup_workdays[i];
    const std::string field = fmt::format("/makeup_workdays/{}", i);
    if (holidays.count(day) != 0) {
      return Status::Unprocessable(
          "holiday_and_makeup", fmt::format("{} is listed both as a holiday and a make-up working day", FormatDay(day)),
          field);
    }
    // A make-up working day only makes sense on a weekend: Monday–Friday is a working day already.
    if (!IsWeekend(day)) {
      return Status::Unprocessable("makeup_not_weekend",
                                   fmt::format("make-up working day {} is not a Saturday or Sunday", FormatDay(day)),
                                   field);
    }
  }
  return Status::Ok();
}

std::shared_ptr<const WorkingCalendar::Year> WorkingCalendar::Build(YearData data) {
  auto year = std::make_shared<Year>();
  std::sort(data.holidays.begin(), data.holidays.end());
  std::sort(data.makeup_workdays.begin(), data.makeup_workdays.end());
  year->first_day = FirstDayOf(data.year);
  const std::int64_t next_first_day = FirstDayOf(data.year + 1);
  year->working.resize(static_cast<std::size_t>(next_first_day - year->first_day));
  for (std::int64_t day = year->first_day; day < next_first_day; ++day) {
    year->working[static_cast<std::size_t>(day - year->first_day)] = !IsWeekend(day);
  }
  for (const std::int64_t day : data.holidays) year->working[static_cast<std::size_t>(day - year->first_day)] = false;
  for (const std::int64_t day : data.makeup_workdays) {
    year->working[static_cast<std::size_t>(day - year->first_day)] = true;
  }
  year->working_days = static_cast<int>(std::count(year->working.begin(), year->working.end(), true));
  year->data = std::move(data);
  return year;
}

Status WorkingCalendar::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::Invalid("missing_directory", fmt::format("{} is not a readable directory", dir));
  }
  std::vector<std::shared_ptr<const Year>> loaded;
  std::set<fs::path> files;  // sorted, so errors are reported in a stable order
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string stem = path.stem().string();
    if (path.extension() != ".json" || stem.size() != 4 ||
        !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    files.insert(path);
  }
  if (ec) return Status::Invalid("missing_directory", fmt::format("cannot list {}: {}", dir, ec.message()));
  if (files.empty()) return CalendarInvalid(fmt::format("{} holds no YYYY.json calendar file", dir));
  for (const fs::path& path : files) {
    auto json = common::ReadJsonFile(path.string());
    if (!json.ok()) return json.status();
    auto data = ParseYear(*json);
    if (!data.ok()) {
      const Status& s = data.status();
      return {s.kind(), s.code(), fmt::format("{}: {}", path.string(), s.message()), s.field()};
    }
    if (std::to_string(data->year) != path.stem().string()) {
      return Status::Invalid(
          "calendar_file_mismatch",
          fmt::format("{} holds year {}; the file name must match the year", path.string(), data->year), "/year");
    }
    loaded.push_back(Build(std::move(data).value()));
  }
  std::unique_lock lock(mu_);
  for (auto& year : loaded) years_[year->data.year] = std::move(year);
  return Status::Ok();
}

Status WorkingCalendar::AddYear(YearData data) {
  GOVSHARE_RETURN_IF_ERROR(ValidateYear(data));
  auto year = Build(std::move(data));  // built outside the lock: readers wait only for the pointer swap
  std::unique_lock lock(mu_);
  years_[year->data.year] = std::move(year);
  return Status::Ok();
}

std::vector<int> WorkingCalendar::Years() const {
  std::shared_lock lock(mu_);
  std::vector<int> years;
  years.reserve(years_.size());
  for (const auto& [year, unused] : years_) years.push_back(year);
  return years;
}

Result<bool> WorkingCalendar::IsWorkingDayLocked(std::int64_t day) const {
  const int year = YearOf(day);
  const auto it = years_.find(year);
  if (it == years_.end()) {
    return Status::Unprocessable("calendar_year_missing",
                                 fmt::format("no working-day calendar for {} (needed for {})", year, FormatDay(day)));
  }
  return static_cast<bool>(it->second->working[static_cast<std::size_t>(day - it->second->first_day)]);
}

Result<bool> WorkingCalendar::IsWorkingDay(std::int64_t day) const {
  std::shared_lock lock(mu_);
  return IsWorkingDayLocked(day);
}

Result<std::int64_t> WorkingCalendar::AddWorkingDays(std::int64_t receipt_day, int n) const {
  if (n < 1)
    return Status::Invalid("invalid_argument", fmt::format("a period must be at least 1 working day, got {}", n));
  std::shared_lock lock(mu_);
  // Terminates: the walk ends with calendar_year_missing at the first day in a year without data.
  std::int64_t day = receipt_day;
  for (int counted = 0; counted < n;) {
    ++day;
    auto working = IsWorkingDayLocked(day);
    if (!working.ok()) return working.status();
    if (*working) ++counted;
  }
  return day;
}

Result<common::UnixSeconds> WorkingCalendar::DueTime(common::UnixSeconds received_at, int n) const {
  auto due = AddWorkingDays(ShanghaiDay(received_at), n);
  if (!due.ok()) return due.status();
  return EndOfShanghaiDay(*due);
}

Result<int> WorkingCalendar::WorkingDaysBetween(std::int64_t from_day, std::int64_t to_day) const {
  if (to_day <= from_day) return 0;
  std::shared_lock lock(mu_);
  int count = 0;
  for (std::int64_t day = from_day + 1; day <= to_day; ++day) {
    auto working = IsWorkingDayLocked(day);
    if (!working.ok()) return working.status();
    if (*working) ++count;
  }
  return count;
}

Result<YearSummary> WorkingCalendar::Summary(int year) const {
  std::shared_lock lock(mu_);
  const auto it = years_.find(year);
  if (it == years_.end()) {
    return Status::Unprocessable("calendar_year_missing", fmt::format("no working-day calendar for {}", year));
  }
  const Year& y = *it->second;
  return YearSummary{year, y.working_days, y.data.holidays, y.data.makeup_workdays};
}

// ---------------------------------------------------------------------------------------------------------------------
// RulePack

Result<RulePack> RulePack::Load(const std::string& path) {
  auto json = common::ReadJsonFile(path);
  if (!json.ok()) return json.status();
  auto pack = FromJson(*json);
  if (!pack.ok()) {
    const Status& s = pack.status();
    return Status(s.kind(), s.code(), fmt::format("{}: {}", path, s.message()), s.field());
  }
  return pack;
}

Result<RulePack> RulePack::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return RuleInvalid("a rule pack must be a JSON object");
  RulePack pack;
  auto id = RequiredString(json, "pack", "/pack");
  if (!id.ok()) return id.status();
  pack.id_ = std::move(id).value();
  if (const auto it = json.find("title"); it != json.end()) {
    if (!it->is_string()) return RuleInvalid("title must be a string", "/title");
    pack.title_ = it->get<std::string>();
  }
  if (const auto it = json.find("note"); it != json.end()) {
    if (!it->is_string()) return RuleInvalid("note must be a string", "/note");
    pack.note_ = it->get<std::string>();
  }
  // Deadlines are computed in Asia/Shanghai (WorkingCalendar::DueTime); a pack asking for another zone cannot be
  // honoured.
  auto offset = IntInRange(json, "timezone_offset_hours", kShanghaiOffsetHours, kShanghaiOffsetHours, false,
                           kShanghaiOffsetHours, "/timezone_offset_hours");
  if (!offset.ok()) return offset.status();

  const auto steps = json.find("steps");
  if (steps == json.end() || !steps->is_array() || steps->empty()) {
    return RuleInvalid("steps must be a non-empty array", "/steps");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const auto& s = (*steps)[i];
    const std::string field = fmt::format("/steps/{}", i);
    if (!s.is_object()) return RuleInvalid("a step must be an object", field);
    Step step;
    auto step_id = RequiredString(s, "id", field + "/id");
    if (!step_id.ok()) return step_id.status();
    step.id = std::move(step_id).value();
    if (!ids.insert(step.id).second)
      return RuleInvalid(fmt::format("step id {} appears twice", step.id), field + "/id");
    auto name = RequiredString(s, "name", field + "/name");
    if (!name.ok()) return name.status();
    step.name = std::move(name).value();
    auto article = RequiredString(s, "article", field + "/article");
    if (!article.ok()) return article.status();
    step.article = std::move(article).value();
    auto wd = IntInRange(s, "working_days", 1, kMaxWorkingDays, true, 0, field + "/working_days");
    if (!wd.ok()) return wd.status();
    step.working_days = *wd;
    auto ext = IntInRange(s, "extension_working_days", 0, kMaxWorkingDays, false, 0, field + "/extension_working_days");
    if (!ext.ok()) return ext.status();
    step.extension_working_days = *ext;
    auto max_ext = IntInRange(s, "max_extensions", 0, kMaxExtensions, false, 0, field + "/max_extensions");
    if (!max_ext.ok()) return max_ext.status();
    step.max_extensions = *max_ext;
    // An extension needs both a length and a count; one without the other is a data error, not "no extension".
    if ((step.extension_working_days == 0) != (step.max_extensions == 0)) {
      return RuleInvalid(
          fmt::format("step {}: extension_working_days and max_extensions must both be 0 or both positive", step.id),
          field);
    }
    pack.steps_.push_back(std::move(step));
  }
  return pack;
}

const RulePack::Step* RulePack::Find(std::string_view id) const {
  const auto it = std::find_if(steps_.begin(), steps_.end(), [id](const Step& s) { return s.id == id; });
  return it == steps_.end() ? nullptr : &*it;
}

}  // namespace govshare::calendar
