// Several nodes on one PostgreSQL database (issue 9, deliverable 3): one leader per role with takeover, fencing of a
// deposed leader's work, and change notifications across nodes. Each "node" here is an object with its own
// connections, exactly as two `govshare serve` processes would have.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/pg/database.hpp"
#include "store/pg/leadership.hpp"
#include "store/pg/notifier.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::store::pg {
namespace {

using common::Status;

const std::vector<Migration> kSchema = {
    {1, "reminders", "CREATE TABLE reminders (case_id BIGINT PRIMARY KEY, sent_by TEXT NOT NULL)"},
};

class PostgresNodes : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(scratch_.status().ok()) << scratch_.status().ToString(); }

  std::unique_ptr<Database> OpenDatabase() {
    Database::Options options;
    options.conninfo = scratch_.conninfo();
    auto db = Database::Open(options, kSchema);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db.value()) : nullptr;
  }
  /// Ends another session from outside, as a crashed node or a network partition would.
  void Terminate(int pid) {
    ASSERT_NE(pid, 0);
    Connection admin(scratch_.conninfo());
    auto s = admin.Prepare("SELECT pg_terminate_backend($1::integer)");
    s.Bind(1, static_cast<std::int64_t>(pid));
    ASSERT_TRUE(s.Step() && s.Bool(0));
  }
  /// The deadline monitor's kind of job: send a reminder once, fenced by the role.
  static Status SendReminder(Database& db, const Leadership& role, std::int64_t case_id, const std::string& node) {
    return db.Write([&](Connection& c) {
      GOVSHARE_RETURN_IF_ERROR(role.Fence(c));
      c.Prepare("INSERT INTO reminders(case_id, sent_by) VALUES ($1::bigint, $2::text)")
          .Bind(1, case_id)
          .Bind(2, node)
          .Run();
      return Status::Ok();
    });
  }

  testing::ScratchPgDatabase scratch_;
};

TEST_F(PostgresNodes, OneNodeAtATimeLeadsARoleAndEachRoleHasItsOwnLeader) {
  Leadership a(scratch_.conninfo(), "deadline-monitor");
  Leadership b(scratch_.conninfo(), "deadline-monitor");
  EXPECT_TRUE(a.TryLead());
  EXPECT_FALSE(b.TryLead());
  EXPECT_TRUE(a.TryLead()) << "the leader confirms its role on every run";
  EXPECT_FALSE(b.TryLead());
  EXPECT_TRUE(a.leading());
  EXPECT_FALSE(b.leading());
  EXPECT_GT(a.epoch(), 0);
  EXPECT_EQ(b.epoch(), 0);

  Leadership sequencer(scratch_.conninfo(), "audit-sequencer");
  EXPECT_TRUE(sequencer.TryLead()) << "another role is another lock";
  EXPECT_NE(sequencer.key(), a.key());
}

TEST_F(PostgresNodes, WhenTheLeaderStopsAnotherNodeTakesOverAtAHigherEpoch) {
  Leadership b(scratch_.conninfo(), "deadline-monitor");
  std::int64_t first_epoch = 0;
  {
    Leadership a(scratch_.conninfo(), "deadline-monitor");
    ASSERT_TRUE(a.TryLead());
    first_epoch = a.epoch();
    ASSERT_FALSE(b.TryLead());
  }  // node a shuts down
  ASSERT_TRUE(b.TryLead());
  EXPECT_GT(b.epoch(), first_epoch);

  b.Resign();
  EXPECT_FALSE(b.leading());
  Leadership c(scratch_.conninfo(), "deadline-monitor");
  EXPECT_TRUE(c.TryLead()) << "a resigned role is free at once";
}

TEST_F(PostgresNodes, ALeaderWhoseSessionDiesIsFencedOffAndTheNextLeaderDoesTheWorkOnce) {
  auto db_a = OpenDatabase();
  auto db_b = OpenDatabase();
  ASSERT_TRUE(db_a && db_b);
  Leadership a(scratch_.conninfo(), "deadline-monitor");
  Leadership b(scratch_.conninfo(), "deadline-monitor");
  ASSERT_TRUE(a.TryLead());
  ASSERT_TRUE(SendReminder(*db_a, a, 1, "a").ok());
  EXPECT_EQ(SendReminder(*db_b, b, 2, "b").code(), "not_leader") << "a node that does not lead is refused";

  // Node a's role session dies (a partition); a has not noticed yet and still believes it leads.
  Terminate(a.session_pid());
  EXPECT_TRUE(a.leading());
  // Node b takes over once the server has released the lock.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!b.TryLead() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(b.leading());
  // The deposed leader's work is refused even though it has not noticed; the new leader's goes through.
  auto stale = SendReminder(*db_a, a, 3, "a");
  EXPECT_EQ(stale.code(), "not_leader");
  ASSERT_TRUE(SendReminder(*db_b, b, 3, "b").ok());
  // On its next run the old leader learns that it no longer leads.
  EXPECT_FALSE(a.TryLead());
  EXPECT_FALSE(a.leading());

  std::vector<std::pair<std::int64_t, std::string>> rows;
  ASSERT_TRUE(db_a->Read([&](Connection& c) {
                    auto s = c.Prepare("SELECT case_id, sent_by FROM reminders ORDER BY case_id");
                    while (s.Step()) rows.emplace_back(s.Int(0), s.Text(1));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(rows, (std::vector<std::pair<std::int64_t, std::string>>{{1, "a"}, {3, "b"}}));
}

TEST_F(PostgresNodes, NodesRacingForARoleAtOnceYieldExactlyOneLeader) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Leadership>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(std::make_unique<Leadership>(scratch_.conninfo(), "sequencer"));
  std::vector<std::thread> threads;
  std::vector<char> won(kNodes, 0);
  for (int i = 0; i < kNodes; ++i) threads.emplace_back([&, i] { won[i] = nodes[i]->TryLead() ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(won.begin(), won.end(), 1), 1);
}

/// Collects what a Notifier hands its handler.
class Inbox {
 public:
  void Take(std::optional<std::string_view> payload) {
    std::lock_guard lock(mutex_);
    messages_.push_back(payload ? std::string(*payload) : std::string("<reconnected>"));
    cv_.notify_all();
  }
  /// Waits (up to 10 s) until `n` messages arrived; returns all so far.
  std::vector<std::string> WaitFor(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return messages_.size() >= n; });
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
};

TEST_F(PostgresNodes, ACommittedChangeIsAnnouncedToEveryNodeAndARolledBackOneIsNot) {
  auto db = OpenDatabase();
  ASSERT_TRUE(db);
  Inbox node_a;
  Inbox node_b;
  auto listen_a = Notifier::Start(scratch_.conninfo(), "grants_changed", [&](auto p) { node_a.Take(p); });
  auto listen_b = Notifier::Start(scratch_.conninfo(), "grants_changed", [&](auto p) { node_b.Take(p); });
  ASSERT_TRUE(listen_a.ok() && listen_b.ok());

  // A change that fails rolls its announcement back with it.
  auto refused = db->Write([](Connection& c) {
    Notifier::Publish(c, "grants_changed", "grant gr_rolled_back");
    return Status::Conflict("refused", "the change is refused");
  });
  ASSERT_EQ(refused.code(), "refused");
  ASSERT_TRUE(db->Write([](Connection& c) {
                  Notifier::Publish(c, "grants_changed", "grant gr_1");
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(node_a.WaitFor(1), std::vector<std::string>{"grant gr_1"});
  EXPECT_EQ(node_b.WaitFor(1), std::vector<std::string>{"grant gr_1"});
}

TEST_F(PostgresNodes, AListenerThatLosesItsConnectionReconnectsAndTellsItsNodeToDropEverything) {
  auto db = OpenDatabase();
  ASSERT_TRUE(db);
  Inbox inbox;
  auto listener = Notifier::Start(scratch_.conninfo(), "keys_changed", [&](auto p) { inbox.Take(p); });
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  Terminate((*listener)->session_pid());
  EXPECT_EQ(inbox.WaitFor(1), std::vector<std::string>{"<reconnected>"});
  EXPECT_EQ((*listener)->reconnects(), 1);
  // Listening again: later changes arrive as before.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*listener)->session_pid() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(db->Write([](Connection& c) {
                  Notifier::Publish(c, "keys_changed", "key 7");
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(inbox.WaitFor(2), (std::vector<std::string>{"<reconnected>", "key 7"}));
}

TEST_F(PostgresNodes, AChannelNameThatIsNotAPlainIdentifierIsRefused) {
  auto bad = Notifier::Start(scratch_.conninfo(), "grants; DROP TABLE x", [](auto) {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "invalid_channel");
}

}  // namespace
}  // namespace govshare::store::pg
