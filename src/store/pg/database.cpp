#include "store/pg/database.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>

namespace govshare::store::pg {

using common::Status;

namespace {

/// The key of the advisory lock every migration run holds ("govsha" in ASCII): one node migrates, the others wait.
constexpr std::int64_t kMigrationLockKey = 0x676f76736861;

std::string Trimmed(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// A PostgreSQL array literal ({"a","b"}) for a text[] parameter, with quotes and backslashes escaped.
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace

// ---- Statement ----------------------------------------------------------------------------------------------------

Statement::Statement(Connection& connection, std::string name, int param_count)
    : connection_(&connection), name_(std::move(name)), params_(static_cast<std::size_t>(param_count)) {}

Statement Statement::OneShot(Connection& connection, std::string sql, int param_count) {
  Statement out(connection, std::string(), param_count);
  out.sql_ = std::move(sql);
  return out;
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_),
      name_(std::move(other.name_)),
      sql_(std::move(other.sql_)),
      params_(std::move(other.params_)),
      result_(other.result_),
      rows_(other.rows_),
      row_(other.row_),
      executed_(other.executed_) {
  other.result_ = nullptr;
}

Statement::~Statement() {
  if (result_ != nullptr) PQclear(result_);
}

Statement& Statement::Bind(int index, std::int64_t value) { return Bind(index, std::to_string(value)); }

Statement& Statement::Bind(int index, bool value) { return Bind(index, value ? "true" : "false"); }

Statement& Statement::Bind(int index, std::string_view value) {
  if (index < 1 || index > static_cast<int>(params_.size())) {
    throw PgError("", fmt::format("parameter ${} out of range (statement has {})", index, params_.size()));
  }
  params_[static_cast<std::size_t>(index - 1)] = std::string(value);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<std::vector<std::string>>& values) {
  return values ? Bind(index, ArrayLiteral(*values)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  if (index < 1 || index > static_cast<int>(params_.size())) {
    throw PgError("", fmt::format("parameter ${} out of range (statement has {})", index, params_.size()));
  }
  params_[static_cast<std::size_t>(index - 1)].reset();
  return *this;
}

void Statement::Execute() {
  std::vector<const char*> values;
  values.reserve(params_.size());
  for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
  pg_result* result = sql_.empty() ? PQexecPrepared(connection_->conn_, name_.c_str(), static_cast<int>(values.size()),
                                                    values.data(), nullptr, nullptr, /*resultFormat=*/0)
                                   : PQexecParams(connection_->conn_, sql_.c_str(), static_cast<int>(values.size()),
                                                  nullptr, values.data(), nullptr, nullptr, /*resultFormat=*/0);
  result_ = connection_->Check(result, sql_.empty() ? name_ : sql_);
  rows_ = PQntuples(result_);
  executed_ = true;
}

bool Statement::Step() {
  if (!executed_) Execute();
  if (row_ + 1 >= rows_) return false;
  ++row_;
  return true;
}

void Statement::Run() {
  if (!executed_) Execute();
}

int Statement::Changes() const {
  if (result_ == nullptr) return 0;
  const char* n = PQcmdTuples(result_);
  int changes = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), changes);
  return changes;
}

void Statement::CheckRow(int column) const {
  if (result_ == nullptr || row_ < 0 || row_ >= rows_ || column < 0 || column >= PQnfields(result_)) {
    throw PgError("", fmt::format("no column {} in the current row of {}", column, name_));
  }
}

bool Statement::IsNull(int column) const {
  CheckRow(column);
  return PQgetisnull(result_, row_, column) != 0;
}

std::string_view Statement::TextView(int column) const {
  CheckRow(column);
  return {PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

std::string Statement::Text(int column) const { return std::string(TextView(column)); }

std::int64_t Statement::Int(int column) const {
  const auto text = TextView(column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw PgError("", fmt::format("column {} of {} is not an integer: '{}'", column, name_, text));
  }
  return value;
}

bool Statement::Bool(int column) const { return TextView(column) == "t"; }

std::optional<std::string> Statement::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<std::int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

// ---- Connection ---------------------------------------------------------------------------------------------------

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (conn_ == nullptr) throw PgError("", "libpq could not allocate a connection", /*connection_lost=*/true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("", "cannot connect to PostgreSQL: " + message, /*connection_lost=*/true);
  }
  // Notices ("relation already exists, skipping") are not errors; the server log keeps them.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  // Durable commits whatever the server's default, and dates read back as YYYY-MM-DD.
  Exec("SET synchronous_commit = on; SET datestyle = 'ISO, YMD'");
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::healthy() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

int Connection::backend_pid() const { return conn_ == nullptr ? 0 : PQbackendPID(conn_); }

std::optional<Connection::Notification> Connection::WaitForNotification(int timeout_ms) {
  auto take = [this]() -> std::optional<Notification> {
    PGnotify* n = PQnotifies(conn_);
    if (n == nullptr) return std::nullopt;
    Notification out{n->relname == nullptr ? "" : n->relname, n->extra == nullptr ? "" : n->extra};
    PQfreemem(n);
    return out;
  };
  auto lost = [this](const char* what) {
    return PgError("", fmt::format("{}: {}", what, Trimmed(PQerrorMessage(conn_))), /*connection_lost=*/true);
  };
  if (auto queued = take()) return queued;
  const int fd = PQsocket(conn_);
  if (fd < 0) throw lost("waiting for a notification");
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) throw lost("poll");
  if (ready > 0) {
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) throw lost("reading a notification");
  }
  return take();
}

pg_result* Connection::Check(pg_result* result, std::string_view what) {
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  std::string sqlstate;
  std::string message;
  if (result != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state != nullptr) sqlstate = state;
    message = Trimmed(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  throw PgError(sqlstate, fmt::format("{}: {}", what, message), lost);
}

std::string Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  pg_result* result = Check(PQexec(conn_, text.c_str()), "exec");
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

Statement Connection::Query(std::string_view sql) {
  // The parameters are $1..$n: n is the highest number after a '$' (no dollar quoting in these statements).
  int params = 0;
  for (std::size_t i = sql.find('$'); i != std::string_view::npos; i = sql.find('$', i + 1)) {
    int n = 0;
    for (std::size_t j = i + 1; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) n = n * 10 + (sql[j] - '0');
    params = std::max(params, n);
  }
  return Statement::OneShot(*this, std::string(sql), params);
}

Statement Connection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    std::string name = "s" + std::to_string(cache_.size() + 1);
    PQclear(Check(PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr), key));
    pg_result* description = Check(PQdescribePrepared(conn_, name.c_str()), key);
    const int params = PQnparams(description);
    PQclear(description);
    it = cache_.emplace(std::move(key), std::make_pair(std::move(name), params)).first;
  }
  return Statement(*this, it->second.first, it->second.second);
}

void Connection::CopyBegin(std::string_view sql) {
  const std::string text(sql);
  pg_result* result = PQexec(conn_, text.c_str());
  if (result != nullptr && PQresultStatus(result) == PGRES_COPY_IN) {
    PQclear(result);
    copying_ = true;
    return;
  }
  PQclear(Check(result, text));  // an error throws; a statement that is not a COPY FROM STDIN is a bug
  throw PgError("", fmt::format("not a COPY FROM STDIN: {}", text));
}

void Connection::CopyPut(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    copying_ = false;
    throw PgError("", "COPY: " + Trimmed(PQerrorMessage(conn_)), PQstatus(conn_) != CONNECTION_OK);
  }
}

std::int64_t Connection::CopyEnd() {
  copying_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    throw PgError("", "COPY: " + Trimmed(PQerrorMessage(conn_)), PQstatus(conn_) != CONNECTION_OK);
  }
  // The COPY's result, then a null result: the connection is ready again. The first failure is the one thrown.
  std::int64_t rows = 0;
  std::optional<PgError> failure;
  while (pg_result* result = PQgetResult(conn_)) {
    if (failure) {
      PQclear(result);
      continue;
    }
    try {
      Check(result, "COPY");
      const char* n = PQcmdTuples(result);
      std::from_chars(n, n + std::char_traits<char>::length(n), rows);
      PQclear(result);
    } catch (const PgError& e) {
      failure = e;
    }
  }
  if (failure) throw *failure;
  return rows;
}

void Connection::CopyAbort() noexcept {
  if (!copying_) return;
  copying_ = false;
  if (PQputCopyEnd(conn_, "aborted by govshare") != 1) return;
  while (pg_result* result = PQgetResult(conn_)) PQclear(result);
}

// ---- Database -----------------------------------------------------------------------------------------------------

Database::Lease::Lease(Database& db) : owner(db) {
  std::unique_lock lock(owner.mutex_);
  owner.released_.wait(lock, [&] { return !owner.idle_.empty() || owner.leased_ < owner.options_.max_connections; });
  if (!owner.idle_.empty()) {
    connection = std::move(owner.idle_.back());
    owner.idle_.pop_back();
  }
  ++owner.leased_;
}

Database::Lease::~Lease() {
  {
    std::lock_guard lock(owner.mutex_);
    --owner.leased_;
    if (connection != nullptr && connection->healthy()) owner.idle_.push_back(std::move(connection));
  }
  owner.released_.notify_one();
}

void Database::Lease::Connect() { connection = std::make_unique<Connection>(owner.options_.conninfo); }

Status Database::ToStatus(const PgError& e) {
  if (e.IsConstraint()) return Status::Conflict("constraint_violation", "the change conflicts with existing data");
  if (e.IsRetryable()) return Status::Unavailable("storage_busy", "storage is busy, retry");
  spdlog::error("postgresql: {}", e.what());
  if (e.IsConnectionLost()) return Status::Unavailable("storage_unavailable", "the database cannot be reached");
  return Status::Unavailable("storage_error", "storage failed");
}

Database::Database(Options options) : options_(std::move(options)) {}

Database::~Database() = default;

common::Result<std::unique_ptr<Database>> Database::Open(const Options& options,
                                                         const std::vector<Migration>& migrations) {
  if (options.max_connections < 1 || options.max_attempts < 1) {
    return Status::Invalid("bad_storage_options", "max_connections and max_attempts must be at least 1");
  }
  std::unique_ptr<Database> db(new Database(options));
  GOVSHARE_RETURN_IF_ERROR(db->ApplyMigrations(migrations));
  return db;
}

void LockedTransaction(Connection& c, std::int64_t key, const std::function<bool()>& body) {
  c.Exec("BEGIN");
  try {
    c.Prepare("SELECT pg_advisory_xact_lock($1::bigint)").Bind(1, key).Run();
    c.Exec(body() ? "COMMIT" : "ROLLBACK");
  } catch (const PgError&) {
    if (c.healthy()) c.Exec("ROLLBACK");
    throw;
  }
}

Status Database::ApplyMigrations(const std::vector<Migration>& migrations) {
  Lease lease(*this);
  Status outcome;
  try {
    lease.Connect();
    Connection& c = *lease.connection;
    // One transaction for the whole run (PostgreSQL's DDL is transactional): a node that fails half-way leaves
    // nothing behind, and the advisory lock, held until COMMIT, makes a second node wait and then find the work done.
    LockedTransaction(c, kMigrationLockKey, [&] {
      c.Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          "applied_at BIGINT NOT NULL)");
      int current = 0;
      {
        auto s = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (s.Step()) current = static_cast<int>(s.Int(0));
      }
      const int known = migrations.empty() ? 0 : migrations.back().version;
      if (current > known) {
        outcome = Status::Unavailable("schema_too_new",
                                      fmt::format("the PostgreSQL database has schema version {} but this binary "
                                                  "knows only {}: upgrade govshare",
                                                  current, known));
        return false;
      }
      for (const auto& m : migrations) {
        if (m.version <= current) continue;
        c.Exec(m.sql);
        c.Prepare(
             "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1::integer, $2::text, "
             "extract(epoch FROM now())::bigint)")
            .Bind(1, m.version)
            .Bind(2, m.name)
            .Run();
        spdlog::info("postgresql: applying migration {} ({})", m.version, m.name);
        current = m.version;
      }
      schema_version_ = current;
      return true;
    });
  } catch (const PgError& e) {
    spdlog::error("postgresql: migrations failed: {}", e.what());
    return Status::Unavailable("migration_failed", fmt::format("PostgreSQL migrations failed: {}", e.what()));
  }
  return outcome;
}

Status Database::Write(const WriteJob& job) { return Write(job, Isolation::kSerializable); }

Status Database::Write(const WriteJob& job, Isolation isolation) {
  const bool serializable = isolation == Isolation::kSerializable;
  const int max_attempts = serializable ? options_.max_attempts : 1;
  for (int attempt = 1;; ++attempt) {
    Lease lease(*this);
    try {
      if (lease.connection == nullptr) lease.Connect();
      Connection& c = *lease.connection;
      c.Exec(serializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN ISOLATION LEVEL READ COMMITTED");
      Status status;
      try {
        status = job(c);
      } catch (const PgError&) {
        if (c.copying()) c.CopyAbort();
        if (c.healthy()) c.Exec("ROLLBACK");
        throw;
      } catch (const std::exception& e) {
        spdlog::error("postgresql: write job threw: {}", e.what());
        if (c.copying()) c.CopyAbort();
        if (c.healthy()) c.Exec("ROLLBACK");
        return Status::Internal("write failed");
      }
      if (!status.ok()) {
        if (c.copying()) c.CopyAbort();
        c.Exec("ROLLBACK");
        return status;
      }
      // A serialization failure may surface here too; the transaction is then over. A COMMIT that answers ROLLBACK
      // ends a transaction in which a statement failed and the job carried on: nothing of it was kept.
      if (c.Exec("COMMIT") != "COMMIT") {
        spdlog::error("postgresql: a write job returned ok after one of its statements failed; rolled back");
        return Status::Unavailable("storage_error", "the change could not be made durable");
      }
      return Status::Ok();
    } catch (const PgError& e) {
      if (!e.IsRetryable() || attempt >= max_attempts) return ToStatus(e);
    }
    // Back off a little, longer on each attempt, so that the transactions that collided do not collide again.
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 2));
  }
}

void AppendCopyText(std::string& out, std::string_view value) {
  for (char ch : value) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(ch);
    }
  }
}

}  // namespace govshare::store::pg
