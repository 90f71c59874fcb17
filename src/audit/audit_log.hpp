#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <vector>

#include "audit/merkle.hpp"
#include "audit/record.hpp"
#include "common/clock.hpp"

namespace govshare::store::pg {
class Database;
}

namespace govshare::audit {

namespace detail {

/// A record ready for the writer: encoded and hashed by the caller, so the writer only inserts.
struct PendingRecord {
  std::int64_t time_us = 0;
  std::int64_t actor_id = 0;
  std::int64_t department_id = 0;
  std::string action;
  std::string decision;
  std::string grant_id;
  std::string encoded;
  Hash leaf{};
  std::function<void(common::Result<std::uint64_t>)> done;
};

class AuditStore;
struct Batch;
struct CommittedBatch;
struct Leaves;

}  // namespace detail

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

/// Data calls (the data API, issue 7) of one day in China Standard Time: answered and refused.
struct DailyCalls {
  std::string date;  // YYYY-MM-DD (+08:00)
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
};

struct RecordFilter {
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_us;
  std::optional<std::int64_t> actor_id;
  std::optional<std::int64_t> department_id;
  std::optional<std::string> action;
  std::optional<std::string> decision;
  std::optional<std::string> grant_id;
  /// Newest first: List's `after` is then the highest leaf index listed (auditors read the latest records first).
  bool newest_first = false;
};

/// The tamper-evident audit log (Art. 14, 25, 27, 30): records that are the leaves of an RFC 9162 Merkle tree, with
/// signed tree heads (Ed25519 key in DATA_DIR/audit.key), stored either in an append-only SQLite file of its own
/// (DATA_DIR/audit.db, Open) or in PostgreSQL, where every node appends to one tree (OpenPostgres).
///
/// Writes: callers encode and hash their record on their own thread and queue it. While records wait, one drain job is
/// queued on the store's writer thread; it takes everything queued (at most kMaxBatch records) and stores it in one
/// durable commit, so no other thread sits between the callers and the commit. Leaf indexes are contiguous and in
/// commit order; once the commit is durable the drain adds the leaves to the in-memory tree before it tells any
/// caller, then queues the next drain if records arrived meanwhile. A caller is told its index only once its record
/// is durable; if the commit fails, every caller of that batch gets audit_unavailable and no index is used.
///
/// On PostgreSQL, each batch is one transaction that holds the row of the tree's frontier (audit_frontier) FOR
/// UPDATE, so the batches of all nodes serialise: it reads the leaves other nodes committed since this node's tree,
/// numbers its records from the frontier and moves the frontier. size(), LatestHead() and the proofs first catch up
/// with the leaves and heads other nodes stored (one indexed read of what is new).
/// Thread-safe.
class AuditLog {
 public:
  /// Called exactly once per AppendAsync: with the leaf index once the record is durable, or with audit_unavailable.
  using AppendCallback = std::function<void(common::Result<std::uint64_t>)>;

  /// Records per commit at most (issue 5: "N records per commit"). The next drain takes whatever is queued as soon as
  /// the previous commit is durable, after at most the commit wait (SetCommitWait) when appenders arrive together.
  static constexpr std::size_t kMaxBatch = 4096;
  /// Records that may wait for the writer; past this, appends fail closed (audit_unavailable) rather than let memory
  /// grow without bound when the disk cannot keep up.
  static constexpr std::size_t kMaxQueued = 1U << 18;

  /// The log in DATA_DIR/audit.db (one node), signing with DATA_DIR/audit.key (created on first use).
  static common::Result<std::unique_ptr<AuditLog>> Open(const std::string& data_dir, const common::Clock& clock);
  /// The log in PostgreSQL (tables audit_*, migration 7 of store::pg::MainMigrations(), which `db` must have applied),
  /// shared by every node on `db`. Signs with DATA_DIR/audit.key; the database keeps only the public key: the first
  /// node registers its key (creating audit.key if it has none), and a node whose audit.key is missing or differs is
  /// refused (audit_key_mismatch: copy audit.key from an existing node). `db` must outlive the log.
  static common::Result<std::unique_ptr<AuditLog>> OpenPostgres(store::pg::Database& db, const std::string& data_dir,
                                                                const common::Clock& clock);
  /// Commits every record queued so far, then stops the writer.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Appends and waits for durability; returns the leaf index (the receipt). Fails with audit_unavailable if the
  /// record could not be made durable: callers must then fail closed.
  common::Result<std::uint64_t> Append(const AuditRecord& record);
  /// Appends without blocking: `done` runs once the record is durable (with its leaf index) or could not be made so.
  /// It runs on the audit database's writer thread (or at once on the caller's thread if the record is refused before
  /// queueing),
  /// in leaf index order within a commit; it must be quick, must not throw and must not wait for another append.
  void AppendAsync(const AuditRecord& record, AppendCallback done);
  /// Signs a new head if records arrived since the last stored one (the platform calls it every second; on PostgreSQL
  /// on the leader node, though nodes signing at once are safe: heads serialise with the appends and never go back).
  common::Status SignNewHead();

  std::uint64_t size() const;
  std::optional<SignedTreeHead> LatestHead() const;
  const std::string& public_key_hex() const { return public_key_hex_; }
  common::Result<std::vector<Hash>> InclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size) const;
  common::Result<std::vector<Hash>> ConsistencyProof(std::uint64_t first, std::uint64_t second) const;
  common::Result<StoredRecord> Get(std::uint64_t leaf_index);
  /// At most `limit` records matching `filter`, from leaf index `after` up (or, newest_first, down).
  common::Result<std::vector<StoredRecord>> List(const RecordFilter& filter, std::uint64_t after, int limit);
  /// The data calls of each of the `days` days up to and including the day of `now_us` (every day listed, zeros too),
  /// oldest first: the records of the data API's routes by day and decision. Counts only, no record content; read
  /// from a table of counts per day that each commit keeps up to date, so the cost is a row per day.
  common::Result<std::vector<DailyCalls>> CountDataCallsPerDay(std::int64_t now_us, int days);
  bool healthy() const;
  /// Fault injection for tests: while set, Append fails as a broken disk would.
  void InjectFailureForTesting(bool fail) { fail_appends_ = fail; }
  /// How long the writer may wait for more records before a commit when appenders arrive together (see Drain); 0
  /// never waits. Trades up to this much latency per audited call under load for fewer commits and fdatasyncs.
  void SetCommitWait(std::chrono::microseconds wait) { commit_wait_us_ = wait.count(); }
  /// Commits of the store's writer since open (each a batch of records, or a tree head).
  std::uint64_t commits() const;
  /// For tests: the writer waits this long before each commit, as a slow disk would.
  void SetCommitDelayForTesting(std::chrono::milliseconds delay) { commit_delay_ms_ = delay.count(); }

  /// `govshare audit verify`: recomputes every leaf hash and the tree from the stored records, checks that indexes
  /// are contiguous, and that every stored tree head's root matches and its signature verifies. Writes a report; OK
  /// only when all holds (the first inconsistency is named precisely).
  static common::Status Verify(const std::string& data_dir, std::ostream& report);
  /// The same checks on the log in PostgreSQL, with the public key the database holds.
  static common::Status VerifyPostgres(store::pg::Database& db, std::ostream& report);

 private:
  using PendingRecord = detail::PendingRecord;

  explicit AuditLog(const common::Clock& clock);
  /// Loads the key, builds the tree from the store's leaves and reads the latest head.
  common::Status Load(std::unique_ptr<detail::AuditStore> store, const std::string& key_path);
  /// Queues a drain job on the store's writer thread (at most one is queued or running at a time).
  void ScheduleDrain();
  /// The drain job's first step: takes the queued records into inflight_. Writer thread only.
  detail::Batch TakeBatch();
  /// After the drain's commit: extends the tree, answers every caller of the batch, and drains again if records wait.
  void AfterDrain(const common::Result<detail::CommittedBatch>& written);
  /// Adds to the tree the leaves it lacks of `leaves` (another node's, or its own a catch-up already added). Needs
  /// tree_mutex_ held exclusively.
  void ExtendTreeLocked(const detail::Leaves& leaves) const;
  /// On a shared store: adds the leaves and the newest head other nodes stored since. A failed read keeps what is
  /// known (the answers are then of a slightly older tree).
  void CatchUp() const;

  std::unique_ptr<detail::AuditStore> store_;
  const common::Clock* clock_ = nullptr;
  std::string secret_key_;  // Ed25519 secret key bytes
  std::string public_key_hex_;
  mutable std::shared_mutex tree_mutex_;
  // Written by the drain's callback, and on a shared store by catch-up (hence mutable: reads catch up).
  mutable MerkleTree tree_;                            // tree_mutex_
  mutable std::optional<SignedTreeHead> latest_head_;  // tree_mutex_
  std::atomic<bool> fail_appends_{false};
  std::atomic<std::int64_t> commit_delay_ms_{0};
  std::atomic<std::int64_t> commit_wait_us_{0};

  std::mutex queue_mutex_;
  std::condition_variable drained_cv_;
  std::condition_variable gather_cv_;  // woken only when stopping, to end a gathering wait
  std::deque<PendingRecord> queue_;    // queue_mutex_
  bool draining_ = false;              // queue_mutex_: a drain job is queued or running
  bool stopping_ = false;              // queue_mutex_
  // The database's writer thread only (the drain job and its callback):
  std::vector<PendingRecord> inflight_;  // the batch of the drain in progress
  bool drain_ran_ = false;               // the drain job ran (false: the database refused it)
  std::size_t last_batch_ = 0;           // records in the previous drain's batch
};

}  // namespace govshare::audit
