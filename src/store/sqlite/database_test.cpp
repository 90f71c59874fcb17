#include "store/sqlite/database.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace govshare::store::sqlite {
namespace {

using common::Status;

const std::vector<Migration> kSchema = {
    {1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"},
};

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("govshare-db-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Database> Open(const std::vector<Migration>& migrations = kSchema, int reader_snapshot_ms = 0) {
    Database::Options options;
    options.path = (dir_ / "test.db").string();
    options.reader_snapshot_ms = reader_snapshot_ms;
    auto db = Database::Open(options, migrations);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db.value()) : nullptr;
  }
  static std::int64_t Count(Database& db) {
    std::int64_t n = -1;
    EXPECT_TRUE(db.Read([&](Connection& c) {
                    auto s = c.Prepare("SELECT COUNT(*) FROM items");
                    if (s.Step()) n = s.Int(0);
                    return Status::Ok();
                  }).ok());
    return n;
  }
  Status Insert(Database& db, const std::string& name) {
    return db.Write([&](Connection& c) {
      c.Prepare("INSERT INTO items(name) VALUES (?)").Bind(1, name).Run();
      return Status::Ok();
    });
  }
  /// A write from outside the Database (another process, such as `govshare import` beside a running server).
  void InsertFromOutside(const std::string& name) {
    Connection other((dir_ / "test.db").string(), Connection::Mode::kReadWrite, 5000);
    other.Prepare("INSERT INTO items(name) VALUES (?)").Bind(1, name).Run();
  }
  std::filesystem::path dir_;
};

TEST_F(DatabaseTest, AKeptReadSnapshotSeesEveryAcknowledgedWrite) {
  auto db = Open(kSchema, /*reader_snapshot_ms=*/60000);
  ASSERT_TRUE(Insert(*db, "a").ok());
  EXPECT_EQ(Count(*db), 1);  // the reader begins its kept snapshot here
  // A write by another process does not advance the snapshot before its time is up...
  InsertFromOutside("b");
  EXPECT_EQ(Count(*db), 1);
  // ...but a write acknowledged by this Database is visible to the very next read.
  ASSERT_TRUE(Insert(*db, "c").ok());
  EXPECT_EQ(Count(*db), 3);
}

TEST_F(DatabaseTest, AKeptReadSnapshotIsRenewedAfterItsTime) {
  auto db = Open(kSchema, /*reader_snapshot_ms=*/50);
  EXPECT_EQ(Count(*db), 0);
  InsertFromOutside("a");
  // Within a bounded wait (the snapshot's 50 ms, and a slow disk), the other process's write becomes visible.
  std::int64_t n = 0;
  for (int i = 0; i < 250 && n != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    n = Count(*db);
  }
  EXPECT_EQ(n, 1);
}

TEST_F(DatabaseTest, WithoutKeptSnapshotsEveryReadSeesTheLatestCommit) {
  auto db = Open();
  ASSERT_TRUE(Insert(*db, "a").ok());
  EXPECT_EQ(Count(*db), 1);
  InsertFromOutside("b");
  EXPECT_EQ(Count(*db), 2);
}

TEST_F(DatabaseTest, KeptSnapshotsOfIdleReadersDoNotKeepTheWalFromBeingTruncatedAtClose) {
  {
    auto db = Open(kSchema, /*reader_snapshot_ms=*/60000);
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) readers.emplace_back([&] { Count(*db); });  // several pooled readers keep snapshots
    for (auto& t : readers) t.join();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(Insert(*db, std::to_string(i)).ok());
    EXPECT_EQ(Count(*db), 100);
  }
  const auto wal = dir_ / "test.db-wal";
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0);
}

TEST_F(DatabaseTest, AReadThatFailsEndsItsKeptSnapshotAndTheNextReadWorks) {
  auto db = Open(kSchema, /*reader_snapshot_ms=*/60000);
  EXPECT_EQ(Count(*db), 0);
  const Status failed = db->Read([](Connection& c) {
    c.Prepare("SELECT * FROM no_such_table").Step();
    return Status::Ok();
  });
  EXPECT_FALSE(failed.ok());
  InsertFromOutside("a");
  EXPECT_EQ(Count(*db), 1);  // a new snapshot: the failed read ended the old one
}

TEST_F(DatabaseTest, ConcurrentWritersAreCommittedInGroupsAndAllDurable) {
  auto db = Open();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&db, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto s = db->Write([&](Connection& c) {
          c.Prepare("INSERT INTO items(name) VALUES (?)").Bind(1, std::to_string(t) + "-" + std::to_string(i)).Run();
          return Status::Ok();
        });
        ASSERT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Count(*db), kThreads * kPerThread);
  EXPECT_EQ(db->committed_jobs(), static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LT(db->committed_groups(), db->committed_jobs()) << "writers waiting together share a commit";
  // Durable: a new process (here: a new Database on the same file) sees everything.
  db.reset();
  auto reopened = Open();
  EXPECT_EQ(Count(*reopened), kThreads * kPerThread);
}

TEST_F(DatabaseTest, WriteAsyncAnswersOnceTheGroupIsDurableAndMayChainAnotherWrite) {
  auto db = Open();
  std::mutex m;
  std::condition_variable cv;
  std::vector<Status> answers;
  std::int64_t seen_by_first = -1;
  auto insert = [](std::string name) {
    return [name = std::move(name)](Connection& c) {
      c.Prepare("INSERT INTO items(name) VALUES (?)").Bind(1, name).Run();
      return Status::Ok();
    };
  };
  auto answer = [&](Status s) {
    std::lock_guard lock(m);
    answers.push_back(std::move(s));
    cv.notify_all();
  };
  // The first callback sees its row committed (a reader on another connection finds it), then chains a second write.
  db->WriteAsync(insert("a"), [&](Status s) {
    seen_by_first = Count(*db);
    db->WriteAsync(insert("a"), answer);  // a duplicate: its own job fails alone, with a conflict
    answer(std::move(s));
  });
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return answers.size() == 2; }));
  EXPECT_TRUE(answers[0].ok()) << answers[0].ToString();
  EXPECT_EQ(answers[1].kind(), common::ErrorKind::kConflict) << answers[1].ToString();
  EXPECT_EQ(seen_by_first, 1);
  lock.unlock();
  db.reset();
  EXPECT_EQ(Count(*Open()), 1);
}

TEST_F(DatabaseTest, AFailingJobRollsBackAloneAndReportsItsError) {
  auto db = Open();
  ASSERT_TRUE(db->Write([](Connection& c) {
                  c.Exec("INSERT INTO items(name) VALUES ('a')");
                  return Status::Ok();
                }).ok());
  // The job inserts one row, then violates the unique constraint: neither of its rows may remain.
  auto s = db->Write([](Connection& c) {
    c.Exec("INSERT INTO items(name) VALUES ('b')");
    c.Exec("INSERT INTO items(name) VALUES ('a')");
    return Status::Ok();
  });
  EXPECT_EQ(s.kind(), common::ErrorKind::kConflict);
  // A job that returns an error is rolled back too.
  s = db->Write([](Connection& c) {
    c.Exec("INSERT INTO items(name) VALUES ('c')");
    return Status::Unprocessable("rule", "business rule broken");
  });
  EXPECT_EQ(s.code(), "rule");
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(DatabaseTest, MigrationsAreAppliedOnceAndANewerSchemaIsRefused) {
  auto db = Open();
  EXPECT_EQ(db->schema_version(), 1);
  db.reset();
  auto v2 = kSchema;
  v2.push_back({2, "index", "CREATE INDEX items_name ON items(name)"});
  db = Open(v2);
  EXPECT_EQ(db->schema_version(), 2);
  db.reset();
  Database::Options options;
  options.path = (dir_ / "test.db").string();
  auto old_binary = Database::Open(options, kSchema);
  ASSERT_FALSE(old_binary.ok());
  EXPECT_EQ(old_binary.status().code(), "schema_too_new");
}

TEST_F(DatabaseTest, ReadersCannotWrite) {
  auto db = Open();
  auto s = db->Read([](Connection& c) {
    c.Exec("INSERT INTO items(name) VALUES ('x')");
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count(*db), 0);
}

}  // namespace
}  // namespace govshare::store::sqlite
