#include "audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "audit/audit_test_records.hpp"
#include "common/crypto.hpp"
#include "store/sqlite/database.hpp"
#include "support/store_backend.hpp"

namespace govshare::audit {
namespace {

using store::sqlite::Connection;
using testing::Backend;

/// A log in a temporary data directory (audit.key, and audit.db on SQLite); on PostgreSQL (`pg_` set) in a scratch
/// database with the main migrations.
class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::InitCrypto().ok());
    std::string name = "govshare-audit-" + std::to_string(::getpid()) + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised test names hold a '/'
    dir_ = (std::filesystem::temp_directory_path() / name).string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Opens the log of this test's backend.
  common::Result<std::unique_ptr<AuditLog>> OpenLog() {
    if (pg_) return AuditLog::OpenPostgres(*pg_->pg(), dir_, clock_);
    return AuditLog::Open(dir_, clock_);
  }

  static AuditRecord Record(int i) { return TestRecord(i); }

  /// Writes `n` records with a signed head after every 10, then closes the log.
  void Fill(int n) {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(log.value()->Append(Record(i)).ok());
      if ((i + 1) % 10 == 0) {
        ASSERT_TRUE(log.value()->SignNewHead().ok());
      }
    }
    ASSERT_TRUE(log.value()->SignNewHead().ok());
  }

  /// Tampers with the closed store the way an intruder with file access could (dropping the append-only triggers).
  void Tamper(const std::string& sql) {
    Connection c(dir_ + "/audit.db", Connection::Mode::kReadWrite, 5000);
    c.Exec(
        "DROP TRIGGER IF EXISTS records_no_update; DROP TRIGGER IF EXISTS records_no_delete;"
        "DROP TRIGGER IF EXISTS heads_no_update; DROP TRIGGER IF EXISTS heads_no_delete;");
    c.Exec(sql);
  }

  std::string VerifyReport(bool expect_ok) {
    std::ostringstream report;
    const auto s = pg_ ? AuditLog::VerifyPostgres(*pg_->pg(), report) : AuditLog::Verify(dir_, report);
    EXPECT_EQ(s.ok(), expect_ok) << report.str();
    return report.str();
  }

  common::SystemClock clock_;
  std::string dir_;
  std::unique_ptr<testing::BackendDatabase> pg_;
};

/// The log's behaviour on each backend (instances .../Sqlite and .../Postgres).
class AuditLogOnBothTest : public AuditLogTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    AuditLogTest::SetUp();
    if (GetParam() == Backend::kPostgres) {
      pg_ = std::make_unique<testing::BackendDatabase>(Backend::kPostgres);
      ASSERT_TRUE(pg_->status().ok()) << pg_->status().ToString();
    }
  }
};

TEST(AuditRecord, CanonicalEncodingRoundTripsAndRejectsGarbage) {
  AuditRecord r;
  r.time_us = 42;
  r.actor_name = "王申请";
  r.fields = "name,id_number";
  r.row_count = 3;
  const auto bytes = Encode(r);
  EXPECT_EQ(bytes.substr(0, 5), "GSAR1");
  const auto back = Decode(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Encode(back.value()), bytes);
  EXPECT_FALSE(Decode(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(Decode("GSAR2").ok());
}

// Art. 25, 27, 30: records are durable, ordered, and a department can check them against a signed head offline.
TEST_P(AuditLogOnBothTest, Art30AppendsAreDurableOrderedAndProvable) {
  {
    auto log = OpenLog().value();
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&log, this, t] {
        for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->Append(Record(t * 100 + i)).ok());
      });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(log->size(), 200u);
    ASSERT_TRUE(log->SignNewHead().ok());
    const auto head = log->LatestHead().value();
    EXPECT_EQ(head.tree_size, 200u);
    EXPECT_TRUE(VerifyTreeHead(head, log->public_key_hex()));
    const auto stored = log->Get(137).value();
    const auto proof = log->InclusionProof(137, 200).value();
    EXPECT_TRUE(VerifyInclusion(stored.leaf_hash, 137, 200, proof, head.root));
    EXPECT_EQ(stored.leaf_hash, LeafHash(Encode(stored.record)));
  }
  // Reopened: the same tree, the same key.
  auto reopened = OpenLog().value();
  EXPECT_EQ(reopened->size(), 200u);
  EXPECT_EQ(reopened->LatestHead()->tree_size, 200u);
  VerifyReport(true);
}

TEST_P(AuditLogOnBothTest, AsyncAppendsAreAcknowledgedInIndexOrderAndCommittedBeforeClose) {
  constexpr int kRecords = 3000;  // more than one commit can hold
  std::mutex mutex;
  std::vector<std::uint64_t> acknowledged;
  {
    auto log = OpenLog().value();
    for (int i = 0; i < kRecords; ++i) {
      log->AppendAsync(Record(i), [&](const common::Result<std::uint64_t>& index) {
        ASSERT_TRUE(index.ok()) << index.status().ToString();
        std::lock_guard lock(mutex);
        acknowledged.push_back(index.value());
      });
    }
  }  // closing waits for every queued record
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kRecords));
  for (std::size_t i = 0; i < acknowledged.size(); ++i) ASSERT_EQ(acknowledged[i], i);
  auto reopened = OpenLog().value();
  EXPECT_EQ(reopened->size(), static_cast<std::uint64_t>(kRecords));
  EXPECT_EQ(reopened->Get(1234).value().record.request_id, "req-1234");
  VerifyReport(true);
}

/// Appends `records` without waiting and returns a function that waits until all of them are acknowledged.
class Acks {
 public:
  void Append(AuditLog& log, const AuditRecord& r) {
    {
      std::lock_guard lock(mutex_);
      ++expected_;
    }
    log.AppendAsync(r, [this](const common::Result<std::uint64_t>& index) {
      std::lock_guard lock(mutex_);
      if (index.ok()) indexes_.push_back(index.value());
      ++done_;
      cv_.notify_all();
    });
  }
  std::vector<std::uint64_t> Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return done_ == expected_; });
    return indexes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int expected_ = 0;
  int done_ = 0;
  std::vector<std::uint64_t> indexes_;
};

TEST_P(AuditLogOnBothTest, UnderConcurrentLoadTheWriterGathersRecordsIntoOneCommitButALoneAppendNeverWaits) {
  auto log = OpenLog().value();
  // A lone appender (its last batch held one record) is not held back, however long the wait is set.
  ASSERT_TRUE(log->Append(Record(0)).ok());
  log->SetCommitWait(std::chrono::seconds(10));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(log->Append(Record(1)).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "a lone append waited to gather";

  // Appenders arriving together: a slow commit of one record lets two more queue up behind it, so the next batch
  // holds two.
  log->SetCommitWait(std::chrono::microseconds(0));
  log->SetCommitDelayForTesting(std::chrono::milliseconds(100));
  Acks warmup;
  for (int i = 2; i < 5; ++i) warmup.Append(*log, Record(i));
  ASSERT_EQ(warmup.Wait().size(), 3U);
  log->SetCommitDelayForTesting(std::chrono::milliseconds(0));

  // Now the writer waits for the others: three appends in quick succession share one commit.
  log->SetCommitWait(std::chrono::milliseconds(300));
  const auto commits_before = log->commits();
  Acks burst;
  for (int i = 5; i < 8; ++i) burst.Append(*log, Record(i));
  EXPECT_EQ(burst.Wait(), (std::vector<std::uint64_t>{5, 6, 7}));
  EXPECT_EQ(log->commits() - commits_before, 1U) << "the burst was split over several commits";

  // Closing ends a gathering wait at once and still commits what was queued.
  log->SetCommitWait(std::chrono::seconds(10));
  Acks last;
  last.Append(*log, Record(8));
  const auto closing = std::chrono::steady_clock::now();
  log.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - closing, std::chrono::seconds(5));
  EXPECT_EQ(last.Wait(), (std::vector<std::uint64_t>{8}));
  EXPECT_EQ(OpenLog().value()->size(), 9U);
}

/// Data calls around midnight of 2026-11-26/27 (+08:00), and what CountDataCallsPerDay must answer for them.
class DataCalls {
 public:
  // 2026-11-26 23:59:59 and 2026-11-27 00:00:00 at +08:00 (15:59:59 and 16:00:00 UTC).
  static constexpr std::int64_t kLastSecondOf26th = 1795708799LL * 1000000;
  static constexpr std::int64_t kFirstOf27th = 1795708800LL * 1000000;

  static AuditRecord Call(AuditRecord r, std::int64_t time_us, const char* decision) {
    r.time_us = time_us;
    r.action = "GET /api/v1/data/{dataset}/records/{key}";
    r.decision = decision;
    return r;
  }

  static void ExpectCounts(AuditLog& log) {
    // "now" in the afternoon of the 27th; three days listed, oldest first, the empty 25th too.
    auto days = log.CountDataCallsPerDay(kFirstOf27th + 14LL * 3600 * 1000000, 3);
    ASSERT_TRUE(days.ok()) << days.status().ToString();
    ASSERT_EQ(days->size(), 3U);
    EXPECT_EQ((*days)[0].date, "2026-11-25");
    EXPECT_EQ((*days)[0].allowed + (*days)[0].denied, 0);
    EXPECT_EQ((*days)[1].date, "2026-11-26");
    EXPECT_EQ((*days)[1].allowed, 2);
    EXPECT_EQ((*days)[1].denied, 1);
    EXPECT_EQ((*days)[2].date, "2026-11-27");
    EXPECT_EQ((*days)[2].allowed, 1);
    EXPECT_EQ((*days)[2].denied, 0);
  }
};

TEST_P(AuditLogOnBothTest, DataCallsPerDayAreCountedAtCommitByTheChinaDay) {
  auto log = OpenLog().value();
  ASSERT_TRUE(log->Append(DataCalls::Call(Record(0), DataCalls::kLastSecondOf26th - 3600LL * 1000000, "allow")).ok());
  Acks batch;  // one batch across midnight
  batch.Append(*log, DataCalls::Call(Record(1), DataCalls::kLastSecondOf26th, "allow"));
  batch.Append(*log, DataCalls::Call(Record(2), DataCalls::kLastSecondOf26th, "deny"));
  batch.Append(*log, DataCalls::Call(Record(3), DataCalls::kFirstOf27th, "allow"));
  AuditRecord closing = DataCalls::Call(Record(4), DataCalls::kFirstOf27th, "allow");
  closing.decision = "complete";  // an export's closing record is not a call
  batch.Append(*log, closing);
  AuditRecord other = Record(5);  // not a data route
  other.time_us = DataCalls::kFirstOf27th;
  batch.Append(*log, other);
  ASSERT_EQ(batch.Wait().size(), 5U);
  DataCalls::ExpectCounts(*log);
}

TEST_F(AuditLogTest, DataCallsPerDayAreRebuiltForAnOlderLog) {
  {
    auto log = OpenLog().value();
    ASSERT_TRUE(log->Append(DataCalls::Call(Record(0), DataCalls::kLastSecondOf26th - 3600LL * 1000000, "allow")).ok());
    ASSERT_TRUE(log->Append(DataCalls::Call(Record(1), DataCalls::kLastSecondOf26th, "allow")).ok());
    ASSERT_TRUE(log->Append(DataCalls::Call(Record(2), DataCalls::kLastSecondOf26th, "deny")).ok());
    ASSERT_TRUE(log->Append(DataCalls::Call(Record(3), DataCalls::kFirstOf27th, "allow")).ok());
    AuditRecord closing = DataCalls::Call(Record(4), DataCalls::kFirstOf27th, "allow");
    closing.decision = "complete";
    ASSERT_TRUE(log->Append(closing).ok());
  }
  // A log from before the counts (schema 2) gets them computed from its records when it is opened.
  Tamper("DROP TABLE data_calls_per_day; DELETE FROM schema_migrations WHERE version > 2;");
  auto reopened = OpenLog().value();
  DataCalls::ExpectCounts(*reopened);
}

TEST_P(AuditLogOnBothTest, AFailedAppendIsReportedAndLeavesNoGap) {
  auto log = OpenLog().value();
  ASSERT_EQ(log->Append(Record(0)).value(), 0u);
  log->InjectFailureForTesting(true);
  EXPECT_FALSE(log->healthy());
  const auto failed = log->Append(Record(1));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), "audit_unavailable");
  bool called = false;
  log->AppendAsync(Record(1), [&](const common::Result<std::uint64_t>& index) {
    called = true;
    EXPECT_FALSE(index.ok());
  });
  EXPECT_TRUE(called);  // refused before queueing: answered at once, on this thread
  log->InjectFailureForTesting(false);
  EXPECT_EQ(log->Append(Record(2)).value(), 1u);
  EXPECT_EQ(log->size(), 2u);
}

// The writer counts leaf indexes itself and checks once per commit that the file ends where its tree does; a second
// writer on the file (which the platform never runs) must make appends fail closed, not fork the history.
TEST_F(AuditLogTest, AnotherWriterOnTheFileMakesAppendsFailClosed) {
  auto log = OpenLog().value();
  ASSERT_TRUE(log->Append(Record(0)).ok());
  {
    Connection rogue(dir_ + "/audit.db", Connection::Mode::kReadWrite, 5000);
    rogue.Exec(
        "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
        "leaf_hash) SELECT 1, time_us, actor_id, department_id, action, decision, grant_id, encoded, leaf_hash FROM "
        "records WHERE leaf_index = 0");
  }
  const auto refused = log->Append(Record(1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "audit_unavailable");
  EXPECT_FALSE(log->healthy());
  EXPECT_FALSE(log->Append(Record(2)).ok());
  EXPECT_EQ(log->size(), 1u);
}

TEST_F(AuditLogTest, TheStoreItselfRefusesUpdatesAndDeletes) {
  Fill(3);
  Connection c(dir_ + "/audit.db", Connection::Mode::kReadWrite, 5000);
  EXPECT_THROW(c.Exec("UPDATE records SET decision = 'allow' WHERE leaf_index = 0"), store::sqlite::SqliteError);
  EXPECT_THROW(c.Exec("DELETE FROM records WHERE leaf_index = 2"), store::sqlite::SqliteError);
}

TEST_F(AuditLogTest, VerifyDetectsAChangedByte) {
  Fill(25);
  VerifyReport(true);
  // Change record 3's decision in place and a matching leaf hash: only the signed heads can tell.
  Tamper("UPDATE records SET encoded = CAST(replace(encoded, 'deny', 'allw') AS BLOB) WHERE leaf_index = 3");
  EXPECT_NE(VerifyReport(false).find("record 3"), std::string::npos);
}

TEST_F(AuditLogTest, VerifyDetectsARecomputedLeafHashThroughTheSignedHeads) {
  Fill(25);
  // An intruder who also recomputes the leaf hash is caught by the heads' roots.
  AuditRecord forged = Record(3);
  forged.decision = "allow";
  const std::string log_bytes = Encode(forged);
  Tamper(fmt::format("UPDATE records SET encoded = X'{}', leaf_hash = X'{}' WHERE leaf_index = 3", ToHex(log_bytes),
                     ToHex(LeafHash(log_bytes))));
  EXPECT_NE(VerifyReport(false).find("history was rewritten"), std::string::npos);
}

TEST_F(AuditLogTest, VerifyDetectsADeletedRecord) {
  Fill(25);
  Tamper("DELETE FROM records WHERE leaf_index = 7");
  EXPECT_NE(VerifyReport(false).find("record 7 is missing"), std::string::npos);
}

TEST_F(AuditLogTest, VerifyDetectsSwappedRecords) {
  Fill(25);
  Tamper(
      "CREATE TEMP TABLE t AS SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index IN (4, 5);"
      "UPDATE records SET encoded = (SELECT encoded FROM t WHERE leaf_index = 5), leaf_hash = (SELECT leaf_hash FROM t "
      "WHERE leaf_index = 5) WHERE leaf_index = 4;"
      "UPDATE records SET encoded = (SELECT encoded FROM t WHERE leaf_index = 4), leaf_hash = (SELECT leaf_hash FROM t "
      "WHERE leaf_index = 4) WHERE leaf_index = 5;");
  EXPECT_NE(VerifyReport(false).find("history was rewritten"), std::string::npos);
}

TEST_F(AuditLogTest, VerifyDetectsATruncatedTail) {
  Fill(25);
  Tamper("DELETE FROM records WHERE leaf_index >= 20");
  EXPECT_NE(VerifyReport(false).find("covers records that are missing"), std::string::npos);
}

// Logs written before the records became BLOBs (schema 1: hex text) verify as they are, and the first open migrates
// them without changing a byte that was hashed: the old heads still sign the same roots, and appends continue after
// them.
TEST_F(AuditLogTest, AHexLogFromSchemaOneVerifiesAndMigratesUnchanged) {
  Fill(25);
  // Turn the store back into schema 1's layout: the same rows with the bytes and leaf hashes as lower-case hex text.
  Tamper(R"SQL(
ALTER TABLE records RENAME TO records_blob;
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
INSERT INTO records SELECT leaf_index, time_us, actor_id, department_id, action, decision, grant_id,
  lower(hex(encoded)), lower(hex(leaf_hash)) FROM records_blob;
DROP TABLE records_blob;
CREATE INDEX records_time ON records(time_us);
CREATE INDEX records_actor ON records(actor_id);
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER heads_no_update BEFORE UPDATE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
CREATE TRIGGER heads_no_delete BEFORE DELETE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
DROP TABLE data_calls_per_day;
DELETE FROM schema_migrations WHERE version > 1;
)SQL");
  {
    Connection c(dir_ + "/audit.db", Connection::Mode::kReadOnly, 5000);
    auto type = c.Prepare("SELECT typeof(encoded) FROM records WHERE leaf_index = 0");
    ASSERT_TRUE(type.Step());
    ASSERT_EQ(type.Text(0), "text");
  }
  EXPECT_NE(VerifyReport(true).find("records: 25"), std::string::npos);

  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_EQ(log.value()->size(), 25u);
    EXPECT_EQ(Encode(log.value()->Get(3).value().record), Encode(Record(3)));
    EXPECT_EQ(log.value()->Append(Record(25)).value(), 25u);
    ASSERT_TRUE(log.value()->SignNewHead().ok());
  }
  Connection c(dir_ + "/audit.db", Connection::Mode::kReadWrite, 5000);
  auto type =
      c.Prepare("SELECT typeof(encoded), typeof(leaf_hash), length(leaf_hash) FROM records WHERE leaf_index = 0");
  ASSERT_TRUE(type.Step());
  EXPECT_EQ(type.Text(0), "blob");
  EXPECT_EQ(type.Text(1), "blob");
  EXPECT_EQ(type.Int(2), 32);
  EXPECT_THROW(c.Exec("DELETE FROM records WHERE leaf_index = 0"), store::sqlite::SqliteError);
  EXPECT_NE(VerifyReport(true).find("records: 26"), std::string::npos);
}

TEST_F(AuditLogTest, VerifyDetectsAReplacedTreeHead) {
  Fill(25);
  Tamper("UPDATE tree_heads SET root = '" + std::string(64, 'a') + "' WHERE tree_size = 10");
  EXPECT_NE(VerifyReport(false).find("invalid signature"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogOnBothTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace govshare::audit
