#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace govshare::audit {

/// A SHA-256 digest.
using Hash = std::array<std::uint8_t, 32>;

/// Lower-case hex of a hash, or of any bytes (a record's canonical encoding, a key, a signature).
std::string ToHex(const Hash& h);
std::string ToHex(std::string_view bytes);
/// Parses 64 hex characters.
common::Result<Hash> FromHex(std::string_view hex);

/// RFC 6962 / RFC 9162 hashing: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right).
Hash LeafHash(std::string_view data);
Hash NodeHash(const Hash& left, const Hash& right);
/// The root of the empty tree, SHA-256 of nothing.
Hash EmptyRoot();

/// An append-only Merkle tree over leaf hashes (RFC 9162 §2.1). Appending is O(log n): every complete (perfect)
/// subtree's hash is kept by level, so the root of any prefix and any proof are assembled from O(log n) stored
/// subtrees. Not thread-safe: the audit log serialises appends and guards reads.
class MerkleTree {
 public:
  void Append(const Hash& leaf_hash);
  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& leaf(std::uint64_t index) const { return levels_[0][index]; }

  /// The tree head of the first `tree_size` leaves (MTH(D[0:tree_size])); tree_size ≤ size().
  common::Result<Hash> Root(std::uint64_t tree_size) const;
  /// The audit path of leaf `index` in the tree of `tree_size` leaves (RFC 9162 §2.1.3.1).
  common::Result<std::vector<Hash>> InclusionProof(std::uint64_t index, std::uint64_t tree_size) const;
  /// The proof that the tree of `first` leaves is a prefix of the tree of `second` leaves (RFC 9162 §2.1.4.1).
  common::Result<std::vector<Hash>> ConsistencyProof(std::uint64_t first, std::uint64_t second) const;

 private:
  Hash RangeHash(std::uint64_t begin, std::uint64_t end) const;
  void Path(std::uint64_t m, std::uint64_t begin, std::uint64_t end, std::vector<Hash>& out) const;
  void SubProof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool whole, std::vector<Hash>& out) const;

  std::vector<std::vector<Hash>> levels_;  // levels_[l][i]: the perfect subtree of 2^l leaves starting at i·2^l
};

/// Checks an inclusion proof offline (RFC 9162 §2.1.3.2): true if `leaf_hash` is leaf `index` of the tree with `root`.
bool VerifyInclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                     const std::vector<Hash>& proof, const Hash& root);
/// Checks a consistency proof offline (RFC 9162 §2.1.4.2): true if the tree with `first_root` of `first` leaves is a
/// prefix of the tree with `second_root` of `second` leaves.
bool VerifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& first_root, const Hash& second_root,
                       const std::vector<Hash>& proof);

}  // namespace govshare::audit
