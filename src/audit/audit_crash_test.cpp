// Issue 5: "kill the process during heavy appends → after restart every acknowledged record is present and the tree
// verifies". A forked child appends from many threads and reports every acknowledgement through a pipe; the parent
// SIGKILLs it mid-flight and then checks the store. The child never returns into the test framework: it only _exits.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/crypto.hpp"

namespace govshare::audit {
namespace {

/// One acknowledgement, as the child writes it to the pipe: 16 bytes, below PIPE_BUF, so every write is atomic and
/// acknowledgements from different threads never interleave.
struct Ack {
  std::uint64_t leaf_index = 0;
  std::uint32_t writer = 0;
  std::uint32_t seq = 0;
};
static_assert(sizeof(Ack) == 16);

constexpr std::uint32_t kBlockingWriters = 16;
constexpr std::uint32_t kAsyncWriter = kBlockingWriters;  // the writer id of the AppendAsync submitter
constexpr std::int64_t kAsyncWindow = 256;
constexpr std::size_t kAcksBeforeKill = 2000;
constexpr int kRounds = 3;
constexpr auto kChildLifetime = std::chrono::seconds(120);  // the parent kills it long before
constexpr auto kParentPatience = std::chrono::seconds(90);

AuditRecord CrashRecord(int round, std::uint32_t writer, std::uint32_t seq) {
  AuditRecord r;
  r.time_us = 1795737600000000 + seq;
  r.actor_kind = "user";
  r.actor_id = writer;
  r.actor_name = "crash-test";
  r.department_id = round;
  r.action = "POST /api/v1/cases/{id}/transitions";
  r.target = fmt::format("/api/v1/cases/{}", seq);
  r.decision = "allow";
  r.request_id = fmt::format("r{}-w{}-{}", round, writer, seq);
  return r;
}

[[noreturn]] void Die(int code) { ::_exit(code); }

void SendAck(int fd, const Ack& ack) {
  if (::write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) Die(4);
}

/// The child: appends as fast as it can from kBlockingWriters blocking threads, one AppendAsync submitter and a head
/// signer, reporting each acknowledged record, until it is killed.
[[noreturn]] void RunChild(const std::string& dir, int round, int fd) {
  common::SystemClock clock;
  auto opened = AuditLog::Open(dir, clock);
  if (!opened.ok()) Die(2);
  AuditLog& log = *opened.value();
  for (std::uint32_t w = 0; w < kBlockingWriters; ++w) {
    std::thread([&log, round, fd, w] {
      for (std::uint32_t seq = 0;; ++seq) {
        auto index = log.Append(CrashRecord(round, w, seq));
        if (!index.ok()) Die(3);
        SendAck(fd, Ack{index.value(), w, seq});
      }
    }).detach();
  }
  std::thread([&log, round, fd] {
    auto in_flight = std::make_shared<std::atomic<std::int64_t>>(0);
    for (std::uint32_t seq = 0;; ++seq) {
      for (auto c = in_flight->load(); c >= kAsyncWindow; c = in_flight->load()) in_flight->wait(c);
      in_flight->fetch_add(1);
      log.AppendAsync(CrashRecord(round, kAsyncWriter, seq),
                      [in_flight, fd, seq](const common::Result<std::uint64_t>& index) {
                        if (!index.ok()) Die(3);
                        SendAck(fd, Ack{index.value(), kAsyncWriter, seq});
                        in_flight->fetch_sub(1);
                        in_flight->notify_one();
                      });
    }
  }).detach();
  std::thread([&log] {
    for (;;) {
      if (!log.SignNewHead().ok()) Die(5);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }).detach();
  std::this_thread::sleep_for(kChildLifetime);
  Die(6);
}

class AuditCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::InitCrypto().ok());
    dir_ = (std::filesystem::temp_directory_path() / ("govshare-audit-crash-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Runs one child, kills it with SIGKILL after kAcksBeforeKill acknowledgements and returns every acknowledgement
  /// it sent (including those still in the pipe when it died).
  std::vector<Ack> RunAndKill(int round) {
    int fds[2];
    if (::pipe(fds) != 0) {
      ADD_FAILURE() << "pipe: " << std::strerror(errno);
      return {};
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork: " << std::strerror(errno);
      return {};
    }
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(dir_, round, fds[1]);
    }
    ::close(fds[1]);
    std::string bytes;
    bool killed = false;
    const auto deadline = std::chrono::steady_clock::now() + kParentPatience;
    for (;;) {
      if (!killed && (bytes.size() / sizeof(Ack) >= kAcksBeforeKill || std::chrono::steady_clock::now() > deadline)) {
        ::kill(pid, SIGKILL);  // mid-flight: its writers are still appending
        killed = true;
      }
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 100) < 0 && errno != EINTR) break;
      if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n == 0) break;  // every write end is closed: the child is gone
      if (n < 0 && errno != EINTR) break;
      if (n > 0) bytes.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended on its own (exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
    EXPECT_EQ(bytes.size() % sizeof(Ack), 0u);
    std::vector<Ack> acks(bytes.size() / sizeof(Ack));
    std::memcpy(acks.data(), bytes.data(), acks.size() * sizeof(Ack));
    EXPECT_GE(acks.size(), kAcksBeforeKill);
    return acks;
  }

  std::string dir_;
};

// Three rounds on the same store, so a killed log is also reopened, appended to and killed again.
TEST_F(AuditCrashTest, EveryAcknowledgedAppendSurvivesSigkillAndTheTreeVerifies) {
  std::map<std::uint64_t, std::string> acknowledged;  // leaf index → request id of the record acknowledged there
  for (int round = 1; round <= kRounds; ++round) {
    const auto acks = RunAndKill(round);
    for (const auto& ack : acks) {
      const bool fresh =
          acknowledged.emplace(ack.leaf_index, CrashRecord(round, ack.writer, ack.seq).request_id).second;
      EXPECT_TRUE(fresh) << "leaf index " << ack.leaf_index << " was acknowledged twice";
    }
    // The operator's check first, on the files exactly as the kill left them (WAL included).
    std::ostringstream report;
    EXPECT_TRUE(AuditLog::Verify(dir_, report).ok()) << "round " << round << ":\n" << report.str();

    common::SystemClock clock;
    auto log = AuditLog::Open(dir_, clock);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_FALSE(acknowledged.empty());
    EXPECT_GT(log.value()->size(), acknowledged.rbegin()->first) << "round " << round;
    std::size_t missing = 0;
    for (const auto& [index, request_id] : acknowledged) {
      auto stored = log.value()->Get(index);
      if (!stored.ok() || stored.value().record.request_id != request_id) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "acknowledged records lost or replaced after round " << round;
    // The reopened log's tree matches a head signed over everything recovered.
    ASSERT_TRUE(log.value()->SignNewHead().ok());
    const auto head = log.value()->LatestHead();
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->tree_size, log.value()->size());
    EXPECT_TRUE(VerifyTreeHead(*head, log.value()->public_key_hex()));
  }
  std::ostringstream report;
  EXPECT_TRUE(AuditLog::Verify(dir_, report).ok()) << report.str();
}

}  // namespace
}  // namespace govshare::audit
