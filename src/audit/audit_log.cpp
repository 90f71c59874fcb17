#include "audit/audit_log.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "common/crypto.hpp"
#include "common/json_file.hpp"

namespace govshare::audit {

using common::Result;
using common::Status;
using store::sqlite::Connection;

namespace {

/// 4 KiB pages for a new audit.db (SQLite's default). Audited calls arrive a few dozen per commit and each waits for
/// its commit, so what counts is the bytes each commit writes and syncs: the last, partly filled page of the records
/// and of each index is written again at every commit, four times the bytes with 16 KiB pages. On the HTTP lookup
/// path 4 KiB pages gave about 5 % more requests per second at less CPU per request (docs/BENCHMARKS.md); 16 KiB only
/// wins for batches of thousands, which a closed loop of callers never forms. A file created with another page size
/// keeps it.
constexpr int kPageSize = 4096;

/// The schema version from which records hold their bytes and leaf hash as BLOBs (before: lower-case hex TEXT).
constexpr std::int64_t kBlobSchemaVersion = 2;

std::optional<std::string> HexToBytes(std::string_view hex);

/// Migration 2's copy: every row of records_hex into records, with the hex record bytes and leaf hash as BLOBs. A value
/// that is not hex (a damaged or tampered row) is copied as it is, so that `audit verify` still names it.
void CopyHexRecordsAsBlobs(Connection& c) {
  auto read = c.Prepare(
      "SELECT leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, leaf_hash FROM "
      "records_hex ORDER BY leaf_index");
  auto insert = c.Prepare(
      "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
      "leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  while (read.Step()) {
    const std::string encoded = read.Text(7);
    const std::string leaf = read.Text(8);
    insert.Bind(1, read.Int(0))
        .Bind(2, read.Int(1))
        .Bind(3, read.Int(2))
        .Bind(4, read.Int(3))
        .Bind(5, read.Text(4))
        .Bind(6, read.Text(5))
        .Bind(7, read.Text(6))
        .BindBlob(8, HexToBytes(encoded).value_or(encoded))
        .BindBlob(9, HexToBytes(leaf).value_or(leaf))
        .Run();
    insert.Reset();
  }
}

const std::vector<store::sqlite::Migration>& AuditMigrations() {
  static const std::vector<store::sqlite::Migration> migrations = {
      {1, "audit log", R"SQL(
CREATE TABLE records (
  leaf_index    INTEGER PRIMARY KEY,
  time_us       INTEGER NOT NULL,
  actor_id      INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  action        TEXT NOT NULL,
  decision      TEXT NOT NULL,
  grant_id      TEXT NOT NULL,
  encoded       TEXT NOT NULL,
  leaf_hash     TEXT NOT NULL
);
CREATE INDEX records_time ON records(time_us);
CREATE INDEX records_actor ON records(actor_id);
CREATE TABLE tree_heads (
  tree_size    INTEGER PRIMARY KEY,
  root         TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  signature    TEXT NOT NULL
);
-- Append-only: the platform never updates or deletes a record or a head.
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER heads_no_update BEFORE UPDATE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
CREATE TRIGGER heads_no_delete BEFORE DELETE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
)SQL"},
      // The record bytes and leaf hash as BLOBs instead of hex TEXT: half the bytes to write, copy and checkpoint per
      // append, and no hex encoding on the hot path. The rows are copied over unchanged in content (hex decoded), so
      // every leaf hash, tree head and receipt stays valid.
      {2, "audit records as blobs", R"SQL(
DROP TRIGGER records_no_update;
DROP TRIGGER records_no_delete;
ALTER TABLE records RENAME TO records_hex;
CREATE TABLE records (
  leaf_index    INTEGER PRIMARY KEY,
  time_us       INTEGER NOT NULL,
  actor_id      INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  action        TEXT NOT NULL,
  decision      TEXT NOT NULL,
  grant_id      TEXT NOT NULL,
  encoded       BLOB NOT NULL,
  leaf_hash     BLOB NOT NULL
);
)SQL",
       [](Connection& c) {
         CopyHexRecordsAsBlobs(c);
         c.Exec(R"SQL(
DROP TABLE records_hex;
CREATE INDEX records_time ON records(time_us);
CREATE INDEX records_actor ON records(actor_id);
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
)SQL");
       }},
      // Data calls per day for the dashboard, kept with the records in the same transaction, so that the chart reads
      // a row per day instead of scanning every record of the period. Derived data: not part of the tree, and
      // recomputed from the records here for a log that predates it.
      {3, "data calls per day", R"SQL(
CREATE TABLE data_calls_per_day (
  day     INTEGER PRIMARY KEY,  -- days since 1970-01-01 at +08:00
  allowed INTEGER NOT NULL,
  denied  INTEGER NOT NULL
);
INSERT INTO data_calls_per_day(day, allowed, denied)
  SELECT (time_us + 28800000000) / 86400000000 AS d, SUM(decision = 'allow'), SUM(decision = 'deny') FROM records
  WHERE action LIKE '% /api/v1/data/%' AND decision IN ('allow', 'deny') GROUP BY d;
)SQL"},
  };
  return migrations;
}

constexpr std::int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr std::int64_t kChinaOffsetUs = 8LL * 3600 * 1000000;  // days begin at midnight +08:00

/// The day (since 1970-01-01, +08:00) of a time in microseconds.
std::int64_t DayOf(std::int64_t time_us) { return (time_us + kChinaOffsetUs) / kMicrosPerDay; }

/// Whether a record is one call of the data API: its routes (lookup, verify, query, export, changes) are audited with
/// one outcome record per call (AuditPolicy::kOutcome), allow or deny; a streamed export adds a closing record
/// (complete/incomplete), which is not a call.
bool IsDataCall(std::string_view action, std::string_view decision) {
  return (decision == "allow" || decision == "deny") && action.find(" /api/v1/data/") != std::string_view::npos;
}

std::optional<std::string> HexToBytes(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  if (hex.size() % 2 != 0 || sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                                            hex.size(), nullptr, &len, nullptr) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string_view View(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

/// A stored leaf hash (32 bytes), or nullopt if it is not one.
std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != std::tuple_size_v<Hash>) return std::nullopt;
  Hash h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Loads the signing key, creating it (mode 0600) on first use.
Status LoadOrCreateKey(const std::string& path, std::string& secret, std::string& public_hex) {
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto bytes = HexToBytes(hex);
    if (!bytes || bytes->size() != crypto_sign_SECRETKEYBYTES) {
      return Status::Unavailable("audit_key_invalid", fmt::format("{} is not an Ed25519 secret key", path));
    }
    sk = *bytes;
    crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(pk.data()),
                                 reinterpret_cast<const unsigned char*>(sk.data()));
  } else {
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(pk.data()), reinterpret_cast<unsigned char*>(sk.data()));
    GOVSHARE_RETURN_IF_ERROR(common::WriteFileDurably(path, ToHex(sk) + "\n"));
    ::chmod(path.c_str(), 0600);
  }
  secret = sk;
  public_hex = ToHex(pk);
  return Status::Ok();
}

Status Inconsistent(std::ostream& report, const std::string& what) {
  report << "FAIL: " << what << "\n";
  return Status::Unprocessable("audit_inconsistent", what);
}

}  // namespace

std::string TreeHeadMessage(std::uint64_t tree_size, const Hash& root, std::int64_t timestamp_ms) {
  return fmt::format("govshare-sth-v1\n{}\n{}\n{}", tree_size, ToHex(root), timestamp_ms);
}

bool VerifyTreeHead(const SignedTreeHead& head, const std::string& public_key_hex) {
  auto pk = HexToBytes(public_key_hex);
  auto sig = HexToBytes(head.signature_hex);
  if (!pk || !sig || pk->size() != crypto_sign_PUBLICKEYBYTES || sig->size() != crypto_sign_BYTES) return false;
  const std::string msg = TreeHeadMessage(head.tree_size, head.root, head.timestamp_ms);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     reinterpret_cast<const unsigned char*>(pk->data())) == 0;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& data_dir, const common::Clock& clock) {
  std::unique_ptr<AuditLog> log(new AuditLog());
  log->clock_ = &clock;
  GOVSHARE_RETURN_IF_ERROR(LoadOrCreateKey(data_dir + "/audit.key", log->secret_key_, log->public_key_hex_));
  store::sqlite::Database::Options options;
  options.path = data_dir + "/audit.db";
  options.page_size = kPageSize;
  auto db = store::sqlite::Database::Open(options, AuditMigrations());
  if (!db.ok()) return db.status();
  log->db_ = std::move(db.value());
  // Rebuild the tree from the stored leaf hashes (O(n) at start-up; the records themselves are checked by Verify).
  GOVSHARE_RETURN_IF_ERROR(log->db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT leaf_index, leaf_hash FROM records ORDER BY leaf_index");
    while (s.Step()) {
      auto h = HashFromBytes(s.Blob(1));
      if (!h || static_cast<std::uint64_t>(s.Int(0)) != log->tree_.size()) {
        return Status::Unavailable("audit_inconsistent", "the audit log is damaged: run govshare audit verify");
      }
      log->tree_.Append(*h);
    }
    auto head =
        c.Prepare("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1");
    if (head.Step()) {
      auto root = FromHex(head.Text(1));
      if (root.ok()) {
        log->latest_head_ =
            SignedTreeHead{static_cast<std::uint64_t>(head.Int(0)), root.value(), head.Int(2), head.Text(3)};
      }
    }
    return Status::Ok();
  }));
  log->next_index_ = log->tree_.size();
  return log;
}

AuditLog::~AuditLog() {
  std::unique_lock lock(queue_mutex_);
  stopping_ = true;
  gather_cv_.notify_all();
  // Every record queued before is committed (or failed) before the database closes.
  drained_cv_.wait(lock, [this] { return !draining_; });
}

namespace {

Status AuditUnavailable() {
  return Status::Unavailable("audit_unavailable", "the audit record could not be made durable");
}

}  // namespace

Result<std::uint64_t> AuditLog::Append(const AuditRecord& record) {
  // The callback owns the promise, so the shared state outlives the writer's set_value even after this returns.
  auto promise = std::make_shared<std::promise<Result<std::uint64_t>>>();
  auto result = promise->get_future();
  AppendAsync(record, [promise](Result<std::uint64_t> r) { promise->set_value(std::move(r)); });
  return result.get();
}

void AuditLog::AppendAsync(const AuditRecord& record, AppendCallback done) {
  if (fail_appends_ || out_of_step_) {
    done(AuditUnavailable());
    return;
  }
  // Encoding and hashing happen here, on the caller's thread, so that the writer only inserts.
  PendingRecord pending;
  pending.time_us = record.time_us;
  pending.actor_id = record.actor_id;
  pending.department_id = record.department_id;
  pending.action = record.action;
  pending.decision = record.decision;
  pending.grant_id = record.grant_id;
  pending.encoded = Encode(record);
  pending.leaf = LeafHash(pending.encoded);
  pending.done = std::move(done);
  bool schedule = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_ && queue_.size() < kMaxQueued) {
      queue_.push_back(std::move(pending));
      pending.done = nullptr;
      schedule = !std::exchange(draining_, true);
    }
  }
  if (pending.done) {
    pending.done(AuditUnavailable());
    return;
  }
  if (schedule) ScheduleDrain();
}

void AuditLog::ScheduleDrain() {
  db_->WriteAsync([this](Connection& c) { return Drain(c); }, [this](const Status& written) { AfterDrain(written); });
}

Status AuditLog::Drain(Connection& c) {
  drain_ran_ = true;
  {
    std::unique_lock lock(queue_mutex_);
    // Gathering (PostgreSQL's commit_delay): when the last batch showed appenders arriving together and fewer records
    // wait now, the writer gives the others a moment to arrive, so that one commit and one fdatasync serve all of them.
    // A lone appender (last batch of one) never waits. The appenders do not wake the writer; it sleeps out the wait.
    const auto wait = std::chrono::microseconds(commit_wait_us_.load());
    if (wait.count() > 0 && last_batch_ > 1 && queue_.size() < last_batch_ && !stopping_) {
      gather_cv_.wait_for(lock, wait, [this] { return stopping_; });
    }
    const auto take = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxBatch));
    inflight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + take));
    queue_.erase(queue_.begin(), queue_.begin() + take);
  }
  last_batch_ = inflight_.size();
  if (const auto delay = commit_delay_ms_.load(); delay > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  const std::uint64_t first = next_index_;
  {
    // Once per batch, not per record: the file must end exactly where the tree ends, so that the counter can never
    // reuse or skip an index, even after a commit whose outcome the process could not know.
    auto end = c.Prepare("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM records");
    end.Step();
    if (static_cast<std::uint64_t>(end.Int(0)) != first) {
      spdlog::error("audit.db ends at {} but the tree at {}: refusing every append until a restart rebuilds the tree",
                    end.Int(0), first);
      out_of_step_ = true;
      return Status::Internal("the audit store is out of step with its tree");
    }
  }
  // One statement for the whole batch; the values are bound without copying (the batch outlives the statement).
  auto insert = c.Prepare(
      "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
      "leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    const PendingRecord& r = inflight_[i];
    insert.Bind(1, static_cast<std::int64_t>(first + i))
        .Bind(2, r.time_us)
        .Bind(3, r.actor_id)
        .Bind(4, r.department_id)
        .BindTextNoCopy(5, r.action)
        .BindTextNoCopy(6, r.decision)
        .BindTextNoCopy(7, r.grant_id)
        .BindBlobNoCopy(8, r.encoded)
        .BindBlobNoCopy(9, View(r.leaf))
        .Run();
    insert.Reset();
  }
  CountDataCalls(c);
  return Status::Ok();
}

void AuditLog::CountDataCalls(Connection& c) {
  std::optional<std::int64_t> day;
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
  auto flush = [&] {
    if (!day || allowed + denied == 0) return;
    c.Prepare(
         "INSERT INTO data_calls_per_day(day, allowed, denied) VALUES (?, ?, ?) ON CONFLICT(day) DO UPDATE SET "
         "allowed = allowed + excluded.allowed, denied = denied + excluded.denied")
        .Bind(1, *day)
        .Bind(2, allowed)
        .Bind(3, denied)
        .Run();
    allowed = denied = 0;
  };
  for (const PendingRecord& r : inflight_) {
    if (!IsDataCall(r.action, r.decision)) continue;
    const std::int64_t d = DayOf(r.time_us);
    if (day != d) {
      flush();
      day = d;
    }
    (r.decision == "allow" ? allowed : denied) += 1;
  }
  flush();
}

void AuditLog::AfterDrain(const Status& written) {
  const std::uint64_t first = next_index_;
  if (written.ok()) {
    std::unique_lock lock(tree_mutex_);
    for (const auto& r : inflight_) tree_.Append(r.leaf);
    next_index_ = first + inflight_.size();
  } else if (!inflight_.empty()) {
    spdlog::error("audit: a batch of {} records could not be made durable: {}", inflight_.size(), written.ToString());
  }
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    if (written.ok()) {
      inflight_[i].done(first + i);
    } else {
      inflight_[i].done(AuditUnavailable());
    }
  }
  inflight_.clear();
  // The database refused the job without running it (it is closing): nothing queued can be made durable any more.
  std::deque<PendingRecord> refused;
  bool again = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (!std::exchange(drain_ran_, false)) refused.swap(queue_);
    again = !queue_.empty();
    if (!again) {
      draining_ = false;
      drained_cv_.notify_all();
    }
  }
  for (auto& r : refused) r.done(AuditUnavailable());
  if (again) ScheduleDrain();
}

Status AuditLog::SignNewHead() {
  SignedTreeHead head;
  {
    std::shared_lock lock(tree_mutex_);
    head.tree_size = tree_.size();
    if (head.tree_size == 0 || (latest_head_ && latest_head_->tree_size == head.tree_size)) return Status::Ok();
    head.root = tree_.Root(head.tree_size).value();
  }
  head.timestamp_ms = NowMs();
  const std::string msg = TreeHeadMessage(head.tree_size, head.root, head.timestamp_ms);
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  head.signature_hex = ToHex(sig);
  GOVSHARE_RETURN_IF_ERROR(db_->Write([&](Connection& c) {
    c.Prepare("INSERT OR IGNORE INTO tree_heads(tree_size, root, timestamp_ms, signature) VALUES (?, ?, ?, ?)")
        .Bind(1, static_cast<std::int64_t>(head.tree_size))
        .Bind(2, ToHex(head.root))
        .Bind(3, head.timestamp_ms)
        .Bind(4, head.signature_hex)
        .Run();
    return Status::Ok();
  }));
  std::unique_lock lock(tree_mutex_);
  if (!latest_head_ || latest_head_->tree_size < head.tree_size) latest_head_ = head;
  return Status::Ok();
}

std::uint64_t AuditLog::size() const {
  std::shared_lock lock(tree_mutex_);
  return tree_.size();
}

std::optional<SignedTreeHead> AuditLog::LatestHead() const {
  std::shared_lock lock(tree_mutex_);
  return latest_head_;
}

Result<std::vector<Hash>> AuditLog::InclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size) const {
  std::shared_lock lock(tree_mutex_);
  return tree_.InclusionProof(leaf_index, tree_size);
}

Result<std::vector<Hash>> AuditLog::ConsistencyProof(std::uint64_t first, std::uint64_t second) const {
  std::shared_lock lock(tree_mutex_);
  return tree_.ConsistencyProof(first, second);
}

namespace {

Result<StoredRecord> ReadStored(const store::sqlite::Statement& s) {
  auto record = Decode(s.Blob(1));
  if (!record.ok()) return Status::Unavailable("audit_inconsistent", "a stored record does not decode");
  auto leaf = HashFromBytes(s.Blob(2));
  if (!leaf) return Status::Unavailable("audit_inconsistent", "a stored leaf hash is not 32 bytes");
  return StoredRecord{static_cast<std::uint64_t>(s.Int(0)), record.value(), *leaf};
}

}  // namespace

Result<StoredRecord> AuditLog::Get(std::uint64_t leaf_index) {
  std::optional<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index = ?");
    s.Bind(1, static_cast<std::int64_t>(leaf_index));
    if (!s.Step()) return Status::Ok();
    auto r = ReadStored(s);
    if (!r.ok()) return r.status();
    out = std::move(r.value());
    return Status::Ok();
  }));
  if (!out) return Status::NotFound(fmt::format("no audit record {}", leaf_index));
  return *out;
}

Result<std::vector<StoredRecord>> AuditLog::List(const RecordFilter& f, std::uint64_t after, int limit) {
  std::vector<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    // Built once: the statement cache is keyed by the SQL text.
    static const std::string kFilters =
        "(?2 IS NULL OR time_us >= ?2) AND (?3 IS NULL OR time_us <= ?3) AND (?4 IS NULL OR actor_id = ?4) "
        "AND (?5 IS NULL OR department_id = ?5) AND (?6 IS NULL OR action = ?6) AND (?7 IS NULL OR decision = ?7) "
        "AND (?8 IS NULL OR grant_id = ?8)";
    static const std::string kOldestFirst =
        "SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index >= ?1 AND " + kFilters +
        " ORDER BY leaf_index LIMIT ?9";
    static const std::string kNewestFirst =
        "SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index <= ?1 AND " + kFilters +
        " ORDER BY leaf_index DESC LIMIT ?9";
    auto s = c.Prepare(f.newest_first ? kNewestFirst : kOldestFirst);
    s.Bind(1, static_cast<std::int64_t>(after))
        .Bind(2, f.from_us)
        .Bind(3, f.to_us)
        .Bind(4, f.actor_id)
        .Bind(5, f.department_id)
        .Bind(6, f.action)
        .Bind(7, f.decision)
        .Bind(8, f.grant_id)
        .Bind(9, limit);
    while (s.Step()) {
      auto r = ReadStored(s);
      if (!r.ok()) return r.status();
      out.push_back(std::move(r.value()));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<DailyCalls>> AuditLog::CountDataCallsPerDay(std::int64_t now_us, int days) {
  const std::int64_t today = DayOf(now_us);
  const std::int64_t first = today - days + 1;
  std::vector<DailyCalls> out(static_cast<std::size_t>(std::max(days, 0)));
  for (int i = 0; i < days; ++i) {
    out[static_cast<std::size_t>(i)].date = common::FormatDate((first + i) * 86400 + 4 * 3600);  // noon +08:00
  }
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT day, allowed, denied FROM data_calls_per_day WHERE day BETWEEN ? AND ?");
    s.Bind(1, first).Bind(2, today);
    while (s.Step()) {
      auto& day = out[static_cast<std::size_t>(s.Int(0) - first)];
      day.allowed = s.Int(1);
      day.denied = s.Int(2);
    }
    return Status::Ok();
  }));
  return out;
}

Status AuditLog::Verify(const std::string& data_dir, std::ostream& report) {
  GOVSHARE_RETURN_IF_ERROR(common::InitCrypto());
  std::string secret;
  std::string public_hex;
  if (!std::filesystem::exists(data_dir + "/audit.key") || !std::filesystem::exists(data_dir + "/audit.db")) {
    return Inconsistent(report, fmt::format("{} has no audit log (audit.db and audit.key)", data_dir));
  }
  GOVSHARE_RETURN_IF_ERROR(LoadOrCreateKey(data_dir + "/audit.key", secret, public_hex));
  MerkleTree tree;
  try {
    Connection c(data_dir + "/audit.db", Connection::Mode::kReadOnly, 5000);
    // Verify only reads: a file that no binary has migrated yet (schema 1) still has the bytes as hex text.
    auto version = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    const bool hex = version.Step() && version.Int(0) < kBlobSchemaVersion;
    auto s = c.Prepare("SELECT leaf_index, encoded, leaf_hash FROM records ORDER BY leaf_index");
    while (s.Step()) {
      const auto index = static_cast<std::uint64_t>(s.Int(0));
      if (index != tree.size()) {
        return Inconsistent(report, fmt::format("record {} is missing (next stored index is {})", tree.size(), index));
      }
      auto bytes = hex ? HexToBytes(s.Text(1)) : std::optional<std::string>(s.Blob(1));
      if (!bytes || !Decode(*bytes).ok()) {
        return Inconsistent(report, fmt::format("record {} is not a canonical record", index));
      }
      const Hash leaf = LeafHash(*bytes);
      const auto stored = hex ? HexToBytes(s.Text(2)) : std::optional<std::string>(s.Blob(2));
      if (!stored || *stored != View(leaf)) {
        return Inconsistent(report, fmt::format("record {} does not match its stored leaf hash", index));
      }
      tree.Append(leaf);
    }
    report << "records: " << tree.size() << "\n";
    auto heads = c.Prepare("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size");
    std::uint64_t checked = 0;
    while (heads.Step()) {
      const auto size = static_cast<std::uint64_t>(heads.Int(0));
      auto root = FromHex(heads.Text(1));
      if (!root.ok()) return Inconsistent(report, fmt::format("tree head {} has a malformed root", size));
      const SignedTreeHead head{size, root.value(), heads.Int(2), heads.Text(3)};
      if (!VerifyTreeHead(head, public_hex)) {
        return Inconsistent(report, fmt::format("tree head of size {} has an invalid signature", size));
      }
      if (size > tree.size()) {
        return Inconsistent(report, fmt::format("tree head of size {} covers records that are missing (only {} stored)",
                                                size, tree.size()));
      }
      if (tree.Root(size).value() != head.root) {
        return Inconsistent(
            report, fmt::format("tree head of size {} does not match the stored records: history was rewritten", size));
      }
      ++checked;
    }
    report << "signed tree heads checked: " << checked << "\n";
    report << "root: " << ToHex(tree.Root(tree.size()).value()) << "\n";
  } catch (const store::sqlite::SqliteError& e) {
    return Inconsistent(report, fmt::format("cannot read the audit database: {}", e.what()));
  }
  report << "OK\n";
  return Status::Ok();
}

}  // namespace govshare::audit
