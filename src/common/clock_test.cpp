#include "common/clock.hpp"

#include <gtest/gtest.h>

namespace govshare::common {
namespace {

TEST(Clock, FormatsTimesInChinaStandardTime) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T08:00:00+08:00");
  EXPECT_EQ(FormatRfc3339(1795737600), "2026-11-27T08:00:00+08:00");
  EXPECT_EQ(FormatDate(1795737600 - 9 * 3600), "2026-11-26");  // 23:00 Shanghai is still the 26th
}

TEST(Clock, ParsesOnlyRealDates) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("2026-11-27"), 1795737600 / 86400);
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseDate("2026-02-29").has_value());
  EXPECT_FALSE(ParseDate("2026-13-01").has_value());
  EXPECT_FALSE(ParseDate("2026-1-01").has_value());
  EXPECT_FALSE(ParseDate("2026/01/01").has_value());
}

}  // namespace
}  // namespace govshare::common
