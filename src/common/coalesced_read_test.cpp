#include "common/coalesced_read.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace govshare::common {
namespace {

TEST(CoalescedRead, EachCallAloneReadsAnew) {
  int reads = 0;
  CoalescedRead<int> value([&]() -> Result<int> { return ++reads; });
  EXPECT_FALSE(value.last().has_value());
  EXPECT_EQ(value.Get().value(), 1);
  EXPECT_EQ(value.Get().value(), 2);  // a value read before the call is never given
  EXPECT_EQ(value.last(), 2);
  EXPECT_EQ(reads, 2);
}

TEST(CoalescedRead, AFailedReadFailsItsCallerOnlyAndKeepsTheLastValue) {
  int reads = 0;
  CoalescedRead<int> value([&]() -> Result<int> {
    if (++reads == 2) return Status::Unavailable("down", "storage down");
    return reads;
  });
  EXPECT_EQ(value.Get().value(), 1);
  EXPECT_FALSE(value.Get().ok());
  EXPECT_EQ(value.last(), 1);
  EXPECT_EQ(value.Get().value(), 3);
}

TEST(CoalescedRead, CallersArrivingDuringAReadShareTheNextOneAndNeverGetTheOlderValue) {
  std::mutex mutex;
  std::condition_variable changed;
  bool first_started = false;
  bool release_first = false;
  std::atomic<int> reads{0};
  CoalescedRead<int> value([&]() -> Result<int> {
    const int number = ++reads;
    if (number == 1) {
      std::unique_lock lock(mutex);
      first_started = true;
      changed.notify_all();
      changed.wait(lock, [&] { return release_first; });
    }
    return number;
  });
  std::thread first([&] { EXPECT_EQ(value.Get().value(), 1); });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return first_started; });
  }
  // Every one of these calls begins while read 1 is running: read 1 may have missed what they expect to see.
  constexpr int kCallers = 8;
  std::vector<int> got(kCallers, 0);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] { got[static_cast<std::size_t>(i)] = value.Get().value(); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let them all wait for read 1
  {
    std::lock_guard lock(mutex);
    release_first = true;
  }
  changed.notify_all();
  first.join();
  for (auto& t : callers) t.join();
  for (const int v : got) EXPECT_GE(v, 2);
  EXPECT_LE(reads.load(), 3) << "the waiting callers share reads";  // 2 unless a thread started very late
}

}  // namespace
}  // namespace govshare::common
