#include "store/pg/audit_store_pg.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace govshare::store::pg {

using audit::SignedTreeHead;
using audit::StoredRecord;
using audit::detail::Batch;
using audit::detail::CommittedBatch;
using audit::detail::DayCount;
using audit::detail::Leaves;
using audit::detail::PendingRecord;
using common::Result;
using common::Status;

namespace {

/// Records read per query by Verify: memory stays bounded however long the log is.
constexpr std::int64_t kVerifyPage = 10000;

/// The leaves stored from `from` on (up to `until`, excluded, if given), in index order. Committed batches are a
/// contiguous prefix of the indexes (each takes the frontier row, and all its records commit at once), so the leaves
/// below a frontier this connection has seen are all there. A one-shot statement (Connection::Query): planned for
/// its values on every run, never a generic plan made while the log was nearly empty (a sequential scan, kept as the
/// log grew: every batch then read the whole log, and the two-node benchmark lost 70% of its rate in 30 seconds).
Leaves ReadLeavesOn(Connection& c, std::uint64_t from, std::optional<std::uint64_t> until = std::nullopt) {
  Leaves out{from, {}};
  if (until && *until <= from) return out;
  auto s = c.Query(
      "SELECT leaf_index, encode(leaf_hash, 'hex') FROM audit_records WHERE leaf_index >= $1::bigint AND ($2::bigint "
      "IS NULL OR leaf_index < $2::bigint) ORDER BY leaf_index");
  s.Bind(1, static_cast<std::int64_t>(from));
  if (until) {
    s.Bind(2, static_cast<std::int64_t>(*until));
  } else {
    s.BindNull(2);
  }
  while (s.Step()) {
    auto h = audit::FromHex(s.TextView(1));
    if (!h.ok() || static_cast<std::uint64_t>(s.Int(0)) != from + out.hashes.size()) {
      throw PgError("", "the audit log is damaged (a leaf hash or index): run govshare audit verify");
    }
    out.hashes.push_back(h.value());
  }
  if (until && out.from + out.hashes.size() != *until) {
    throw PgError("",
                  fmt::format("audit_records end at {} but the frontier is {}", out.from + out.hashes.size(), *until));
  }
  return out;
}

/// A record row (leaf_index, hex encoded, hex leaf_hash) as a StoredRecord.
Result<StoredRecord> ReadStored(const Statement& s) {
  const auto encoded = audit::detail::HexToBytes(s.TextView(1));
  const auto leaf = audit::detail::HexToBytes(s.TextView(2));
  if (!encoded || !leaf) return Status::Unavailable("audit_inconsistent", "a stored record is not readable");
  return audit::detail::ToStoredRecord(static_cast<std::uint64_t>(s.Int(0)), *encoded, *leaf);
}

/// Runs `body` between BEGIN (`begin` is the statement) and COMMIT on `c`; rolls back and rethrows on a PgError.
template <typename Body>
void InTransaction(Connection& c, std::string_view begin, Body&& body) {
  c.Exec(begin);
  try {
    body();
    if (c.Exec("COMMIT") != "COMMIT") throw PgError("", "the audit transaction was rolled back");
  } catch (const PgError&) {
    if (c.healthy()) c.Exec("ROLLBACK");
    throw;
  }
}

}  // namespace

PgAuditStore::PgAuditStore(Database& db) : db_(db), writer_([this] { RunWriter(); }) {}

PgAuditStore::~PgAuditStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void PgAuditStore::RunWriter() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

void PgAuditStore::WriteBatchAsync(TakeBatch take, BatchDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      jobs_.push_back([this, take = std::move(take), done = std::move(done)] { done(WriteBatch(take())); });
      wake_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("audit_unavailable", "the audit store is closing"));
}

Status PgAuditStore::WithFrontier(std::uint64_t known_size,
                                  const std::function<std::uint64_t(Connection&, std::uint64_t, const Leaves&)>& body) {
  const Status status = db_.Read([&](Connection& c) {
    // READ COMMITTED, not SERIALIZABLE as Database::Write: the row lock already orders the transactions, and once it is
    // granted each statement sees what the previous holders committed. Under SERIALIZABLE the waiting node would fail
    // with a serialization error instead and retry.
    InTransaction(c, "BEGIN ISOLATION LEVEL READ COMMITTED", [&] {
      auto lock = c.Prepare("SELECT next_index FROM audit_frontier FOR UPDATE");
      if (!lock.Step()) throw PgError("", "audit_frontier has no row");
      const auto frontier = static_cast<std::uint64_t>(lock.Int(0));
      if (frontier < known_size) {
        throw PgError("", fmt::format("the audit frontier ({}) is behind this node's tree ({})", frontier, known_size));
      }
      // Other nodes' leaves since this node's tree (none when it wrote the last batch itself).
      const Leaves others = ReadLeavesOn(c, known_size, frontier);
      const std::uint64_t next = body(c, frontier, others);
      if (next != frontier) {
        c.Prepare("UPDATE audit_frontier SET next_index = $1::bigint").Bind(1, static_cast<std::int64_t>(next)).Run();
      }
    });
    return Status::Ok();
  });
  healthy_ = status.ok();
  if (status.ok()) ++commits_;
  return status;
}

Result<CommittedBatch> PgAuditStore::WriteBatch(const Batch& batch) {
  // One statement for the whole batch, committed on its own (autocommit, READ COMMITTED): it takes the frontier row
  // (waiting while another node's batch holds it, then reading the row as that batch committed it), moves it on by
  // the batch's size and inserts the records numbered from where it stood, with the day counts; the columns travel as
  // arrays and are unnested server-side. The row is held for one statement and its commit only, so the batches of
  // several nodes follow each other closely. A frontier behind this node's tree updates nothing and inserts nothing.
  static constexpr std::string_view kAppend =
      "WITH f AS (UPDATE audit_frontier SET next_index = next_index + $1::bigint WHERE next_index >= $2::bigint "
      "RETURNING next_index - $1::bigint AS first), "
      "records AS (INSERT INTO audit_records(leaf_index, time_us, actor_id, department_id, action, decision, "
      "grant_id, encoded, leaf_hash) SELECT f.first + r.n - 1, r.time_us, r.actor_id, r.department_id, r.action, "
      "r.decision, r.grant_id, decode(r.encoded, 'hex'), decode(r.leaf_hash, 'hex') FROM f, unnest($3::bigint[], "
      "$4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS "
      "r(time_us, actor_id, department_id, action, decision, grant_id, encoded, leaf_hash, n)), "
      "days AS (INSERT INTO audit_data_calls_per_day(day, allowed, denied) SELECT d.day, d.allowed, d.denied FROM f, "
      "unnest($11::bigint[], $12::bigint[], $13::bigint[]) AS d(day, allowed, denied) ON CONFLICT (day) DO UPDATE "
      "SET allowed = audit_data_calls_per_day.allowed + excluded.allowed, denied = audit_data_calls_per_day.denied + "
      "excluded.denied) "
      "SELECT first FROM f";
  std::vector<std::string> time_us, actor_id, department_id, action, decision, grant_id, encoded, leaf;
  for (auto* column : {&time_us, &actor_id, &department_id, &action, &decision, &grant_id, &encoded, &leaf}) {
    column->reserve(batch.records.size());
  }
  for (const PendingRecord& r : batch.records) {
    time_us.push_back(std::to_string(r.time_us));
    actor_id.push_back(std::to_string(r.actor_id));
    department_id.push_back(std::to_string(r.department_id));
    action.push_back(r.action);
    decision.push_back(r.decision);
    grant_id.push_back(r.grant_id);
    encoded.push_back(audit::ToHex(r.encoded));
    leaf.push_back(audit::ToHex(r.leaf));
  }
  std::vector<std::string> day, allowed, denied;
  for (const DayCount& d : audit::detail::CountDataCalls(batch.records)) {
    day.push_back(std::to_string(d.day));
    allowed.push_back(std::to_string(d.allowed));
    denied.push_back(std::to_string(d.denied));
  }
  CommittedBatch out;
  const Status status = db_.Read([&](Connection& c) {
    auto append = c.Prepare(kAppend);
    append.Bind(1, static_cast<std::int64_t>(batch.records.size()))
        .Bind(2, static_cast<std::int64_t>(batch.known_size))
        .Bind(3, std::optional(time_us))
        .Bind(4, std::optional(actor_id))
        .Bind(5, std::optional(department_id))
        .Bind(6, std::optional(action))
        .Bind(7, std::optional(decision))
        .Bind(8, std::optional(grant_id))
        .Bind(9, std::optional(encoded))
        .Bind(10, std::optional(leaf))
        .Bind(11, std::optional(day))
        .Bind(12, std::optional(allowed))
        .Bind(13, std::optional(denied));
    if (!append.Step()) {
      throw PgError("", fmt::format("the audit frontier is behind this node's tree ({})", batch.known_size));
    }
    const auto first = static_cast<std::uint64_t>(append.Int(0));
    // The leaves between this node's tree and the batch: other nodes' batches, committed before this one took the row.
    out = CommittedBatch{ReadLeavesOn(c, batch.known_size, first), first};
    return Status::Ok();
  });
  healthy_ = status.ok();
  if (!status.ok()) return status;
  ++commits_;
  return out;
}

Status PgAuditStore::WriteHead(std::uint64_t known_size, const MakeHead& make) {
  return WithFrontier(known_size, [&](Connection& c, std::uint64_t frontier, const Leaves& stored) {
    // One-shot statements for the heads too: a head is added every second, a plan made on the empty table is kept.
    auto latest = c.Query("SELECT COALESCE(MAX(tree_size), 0) FROM audit_tree_heads");
    latest.Step();
    const auto head = make(stored, static_cast<std::uint64_t>(latest.Int(0)));
    if (head) {
      c.Prepare(
           "INSERT INTO audit_tree_heads(tree_size, root, timestamp_ms, signature) VALUES ($1::bigint, $2::text, "
           "$3::bigint, $4::text) ON CONFLICT (tree_size) DO NOTHING")
          .Bind(1, static_cast<std::int64_t>(head->tree_size))
          .Bind(2, audit::ToHex(head->root))
          .Bind(3, head->timestamp_ms)
          .Bind(4, head->signature_hex)
          .Run();
    }
    return frontier;
  });
}

Result<Leaves> PgAuditStore::ReadLeaves(std::uint64_t from) {
  Leaves out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    out = ReadLeavesOn(c, from);
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<SignedTreeHead>> PgAuditStore::ReadLatestHead() {
  std::optional<SignedTreeHead> out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    auto head = c.Query(
        "SELECT tree_size, root, timestamp_ms, signature FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1");
    if (head.Step()) {
      auto root = audit::FromHex(head.TextView(1));
      if (root.ok()) {
        out = SignedTreeHead{static_cast<std::uint64_t>(head.Int(0)), root.value(), head.Int(2), head.Text(3)};
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<StoredRecord>> PgAuditStore::Get(std::uint64_t leaf_index) {
  std::optional<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    auto s = c.Query(
        "SELECT leaf_index, encode(encoded, 'hex'), encode(leaf_hash, 'hex') FROM audit_records WHERE leaf_index = "
        "$1::bigint");
    s.Bind(1, static_cast<std::int64_t>(leaf_index));
    if (!s.Step()) return Status::Ok();
    auto r = ReadStored(s);
    if (!r.ok()) return r.status();
    out = std::move(r.value());
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StoredRecord>> PgAuditStore::List(const audit::RecordFilter& f, std::uint64_t after, int limit) {
  std::vector<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    // Built once: the statement cache is keyed by the SQL text.
    static const std::string kFilters =
        "($2::bigint IS NULL OR time_us >= $2) AND ($3::bigint IS NULL OR time_us <= $3) AND ($4::bigint IS NULL OR "
        "actor_id = $4) AND ($5::bigint IS NULL OR department_id = $5) AND ($6::text IS NULL OR action = $6) AND "
        "($7::text IS NULL OR decision = $7) AND ($8::text IS NULL OR grant_id = $8)";
    static const std::string kColumns = "SELECT leaf_index, encode(encoded, 'hex'), encode(leaf_hash, 'hex') ";
    static const std::string kOldestFirst = kColumns + "FROM audit_records WHERE leaf_index >= $1::bigint AND " +
                                            kFilters + " ORDER BY leaf_index LIMIT $9::bigint";
    static const std::string kNewestFirst = kColumns + "FROM audit_records WHERE leaf_index <= $1::bigint AND " +
                                            kFilters + " ORDER BY leaf_index DESC LIMIT $9::bigint";
    // Planned for its values every run: which filters are set decides the best index.
    auto s = c.Query(f.newest_first ? kNewestFirst : kOldestFirst);
    audit::detail::BindListParameters(s, f, after, limit);
    while (s.Step()) {
      auto r = ReadStored(s);
      if (!r.ok()) return r.status();
      out.push_back(std::move(r.value()));
    }
    return Status::Ok();
  }));
  return out;
}

Status PgAuditStore::ReadDataCalls(std::int64_t first_day, std::int64_t last_day,
                                   const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& row) {
  return db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT day, allowed, denied FROM audit_data_calls_per_day WHERE day BETWEEN $1::bigint AND $2::bigint");
    s.Bind(1, first_day).Bind(2, last_day);
    while (s.Step()) row(s.Int(0), s.Int(1), s.Int(2));
    return Status::Ok();
  });
}

Result<std::optional<std::string>> PgAuditStore::RegisteredKey(Database& db) {
  std::optional<std::string> out;
  GOVSHARE_RETURN_IF_ERROR(db.Read([&](Connection& c) {
    auto s = c.Prepare("SELECT public_key FROM audit_public_key");
    if (s.Step()) out = s.Text(0);
    return Status::Ok();
  }));
  return out;
}

Status PgAuditStore::RegisterKey(Database& db, const std::string& public_key_hex, const std::string& key_path) {
  std::string registered;
  GOVSHARE_RETURN_IF_ERROR(db.Write([&](Connection& c) {
    c.Prepare("INSERT INTO audit_public_key(public_key) VALUES ($1::text) ON CONFLICT DO NOTHING")
        .Bind(1, public_key_hex)
        .Run();
    auto s = c.Prepare("SELECT public_key FROM audit_public_key");
    registered = s.Step() ? s.Text(0) : std::string();
    return Status::Ok();
  }));
  if (registered == public_key_hex) return Status::Ok();
  return Status::Unavailable(
      "audit_key_mismatch",
      fmt::format("{} holds another key than the one the audit log in PostgreSQL is signed with (public key {}): "
                  "every node must sign with the same key; copy audit.key from an existing node to {}",
                  key_path, registered, key_path));
}

Status PgAuditStore::Verify(Database& db, std::ostream& report) {
  Status outcome;
  const Status read = db.Read([&](Connection& c) {
    // One snapshot for the whole check: a head committed while the records are read must not seem to cover missing
    // records.
    InTransaction(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [&] { outcome = VerifyOn(c, report); });
    return Status::Ok();
  });
  if (!read.ok()) {
    return audit::detail::LogChecker("", report).Fail(fmt::format("cannot read the audit log: {}", read.ToString()));
  }
  return outcome;
}

Status PgAuditStore::VerifyOn(Connection& c, std::ostream& report) {
  auto key = c.Prepare("SELECT public_key FROM audit_public_key");
  audit::detail::LogChecker checker(key.Step() ? key.Text(0) : std::string(), report);
  // A page at a time, so that memory stays bounded however long the log is.
  for (std::int64_t last = -1, rows = kVerifyPage; rows == kVerifyPage;) {
    auto page = c.Query(
        "SELECT leaf_index, encode(encoded, 'hex'), encode(leaf_hash, 'hex') FROM audit_records WHERE leaf_index > "
        "$1::bigint ORDER BY leaf_index LIMIT $2::bigint");
    page.Bind(1, last).Bind(2, kVerifyPage);
    rows = 0;
    while (page.Step()) {
      ++rows;
      last = page.Int(0);
      GOVSHARE_RETURN_IF_ERROR(checker.AddRecord(static_cast<std::uint64_t>(last),
                                                 audit::detail::HexToBytes(page.TextView(1)),
                                                 audit::detail::HexToBytes(page.TextView(2))));
    }
  }
  checker.EndRecords();
  auto heads = c.Prepare("SELECT tree_size, root, timestamp_ms, signature FROM audit_tree_heads ORDER BY tree_size");
  while (heads.Step()) {
    GOVSHARE_RETURN_IF_ERROR(
        checker.CheckHead(static_cast<std::uint64_t>(heads.Int(0)), heads.Text(1), heads.Int(2), heads.Text(3)));
  }
  return checker.Finish();
}

}  // namespace govshare::store::pg
