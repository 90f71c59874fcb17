#include "common/csv.hpp"

#include <gtest/gtest.h>

namespace govshare::common {
namespace {

TEST(Csv, ParsesQuotesNewlinesAndBom) {
  auto rows = ParseCsv("\xEF\xBB\xBFname,note\r\n\"常住人口, 基本\",\"he said \"\"hi\"\"\nnext\"\n\nlast,\n");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"name", "note"}));
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"常住人口, 基本", "he said \"hi\"\nnext"}));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[2].fields, (std::vector<std::string>{"last", ""}));
  EXPECT_EQ((*rows)[2].line, 5);
}

TEST(Csv, RejectsBrokenQuotingWithTheLine) {
  auto open = ParseCsv("a,b\n\"unterminated,x\n");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), "invalid_csv");
  EXPECT_NE(open.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(ParseCsv("a,b\"c\n").ok());
  EXPECT_FALSE(ParseCsv("\"a\"b\n").ok());
  EXPECT_EQ(ParseCsv("\xC3\x28").status().code(), "invalid_utf8");
}

TEST(Csv, WritesWhatItReads) {
  std::string out;
  AppendCsvRow(out, {"a,b", "say \"x\"", "plain", "two\nlines"});
  auto rows = ParseCsv(out);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a,b", "say \"x\"", "plain", "two\nlines"}));
}

}  // namespace
}  // namespace govshare::common
