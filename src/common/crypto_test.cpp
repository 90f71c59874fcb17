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

TEST(Sha256, KnownAnswersOfFips180) {
  constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(Sha256Hex(two_blocks), kTwoBlocks);
  Sha256 pieces;
  pieces.Update("a");
  pieces.Update("bc");
  EXPECT_EQ(pieces.HexDigest(), kAbc);
  const auto bytes = Sha256Bytes({two_blocks.substr(0, 20), two_blocks.substr(20)});
  EXPECT_EQ(bytes[0], 0x24);
  EXPECT_EQ(bytes[31], 0xc1);
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
