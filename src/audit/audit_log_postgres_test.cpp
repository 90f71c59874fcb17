// One audit tree from every node (issue 9): several AuditLog instances on one PostgreSQL database.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/audit_test_records.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "store/pg/database.hpp"
#include "store/pg/migrations.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::audit {
namespace {

/// A scratch database with the main migrations and one data directory per node; node_dir(i) for i > 0 gets node 0's
/// audit.key once node 0 has opened (Node(0) first).
class AuditLogPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::InitCrypto().ok());
    ASSERT_TRUE(scratch_.status().ok()) << scratch_.status().ToString();
    store::pg::Database::Options options;
    options.conninfo = scratch_.conninfo();
    auto db = store::pg::Database::Open(options, store::pg::MainMigrations());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db.value());
    base_ = std::filesystem::temp_directory_path() / ("govshare-audit-pg-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::string NodeDir(int node) {
    const auto dir = base_ / ("node" + std::to_string(node));
    std::filesystem::create_directories(dir);
    return dir.string();
  }

  /// Opens node `node`'s log; every node but the first signs with a copy of the first node's audit.key.
  std::unique_ptr<AuditLog> Node(int node) {
    const std::string dir = NodeDir(node);
    if (node > 0) {
      std::filesystem::copy_file(NodeDir(0) + "/audit.key", dir + "/audit.key",
                                 std::filesystem::copy_options::overwrite_existing);
    }
    auto log = AuditLog::OpenPostgres(*db_, dir, clock_);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log.value()) : nullptr;
  }

  static AuditRecord Record(int i, const char* action = "POST /api/v1/cases/{id}/transitions") {
    return TestRecord(i, action);
  }

  std::string Verify(bool expect_ok) {
    std::ostringstream report;
    const auto s = AuditLog::VerifyPostgres(*db_, report);
    EXPECT_EQ(s.ok(), expect_ok) << report.str();
    return report.str();
  }

  testing::ScratchPgDatabase scratch_;
  std::unique_ptr<store::pg::Database> db_;
  common::SystemClock clock_;
  std::filesystem::path base_;
};

// Two nodes append from several threads each, while both sign heads: one tree, indexes 0..N-1, the same size and
// root on both, and a proof from one node verifies a record of the other against the other's head.
TEST_F(AuditLogPostgresTest, TwoNodesAppendConcurrentlyToOneTree) {
  auto a = Node(0);
  auto b = Node(1);
  ASSERT_TRUE(a && b);
  constexpr int kThreadsPerNode = 3;
  constexpr int kPerThread = 60;
  std::mutex mutex;
  std::vector<std::uint64_t> indexes;
  std::vector<std::uint64_t> from_b;  // leaf indexes of records node B appended
  std::atomic<bool> appending{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerNode; ++t) {
    AuditLog* node = t % 2 == 0 ? a.get() : b.get();
    threads.emplace_back([&, node, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto index = node->Append(Record(t * 1000 + i));
        ASSERT_TRUE(index.ok()) << index.status().ToString();
        std::lock_guard lock(mutex);
        indexes.push_back(index.value());
        if (node == b.get()) from_b.push_back(index.value());
      }
    });
  }
  std::vector<std::thread> signers;
  for (AuditLog* node : {a.get(), b.get()}) {
    signers.emplace_back([&, node] {
      std::uint64_t last = 0;
      while (appending) {
        ASSERT_TRUE(node->SignNewHead().ok());
        const auto head = node->LatestHead();
        if (head) {
          EXPECT_GE(head->tree_size, last) << "a head went backwards";
          last = head->tree_size;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  for (auto& t : threads) t.join();
  appending = false;
  for (auto& s : signers) s.join();

  constexpr std::uint64_t kTotal = 2 * kThreadsPerNode * kPerThread;
  std::sort(indexes.begin(), indexes.end());
  std::vector<std::uint64_t> expected(kTotal);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(indexes, expected);
  EXPECT_EQ(a->size(), kTotal);
  EXPECT_EQ(b->size(), kTotal);

  ASSERT_TRUE(b->SignNewHead().ok());
  const auto head = b->LatestHead().value();
  EXPECT_EQ(head.tree_size, kTotal);
  EXPECT_TRUE(VerifyTreeHead(head, a->public_key_hex()));
  // Node A has nothing new to sign and reports B's head: the same size and root.
  ASSERT_TRUE(a->SignNewHead().ok());
  EXPECT_EQ(a->LatestHead()->tree_size, head.tree_size);
  EXPECT_EQ(a->LatestHead()->root, head.root);
  // A proof taken from node A, for a record node B appended, against the head node B signed.
  const std::uint64_t leaf = from_b.at(from_b.size() / 2);
  const auto stored = a->Get(leaf).value();
  const auto proof = a->InclusionProof(leaf, head.tree_size);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(VerifyInclusion(stored.leaf_hash, leaf, head.tree_size, proof.value(), head.root));
  EXPECT_TRUE(a->ConsistencyProof(kTotal / 2, kTotal).ok());
  EXPECT_NE(Verify(true).find("records: " + std::to_string(kTotal)), std::string::npos);

  // A node opened later builds the same tree from the database.
  auto c = Node(2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size(), kTotal);
  EXPECT_EQ(c->LatestHead()->root, head.root);
}

// The writer's connection dies inside its batch's transaction (while it waits for the frontier row): every caller of
// the batch gets audit_unavailable, nothing of it is stored, and the next batch continues at the frontier.
TEST_F(AuditLogPostgresTest, AKilledWriterConnectionFailsItsBatchClosedAndLeavesNoGap) {
  auto log = Node(0);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->Append(Record(0)).value(), 0U);

  store::pg::Connection blocker(scratch_.conninfo());
  blocker.Exec("BEGIN");
  blocker.Exec("SELECT next_index FROM audit_frontier FOR UPDATE");
  std::promise<common::Result<std::uint64_t>> answered;
  log->AppendAsync(Record(1), [&](common::Result<std::uint64_t> r) { answered.set_value(std::move(r)); });
  // The writer's backend is the one waiting for the row lock.
  int killed = 0;
  for (int attempt = 0; attempt < 500 && killed == 0; ++attempt) {
    auto kill = blocker.Prepare(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
        "pg_backend_pid() AND wait_event_type = 'Lock'");
    while (kill.Step()) killed += kill.Bool(0) ? 1 : 0;
    if (killed == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(killed, 1);
  auto failed = answered.get_future().get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), "audit_unavailable");
  blocker.Exec("ROLLBACK");

  EXPECT_EQ(log->Append(Record(2)).value(), 1U);
  EXPECT_EQ(log->size(), 2U);
  EXPECT_EQ(log->Get(1).value().record.request_id, "req-2");
  ASSERT_TRUE(log->SignNewHead().ok());
  EXPECT_NE(Verify(true).find("records: 2"), std::string::npos);
}

// Every node signs with the one key: the database keeps the public key, and a node with another audit.key (or none)
// is refused rather than signing heads no one could check against the log's key.
TEST_F(AuditLogPostgresTest, ANodeWithAnotherKeyIsRefused) {
  auto first = Node(0);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->Append(Record(0)).ok());

  const std::string other = NodeDir(1);
  {
    // A key of its own: made by opening a SQLite log there.
    auto own = AuditLog::Open(other, clock_);
    ASSERT_TRUE(own.ok());
  }
  auto refused = AuditLog::OpenPostgres(*db_, other, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "audit_key_mismatch");
  EXPECT_NE(refused.status().message().find("copy audit.key from an existing node"), std::string::npos);

  const std::string empty = NodeDir(2);
  auto without = AuditLog::OpenPostgres(*db_, empty, clock_);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), "audit_key_mismatch");
  EXPECT_FALSE(std::filesystem::exists(empty + "/audit.key")) << "a node made a key the log is not signed with";

  auto same = Node(3);  // a copy of the first node's key
  ASSERT_TRUE(same);
  EXPECT_EQ(same->Append(Record(1)).value(), 1U);
}

TEST_F(AuditLogPostgresTest, DataCallsPerDayCountTheCallsOfEveryNode) {
  auto a = Node(0);
  auto b = Node(1);
  ASSERT_TRUE(a && b);
  constexpr const char* kLookup = "GET /api/v1/data/{dataset}/records/{key}";
  ASSERT_TRUE(a->Append(Record(1, kLookup)).ok());  // allow
  ASSERT_TRUE(b->Append(Record(2, kLookup)).ok());  // allow
  ASSERT_TRUE(b->Append(Record(3, kLookup)).ok());  // deny
  ASSERT_TRUE(a->Append(Record(4)).ok());           // not a data call
  const std::int64_t time_us = Record(0).time_us;
  for (AuditLog* node : {a.get(), b.get()}) {
    auto days = node->CountDataCallsPerDay(time_us, 1);
    ASSERT_TRUE(days.ok()) << days.status().ToString();
    ASSERT_EQ(days->size(), 1U);
    EXPECT_EQ((*days)[0].allowed, 2);
    EXPECT_EQ((*days)[0].denied, 1);
  }
}

// Every batch reads only the leaves other nodes added, however long the log has grown since the node's connections
// first ran the read: the buffers one leaf read touches stay a handful (pg_stat_statements, which the test cluster
// loads). Regression: the read was prepared once per connection and PostgreSQL settled on a generic plan made while
// the log was nearly empty, a sequential scan, so that every batch scanned the whole log under the frontier lock.
TEST_F(AuditLogPostgresTest, EveryBatchReadsOnlyTheNewLeavesHoweverLongTheLogGrows) {
  auto a = Node(0);
  auto b = Node(1);
  ASSERT_TRUE(a && b);
  // Both nodes append in turn, one record a batch: every batch reads the other node's leaf, on an almost empty log.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((i % 2 == 0 ? a : b)->Append(Record(i)).ok());
  // The log grows to 30,000 records in large batches.
  constexpr int kBulk = 30000;
  std::atomic<int> pending{kBulk};
  std::promise<void> all_done;
  for (int i = 0; i < kBulk; ++i) {
    a->AppendAsync(Record(100 + i), [&](const common::Result<std::uint64_t>& index) {
      EXPECT_TRUE(index.ok());
      if (--pending == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  ASSERT_EQ(b->size(), 20U + kBulk);  // node B catches up with the bulk (one long read, not measured)

  const auto reset = db_->Read([](store::pg::Connection& c) {
    testing::ResetStatementStats(c);
    return common::Status::Ok();
  });
  ASSERT_TRUE(reset.ok()) << reset.ToString() << " (the test cluster must load pg_stat_statements)";
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((i % 2 == 0 ? a : b)->Append(Record(i)).ok());
  std::int64_t calls = 0;
  std::int64_t blocks = 0;
  ASSERT_TRUE(db_->Read([&](store::pg::Connection& c) {
                   std::tie(calls, blocks) = testing::StatementBuffers(c, "SELECT leaf_index, encode(leaf_hash%");
                   return common::Status::Ok();
                 })
                  .ok());
  ASSERT_GE(calls, 19) << "each batch after the other node's reads that node's leaf";
  // An index read of a few leaves touches a few index and heap pages; the whole log is about 900 pages.
  EXPECT_LT(blocks / calls, 20) << calls << " leaf reads touched " << blocks << " buffers";
  EXPECT_EQ(a->size(), 20U + kBulk + 20U);
}

}  // namespace
}  // namespace govshare::audit
