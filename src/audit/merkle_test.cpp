#include "audit/merkle.hpp"

#include <gtest/gtest.h>

#include <sodium.h>

namespace govshare::audit {
namespace {

// The leaves used by RFC 6962 implementations' test suites (certificate-transparency); the expected values below were
// computed independently (Python hashlib, straight from the RFC's recursive definitions), not by this code.
std::vector<std::string> Leaves() {
  const std::vector<std::string> hex = {
      "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  std::vector<std::string> out;
  for (const auto& h : hex) {
    std::string bytes;
    for (std::size_t i = 0; i < h.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    out.push_back(bytes);
  }
  return out;
}

MerkleTree TreeOf(std::size_t n) {
  if (sodium_init() < 0) throw std::runtime_error("sodium");
  MerkleTree t;
  const auto leaves = Leaves();
  for (std::size_t i = 0; i < n; ++i) t.Append(LeafHash(leaves[i]));
  return t;
}

std::vector<std::string> Hexes(const std::vector<Hash>& hs) {
  std::vector<std::string> out;
  for (const auto& h : hs) out.push_back(ToHex(h));
  return out;
}

// Art. 25, 27, 30: the audit trail must prove afterwards that records exist and were never changed.
TEST(Merkle, Art27RootsOfSizesOneToEightMatchTheKnownAnswers) {
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  const auto tree = TreeOf(8);
  for (std::size_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(ToHex(tree.Root(n).value()), roots[n - 1]) << "size " << n;
    EXPECT_EQ(ToHex(TreeOf(n).Root(n).value()), roots[n - 1]) << "incremental build of size " << n;
  }
  EXPECT_EQ(ToHex(tree.Root(0).value()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_FALSE(tree.Root(9).ok());
}

TEST(Merkle, InclusionAndConsistencyProofsMatchTheKnownAnswers) {
  const auto tree = TreeOf(8);
  EXPECT_EQ(Hexes(tree.InclusionProof(2, 7).value()),
            (std::vector<std::string>{"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                                      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                      "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}));
  EXPECT_EQ(Hexes(tree.ConsistencyProof(3, 7).value()),
            (std::vector<std::string>{"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                                      "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                                      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                      "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}));
  EXPECT_EQ(Hexes(tree.ConsistencyProof(4, 8).value()),
            (std::vector<std::string>{"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
}

TEST(Merkle, EveryProofOfEverySizeVerifiesAndAnyTamperingFails) {
  MerkleTree tree = TreeOf(0);
  for (int i = 0; i < 70; ++i) tree.Append(LeafHash("record " + std::to_string(i)));  // not a power of two
  for (std::uint64_t n = 1; n <= tree.size(); ++n) {
    const Hash root = tree.Root(n).value();
    for (std::uint64_t i = 0; i < n; ++i) {
      auto proof = tree.InclusionProof(i, n).value();
      ASSERT_TRUE(VerifyInclusion(tree.leaf(i), i, n, proof, root)) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(LeafHash("forged"), i, n, proof, root));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(tree.leaf(i), (i + 1) % n, n, proof, root));
      }
      if (!proof.empty()) {
        proof[0][0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(tree.leaf(i), i, n, proof, root));
      }
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      auto proof = tree.ConsistencyProof(m, n).value();
      const Hash first = tree.Root(m).value();
      ASSERT_TRUE(VerifyConsistency(m, n, first, root, proof)) << m << "->" << n;
      if (m < n) {
        Hash other = first;
        other[5] ^= 0x40;
        EXPECT_FALSE(VerifyConsistency(m, n, other, root, proof)) << "a rewritten history is not a prefix";
      }
    }
  }
}

TEST(Merkle, BadProofRequestsAreRefused) {
  const auto tree = TreeOf(5);
  EXPECT_FALSE(tree.InclusionProof(5, 5).ok());
  EXPECT_FALSE(tree.InclusionProof(0, 6).ok());
  EXPECT_FALSE(tree.ConsistencyProof(4, 3).ok());
  EXPECT_FALSE(tree.ConsistencyProof(1, 6).ok());
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_EQ(ToHex(FromHex(ToHex(LeafHash("x"))).value()), ToHex(LeafHash("x")));
}

}  // namespace
}  // namespace govshare::audit
