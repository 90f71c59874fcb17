#include "audit/merkle.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"

namespace govshare::audit {

using common::Status;

namespace {

/// The largest power of two strictly less than n (n ≥ 2).
std::uint64_t SplitPoint(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

bool IsPowerOfTwo(std::uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(std::uint64_t n) {
  int l = 0;
  while ((std::uint64_t{1} << l) < n) ++l;
  return l;
}

Hash Sha256Parts(std::initializer_list<std::string_view> parts) { return common::Sha256Bytes(parts); }

std::string_view View(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Sized once and written by index: every audit append hex-encodes its record, so this is on the hot path.
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xF];
  }
  return out;
}

std::string ToHex(const Hash& h) { return ToHex(View(h)); }

common::Result<Hash> FromHex(std::string_view hex) {
  if (hex.size() != 64) return Status::Invalid("invalid_hash", "a hash is 64 hex characters");
  Hash out{};
  for (std::size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      const char c = hex[2 * i + static_cast<std::size_t>(j)];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return Status::Invalid("invalid_hash", "a hash is 64 lower-case hex characters");
      v = v * 16 + d;
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

Hash LeafHash(std::string_view data) { return Sha256Parts({std::string_view("\x00", 1), data}); }

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256Parts({std::string_view("\x01", 1), View(left), View(right)});
}

Hash EmptyRoot() { return Sha256Parts({}); }

void MerkleTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each time a level gets an even count, a new perfect subtree is complete one level up.
  for (std::size_t l = 0; levels_[l].size() % 2 == 0; ++l) {
    if (levels_.size() == l + 1) levels_.emplace_back();
    const auto& below = levels_[l];
    levels_[l + 1].push_back(NodeHash(below[below.size() - 2], below[below.size() - 1]));
  }
}

Hash MerkleTree::RangeHash(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t n = end - begin;
  if (n == 1) return levels_[0][begin];
  if (IsPowerOfTwo(n) && begin % n == 0) {
    const int l = Log2(n);
    if (static_cast<std::size_t>(l) < levels_.size() && begin / n < levels_[static_cast<std::size_t>(l)].size()) {
      return levels_[static_cast<std::size_t>(l)][begin / n];
    }
  }
  const std::uint64_t k = SplitPoint(n);
  return NodeHash(RangeHash(begin, begin + k), RangeHash(begin + k, end));
}

common::Result<Hash> MerkleTree::Root(std::uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::Invalid("tree_size_too_large", fmt::format("the log has {} records", size()), "?tree_size");
  }
  if (tree_size == 0) return EmptyRoot();
  return RangeHash(0, tree_size);
}

void MerkleTree::Path(std::uint64_t m, std::uint64_t begin, std::uint64_t end, std::vector<Hash>& out) const {
  const std::uint64_t n = end - begin;
  if (n <= 1) return;
  const std::uint64_t k = SplitPoint(n);
  if (m < k) {
    Path(m, begin, begin + k, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    Path(m - k, begin + k, end, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

common::Result<std::vector<Hash>> MerkleTree::InclusionProof(std::uint64_t index, std::uint64_t tree_size) const {
  if (tree_size > size() || index >= tree_size) {
    return Status::Invalid("invalid_proof_request", "need leaf_index < tree_size ≤ the log's size");
  }
  std::vector<Hash> out;
  Path(index, 0, tree_size, out);
  return out;
}

void MerkleTree::SubProof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool whole,
                          std::vector<Hash>& out) const {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out.push_back(RangeHash(begin, end));
    return;
  }
  const std::uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, begin, begin + k, whole, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    SubProof(m - k, begin + k, end, false, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

common::Result<std::vector<Hash>> MerkleTree::ConsistencyProof(std::uint64_t first, std::uint64_t second) const {
  if (second > size() || first > second) {
    return Status::Invalid("invalid_proof_request", "need first ≤ second ≤ the log's size");
  }
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  SubProof(first, 0, second, true, out);
  return out;
}

bool VerifyInclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= tree_size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& first_root, const Hash& second_root,
                       const std::vector<Hash>& proof) {
  if (first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0) return proof.empty();
  if (proof.empty()) return false;
  std::vector<Hash> path = proof;
  if (IsPowerOfTwo(first)) path.insert(path.begin(), first_root);
  std::uint64_t fn = first - 1;
  std::uint64_t sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == first_root && sr == second_root;
}

}  // namespace govshare::audit
