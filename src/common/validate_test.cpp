#include "common/validate.hpp"

#include <gtest/gtest.h>

namespace govshare::common {
namespace {

// Art. 4 and DOMAIN.md §2: departments are identified by their GB 32100 unified social credit code.
TEST(CreditCode, AcceptsKnownGoodCodes) {
  EXPECT_TRUE(IsValidCreditCode("91110000600037341L"));
  EXPECT_TRUE(IsValidCreditCode("91350100M000100Y43"));
}

TEST(CreditCode, RejectsWrongCheckCharacterLengthAndAlphabet) {
  EXPECT_FALSE(IsValidCreditCode("91110000600037341M"));  // wrong check character
  EXPECT_FALSE(IsValidCreditCode("91110000600037341"));   // 17 characters
  EXPECT_FALSE(IsValidCreditCode("9111000060003734IL"));  // I is not in the alphabet
  EXPECT_FALSE(IsValidCreditCode("91A10000600037341L"));  // division code must be digits
  EXPECT_FALSE(IsValidCreditCode(""));
}

TEST(CreditCode, CheckCharacterIsComputedFromFirst17) {
  EXPECT_EQ(CreditCodeCheckChar("91110000600037341"), 'L');
  EXPECT_EQ(CreditCodeCheckChar("91350100M000100Y4"), '3');
  EXPECT_EQ(CreditCodeCheckChar("short"), '\0');
}

TEST(ResidentId, AcceptsKnownGoodNumbersIncludingLowercaseX) {
  EXPECT_TRUE(IsValidResidentId("11010519491231002X", 20261126));
  EXPECT_TRUE(IsValidResidentId("11010519491231002x", 20261126));
  EXPECT_TRUE(IsValidResidentId("360426199101010071", 20261126));
}

TEST(ResidentId, RejectsBadChecksumImpossibleOrFutureBirthDate) {
  EXPECT_FALSE(IsValidResidentId("110105194912310021", 20261126));
  EXPECT_FALSE(IsValidResidentId("110105194902300020", 20261126));  // 30 February
  EXPECT_FALSE(IsValidResidentId("360426199101010071", 19900101));  // born after "today"
  EXPECT_FALSE(IsValidResidentId("36042619910101007", 20261126));
}

TEST(Mobile, AcceptsMainlandNumbersWithOrWithoutCountryCode) {
  EXPECT_TRUE(IsValidMobile("13812341999"));
  EXPECT_TRUE(IsValidMobile("+8613812341999"));
  EXPECT_TRUE(IsValidMobile("8613812341999"));
  EXPECT_FALSE(IsValidMobile("12812341999"));
  EXPECT_FALSE(IsValidMobile("1381234199"));
  EXPECT_FALSE(IsValidMobile("0311-1234567"));
}

}  // namespace
}  // namespace govshare::common
