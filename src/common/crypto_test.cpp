#include "common/crypto.hpp"

#include <gtest/gtest.h>

namespace govshare::common {
namespace {

TEST(Sha256, InPiecesEqualsAtOnce) {
  ASSERT_TRUE(InitCrypto().ok());
  const std::string text = "line 1\nline 2\n常住人口基本信息\n";
  Sha256 hash;
  hash.Update(text.substr(0, 5));
  hash.Update(text.substr(5));
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(text));
  Sha256 empty;
  EXPECT_EQ(empty.HexDigest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SealToken, OpensOnlyUnderTheSameSecretAndPurposeAndUnaltered) {
  ASSERT_TRUE(InitCrypto().ok());
  const std::string plain = R"({"g":"gr_1","k":["13010219800101007X"]})";
  const auto token = SealToken("secret", "cursor", plain);
  EXPECT_EQ(token.find("13010219800101007X"), std::string::npos);  // unreadable
  EXPECT_NE(token, SealToken("secret", "cursor", plain));          // a fresh nonce every time
  EXPECT_EQ(OpenToken("secret", "cursor", token), plain);
  EXPECT_FALSE(OpenToken("other", "cursor", token));
  EXPECT_FALSE(OpenToken("secret", "other", token));
  std::string altered = token;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenToken("secret", "cursor", altered));
  EXPECT_FALSE(OpenToken("secret", "cursor", "not base64 !"));
  EXPECT_FALSE(OpenToken("secret", "cursor", ""));
}

}  // namespace
}  // namespace govshare::common
