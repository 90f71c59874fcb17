#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "store/transaction.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace govshare::store::sqlite {

/// Thrown by Connection and Statement on any SQLite error; converted to a Status at the Database boundary
/// (Database::Write / Database::Read), so no exception leaves the store.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  bool IsConstraint() const;
  bool IsBusy() const;

 private:
  int code_;
};

/// A prepared statement borrowed from a connection's cache. Resets and clears its bindings when it goes out of scope,
/// so the cached statement is ready for the next use. Parameters and columns are 1-based / 0-based as in SQLite.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);
  Statement& Bind(int index, double value);
  Statement& BindNull(int index);
  /// Binds bytes as a BLOB (copied).
  Statement& BindBlob(int index, std::string_view bytes);
  /// Bind without copying (SQLITE_STATIC), for hot paths: the bytes must stay valid and unchanged until the statement
  /// has been reset (Reset, or the Statement going out of scope) or rebound.
  Statement& BindTextNoCopy(int index, std::string_view text);
  Statement& BindBlobNoCopy(int index, std::string_view bytes);

  /// Advances; true while a row is available.
  bool Step();
  /// Makes the statement ready to run again (bindings are kept until rebound).
  void Reset();
  /// Runs a statement that returns no rows.
  void Run() {
    while (Step()) {
    }
  }

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  /// A BLOB column's bytes (a TEXT value's bytes as they are).
  std::string Blob(int column) const;
  std::optional<std::string> OptText(int column) const;
  std::optional<std::int64_t> OptInt(int column) const;
  bool IsNull(int column) const;
  double Double(int column) const;
  /// The column's storage class in this row.
  enum class Type { kInteger, kReal, kText, kBlob, kNull };
  Type ColumnType(int column) const;
  /// The column's text without a copy; valid until the next Step or the statement's release.
  std::string_view TextView(int column) const;
  /// Rows changed by the last INSERT/UPDATE/DELETE of this statement's connection.
  int Changes() const;

 private:
  sqlite3_stmt* stmt_;
};

/// One SQLite connection. Belongs to one thread at a time (SQLITE_OPEN_NOMUTEX). Caches prepared statements by SQL
/// text.
class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  Connection(const std::string& path, Mode mode, int busy_timeout_ms);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Executes one or more statements with no results (DDL, pragmas, transaction control).
  void Exec(std::string_view sql);
  /// A cached prepared statement for `sql`.
  Statement Prepare(std::string_view sql);
  std::int64_t LastInsertId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }

  /// The read transaction a pooled read connection keeps open across reads (Database::Options::reader_snapshot_ms);
  /// touched only by the thread that holds the connection, or under the pool's lock while it is idle.
  struct Snapshot {
    bool open = false;
    std::uint64_t write_epoch = 0;  // the database's write epoch read before the transaction began
    std::chrono::steady_clock::time_point began;
  };
  Snapshot snapshot;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

/// The SQLite form of store::Transaction: the writer connection inside the running write job.
class SqliteTransaction final : public store::Transaction {
 public:
  explicit SqliteTransaction(Connection& c) : connection(c) {}
  Connection& connection;
};

/// A versioned schema change. Versions are applied in order, each in its own transaction, and recorded in
/// schema_migrations; an applied version is never edited (add a new one). `step`, if set, runs after `sql` in the same
/// transaction, for conversions SQL alone cannot express (it throws SqliteError to abort the migration).
struct Migration {
  int version;
  std::string name;
  std::string sql;
  std::function<void(Connection&)> step = nullptr;
};

/// A SQLite database file used the way govshare uses every embedded store:
/// - WAL journal, synchronous=FULL: a commit is on disk when it returns;
/// - exactly one writer connection, owned by one writer thread that takes jobs from a queue and commits them in groups
///   (one BEGIN IMMEDIATE ... COMMIT for up to `group_commit_max_jobs` jobs, each job in its own SAVEPOINT so that one
///   failing job rolls back alone); a caller of Write() returns only after its group is durable;
/// - a pool of read-only connections for readers on any thread;
/// - periodic WAL checkpoints from the writer thread.
/// Thread-safe.
class Database {
 public:
  struct Options {
    std::string path;
    int read_connections = 8;
    int group_commit_max_jobs = 256;
    int checkpoint_interval_s = 30;
    int busy_timeout_ms = 5000;
    /// Page size in bytes of a file created by this open (0: SQLite's default, 4096); an existing file keeps its own.
    int page_size = 0;
    /// Page cache of each read connection in KiB (0: SQLite's default, 2 MiB). A store read at random over a large
    /// b-tree wants its interior pages to stay cached, so that a point read costs at most one page read from the OS.
    int reader_cache_kib = 0;
    /// A read connection keeps its read transaction across reads for up to this many milliseconds (0: one
    /// transaction per read), as long as no write of this Database has committed since it began: a point read then
    /// skips the locking that begins and ends a read transaction. A write acknowledged by Write() is always visible
    /// to a read that starts after it; a write by another process becomes visible within this time.
    int reader_snapshot_ms = 0;
  };
  using WriteJob = std::function<common::Status(Connection&)>;
  /// Told a write job's outcome once its group is durable (or has failed).
  using WriteDone = std::function<void(common::Status)>;

  /// Opens (creating if needed) and applies pending migrations. Fails if the file's schema is newer than `migrations`.
  static common::Result<std::unique_ptr<Database>> Open(const Options& options,
                                                        const std::vector<Migration>& migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs `job` on the writer thread inside a group transaction; returns its Status once the group is durable.
  /// A job that throws SqliteError gets a Status (constraint violations become kConflict). If the commit itself fails,
  /// every job of the group gets kUnavailable and none of their changes persist.
  common::Status Write(WriteJob job);
  /// Write without waiting: `done` gets the job's Status on the writer thread once the group is durable (or at once on
  /// the caller's thread if the database is shutting down). `done` must be quick and must not throw; it may call
  /// WriteAsync again (the new job joins a later group) but must not call Write.
  void WriteAsync(WriteJob job, WriteDone done);

  /// Runs `fn(Connection&)` on a pooled read-only connection; SqliteError becomes a Status.
  template <typename Fn>
  common::Status Read(Fn&& fn) {
    try {
      auto lease = AcquireReader();
      try {
        RefreshSnapshot(*lease.connection);
        return fn(*lease.connection);
      } catch (const SqliteError&) {
        lease.failed = true;  // the kept read transaction, if any, ends with the error
        throw;
      }
    } catch (const SqliteError& e) {
      return ToStatus(e);
    }
  }

  int schema_version() const { return schema_version_; }
  const std::string& path() const { return options_.path; }
  /// Jobs committed and groups committed since open (for tests and metrics).
  std::uint64_t committed_jobs() const { return committed_jobs_.load(); }
  std::uint64_t committed_groups() const { return committed_groups_.load(); }
  /// True while the writer can commit (the last commit or checkpoint did not fail).
  bool healthy() const { return healthy_.load(); }

  static common::Status ToStatus(const SqliteError& e);

 private:
  struct PendingJob;
  struct Lease {
    Database* owner;
    std::unique_ptr<Connection> connection;
    bool failed = false;
    Lease(Database* o, std::unique_ptr<Connection> c) : owner(o), connection(std::move(c)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { owner->ReleaseReader(std::move(connection), failed); }
  };

  explicit Database(Options options);
  common::Status ApplyMigrations(const std::vector<Migration>& migrations);
  void WriterLoop();
  void CommitGroup(std::vector<std::shared_ptr<PendingJob>>& group);
  void MaybeCheckpoint(bool idle);
  Lease AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> connection, bool failed);
  /// Begins or renews the kept read transaction of a leased connection (reader_snapshot_ms > 0).
  void RefreshSnapshot(Connection& c);
  /// Ends the kept read transactions of idle connections that are older than reader_snapshot_ms, so that they do not
  /// hold back a checkpoint. Writer thread.
  void EndStaleIdleSnapshots();

  Options options_;
  std::unique_ptr<Connection> writer_;
  int schema_version_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::shared_ptr<PendingJob>> queue_;
  bool stopping_ = false;
  std::thread writer_thread_;
  std::chrono::steady_clock::time_point last_checkpoint_;
  int wal_pages_ = 0;  // pages in the WAL after the last commit; writer thread only

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  int open_readers_ = 0;

  std::atomic<std::uint64_t> committed_jobs_{0};
  std::atomic<std::uint64_t> committed_groups_{0};
  /// Advanced after every committed group, before its jobs are answered (reader_snapshot_ms).
  std::atomic<std::uint64_t> write_epoch_{0};
  std::atomic<bool> healthy_{true};
};

}  // namespace govshare::store::sqlite
