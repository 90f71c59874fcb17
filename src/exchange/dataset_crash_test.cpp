// Issue 7: "kill -9 during a bulk load → after restart the load is entirely present or entirely absent". A forked
// child loads a large snapshot over an existing one and tells the parent through a pipe how far it got; the parent
// SIGKILLs it (mid-stream, or right as the input ends, i.e. around the swap and commit) and then checks the dataset.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "exchange/test_support.hpp"

namespace govshare::exchange {
namespace {

constexpr std::int64_t kOldRows = 1000;
constexpr std::int64_t kNewRows = 60000;

std::string Id(std::int64_t n) {  // a valid resident ID number per n (a 1980s birthday, sequence by n)
  const std::string first17 =
      fmt::format("130102{:04}{:02}{:02}{:03}", 1980 + n / 100000 % 10, 1 + n / 1000 % 12, 1 + n / 40 % 25, n % 1000);
  static constexpr int kW[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[static_cast<std::size_t>(i)] - '0') * kW[i];
  return first17 + "10X98765432"[sum % 11];
}

/// A CSV source of `rows` people named `name`; calls `progress(row)` every 1000 rows and at the end.
common::ByteSource People(std::int64_t rows, std::string name, std::function<void(std::int64_t)> progress) {
  auto next = std::make_shared<std::int64_t>(-1);
  auto buffer = std::make_shared<std::string>();
  return [=](char* out, std::size_t capacity) -> std::size_t {
    while (buffer->empty()) {
      if (*next == rows) return 0;
      if (*next < 0) {
        *buffer = "公民身份号码,姓名,行政区划代码\n";
      } else {
        *buffer = fmt::format("{},{},130102\n", Id(*next), name);
      }
      ++*next;
      if (*next % 1000 == 0 || *next == rows) progress(*next);
    }
    const std::size_t n = std::min(capacity, buffer->size());
    std::copy_n(buffer->data(), n, out);
    buffer->erase(0, n);
    return n;
  };
}

void CrashDuringLoad(bool at_end) {
  testing::StoreFixture f;
  ASSERT_TRUE(f.store().Define(testing::PeopleV1()).ok());
  DatasetStore::LoadOptions o;
  auto old = f.store().LoadSnapshot(7, People(kOldRows, "old", [](std::int64_t) {}), o, f.rules());
  ASSERT_TRUE(old.ok() && old->applied);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    f.ReopenInChild();  // the child's own connections and writer thread
    const std::int64_t signal_at = at_end ? kNewRows : kNewRows / 2;
    auto r = f.store().LoadSnapshot(7,
                                    People(kNewRows, "new",
                                           [&](std::int64_t row) {
                                             if (row == signal_at) {
                                               const char c = 'x';
                                               (void)!write(fds[1], &c, 1);
                                             }
                                           }),
                                    o, f.rules());
    ::_exit(r.ok() && r->applied ? 0 : 1);
  }
  close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 120000), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  f.Reopen();
  std::int64_t rows = 0, old_rows = 0, new_rows = 0;
  ASSERT_TRUE(f.store()
                  .Scan(View(f.store().Find(7)), {},
                        [&](const Row& r) {
                          ++rows;
                          const auto& name = std::get<std::string>(r.values[1]);
                          (name == "old" ? old_rows : new_rows)++;
                          return true;
                        })
                  .ok());
  const auto d = f.store().Find(7);
  if (old_rows > 0) {  // entirely old
    EXPECT_EQ(old_rows, kOldRows);
    EXPECT_EQ(new_rows, 0);
    EXPECT_EQ(d->row_count, kOldRows);
    EXPECT_EQ(d->last_seq, kOldRows);
  } else {  // entirely new
    EXPECT_EQ(new_rows, kNewRows);
    EXPECT_EQ(d->row_count, kNewRows);
  }
  EXPECT_EQ(f.store().Changes(7, 0, 10000)->size() + 0u,
            static_cast<std::size_t>(std::min<std::int64_t>(d->last_seq, 10000)));
  if (!at_end) {
    EXPECT_EQ(old_rows, kOldRows);  // killed mid-stream: nothing of the new load can be there
  }
  // The store still works: a new load succeeds.
  auto again = f.store().LoadSnapshot(7, People(10, "again", [](std::int64_t) {}), o, f.rules());
  ASSERT_TRUE(again.ok() && again->applied);
}

TEST(DatasetCrash, KillMidLoadLeavesTheOldSnapshot) { CrashDuringLoad(false); }
TEST(DatasetCrash, KillAroundTheSwapLeavesOneSnapshotOrTheOther) { CrashDuringLoad(true); }

}  // namespace
}  // namespace govshare::exchange
