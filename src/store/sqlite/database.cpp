#include "store/sqlite/database.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <future>

namespace govshare::store::sqlite {

using common::Status;

namespace {

constexpr int kCheckpointPages = 1000;

[[noreturn]] void Throw(sqlite3* db, int rc, std::string_view what) {
  throw SqliteError(rc, fmt::format("{}: {} ({})", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc));
}

}  // namespace

bool SqliteError::IsConstraint() const { return (code_ & 0xFF) == SQLITE_CONSTRAINT; }
bool SqliteError::IsBusy() const { return (code_ & 0xFF) == SQLITE_BUSY || (code_ & 0xFF) == SQLITE_LOCKED; }

// ---- Statement ----------------------------------------------------------------------------------------------------

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) Throw(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      rc != SQLITE_OK) {
    Throw(sqlite3_db_handle(stmt_), rc, "bind");
  }
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  if (int rc = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
      rc != SQLITE_OK) {
    Throw(sqlite3_db_handle(stmt_), rc, "bind");
  }
  return *this;
}

Statement& Statement::BindTextNoCopy(int index, std::string_view text) {
  if (int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
      rc != SQLITE_OK) {
    Throw(sqlite3_db_handle(stmt_), rc, "bind");
  }
  return *this;
}

Statement& Statement::BindBlobNoCopy(int index, std::string_view bytes) {
  if (int rc = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
      rc != SQLITE_OK) {
    Throw(sqlite3_db_handle(stmt_), rc, "bind");
  }
  return *this;
}

void Statement::Reset() { sqlite3_reset(stmt_); }

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::Bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) Throw(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) Throw(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(sqlite3_db_handle(stmt_), rc, "step");
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::Blob(int column) const {
  const auto* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return {};
  return {static_cast<const char*>(bytes), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::optional<std::string> Statement::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<std::int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

Statement::Type Statement::ColumnType(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return Type::kInteger;
    case SQLITE_FLOAT:
      return Type::kReal;
    case SQLITE_TEXT:
      return Type::kText;
    case SQLITE_BLOB:
      return Type::kBlob;
    default:
      return Type::kNull;
  }
}

std::string_view Statement::TextView(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

int Statement::Changes() const { return sqlite3_changes(sqlite3_db_handle(stmt_)); }

namespace {

void EndSnapshot(Connection& c) {
  if (!c.snapshot.open) return;
  c.snapshot.open = false;
  try {
    c.Exec("COMMIT");
  } catch (const SqliteError& e) {
    spdlog::warn("ending a kept read transaction: {}", e.what());
  }
}

}  // namespace

// ---- Connection ---------------------------------------------------------------------------------------------------

Connection::Connection(const std::string& path, Mode mode, int busy_timeout_ms) {
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr); rc != SQLITE_OK) {
    std::string message = fmt::format("open {}: {}", path, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  Exec("PRAGMA foreign_keys=ON");
  if (mode == Mode::kReadOnly) Exec("PRAGMA query_only=ON");
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Connection::Exec(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error); rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(rc, fmt::format("exec: {}", message));
  }
}

Statement Connection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
        rc != SQLITE_OK) {
      Throw(db_, rc, "prepare");
    }
    it = cache_.emplace(std::move(key), stmt).first;
  }
  return Statement(it->second);
}

std::int64_t Connection::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Connection::Changes() const { return sqlite3_changes(db_); }

// ---- Database -----------------------------------------------------------------------------------------------------

struct Database::PendingJob {
  WriteJob job;
  WriteDone done;
};

Status Database::ToStatus(const SqliteError& e) {
  if (e.IsConstraint()) return Status::Conflict("constraint_violation", "the change conflicts with existing data");
  if (e.IsBusy()) return Status::Unavailable("storage_busy", "storage is busy, retry");
  spdlog::error("sqlite: {}", e.what());
  return Status::Unavailable("storage_error", "storage failed");
}

Database::Database(Options options) : options_(std::move(options)) {}

common::Result<std::unique_ptr<Database>> Database::Open(const Options& options,
                                                         const std::vector<Migration>& migrations) {
  std::unique_ptr<Database> db(new Database(options));
  try {
    db->writer_ = std::make_unique<Connection>(options.path, Connection::Mode::kReadWrite, options.busy_timeout_ms);
    // Before journal_mode: switching a new, empty file to WAL writes its header and fixes the page size.
    if (options.page_size > 0) db->writer_->Exec(fmt::format("PRAGMA page_size={}", options.page_size));
    db->writer_->Exec("PRAGMA journal_mode=WAL");
    db->writer_->Exec("PRAGMA synchronous=FULL");
    db->writer_->Exec("PRAGMA wal_autocheckpoint=0");  // the writer thread checkpoints (MaybeCheckpoint)
    sqlite3_wal_hook(
        db->writer_->handle(),
        [](void* self, sqlite3*, const char*, int pages) {
          static_cast<Database*>(self)->wal_pages_ = pages;
          return SQLITE_OK;
        },
        db.get());
  } catch (const SqliteError& e) {
    return Status::Unavailable("storage_error", e.what());
  }
  GOVSHARE_RETURN_IF_ERROR(db->ApplyMigrations(migrations));
  db->last_checkpoint_ = std::chrono::steady_clock::now();
  db->writer_thread_ = std::thread([raw = db.get()] { raw->WriterLoop(); });
  return db;
}

Database::~Database() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(readers_mutex_);  // a kept read transaction would keep the WAL from being truncated
    for (auto& c : idle_readers_) EndSnapshot(*c);
  }
  try {
    if (writer_) writer_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SqliteError& e) {
    spdlog::warn("final checkpoint of {} failed: {}", options_.path, e.what());
  }
}

Status Database::ApplyMigrations(const std::vector<Migration>& migrations) {
  try {
    writer_->Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
    int current = 0;
    {
      auto stmt = writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (stmt.Step()) current = static_cast<int>(stmt.Int(0));
    }
    const int known = migrations.empty() ? 0 : migrations.back().version;
    if (current > known) {
      return Status::Unavailable("schema_too_new",
                                 fmt::format("{} has schema version {} but this binary knows only {}: upgrade govshare",
                                             options_.path, current, known));
    }
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      writer_->Exec("BEGIN IMMEDIATE");
      try {
        writer_->Exec(m.sql);
        if (m.step) m.step(*writer_);
        writer_->Prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, unixepoch())")
            .Bind(1, m.version)
            .Bind(2, m.name)
            .Run();
        writer_->Exec("COMMIT");
      } catch (...) {
        writer_->Exec("ROLLBACK");
        throw;
      }
      spdlog::info("{}: applied migration {} ({})", options_.path, m.version, m.name);
      current = m.version;
    }
    schema_version_ = current;
  } catch (const SqliteError& e) {
    return Status::Unavailable("migration_failed", e.what());
  }
  return Status::Ok();
}

Status Database::Write(WriteJob job) {
  // The callback owns the promise, so the shared state outlives the writer's set_value even after this returns.
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  WriteAsync(std::move(job), [promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

void Database::WriteAsync(WriteJob job, WriteDone done) {
  auto pending = std::make_shared<PendingJob>();
  pending->job = std::move(job);
  pending->done = std::move(done);
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(pending);
      pending = nullptr;
    }
  }
  if (pending) {
    pending->done(Status::Unavailable("shutting_down", "storage is shutting down"));
    return;
  }
  queue_cv_.notify_one();
}

void Database::WriterLoop() {
  std::vector<std::shared_ptr<PendingJob>> group;
  const auto interval = std::chrono::seconds(std::max(1, options_.checkpoint_interval_s));
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      const bool woke = queue_cv_.wait_for(lock, interval, [this] { return stopping_ || !queue_.empty(); });
      if (!woke) {
        lock.unlock();
        MaybeCheckpoint(/*idle=*/true);
        continue;
      }
      if (queue_.empty() && stopping_) return;  // drain everything queued before stopping
      const auto take = std::min<std::size_t>(queue_.size(), static_cast<std::size_t>(options_.group_commit_max_jobs));
      group.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    }
    CommitGroup(group);
    group.clear();
    MaybeCheckpoint(/*idle=*/false);
  }
}

void Database::CommitGroup(std::vector<std::shared_ptr<PendingJob>>& group) {
  std::vector<Status> results(group.size());
  try {
    writer_->Exec("BEGIN IMMEDIATE");
  } catch (const SqliteError& e) {
    healthy_ = false;
    for (auto& p : group) p->done(ToStatus(e));
    return;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    try {
      writer_->Exec("SAVEPOINT job");
      try {
        results[i] = group[i]->job(*writer_);
      } catch (const SqliteError& e) {
        results[i] = ToStatus(e);
      } catch (const std::exception& e) {
        spdlog::error("write job threw: {}", e.what());
        results[i] = Status::Internal("write failed");
      }
      if (!results[i].ok()) writer_->Exec("ROLLBACK TO job");
      writer_->Exec("RELEASE job");
    } catch (const SqliteError& e) {
      results[i] = ToStatus(e);
    }
  }
  try {
    writer_->Exec("COMMIT");
    healthy_ = true;
  } catch (const SqliteError& e) {
    healthy_ = false;
    spdlog::error("group commit failed: {}", e.what());
    try {
      writer_->Exec("ROLLBACK");
    } catch (const SqliteError&) {
    }
    for (auto& r : results) {
      if (r.ok()) r = Status::Unavailable("storage_error", "the change could not be made durable");
    }
  }
  write_epoch_.fetch_add(1, std::memory_order_release);
  committed_groups_.fetch_add(1);
  committed_jobs_.fetch_add(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->done(std::move(results[i]));
}

void Database::MaybeCheckpoint(bool idle) {
  const auto now = std::chrono::steady_clock::now();
  const bool due = now - last_checkpoint_ >= std::chrono::seconds(options_.checkpoint_interval_s);
  if (wal_pages_ == 0 || (!idle && !due && wal_pages_ < kCheckpointPages)) return;
  EndStaleIdleSnapshots();
  int log_pages = 0;
  int checkpointed = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &checkpointed);
  if (rc != SQLITE_OK) spdlog::warn("checkpoint of {}: {}", options_.path, sqlite3_errmsg(writer_->handle()));
  last_checkpoint_ = now;
  wal_pages_ = 0;
}

void Database::RefreshSnapshot(Connection& c) {
  if (options_.reader_snapshot_ms <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t epoch = write_epoch_.load(std::memory_order_acquire);
  if (c.snapshot.open && c.snapshot.write_epoch == epoch &&
      now - c.snapshot.began < std::chrono::milliseconds(options_.reader_snapshot_ms)) {
    return;
  }
  EndSnapshot(c);
  // The epoch is read before BEGIN: a group committing in between makes the snapshot newer than its epoch says,
  // which only renews it once more than needed.
  c.Exec("BEGIN");
  c.snapshot = {true, epoch, now};
}

void Database::EndStaleIdleSnapshots() {
  if (options_.reader_snapshot_ms <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(readers_mutex_);
  for (auto& c : idle_readers_) {
    if (c->snapshot.open && now - c->snapshot.began >= std::chrono::milliseconds(options_.reader_snapshot_ms)) {
      EndSnapshot(*c);
    }
  }
}

Database::Lease Database::AcquireReader() {
  std::unique_lock lock(readers_mutex_);
  for (;;) {
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return Lease(this, std::move(c));
    }
    if (open_readers_ < options_.read_connections) {
      ++open_readers_;
      lock.unlock();
      try {
        auto c = std::make_unique<Connection>(options_.path, Connection::Mode::kReadOnly, options_.busy_timeout_ms);
        if (options_.reader_cache_kib > 0) c->Exec(fmt::format("PRAGMA cache_size=-{}", options_.reader_cache_kib));
        return Lease(this, std::move(c));
      } catch (...) {
        std::lock_guard relock(readers_mutex_);
        --open_readers_;
        throw;
      }
    }
    readers_cv_.wait(lock);
  }
}

void Database::ReleaseReader(std::unique_ptr<Connection> connection, bool failed) {
  if (failed) EndSnapshot(*connection);
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(connection));
  }
  readers_cv_.notify_one();
}

}  // namespace govshare::store::sqlite
