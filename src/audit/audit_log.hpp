#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <vector>

#include "audit/merkle.hpp"
#include "audit/record.hpp"
#include "common/clock.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::audit {

/// A signed tree head: the log's size and root at a moment, signed with the platform's Ed25519 key.
struct SignedTreeHead {
  std::uint64_t tree_size = 0;
  Hash root{};
  std::int64_t timestamp_ms = 0;
  std::string signature_hex;
};

/// The bytes an Ed25519 tree-head signature covers: "govshare-sth-v1\n<size>\n<root hex>\n<timestamp_ms>".
std::string TreeHeadMessage(std::uint64_t tree_size, const Hash& root, std::int64_t timestamp_ms);
/// Checks a head's signature against a public key (hex), offline.
bool VerifyTreeHead(const SignedTreeHead& head, const std::string& public_key_hex);

struct StoredRecord {
  std::uint64_t leaf_index = 0;
  AuditRecord record;
  Hash leaf_hash{};
};

struct RecordFilter {
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_us;
  std::optional<std::int64_t> actor_id;
  std::optional<std::int64_t> department_id;
  std::optional<std::string> action;
  std::optional<std::string> decision;
  std::optional<std::string> grant_id;
};

/// The tamper-evident audit log (Art. 14, 25, 27, 30): an append-only SQLite file of its own (DATA_DIR/audit.db) whose
/// records are the leaves of an RFC 9162 Merkle tree, with signed tree heads (Ed25519 key in DATA_DIR/audit.key).
/// Append returns only when the record is durable (group commit, synchronous=FULL). Thread-safe.
class AuditLog {
 public:
  static common::Result<std::unique_ptr<AuditLog>> Open(const std::string& data_dir, const common::Clock& clock);

  /// Appends and waits for durability; returns the leaf index (the receipt). Fails with audit_unavailable if the
  /// record could not be made durable: callers must then fail closed.
  common::Result<std::uint64_t> Append(const AuditRecord& record);
  /// Signs a new head if records arrived since the last one (the platform calls it every second).
  common::Status SignNewHead();

  std::uint64_t size() const;
  std::optional<SignedTreeHead> LatestHead() const;
  const std::string& public_key_hex() const { return public_key_hex_; }
  common::Result<std::vector<Hash>> InclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size) const;
  common::Result<std::vector<Hash>> ConsistencyProof(std::uint64_t first, std::uint64_t second) const;
  common::Result<StoredRecord> Get(std::uint64_t leaf_index);
  common::Result<std::vector<StoredRecord>> List(const RecordFilter& filter, std::uint64_t after, int limit);
  bool healthy() const { return db_->healthy() && !fail_appends_.load(); }
  /// Fault injection for tests: while set, Append fails as a broken disk would.
  void InjectFailureForTesting(bool fail) { fail_appends_ = fail; }

  /// `govshare audit verify`: recomputes every leaf hash and the tree from the stored records, checks that indexes
  /// are contiguous, and that every stored tree head's root matches and its signature verifies. Writes a report; OK
  /// only when all holds (the first inconsistency is named precisely).
  static common::Status Verify(const std::string& data_dir, std::ostream& report);

 private:
  AuditLog() = default;

  std::unique_ptr<store::sqlite::Database> db_;
  const common::Clock* clock_ = nullptr;
  std::string secret_key_;  // Ed25519 secret key bytes
  std::string public_key_hex_;
  mutable std::shared_mutex tree_mutex_;
  MerkleTree tree_;                            // guarded by tree_mutex_
  std::map<std::uint64_t, Hash> pending_;      // durable leaves waiting for their predecessors; tree_mutex_
  std::optional<SignedTreeHead> latest_head_;  // tree_mutex_
  std::atomic<bool> fail_appends_{false};
};

}  // namespace govshare::audit
