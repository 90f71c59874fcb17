#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "store/transaction.hpp"

// libpq's handles, declared here so that no libpq header leaks into the code that includes this one (ADR 0010).
struct pg_conn;
struct pg_result;

namespace govshare::store::pg {

/// Thrown by Connection and Statement on any PostgreSQL or libpq error; converted to a Status at the Database boundary
/// (Database::Write / Database::Read), so no exception leaves the store. Carries the SQLSTATE of the server's error
/// (empty when libpq failed without one, e.g. a lost connection).
class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& message, bool connection_lost = false)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), connection_lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  /// Integrity constraint violations (class 23: unique, foreign key, check, not null).
  bool IsConstraint() const { return sqlstate_.starts_with("23"); }
  /// serialization_failure (40001) or deadlock_detected (40P01): the transaction may succeed when run again.
  bool IsRetryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  /// The connection to the server is gone; the connection is dropped and a new one is opened on next use.
  bool IsConnectionLost() const { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

class Connection;

/// A prepared statement of a connection with its parameters ($1..$n, 1-based as in SQL) and, once run, its result
/// rows (columns 0-based). Parameters and results travel in text format; the SQL casts where the server cannot infer
/// a parameter's type (`$2::text IS NULL`). Store code reads as with store::sqlite::Statement: bind, then Step()
/// through the rows or Run().
class Statement {
 public:
  Statement(Connection& connection, std::string name, int param_count);
  /// A one-shot statement (Connection::Query): `sql` travels with every run.
  static Statement OneShot(Connection& connection, std::string sql, int param_count);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, bool value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);
  Statement& Bind(int index, const std::optional<std::vector<std::string>>& values);  // a text[]; nullopt is NULL
  Statement& BindNull(int index);

  /// Runs the statement on the first call; then advances through its rows. True while a row is available.
  bool Step();
  /// Runs a statement whose rows, if any, are not needed.
  void Run();
  /// Rows inserted, updated or deleted by the run (PQcmdTuples).
  int Changes() const;

  std::int64_t Int(int column) const;
  bool Bool(int column) const;
  std::string Text(int column) const;
  std::string_view TextView(int column) const;
  std::optional<std::string> OptText(int column) const;
  std::optional<std::int64_t> OptInt(int column) const;
  bool IsNull(int column) const;

 private:
  void Execute();
  void CheckRow(int column) const;

  Connection* connection_;
  std::string name_;
  std::string sql_;  // a one-shot statement's text (name_ empty)
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
  bool executed_ = false;
};

/// One libpq connection. Belongs to one thread at a time. Caches prepared statements by SQL text (each is prepared
/// once per connection, named s1, s2, ...). Every session runs with synchronous_commit=on, so a COMMIT that returns
/// is durable on the server, and with ISO dates (a DATE reads as YYYY-MM-DD).
class Connection {
 public:
  /// Connects; throws PgError (connection lost) if the server cannot be reached.
  explicit Connection(const std::string& conninfo);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Executes one or more statements with no parameters and no needed results (DDL, transaction control). Returns the
  /// command tag of the last one: "ROLLBACK" for a COMMIT that ended a transaction in which a statement had failed.
  std::string Exec(std::string_view sql);
  /// A statement for `sql`, prepared on this connection the first time it is seen.
  Statement Prepare(std::string_view sql);
  /// A statement for `sql` that is parsed and planned for its parameters on every run (PQexecParams, one round trip
  /// as a prepared one). For reads whose best plan depends on the values or on a table that grows fast: after five
  /// runs of a prepared statement PostgreSQL may settle on a generic plan for good (until an ANALYZE of the table),
  /// and one made while the table was nearly empty is a sequential scan (the audit log's leaf reads were).
  Statement Query(std::string_view sql);
  /// False once the connection to the server is gone; the pool then drops it.
  bool healthy() const;
  /// The process id of this connection's session on the server (pg_backend_pid()).
  int backend_pid() const;

  /// A NOTIFY received on a channel this connection LISTENs to.
  struct Notification {
    std::string channel;
    std::string payload;
  };
  /// Waits up to `timeout_ms` for a notification (LISTEN first, with Exec). Nullopt if none came in time; throws
  /// PgError (connection lost) if the connection broke while waiting.
  std::optional<Notification> WaitForNotification(int timeout_ms);

  /// COPY ... FROM STDIN (text format): CopyBegin(sql) starts it, CopyPut sends data (any split of the stream: rows
  /// end with '\n', fields with '\t', null is \N, backslashes escaped), CopyEnd finishes it and returns the rows
  /// copied; a rejected row throws PgError from CopyEnd. Nothing else may run on the connection in between. CopyAbort
  /// ends a started copy with an error (the transaction then fails), never throws: for unwinding.
  void CopyBegin(std::string_view sql);
  void CopyPut(std::string_view data);
  std::int64_t CopyEnd();
  void CopyAbort() noexcept;
  /// True between CopyBegin and CopyEnd/CopyAbort.
  bool copying() const { return copying_; }

 private:
  friend class Statement;
  /// Throws PgError for a failed result (and frees it); returns it otherwise.
  pg_result* Check(pg_result* result, std::string_view what);

  pg_conn* conn_ = nullptr;
  bool copying_ = false;
  std::unordered_map<std::string, std::pair<std::string, int>> cache_;  // SQL text → (statement name, parameters)
};

/// Appends `value` to COPY text-format data as one field's text: backslash escapes for the characters that delimit
/// rows and fields (the caller writes \N for NULL, '\t' between fields and '\n' after a row).
void AppendCopyText(std::string& out, std::string_view value);

/// The PostgreSQL form of store::Transaction: the connection inside the running write job's transaction.
class PgTransaction final : public store::Transaction {
 public:
  explicit PgTransaction(Connection& c) : connection(c) {}
  Connection& connection;
};

/// A versioned schema change, as for SQLite: applied in order, recorded in schema_migrations, never edited once
/// applied.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

/// Runs `body` in a transaction on `c` that first takes the transaction-level advisory lock `key`, so that nodes doing
/// the same one-time work (migrations, creating a shared table) do it one after another: COMMIT if `body` returns
/// true, ROLLBACK if false. A PgError rolls back and propagates.
void LockedTransaction(Connection& c, std::int64_t key, const std::function<bool()>& body);

/// A PostgreSQL database used the way govshare uses its stores, with the promises of store::sqlite::Database:
/// - Write(job) runs the job in one SERIALIZABLE transaction (BEGIN ... COMMIT) on a pooled connection of the calling
///   thread and returns once the commit is durable (synchronous_commit=on). A job that returns a non-ok Status is
///   rolled back, and so is one that returns ok after a statement of it failed (it gets kUnavailable, as nothing of it
///   was kept). Serialization failures and deadlocks roll back and run the job again, at most `max_attempts` times in
///   all: a job must therefore set its outputs anew on each run.
/// - Read(fn) runs fn on a pooled connection in autocommit mode (each statement sees the latest committed data).
/// - A connection lease belongs to the calling thread for the duration of the job ("a connection per worker thread");
///   at most `max_connections` are open; callers beyond that wait for one.
/// - A lost connection fails the current call with kUnavailable and is replaced on the next use.
/// Thread-safe.
class Database {
 public:
  struct Options {
    std::string conninfo;  // a libpq URI or keyword/value string
    int max_connections = 16;
    int max_attempts = 5;
  };
  using WriteJob = std::function<common::Status(Connection&)>;

  /// Connects and applies pending migrations under an advisory lock (two nodes starting together apply them once).
  /// Fails if the database's schema is newer than `migrations`.
  static common::Result<std::unique_ptr<Database>> Open(const Options& options,
                                                        const std::vector<Migration>& migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  common::Status Write(const WriteJob& job);

  /// The isolation of a write job. kReadCommitted runs the job once, never again (no retry): for jobs that consume a
  /// stream (a COPY of a file) and serialise themselves by locking a row first; each statement then sees what the
  /// writers before it committed.
  enum class Isolation { kSerializable, kReadCommitted };
  common::Status Write(const WriteJob& job, Isolation isolation);

  template <typename Fn>
  common::Status Read(Fn&& fn) {
    Lease lease(*this);
    try {
      if (lease.connection == nullptr) lease.Connect();
      return fn(*lease.connection);
    } catch (const PgError& e) {
      return ToStatus(e);
    }
  }

  int schema_version() const { return schema_version_; }
  static common::Status ToStatus(const PgError& e);

 private:
  /// A pooled connection held by one thread; returned to the pool (or dropped if broken) on destruction. The
  /// connection is opened lazily (Connect) so that a failure to connect surfaces as a PgError inside Read/Write.
  struct Lease {
    explicit Lease(Database& db);
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    void Connect();
    Database& owner;
    std::unique_ptr<Connection> connection;
  };

  explicit Database(Options options);
  common::Status ApplyMigrations(const std::vector<Migration>& migrations);

  Options options_;
  int schema_version_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int leased_ = 0;
};

}  // namespace govshare::store::pg
