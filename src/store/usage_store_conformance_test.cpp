// The UsageStore conformance suite: every test runs once per storage backend (instances .../Sqlite and .../Postgres),
// so both keep each grant's daily count the same way: saved per (grant, day), each save adding a node's uses, all of a
// save or none.
// The Postgres instances need the throwaway cluster of CTest fixture `postgres` (scripts/pg-cluster.sh).
#include <gtest/gtest.h>

#include <algorithm>

#include "store/pg/usage_store_pg.hpp"
#include "store/sqlite/usage_store_sqlite.hpp"
#include "support/store_backend.hpp"

namespace govshare::exchange {
namespace {

using testing::Backend;

constexpr std::int64_t kDay = 20'600;

class UsageStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::BackendDatabase>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    store_ = db_->Make<UsageStore, store::sqlite::SqliteUsageStore, store::pg::PgUsageStore>();
  }

  void TearDown() override {
    store_.reset();
    db_.reset();
  }

  /// The counts of `day` as (grant, uses), by grant.
  std::vector<std::pair<std::string, std::int64_t>> Day(std::int64_t day) {
    auto loaded = store_->LoadDay(day);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    std::vector<std::pair<std::string, std::int64_t>> out;
    if (!loaded.ok()) return out;
    for (const auto& u : *loaded) {
      EXPECT_EQ(u.day, day);
      out.emplace_back(u.grant_id, u.uses);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<testing::BackendDatabase> db_;
  std::unique_ptr<UsageStore> store_;
};

using Counts = std::vector<std::pair<std::string, std::int64_t>>;

TEST_P(UsageStoreConformance, CountsAreKeptPerGrantAndDay) {
  ASSERT_TRUE(store_->Save({}).ok());
  ASSERT_TRUE(store_->Save({{"gr_b", kDay, 3}, {"gr_a", kDay, 5}, {"gr_a", kDay + 1, 1}}).ok());
  EXPECT_EQ(Day(kDay), (Counts{{"gr_a", 5}, {"gr_b", 3}}));
  EXPECT_EQ(Day(kDay + 1), (Counts{{"gr_a", 1}}));
  EXPECT_TRUE(Day(kDay + 2).empty());
}

TEST_P(UsageStoreConformance, Art14SavesAddUpSoThatTheNodesOfOneDatabaseCountTogether) {
  ASSERT_TRUE(store_->Save({{"gr_a", kDay, 5}}).ok());  // one node's uses
  ASSERT_TRUE(store_->Save({{"gr_a", kDay, 2}}).ok());  // another node's
  EXPECT_EQ(Day(kDay), (Counts{{"gr_a", 7}}));
  ASSERT_TRUE(store_->Save({{"gr_a", kDay, 9}}).ok());
  EXPECT_EQ(Day(kDay), (Counts{{"gr_a", 16}}));
}

TEST_P(UsageStoreConformance, ASaveWithANegativeCountIsRefusedWhole) {
  auto status = store_->Save({{"gr_a", kDay, 4}, {"gr_b", kDay, -1}});
  EXPECT_EQ(status.kind(), common::ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  EXPECT_TRUE(Day(kDay).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, UsageStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace govshare::exchange
