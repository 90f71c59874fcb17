// Art. 14, 25, 30 under failure: the server is killed with SIGKILL while applications look records up; every answer a
// client received with its X-Audit-Receipt must have its audit record, intact, after the crash (the answer is only sent
// once the record is durable). Runs the real binary (GOVSHARE_BINARY, set by ctest) on a small demo.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "common/clock.hpp"
#include "http/client.hpp"
#include "support/free_port.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

std::vector<std::string> Column(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

TEST(DataCrash, Art30EveryAnswerAClientReceivedHasItsAuditRecordAfterSigkill) {
  const char* binary = std::getenv("GOVSHARE_BINARY");
  ASSERT_NE(binary, nullptr) << "GOVSHARE_BINARY is not set (ctest sets it)";
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("govshare-crash-{}", ::getpid());
  std::filesystem::remove_all(dir);
  const std::string data = (dir / "data").string();
  std::filesystem::create_directories(dir);
  ASSERT_EQ(
      std::system(
          fmt::format("{} demo --data {} --population 2000 > {}/demo.out 2>&1", binary, data, dir.string()).c_str()),
      0);
  json credentials;
  std::ifstream(data + "/demo-credentials.json") >> credentials;
  std::string api_key, grant;
  for (const auto& a : credentials["applications"]) {
    if (a["name"] == "社保待遇资格认证系统") {
      api_key = a["api_key"];
      grant = a["grants"][0];  // 常住人口基本信息, manner lookup
    }
  }
  ASSERT_FALSE(grant.empty());
  const auto entry = Column(data + "/govshare.db", fmt::format("SELECT entry_id FROM grants WHERE id = '{}'", grant));
  ASSERT_EQ(entry.size(), 1u);
  const auto keys = Column(data + "/exchange.db", fmt::format("SELECT c1 FROM d{} LIMIT 200", entry[0]));
  ASSERT_FALSE(keys.empty());

  const int port = FreePort();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string listen = fmt::format("127.0.0.1:{}", port);
    ::setenv("GOVSHARE_LOG_ACCESS_LOG", "", 1);
    ::execl(binary, binary, "serve", "--data", data.c_str(), "--listen", listen.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string base = fmt::format("http://127.0.0.1:{}", port);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    auto r = http::Send("GET", base + "/healthz", "", {}, std::chrono::milliseconds(500));
    ready = r.ok() && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "the server did not start";

  // Clients look records up until the server dies; each keeps what it received.
  struct Received {
    unsigned status;
    std::uint64_t receipt;
    std::string key;
  };
  std::mutex mutex;
  std::vector<Received> received;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); !stop.load(); i += 4) {
        const auto& key = keys[i % keys.size()];
        auto r = http::Send("GET", fmt::format("{}/api/v1/data/{}/records/{}", base, entry[0], key), "",
                            {{"Authorization", "Bearer " + api_key},
                             {"X-Grant-Id", grant},
                             {"X-Business-Ref", fmt::format("CRASH-{}-{}", t, i)}},
                            std::chrono::milliseconds(2000));
        if (!r.ok()) continue;  // the server is gone: nothing was received
        const auto receipt = r->Header("X-Audit-Receipt");
        if (receipt.empty()) continue;
        std::lock_guard lock(mutex);
        received.push_back({r->status, std::stoull(receipt), key});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_FALSE(received.empty());
  std::size_t ok = 0;
  for (const auto& r : received) ok += r.status == 200;
  EXPECT_GT(ok, 0u) << "no lookup succeeded before the crash";

  // After the crash: every receipt names a durable record of exactly that call, and the log verifies.
  common::SystemClock clock;
  auto log = audit::AuditLog::Open(data, clock);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (const auto& r : received) {
    auto stored = log.value()->Get(r.receipt);
    ASSERT_TRUE(stored.ok()) << "receipt " << r.receipt << " (HTTP " << r.status << ") has no record";
    const auto& record = stored->record;
    EXPECT_EQ(record.target, fmt::format("/api/v1/data/{}/records/{}", entry[0], r.key));
    EXPECT_EQ(record.grant_id, grant);
    EXPECT_EQ(record.decision, r.status == 200 ? "allow" : "deny");
  }
  log.value().reset();
  std::ostringstream report;
  EXPECT_TRUE(audit::AuditLog::Verify(data, report).ok()) << report.str();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace govshare::testing
