#include "exchange/masking.hpp"

#include <gtest/gtest.h>

namespace govshare::exchange {
namespace {

// DOMAIN.md §6: the display patterns in common use.
TEST(Masking, PatternsOfDomainSection6) {
  EXPECT_EQ(Mask("name", "张三丰"), "张**");
  EXPECT_EQ(Mask("name", "李"), "*");
  EXPECT_EQ(Mask("resident_id", "11010519491231002X"), "1***************2X");
  EXPECT_EQ(Mask("mobile", "13800001999"), "138****1999");
  EXPECT_EQ(Mask("landline", "0311-87654321"), "0311*******21");
  EXPECT_EQ(Mask("bank_card", "6222021234567890123"), "6222***********0123");
  EXPECT_EQ(Mask("email", "zhang@example.cn"), "z****@example.cn");
  EXPECT_EQ(Mask("date", "1990-05-17"), "1990-**-**");
  EXPECT_EQ(Mask("address", "河北省石家庄市长安区中山东路100号"),
            "河北省石家庄市长安区*******"
            "*");
  EXPECT_EQ(Mask("null", "x"), std::nullopt);
}

TEST(Masking, ShortValuesAreHiddenWhole) {
  EXPECT_EQ(Mask("mobile", "1380"), "****");
  EXPECT_EQ(Mask("resident_id", "12"), "**");
  EXPECT_EQ(Mask("address", "中山路1号"), "*****");
  EXPECT_EQ(Mask("name", ""), "");
}

TEST(Masking, HashIsKeyedAndStable) {
  const auto a = Mask("hash", "130102199001011234", "k1");
  EXPECT_EQ(a, Mask("hash", "130102199001011234", "k1"));
  EXPECT_NE(a, Mask("hash", "130102199001011234", "k2"));
  EXPECT_EQ(a->size(), 64u);
}

TEST(Masking, GeneraliseAndUnknownRules) {
  EXPECT_EQ(Mask("generalise", "130102"), "130100");
  EXPECT_EQ(Mask("generalise", "1990-05-17"), "1990-**-**");
  EXPECT_EQ(Mask("no_such_rule", "秘密"), "**");  // fail closed
  EXPECT_TRUE(IsMaskRule("bank_card"));
  EXPECT_FALSE(IsMaskRule("rot13"));
}

}  // namespace
}  // namespace govshare::exchange
