#include "calendar/calendar.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"

namespace govshare::calendar {
namespace {

const std::string kCalendarDir = std::string(GOVSHARE_SOURCE_DIR) + "/data/calendar";
const std::string kRulesDir = std::string(GOVSHARE_SOURCE_DIR) + "/data/rules";

std::int64_t Day(std::string_view date) {
  const auto day = common::ParseDate(date);
  EXPECT_TRUE(day.has_value()) << date;
  return day.value_or(0);
}

// An instant given as Asia/Shanghai wall-clock time.
common::UnixSeconds ShanghaiTime(std::string_view date, int hour, int minute) {
  return Day(date) * 86400 - std::int64_t{8} * 3600 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60;
}

class CalendarTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(calendar_.LoadDirectory(kCalendarDir).ok()); }

  std::string Add(std::string_view receipt, int n) const {
    auto due = calendar_.AddWorkingDays(Day(receipt), n);
    if (!due.ok()) return due.status().ToString();
    return FormatDay(*due);
  }

  WorkingCalendar calendar_;
};

// A directory of its own per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("govshare_calendar_") + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// --- Day numbers -----------------------------------------------------------------------------------------------------

TEST(DayFormat, RoundTripsWithParseDate) {
  for (const char* date : {"1970-01-01", "1969-12-31", "2024-02-29", "2026-10-10", "2100-12-31"}) {
    EXPECT_EQ(FormatDay(Day(date)), date);
  }
}

TEST(DayFormat, ShanghaiDayIsTheWallClockDateInUtcPlus8) {
  // 2026-09-29T16:30:00Z is already 2026-09-30 00:30 in Asia/Shanghai.
  EXPECT_EQ(FormatDay(ShanghaiDay(ShanghaiTime("2026-09-30", 0, 30))), "2026-09-30");
  EXPECT_EQ(FormatDay(ShanghaiDay(ShanghaiTime("2026-09-30", 23, 59))), "2026-09-30");
  EXPECT_EQ(common::FormatRfc3339(EndOfShanghaiDay(Day("2026-10-10"))), "2026-10-10T23:59:59+08:00");
}

// --- The shipped calendar (DOMAIN.md §3) ----------------------------------------------------------------------------

TEST_F(CalendarTest, LoadsEveryYearFile) { EXPECT_EQ(calendar_.Years(), (std::vector<int>{2024, 2025, 2026})); }

TEST_F(CalendarTest, YearlyWorkingDayTotalsMatchTheStateCouncilNotices) {
  const std::pair<int, int> expected[] = {{2024, 251}, {2025, 248}, {2026, 248}};
  for (const auto& [year, total] : expected) {
    auto summary = calendar_.Summary(year);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->working_days, total) << year;
    EXPECT_TRUE(std::is_sorted(summary->holidays.begin(), summary->holidays.end()));
  }
  auto s2026 = calendar_.Summary(2026);
  ASSERT_TRUE(s2026.ok());
  EXPECT_EQ(s2026->holidays.size(), 33u);  // 3 + 9 + 3 + 5 + 3 + 3 + 7
  EXPECT_EQ(s2026->makeup_workdays.size(), 6u);
  EXPECT_EQ(FormatDay(s2026->makeup_workdays.front()), "2026-01-04");
}

TEST_F(CalendarTest, WeekdaysHolidaysAndMakeupDays) {
  EXPECT_TRUE(*calendar_.IsWorkingDay(Day("2026-09-30")));   // Wednesday
  EXPECT_FALSE(*calendar_.IsWorkingDay(Day("2026-10-01")));  // National Day
  EXPECT_FALSE(*calendar_.IsWorkingDay(Day("2026-10-11")));  // ordinary Sunday
  EXPECT_TRUE(*calendar_.IsWorkingDay(Day("2026-10-10")));   // make-up Saturday
  EXPECT_TRUE(*calendar_.IsWorkingDay(Day("2026-01-04")));   // make-up Sunday
  EXPECT_FALSE(*calendar_.IsWorkingDay(Day("2025-10-08")));  // 2025 National Day runs to 10-08
}

// 2026-09-30 is a Wednesday; 10-01..10-07 are off; 10-08 Thu, 10-09 Fri, 10-10 the make-up Saturday.
TEST_F(CalendarTest, DomainExampleNationalDayWithMakeupSaturday) { EXPECT_EQ(Add("2026-09-30", 3), "2026-10-10"); }

TEST_F(CalendarTest, ReceiptOnAHolidayCountsFromTheFirstWorkingDayAfter) {
  EXPECT_EQ(Add("2026-10-03", 1), "2026-10-08");
}

TEST_F(CalendarTest, ReceiptOnAMakeupSaturdaySkipsTheFollowingSunday) {
  EXPECT_EQ(Add("2026-10-10", 1), "2026-10-12");  // 10-11 is an ordinary Sunday
}

// 2026-01-01..01-03 are off; 01-04 (a Sunday) is a make-up working day; 01-05 is a Monday.
TEST_F(CalendarTest, CrossesTheYearBoundaryIntoAMakeupSunday) {
  EXPECT_EQ(Add("2025-12-31", 1), "2026-01-04");
  EXPECT_EQ(Add("2025-12-31", 2), "2026-01-05");
}

// 2026-02-14 (Saturday) is a make-up working day; 02-15..02-23 are the Spring Festival; 02-24 is a Tuesday.
TEST_F(CalendarTest, CrossesTheSpringFestival2026) {
  EXPECT_EQ(Add("2026-02-13", 1), "2026-02-14");
  EXPECT_EQ(Add("2026-02-14", 1), "2026-02-24");
  EXPECT_EQ(Add("2026-02-13", 2), "2026-02-24");
}

TEST_F(CalendarTest, AddWorkingDaysRejectsAPeriodBelowOne) {
  auto due = calendar_.AddWorkingDays(Day("2026-03-02"), 0);
  ASSERT_FALSE(due.ok());
  EXPECT_EQ(due.status().code(), "invalid_argument");
}

TEST_F(CalendarTest, DueTimeUsesTheShanghaiDateOfReceiptAndEndsAt235959) {
  // 00:30 on 09-30 in Shanghai is still 09-29 in UTC: the day of receipt is 09-30.
  auto due = calendar_.DueTime(ShanghaiTime("2026-09-30", 0, 30), 3);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_EQ(common::FormatRfc3339(*due), "2026-10-10T23:59:59+08:00");
  // 23:30 on 09-29 in Shanghai: receipt day 09-29 (Tue), so 09-30, 10-08, 10-09.
  due = calendar_.DueTime(ShanghaiTime("2026-09-29", 23, 30), 3);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(common::FormatRfc3339(*due), "2026-10-09T23:59:59+08:00");
}

// Convention: working days d with from < d <= to, the inverse of AddWorkingDays.
TEST_F(CalendarTest, WorkingDaysBetweenExcludesFromAndIncludesTo) {
  EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2026-09-30"), Day("2026-10-10")), 3);
  EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2026-09-30"), Day("2026-10-07")), 0);
  EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2026-10-10"), Day("2026-09-30")), 0);
  EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2026-10-10"), Day("2026-10-10")), 0);
  EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2025-12-31"), Day("2026-12-31")), 248);
  for (int n = 1; n <= 40; ++n) {
    auto due = calendar_.AddWorkingDays(Day("2025-12-20"), n);
    ASSERT_TRUE(due.ok());
    EXPECT_EQ(*calendar_.WorkingDaysBetween(Day("2025-12-20"), *due), n);
  }
}

TEST_F(CalendarTest, AYearWithoutDataIsAnErrorNamingTheYear) {
  auto working = calendar_.IsWorkingDay(Day("2031-05-06"));
  ASSERT_FALSE(working.ok());
  EXPECT_EQ(working.status().code(), "calendar_year_missing");
  EXPECT_NE(working.status().message().find("2031"), std::string::npos);

  auto due = calendar_.AddWorkingDays(Day("2026-12-30"), 5);  // runs into 2027
  ASSERT_FALSE(due.ok());
  EXPECT_EQ(due.status().code(), "calendar_year_missing");
  EXPECT_NE(due.status().message().find("2027"), std::string::npos);

  auto summary = calendar_.Summary(2031);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), "calendar_year_missing");
  EXPECT_FALSE(calendar_.WorkingDaysBetween(Day("2026-12-30"), Day("2027-01-05")).ok());
}

// --- Statutory deadlines, rule pack hebei-2022 (DOMAIN.md §4) -------------------------------------------------------

class Hebei2022Test : public CalendarTest {
 protected:
  void SetUp() override {
    CalendarTest::SetUp();
    auto pack = RulePack::Load(kRulesDir + "/hebei-2022.json");
    ASSERT_TRUE(pack.ok()) << pack.status().ToString();
    pack_ = std::make_unique<RulePack>(std::move(pack).value());
  }

  // The step's limit, checked against the article, and the due time of a request received at `received`.
  std::string Due(std::string_view step_id, int expected_days, std::string_view expected_article,
                  common::UnixSeconds received) const {
    const RulePack::Step* step = pack_->Find(step_id);
    if (step == nullptr) return "missing step";
    EXPECT_EQ(step->working_days, expected_days) << step_id;
    EXPECT_EQ(step->article, expected_article) << step_id;
    EXPECT_FALSE(step->name.empty());
    auto due = calendar_.DueTime(received, step->working_days);
    return due.ok() ? common::FormatRfc3339(*due) : due.status().ToString();
  }

  // The due day after one extension, counted from the original due day.
  std::string Extended(std::string_view step_id, std::string_view original_due) const {
    const RulePack::Step* step = pack_->Find(step_id);
    if (step == nullptr) return "missing step";
    auto due = calendar_.AddWorkingDays(Day(original_due), step->extension_working_days);
    return due.ok() ? FormatDay(*due) : due.status().ToString();
  }

  std::unique_ptr<RulePack> pack_;
};

TEST_F(Hebei2022Test, PackHasTheEightStepsOfArticles9To16) {
  EXPECT_EQ(pack_->id(), "hebei-2022");
  EXPECT_EQ(pack_->title(), "河北省政务数据共享应用管理办法（2022）");
  EXPECT_EQ(pack_->steps().size(), 8u);
  EXPECT_EQ(pack_->Find("no_such_step"), nullptr);
}

// 10-08, 09, 10 (make-up Sat), 12, 13, 14, 15, 16, 19, 20; extension: 21, 22, 23, 26, 27, 28, 29, 30, 11-02, 11-03.
TEST_F(Hebei2022Test, Art9_CatalogUpdateIs10WorkingDaysWithOneExtensionOf10) {
  EXPECT_EQ(Due("catalog_update", 10, "9", ShanghaiTime("2026-09-30", 9, 0)), "2026-10-20T23:59:59+08:00");
  const RulePack::Step* step = pack_->Find("catalog_update");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->extension_working_days, 10);
  EXPECT_EQ(step->max_extensions, 1);
  EXPECT_EQ(Extended("catalog_update", "2026-10-20"), "2026-11-03");
}

// Received Thu 2026-04-30; 05-01..05-05 off; 05-06, 07, 08, 09 (make-up Sat), 11, 12, 13, 14, 15, 18.
TEST_F(Hebei2022Test, Art9_CatalogReviewIs10WorkingDays) {
  EXPECT_EQ(Due("catalog_review", 10, "9", ShanghaiTime("2026-04-30", 16, 0)), "2026-05-18T23:59:59+08:00");
  EXPECT_EQ(pack_->Find("catalog_review")->max_extensions, 0);
}

TEST_F(Hebei2022Test, Art15_UnconditionalProvideIs3WorkingDays) {
  EXPECT_EQ(Due("unconditional_provide", 3, "15", ShanghaiTime("2026-09-30", 10, 0)), "2026-10-10T23:59:59+08:00");
}

// Received Fri 2026-02-13 17:30; 02-14 (make-up Sat), then 02-24 Tue, 02-25 Wed after the Spring Festival.
TEST_F(Hebei2022Test, Art15_ConditionalReviewIs3WorkingDays) {
  EXPECT_EQ(Due("conditional_review", 3, "15", ShanghaiTime("2026-02-13", 17, 30)), "2026-02-25T23:59:59+08:00");
}

// Received 2025-12-31; 2026-01-04 (make-up Sun), 01-05 Mon, 06, 07, 08.
TEST_F(Hebei2022Test, Art15_ConditionalAnswerIs5WorkingDays) {
  EXPECT_EQ(Due("conditional_answer", 5, "15", ShanghaiTime("2025-12-31", 11, 0)), "2026-01-08T23:59:59+08:00");
}

// Received Thu 2026-06-18; Dragon Boat Festival 06-19..06-21; 06-22 Mon, 23, 24.
TEST_F(Hebei2022Test, Art15_ConditionalProvideIs3WorkingDays) {
  EXPECT_EQ(Due("conditional_provide", 3, "15", ShanghaiTime("2026-06-18", 8, 0)), "2026-06-24T23:59:59+08:00");
}

// Received Thu 2026-09-24; Mid-Autumn 09-25..09-27; 09-28 Mon, 29, 30.
TEST_F(Hebei2022Test, Art16_VerificationForwardIs3WorkingDays) {
  EXPECT_EQ(Due("verification_forward", 3, "16", ShanghaiTime("2026-09-24", 14, 0)), "2026-09-30T23:59:59+08:00");
}

// Received Fri 2024-09-27: 09-29 (make-up Sun), 09-30, [10-01..10-07 off], 10-08, 09, 10, 11, 12 (make-up Sat), 14,
// 15, 16; extension: 17, 18, 21, 22, 23, 24, 25, 28, 29, 30.
TEST_F(Hebei2022Test, Art16_VerificationAnswerIs10WorkingDaysWithOneExtensionOf10) {
  EXPECT_EQ(Due("verification_answer", 10, "16", ShanghaiTime("2024-09-27", 15, 0)), "2024-10-16T23:59:59+08:00");
  const RulePack::Step* step = pack_->Find("verification_answer");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->extension_working_days, 10);
  EXPECT_EQ(step->max_extensions, 1);
  EXPECT_EQ(Extended("verification_answer", "2024-10-16"), "2024-10-30");
}

// --- Rule packs ------------------------------------------------------------------------------------------------------

TEST(RulePack, BothShippedPacksLoadWithTheSameStepIds) {
  auto hebei = RulePack::Load(kRulesDir + "/hebei-2022.json");
  auto national = RulePack::Load(kRulesDir + "/national-2025.json");
  ASSERT_TRUE(hebei.ok()) << hebei.status().ToString();
  ASSERT_TRUE(national.ok()) << national.status().ToString();
  EXPECT_EQ(national->id(), "national-2025");
  EXPECT_NE(national->note().find("ILLUSTRATIVE"), std::string::npos);
  ASSERT_EQ(hebei->steps().size(), national->steps().size());
  for (const auto& step : hebei->steps()) EXPECT_NE(national->Find(step.id), nullptr) << step.id;
  EXPECT_EQ(national->Find("conditional_answer")->working_days, 10);
}

nlohmann::json MinimalPack() {
  return nlohmann::json::parse(R"({"pack":"p","steps":[{"id":"a","name":"甲","working_days":3,"article":"1"}]})");
}

TEST(RulePack, RejectsDuplicateStepIds) {
  auto json = MinimalPack();
  json["steps"].push_back(json["steps"][0]);
  auto pack = RulePack::FromJson(json);
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.status().code(), "invalid_rule_pack");
  EXPECT_EQ(pack.status().field(), "/steps/1/id");
}

TEST(RulePack, RejectsWorkingDaysOutside1To60) {
  for (int days : {0, 61}) {
    auto json = MinimalPack();
    json["steps"][0]["working_days"] = days;
    auto pack = RulePack::FromJson(json);
    ASSERT_FALSE(pack.ok()) << days;
    EXPECT_EQ(pack.status().field(), "/steps/0/working_days");
  }
}

TEST(RulePack, RejectsBadShape) {
  auto no_steps = MinimalPack();
  no_steps["steps"] = nlohmann::json::array();
  EXPECT_FALSE(RulePack::FromJson(no_steps).ok());
  auto empty_id = MinimalPack();
  empty_id["pack"] = "";
  EXPECT_FALSE(RulePack::FromJson(empty_id).ok());
  auto no_article = MinimalPack();
  no_article["steps"][0].erase("article");
  EXPECT_FALSE(RulePack::FromJson(no_article).ok());
  auto too_many = MinimalPack();
  too_many["steps"][0]["max_extensions"] = 4;
  too_many["steps"][0]["extension_working_days"] = 5;
  EXPECT_FALSE(RulePack::FromJson(too_many).ok());
  auto half_extension = MinimalPack();
  half_extension["steps"][0]["max_extensions"] = 1;
  EXPECT_FALSE(RulePack::FromJson(half_extension).ok());
  auto other_zone = MinimalPack();
  other_zone["timezone_offset_hours"] = 0;
  EXPECT_FALSE(RulePack::FromJson(other_zone).ok());
}

TEST(RulePack, LoadFromAFileWithADuplicateIdFails) {
  TempDir dir;
  auto json = MinimalPack();
  json["steps"].push_back(json["steps"][0]);
  auto pack = RulePack::Load(dir.Write("dup.json", json.dump()));
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.status().code(), "invalid_rule_pack");
  EXPECT_FALSE(RulePack::Load(dir.path() + "/absent.json").ok());
}

// --- Validation of calendar data -------------------------------------------------------------------------------------

common::Status ParseStatus(const std::string& text) {
  auto data = WorkingCalendar::ParseYear(nlohmann::json::parse(text));
  return data.ok() ? common::Status::Ok() : data.status();
}

TEST(CalendarValidation, AcceptsAMinimalYear) {
  EXPECT_TRUE(ParseStatus(R"({"year":2027,"holidays":["2027-01-01"],"makeup_workdays":[]})").ok());
}

TEST(CalendarValidation, RejectsADateThatIsBothHolidayAndMakeupDay) {
  const auto s = ParseStatus(R"({"year":2026,"holidays":["2026-10-10"],"makeup_workdays":["2026-10-10"]})");
  EXPECT_EQ(s.code(), "holiday_and_makeup");
  EXPECT_NE(s.message().find("2026-10-10"), std::string::npos);
}

TEST(CalendarValidation, RejectsAMakeupDayOnAWednesday) {
  const auto s = ParseStatus(R"({"year":2026,"holidays":[],"makeup_workdays":["2026-09-30"]})");
  EXPECT_EQ(s.code(), "makeup_not_weekend");
  EXPECT_EQ(s.kind(), common::ErrorKind::kUnprocessable);
  EXPECT_NE(s.message().find("2026-09-30"), std::string::npos);
}

TEST(CalendarValidation, RejectsADateOutsideTheYear) {
  const auto s = ParseStatus(R"({"year":2026,"holidays":["2026-12-31","2027-01-01"],"makeup_workdays":[]})");
  EXPECT_EQ(s.code(), "date_outside_year");
  EXPECT_EQ(s.field(), "/holidays/1");
  EXPECT_NE(s.message().find("2027-01-01"), std::string::npos);
}

TEST(CalendarValidation, RejectsDuplicateDates) {
  const auto s = ParseStatus(R"({"year":2026,"holidays":["2026-05-01","2026-05-01"],"makeup_workdays":[]})");
  EXPECT_EQ(s.code(), "duplicate_date");
}

TEST(CalendarValidation, RejectsBadYearsAndUnrealDates) {
  for (const char* text :
       {R"({"year":"2026","holidays":[],"makeup_workdays":[]})", R"({"year":1989,"holidays":[],"makeup_workdays":[]})",
        R"({"year":2101,"holidays":[],"makeup_workdays":[]})", R"({"year":2026.5,"holidays":[],"makeup_workdays":[]})",
        R"({"year":2026,"holidays":["2026-02-29"],"makeup_workdays":[]})",
        R"({"year":2026,"holidays":["2026-1-01"],"makeup_workdays":[]})",
        R"({"year":2026,"holidays":[20260101],"makeup_workdays":[]})", R"({"year":2026,"makeup_workdays":[]})",
        R"([2026])"}) {
    const auto s = ParseStatus(text);
    EXPECT_EQ(s.code(), "invalid_calendar") << text;
    EXPECT_EQ(s.kind(), common::ErrorKind::kInvalidArgument) << text;
  }
}

TEST(CalendarValidation, AddYearValidatesToo) {
  WorkingCalendar calendar;
  const auto s = calendar.AddYear(YearData{2026, "", {}, {Day("2026-09-30")}});
  EXPECT_EQ(s.code(), "makeup_not_weekend");
  EXPECT_TRUE(calendar.Years().empty());
}

TEST(CalendarValidation, RejectsAFileWhoseNameIsNotItsYearAndChangesNothing) {
  TempDir dir;
  dir.Write("2026.json", R"({"year":2026,"holidays":[],"makeup_workdays":[]})");
  dir.Write("2027.json", R"({"year":2026,"holidays":[],"makeup_workdays":[]})");
  WorkingCalendar calendar;
  const auto s = calendar.LoadDirectory(dir.path());
  EXPECT_EQ(s.code(), "calendar_file_mismatch");
  EXPECT_NE(s.message().find("2027.json"), std::string::npos);
  EXPECT_TRUE(calendar.Years().empty());  // all or nothing
}

TEST(CalendarValidation, LoadDirectoryReportsTheFileOfABadYearAndIgnoresOtherFiles) {
  TempDir dir;
  dir.Write("README.md", "not a calendar");
  dir.Write("2026.json", R"({"year":2026,"holidays":[],"makeup_workdays":["2026-09-30"]})");
  WorkingCalendar calendar;
  const auto s = calendar.LoadDirectory(dir.path());
  EXPECT_EQ(s.code(), "makeup_not_weekend");
  EXPECT_NE(s.message().find("2026.json"), std::string::npos);
  EXPECT_EQ(calendar.LoadDirectory(dir.path() + "/absent").code(), "missing_directory");
}

// --- Run-time replacement and concurrency ----------------------------------------------------------------------------

TEST_F(CalendarTest, ReplacingAYearAtRunTimeChangesAnswers) {
  auto summary = calendar_.Summary(2026);
  ASSERT_TRUE(summary.ok());
  YearData without_makeup{2026, "test", summary->holidays, {}};  // drop every make-up day, 10-10 included
  ASSERT_TRUE(calendar_.AddYear(without_makeup).ok());
  EXPECT_EQ(Add("2026-09-30", 3), "2026-10-12");  // 10-08, 10-09, then Monday 10-12
  EXPECT_EQ(calendar_.Summary(2026)->working_days, 242);
  EXPECT_EQ(calendar_.Years(), (std::vector<int>{2024, 2025, 2026}));

  ASSERT_TRUE(calendar_.LoadDirectory(kCalendarDir).ok());  // reloading restores the notice
  EXPECT_EQ(Add("2026-09-30", 3), "2026-10-10");
}

TEST_F(CalendarTest, ConcurrentReadersWhileYearsAreReplaced) {
  auto summary = calendar_.Summary(2026);
  ASSERT_TRUE(summary.ok());
  const YearData official{2026, "official", summary->holidays, summary->makeup_workdays};
  const YearData without_makeup{2026, "test", summary->holidays, {}};
  const std::int64_t receipt = Day("2026-09-30");
  const std::int64_t with_makeup_due = Day("2026-10-10");
  const std::int64_t without_makeup_due = Day("2026-10-12");

  constexpr int kReaders = 4;
  constexpr int kIterations = 2000;
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  readers.reserve(kReaders);
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < kIterations; ++i) {
        auto due = calendar_.AddWorkingDays(receipt, 3);
        if (!due.ok() || (*due != with_makeup_due && *due != without_makeup_due)) ++bad;
        if (!calendar_.IsWorkingDay(receipt).ok() || calendar_.Years().size() < 3) ++bad;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(calendar_.AddYear(i % 2 == 0 ? without_makeup : official).ok());
    ASSERT_TRUE(calendar_.AddYear(YearData{2030 + i % 3, "", {}, {}}).ok());  // new years while reading
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(Add("2026-09-30", 3), "2026-10-10");  // the last write was the official year
}

}  // namespace
}  // namespace govshare::calendar
