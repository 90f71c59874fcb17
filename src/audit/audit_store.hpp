#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "common/status.hpp"

/// The storage side of the audit log: what differs between audit.db (SQLite, one node) and PostgreSQL (one tree from
/// every node). AuditLog holds the queue, the batching, the callbacks, the tree, the heads and the proofs, once, and
/// asks an AuditStore only to store and read (docs/adr/0012-audit-log-on-postgresql.md).
namespace govshare::audit::detail {

/// Leaf hashes stored at indexes from, from + 1, ... (contiguous).
struct Leaves {
  std::uint64_t from = 0;
  std::vector<Hash> hashes;
};

/// What a committed batch learnt: the leaves other nodes committed between the tree it knew and its own records, and
/// the index of its first record (others.from + others.hashes.size()).
struct CommittedBatch {
  Leaves others;
  std::uint64_t first = 0;
};

/// A batch handed to the store: the records and the tree size the log knew when it took them.
struct Batch {
  std::span<const PendingRecord> records;
  std::uint64_t known_size = 0;
};

/// The data calls of one day (days since 1970-01-01 at +08:00) of a batch, to add to data_calls_per_day.
struct DayCount {
  std::int64_t day = 0;
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
};

/// The data calls of a batch by day, in the order the days first appear (usually one day).
std::vector<DayCount> CountDataCalls(std::span<const PendingRecord> records);
/// The day (since 1970-01-01, +08:00) of a time in microseconds.
std::int64_t DayOf(std::int64_t time_us);
/// Lower-case or upper-case hex to bytes; nullopt if it is not hex.
std::optional<std::string> HexToBytes(std::string_view hex);
/// The bytes of a hash, without copying.
std::string_view View(const Hash& h);
/// A stored leaf hash (32 bytes), or nullopt if it is not one.
std::optional<Hash> HashFromBytes(std::string_view bytes);
/// Decodes a stored record (its canonical bytes and leaf hash) into a StoredRecord.
common::Result<StoredRecord> ToStoredRecord(std::uint64_t leaf_index, std::string_view encoded,
                                            std::string_view leaf_hash);

/// Binds List's parameters, the same on both stores' SQL: 1 the leaf index to start from, 2 to 8 the filters (NULL:
/// any), 9 the limit.
template <typename Statement>
void BindListParameters(Statement& s, const RecordFilter& f, std::uint64_t after, int limit) {
  s.Bind(1, static_cast<std::int64_t>(after))
      .Bind(2, f.from_us)
      .Bind(3, f.to_us)
      .Bind(4, f.actor_id)
      .Bind(5, f.department_id)
      .Bind(6, f.action)
      .Bind(7, f.decision)
      .Bind(8, f.grant_id)
      .Bind(9, limit);
}

/// Storage of one audit log. Appends run on one writer thread of the store; reads on any thread. Thread-safe.
class AuditStore {
 public:
  /// Called on the writer thread: takes the queued records (the writer's batch). The span stays valid until `done`.
  using TakeBatch = std::function<Batch()>;
  using BatchDone = std::function<void(common::Result<CommittedBatch>)>;
  /// Called inside the head's transaction with the leaves stored beyond the tree the log knew and the size of the
  /// newest stored head; returns the head to store, or nullopt to store none. May run more than once.
  using MakeHead = std::function<std::optional<SignedTreeHead>(const Leaves& stored, std::uint64_t latest_head_size)>;

  virtual ~AuditStore() = default;

  /// Whether other writers (nodes) append to the same log, so that the log must catch up with what they stored.
  virtual bool shared() const = 0;
  /// On the writer thread: calls `take`, stores the batch at the end of the log in one durable transaction (with its
  /// data calls per day), then calls `done` with what committed, or with the failure (nothing of the batch stored).
  /// If the store is closing, `done` may run at once without `take` having run.
  virtual void WriteBatchAsync(TakeBatch take, BatchDone done) = 0;
  /// Stores the head `make` returns, serialised with every append of every node; `known_size` is the log's tree size.
  virtual common::Status WriteHead(std::uint64_t known_size, const MakeHead& make) = 0;
  /// The leaves stored from index `from` on, in index order; fails if the stored indexes are not contiguous.
  virtual common::Result<Leaves> ReadLeaves(std::uint64_t from) = 0;
  /// The stored head with the largest tree size, if any.
  virtual common::Result<std::optional<SignedTreeHead>> ReadLatestHead() = 0;
  virtual common::Result<std::optional<StoredRecord>> Get(std::uint64_t leaf_index) = 0;
  virtual common::Result<std::vector<StoredRecord>> List(const RecordFilter& filter, std::uint64_t after,
                                                         int limit) = 0;
  /// Calls `row(day, allowed, denied)` for each stored day in [first_day, last_day].
  virtual common::Status ReadDataCalls(std::int64_t first_day, std::int64_t last_day,
                                       const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& row) = 0;
  virtual bool healthy() const = 0;
  /// False once the store can no longer append safely (audit.db no longer ends where the tree does); appends then
  /// fail at once until a restart.
  virtual bool accepts_appends() const = 0;
  /// Commits of this store's writer since open (batches and heads).
  virtual std::uint64_t commits() const = 0;
};

/// The checks of `govshare audit verify`, shared by both stores: feed it every record in index order, then every head
/// in size order. Each call returns the first inconsistency (also written to the report as "FAIL: ...").
class LogChecker {
 public:
  LogChecker(std::string public_key_hex, std::ostream& report)
      : public_key_hex_(std::move(public_key_hex)), report_(report) {}
  /// A stored record: its index, canonical bytes and leaf hash (nullopt: not decodable from storage).
  common::Status AddRecord(std::uint64_t index, const std::optional<std::string>& bytes,
                           const std::optional<std::string>& stored_leaf);
  /// After the last record.
  void EndRecords();
  common::Status CheckHead(std::uint64_t tree_size, const std::string& root_hex, std::int64_t timestamp_ms,
                           const std::string& signature_hex);
  /// After the last head: reports the heads checked and the root, then OK.
  common::Status Finish();
  /// Reports a failure that is not about one record or head (cannot read, no log).
  common::Status Fail(const std::string& what);

 private:
  std::string public_key_hex_;
  std::ostream& report_;
  MerkleTree tree_;
  std::uint64_t heads_checked_ = 0;
};

}  // namespace govshare::audit::detail
