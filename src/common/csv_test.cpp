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

namespace govshare::common {
namespace {

// The streaming reader reads the same dialect a few bytes at a time and resumes after a malformed record.
TEST(CsvReader, StreamsRecordsAndResumesAfterErrors) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b\r\n\"x,\"\"y\"\"\",\"two\nlines\"\n\nbad\"q,1\nz\"z\"z,2\n" +
      std::string(40, 'L') + ",3\nlast,\"open";
  std::size_t offset = 0;
  CsvReader reader(
      [&](char* out, std::size_t capacity) {
        const std::size_t n = std::min<std::size_t>({capacity, 3, text.size() - offset});  // tiny reads
        std::copy_n(text.data() + offset, n, out);
        offset += n;
        return n;
      },
      32);
  CsvReader::Record r;
  std::vector<std::string> got;
  while (reader.Next(r)) {
    got.push_back(std::to_string(r.line) + ":" + (r.error.empty() ? "" : r.error + ":") +
                  (r.fields.empty() ? "" : r.fields[0]) + "|" + (r.fields.size() > 1 ? r.fields[1] : ""));
  }
  const std::vector<std::string> want = {"1:a|b",           "2:x,\"y\"|two\nlines", "5:invalid_csv:|",
                                         "6:invalid_csv:|", "7:record_too_large:|", "8:invalid_csv:|"};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace govshare::common
