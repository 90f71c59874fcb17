#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "audit/audit_store.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::audit::detail {

/// The audit log in its own SQLite file (DATA_DIR/audit.db, WAL, synchronous=FULL): one writer, the Database's writer
/// thread, numbering records from the end of the file. Triggers refuse every UPDATE and DELETE. docs/AUDIT.md.
class SqliteAuditStore final : public AuditStore {
 public:
  /// Opens (creating and migrating) the file.
  static common::Result<std::unique_ptr<SqliteAuditStore>> Open(const std::string& path);
  /// `govshare audit verify` on the file at `path`, read-only (a schema-1 file is read as hex).
  static common::Status Verify(const std::string& path, LogChecker& checker);

  bool shared() const override { return false; }
  void WriteBatchAsync(TakeBatch take, BatchDone done) override;
  common::Status WriteHead(std::uint64_t known_size, const MakeHead& make) override;
  common::Result<Leaves> ReadLeaves(std::uint64_t from) override;
  common::Result<std::optional<SignedTreeHead>> ReadLatestHead() override;
  common::Result<std::optional<StoredRecord>> Get(std::uint64_t leaf_index) override;
  common::Result<std::vector<StoredRecord>> List(const RecordFilter& filter, std::uint64_t after, int limit) override;
  common::Status ReadDataCalls(std::int64_t first_day, std::int64_t last_day,
                               const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& row) override;
  bool healthy() const override { return db_->healthy(); }
  bool accepts_appends() const override { return !out_of_step_.load(); }
  std::uint64_t commits() const override { return db_->committed_groups(); }

 private:
  explicit SqliteAuditStore(std::unique_ptr<store::sqlite::Database> db) : db_(std::move(db)) {}
  /// The batch job: inserts `batch` at its known size, which must be where the file ends. Writer thread only.
  common::Status Insert(store::sqlite::Connection& c, const Batch& batch);

  std::unique_ptr<store::sqlite::Database> db_;
  std::atomic<bool> out_of_step_{false};  // the file does not end where the tree does; appends fail until a restart
  std::uint64_t first_ = 0;               // writer thread: the first index of the batch in progress
};

}  // namespace govshare::audit::detail
