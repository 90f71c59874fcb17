// Quota, rate and row scope of a grant (Art. 14: no wider use than granted).
#include "exchange/usage_meter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

namespace govshare::exchange {
namespace {

constexpr common::UnixSeconds k20261001Noon = 1790827200;  // 2026-10-01 12:00 +08:00

TEST(UsageMeter, Art14TheDailyQuotaIsNeverExceededAndRestartsAtBeijingMidnight) {
  UsageMeter meter;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon), "");
  EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon + 60), "quota_exceeded");
  EXPECT_EQ(meter.Get("gr_a", k20261001Noon).today, 5);      // the refused use is not counted
  EXPECT_EQ(meter.Take("gr_b", 5, 100, k20261001Noon), "");  // another grant has its own count
  // 2026-10-01 23:59:59 +08:00 is still the same day; 2026-10-02 00:00 +08:00 (16:00 UTC) is a new one.
  EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon + 12 * 3600 - 1), "quota_exceeded");
  EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon + 12 * 3600), "");
}

TEST(UsageMeter, Art14TheRateCountsCallsAndTheQuotaCountsRecordsDelivered) {
  UsageMeter meter;
  // A bulk call of 800 records is one call against the rate and 800 records against the day's volume.
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon, 800), "");
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon, 201), "quota_exceeded");  // 199 left
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon, 199), "");
  EXPECT_EQ(meter.Get("gr_a", k20261001Noon).today, 999);
  EXPECT_EQ(meter.Get("gr_a", k20261001Noon).this_minute, 2);  // the refused call is not counted
  // Admitted with 0 records while at least one is left; the records it turned out to deliver are charged after.
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon, 0), "");
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon, 0), "rate_limited");        // a fourth call in the minute
  EXPECT_EQ(meter.Charge("gr_a", 1000, k20261001Noon + 60, 2), "quota_exceeded");  // only 1 left: nothing taken
  EXPECT_EQ(meter.Charge("gr_a", 1000, k20261001Noon + 60, 1), "");
  EXPECT_EQ(meter.Get("gr_a", k20261001Noon + 60).today, 1000);
  EXPECT_EQ(meter.Take("gr_a", 1000, 3, k20261001Noon + 60, 0), "quota_exceeded");  // nothing left to deliver
  EXPECT_EQ(meter.Get("gr_a", k20261001Noon + 60).this_minute, 0);
}

TEST(UsageMeter, Art14TheDaysCountsAreHandedOverForSavingAndRestoredAfterARestart) {
  UsageMeter meter;
  EXPECT_TRUE(meter.TakeChanged().empty());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon), "");
  EXPECT_EQ(meter.Take("gr_b", 5, 100, k20261001Noon), "");
  auto changed = meter.TakeChanged();
  ASSERT_EQ(changed.size(), 2u);
  std::sort(changed.begin(), changed.end(), [](const auto& a, const auto& b) { return a.grant_id < b.grant_id; });
  EXPECT_EQ(changed[0].grant_id, "gr_a");
  EXPECT_EQ(changed[0].day, UsageMeter::DayOf(k20261001Noon));
  EXPECT_EQ(changed[0].uses, 3);
  EXPECT_TRUE(meter.TakeChanged().empty()) << "only what changed since the last save";
  EXPECT_EQ(meter.Take("gr_a", 5, 100, k20261001Noon, 5), "quota_exceeded");  // refused: nothing changed
  EXPECT_TRUE(meter.TakeChanged().empty());
  meter.MarkUnsaved(changed);  // the save failed: retried next time
  EXPECT_EQ(meter.TakeChanged().size(), 2u);

  // A new process restores the day's counts: the quota goes on from 3, not from 0.
  UsageMeter restarted;
  restarted.Restore(changed);
  EXPECT_EQ(restarted.Get("gr_a", k20261001Noon).today, 3);
  EXPECT_EQ(restarted.Take("gr_a", 5, 100, k20261001Noon, 2), "");
  EXPECT_EQ(restarted.Take("gr_a", 5, 100, k20261001Noon), "quota_exceeded");
  // A count from an older day does not overwrite today's.
  restarted.Restore({DayUsage{"gr_a", UsageMeter::DayOf(k20261001Noon) - 1, 1}});
  EXPECT_EQ(restarted.Get("gr_a", k20261001Noon).today, 5);
}

TEST(UsageMeter, Art14NodesOfOneDatabaseShareAGrantsQuotaThroughTheSavedTotals) {
  // Two nodes, each with its meter; the store adds what each saves (UsageStore::Save) and answers totals.
  UsageMeter a;
  UsageMeter b;
  std::map<std::string, std::int64_t> stored;
  auto sync = [&](UsageMeter& node) {
    for (const auto& u : node.TakeChanged()) stored[u.grant_id] += u.uses;
    std::vector<DayUsage> totals;
    for (const auto& [grant, uses] : stored) totals.push_back({grant, UsageMeter::DayOf(k20261001Noon), uses});
    node.Restore(totals);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.Take("gr_a", 10, 100, k20261001Noon), "");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b.Take("gr_a", 10, 100, k20261001Noon), "");
  sync(a);
  sync(b);
  EXPECT_EQ(b.Get("gr_a", k20261001Noon).today, 7);
  EXPECT_EQ(a.Take("gr_a", 10, 100, k20261001Noon), "");  // a use not saved yet stays counted through a sync
  sync(b);
  sync(a);
  EXPECT_EQ(a.Get("gr_a", k20261001Noon).today, 8);
  EXPECT_EQ(stored["gr_a"], 8);
  EXPECT_EQ(a.Take("gr_a", 10, 100, k20261001Noon, 2), "");
  EXPECT_EQ(a.Take("gr_a", 10, 100, k20261001Noon), "quota_exceeded");
  sync(a);
  sync(b);
  EXPECT_EQ(b.Take("gr_a", 10, 100, k20261001Noon), "quota_exceeded");  // the deployment's quota, not B's own
}

TEST(UsageMeter, ConcurrentUsesNeverPassTheQuota) {
  UsageMeter meter;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) allowed += meter.Take("gr_a", 1500, 1000000, k20261001Noon).empty();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1500);
}

TEST(RowScope, Art14ARowOutsideTheConsumersJurisdictionIsOutOfScope) {
  EXPECT_TRUE(InRowScope({}, "130102"));  // a provincial consumer: the whole province
  EXPECT_TRUE(InRowScope({}, ""));
  EXPECT_TRUE(InRowScope({"1301"}, "130102"));                        // 石家庄市 sees 长安区
  EXPECT_FALSE(InRowScope({"1301"}, "130202"));                       // but not 唐山
  EXPECT_FALSE(InRowScope({"1301"}, ""));                             // nor a row without a region code
  EXPECT_TRUE(InRowScope({"130629", "130632", "130638"}, "130632"));  // 雄安新区: its three counties
  EXPECT_FALSE(InRowScope({"-"}, "130102"));                          // an unresolvable consumer matches nothing
}

}  // namespace
}  // namespace govshare::exchange
