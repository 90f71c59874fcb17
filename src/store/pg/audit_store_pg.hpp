#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "audit/audit_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// The audit log in PostgreSQL (tables audit_*, migration 7), one tree for every node on the database
/// (docs/adr/0012-audit-log-on-postgresql.md). Each node's batch is one READ COMMITTED transaction that first locks
/// the single row of audit_frontier (SELECT ... FOR UPDATE): the batches and heads of all nodes serialise on that row,
/// and each one, once it holds the lock, sees everything the others committed (a new snapshot per statement). Inside
/// it reads the leaves other nodes stored since this node's tree, inserts its records from the frontier on, moves the
/// frontier and adds the data calls per day; COMMIT is durable (synchronous_commit=on). A failed batch leaves nothing
/// behind and the next one starts again from the frontier in the database.
/// One writer thread of its own runs the batches. Thread-safe.
class PgAuditStore final : public audit::detail::AuditStore {
 public:
  explicit PgAuditStore(Database& db);
  /// Ends the writer thread once the batch it runs, if any, is over.
  ~PgAuditStore() override;
  PgAuditStore(const PgAuditStore&) = delete;
  PgAuditStore& operator=(const PgAuditStore&) = delete;

  /// The public key (hex) the log's heads are signed with, once a node registered it.
  static common::Result<std::optional<std::string>> RegisteredKey(Database& db);
  /// Registers `public_key_hex` as the log's key if none is (the first node), else checks that it is the registered
  /// one: audit_key_mismatch, naming `key_path`, if not.
  static common::Status RegisterKey(Database& db, const std::string& public_key_hex, const std::string& key_path);
  /// `govshare audit verify` on PostgreSQL: the checks of AuditLog::Verify, with the registered public key.
  static common::Status Verify(Database& db, std::ostream& report);

  bool shared() const override { return true; }
  void WriteBatchAsync(TakeBatch take, BatchDone done) override;
  common::Status WriteHead(std::uint64_t known_size, const MakeHead& make) override;
  common::Result<audit::detail::Leaves> ReadLeaves(std::uint64_t from) override;
  common::Result<std::optional<audit::SignedTreeHead>> ReadLatestHead() override;
  common::Result<std::optional<audit::StoredRecord>> Get(std::uint64_t leaf_index) override;
  common::Result<std::vector<audit::StoredRecord>> List(const audit::RecordFilter& filter, std::uint64_t after,
                                                        int limit) override;
  common::Status ReadDataCalls(std::int64_t first_day, std::int64_t last_day,
                               const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& row) override;
  bool healthy() const override { return healthy_.load(); }
  bool accepts_appends() const override { return true; }
  std::uint64_t commits() const override { return commits_.load(); }

 private:
  /// Runs `body` in a READ COMMITTED transaction that holds the frontier row; `body` gets the frontier (the next leaf
  /// index) and the leaves stored from `known_size` up to it, and returns the new frontier. Commits durably.
  common::Status WithFrontier(
      std::uint64_t known_size,
      const std::function<std::uint64_t(Connection&, std::uint64_t frontier, const audit::detail::Leaves&)>& body);
  /// Verify's checks inside its read-only transaction.
  static common::Status VerifyOn(Connection& c, std::ostream& report);
  /// The batch job, on the writer thread.
  common::Result<audit::detail::CommittedBatch> WriteBatch(const audit::detail::Batch& batch);
  void RunWriter();

  Database& db_;
  std::atomic<bool> healthy_{true};
  std::atomic<std::uint64_t> commits_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // mutex_: batches waiting for the writer thread
  bool stopping_ = false;                   // mutex_
  std::thread writer_;                      // last: starts once the members above exist
};

}  // namespace govshare::store::pg
