// Several nodes on PostgreSQL under failure (issue 9): real `govshare serve` processes (GOVSHARE_BINARY, set by
// ctest) on one database while clients write and read through both.
// - One of two nodes is killed with SIGKILL: the other keeps serving, no write a client saw acknowledged is lost, the
//   periodic jobs move to the survivor, and the killed node restarts and rejoins.
// - PostgreSQL restarts: the nodes answer 503 while it is down, never a wrong answer, and serve again once it is up.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/free_port.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

common::Result<http::ClientResponse> Call(const std::string& method, const std::string& url, const std::string& token,
                                          const std::string& body = "") {
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return http::Send(method, url, body, headers, std::chrono::milliseconds(5000));
}

/// One `govshare serve` process with its own data directory on the deployment's database.
class Node {
 public:
  Node(std::string binary, std::string data, std::string storage)
      : binary_(std::move(binary)), data_(std::move(data)), storage_(std::move(storage)) {}
  ~Node() { Kill(); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Starts the process and waits until it is ready (true) or gives up after 20 s.
  bool Start() {
    port_ = FreePort();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string listen = fmt::format("127.0.0.1:{}", port_);
      ::setenv("GOVSHARE_STORAGE", storage_.c_str(), 1);
      ::setenv("GOVSHARE_LOG_ACCESS_LOG", "", 1);
      ::setenv("GOVSHARE_LOG_LEVEL", "warn", 1);
      ::execl(binary_.c_str(), binary_.c_str(), "serve", "--data", data_.c_str(), "--listen", listen.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      auto r = http::Send("GET", base() + "/readyz", "", {}, std::chrono::milliseconds(500));
      if (r.ok() && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  std::string base() const { return fmt::format("http://127.0.0.1:{}", port_); }
  /// The value of this node's govshare_leads_jobs gauge (-1 if /metrics did not answer).
  int LeadsJobs() const {
    auto r = http::Send("GET", base() + "/metrics", "", {}, std::chrono::milliseconds(2000));
    if (!r.ok() || r->status != 200) return -1;
    const auto at = r->body.find("\ngovshare_leads_jobs ");
    if (at == std::string::npos) return -1;
    return r->body[at + std::string("\ngovshare_leads_jobs ").size()] == '1' ? 1 : 0;
  }

 private:
  std::string binary_;
  std::string data_;
  std::string storage_;
  int port_ = 0;
  pid_t pid_ = 0;
};

/// A deployment of two nodes: `govshare demo` on the first node's directory, the second gets its secrets.
class Deployment {
 public:
  explicit Deployment(const std::string& storage) {
    const char* binary = std::getenv("GOVSHARE_BINARY");
    if (binary == nullptr) throw std::runtime_error("GOVSHARE_BINARY is not set (ctest sets it)");
    dir_ = fs::temp_directory_path() / fmt::format("govshare-pg-failure-{}-{}", ::getpid(), counter_++);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "b");
    const std::string a = (dir_ / "a").string();
    const std::string b = (dir_ / "b").string();
    const auto demo = fmt::format("GOVSHARE_STORAGE='{}' {} demo --data {} --population 0 > {}/demo.out 2>&1", storage,
                                  binary, a, dir_.string());
    if (std::system(demo.c_str()) != 0) throw std::runtime_error("demo failed: see " + dir_.string() + "/demo.out");
    for (const char* secret : {"mask.key", "audit.key"}) fs::copy_file(fs::path(a) / secret, fs::path(b) / secret);
    std::ifstream(a + "/demo-credentials.json") >> credentials_;
    nodes_.push_back(std::make_unique<Node>(binary, a, storage));
    nodes_.push_back(std::make_unique<Node>(binary, b, storage));
  }
  ~Deployment() {
    nodes_.clear();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Node& node(std::size_t i) { return *nodes_[i]; }
  std::string Password(const std::string& user) const {
    for (const auto& u : credentials_["users"]) {
      if (u["username"] == user) return u["password"];
    }
    return "";
  }
  /// Logs `user` in through node `i`; the session is valid on every node.
  std::string Login(std::size_t i, const std::string& user) {
    auto r = http::Send("POST", node(i).base() + "/api/v1/auth/login",
                        json{{"username", user}, {"password", Password(user)}}.dump(),
                        {{"Content-Type", "application/json"}}, std::chrono::milliseconds(5000));
    if (!r.ok() || r->status != 200) return "";
    return json::parse(r->body)["token"];
  }

 private:
  static inline std::atomic<int> counter_{0};
  fs::path dir_;
  json credentials_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

/// Clients creating catalog drafts through the nodes (round robin over `live`) and reading back drafts they saw
/// acknowledged. Every answer must be 201/200 with the right content, or 503 (storage unavailable): anything else is
/// recorded as wrong. Transport errors (a node that is gone) acknowledge nothing.
class Load {
 public:
  Load(Deployment& d, std::string token) : d_(d), token_(std::move(token)) {}
  void Start(std::vector<std::size_t> live, int threads = 3) {
    live_ = std::move(live);
    stop_ = false;
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t] { Run(t); });
    }
  }
  void SetLive(std::vector<std::size_t> live) {
    std::lock_guard lock(mutex_);
    live_ = std::move(live);
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  std::map<std::int64_t, std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::vector<std::string> wrong() {
    std::lock_guard lock(mutex_);
    return wrong_;
  }
  int unavailable() const { return unavailable_.load(); }
  /// Successful answers per node.
  int served(std::size_t node) const { return served_[node].load(); }

 private:
  void Run(int t) {
    for (int i = 0; !stop_; ++i) {
      std::size_t n = 0;
      std::optional<std::pair<std::int64_t, std::string>> known;
      {
        std::lock_guard lock(mutex_);
        if (live_.empty()) continue;
        n = live_[static_cast<std::size_t>(i + t) % live_.size()];
        if (!acknowledged_.empty() && i % 2 == 1) {
          auto it = acknowledged_.begin();
          std::advance(it, static_cast<long>(static_cast<std::size_t>(i) % acknowledged_.size()));
          known = *it;
        }
      }
      const std::string base = d_.node(n).base();
      if (known) {
        auto r = Call("GET", fmt::format("{}/api/v1/catalog/entries/{}", base, known->first), token_);
        if (!r.ok()) continue;
        Check(n, *r, 200, [&](const json& j) { return j["working"]["content"]["name"] == known->second; });
        continue;
      }
      const std::string name = fmt::format("故障测试目录{}-{}", t, i);
      const json content = Content(name);
      auto r = Call("POST", base + "/api/v1/catalog/entries", token_, json{{"content", content}}.dump());
      if (!r.ok()) continue;
      if (Check(n, *r, 201, [&](const json& j) { return j["working"]["content"]["name"] == name; })) {
        std::lock_guard lock(mutex_);
        acknowledged_[json::parse(r->body)["id"].get<std::int64_t>()] = name;
      }
    }
  }
  template <typename Right>
  bool Check(std::size_t n, const http::ClientResponse& r, unsigned ok_status, Right right) {
    if (r.status == 503) {
      ++unavailable_;
      return false;
    }
    const auto j = json::parse(r.body, nullptr, false);
    if (r.status == ok_status && !j.is_discarded() && right(j)) {
      ++served_[n];
      return true;
    }
    std::lock_guard lock(mutex_);
    wrong_.push_back(fmt::format("{}: {}", r.status, r.body.substr(0, 300)));
    return false;
  }

  Deployment& d_;
  const std::string token_;
  std::mutex mutex_;
  std::vector<std::size_t> live_;                     // mutex_
  std::map<std::int64_t, std::string> acknowledged_;  // mutex_: entry id → name
  std::vector<std::string> wrong_;                    // mutex_
  std::atomic<int> unavailable_{0};
  std::array<std::atomic<int>, 2> served_{};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

/// Every acknowledged draft is there, with its content, through node `n`.
void ExpectAllThere(Deployment& d, std::size_t n, const std::string& token,
                    const std::map<std::int64_t, std::string>& acknowledged) {
  for (const auto& [id, name] : acknowledged) {
    auto r = Call("GET", fmt::format("{}/api/v1/catalog/entries/{}", d.node(n).base(), id), token);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200u) << r->body;
    EXPECT_EQ(json::parse(r->body)["working"]["content"]["name"], name);
  }
}

TEST(PostgresFailure, KillingOneOfTwoNodesUnderLoadLosesNoAcknowledgedWriteAndTheNodeRejoins) {
  ScratchPgDatabase db;
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  Deployment d(db.conninfo());
  ASSERT_TRUE(d.node(0).Start());
  ASSERT_TRUE(d.node(1).Start());
  const std::string token = d.Login(0, "catalog");
  ASSERT_FALSE(token.empty());
  // The first node to start took the periodic jobs.
  for (int i = 0; i < 50 && d.node(0).LeadsJobs() + d.node(1).LeadsJobs() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::size_t leader = d.node(0).LeadsJobs() == 1 ? 0 : 1;
  const std::size_t survivor = 1 - leader;
  ASSERT_EQ(d.node(survivor).LeadsJobs(), 0);

  Load load(d, token);
  load.Start({0, 1});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  d.node(leader).Kill();
  const int before = load.served(survivor);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  load.SetLive({survivor});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_GT(load.served(survivor), before) << "the survivor kept serving";
  // The survivor takes the jobs over once the dead node's session is gone.
  bool took_over = false;
  for (int i = 0; i < 100 && !took_over; ++i) {
    took_over = d.node(survivor).LeadsJobs() == 1;
    if (!took_over) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(took_over);
  // The killed node restarts and serves again, beside the survivor.
  ASSERT_TRUE(d.node(leader).Start());
  load.SetLive({0, 1});
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  load.Stop();
  EXPECT_TRUE(load.wrong().empty()) << load.wrong().front();
  const auto acknowledged = load.acknowledged();
  EXPECT_GT(acknowledged.size(), 10u);
  ExpectAllThere(d, 0, token, acknowledged);
  ExpectAllThere(d, 1, token, acknowledged);
  EXPECT_EQ(d.node(0).LeadsJobs() + d.node(1).LeadsJobs(), 1);
}

TEST(PostgresFailure, RestartingPostgreSQLUnderLoadGives503InBetweenAndNeverAWrongAnswer) {
  // A cluster of this test's own: restarting the shared one would fail the tests running beside it.
  const fs::path cluster = fs::temp_directory_path() / fmt::format("govshare-pg-restart-{}", ::getpid());
  const std::string script = std::string(GOVSHARE_SOURCE_DIR) + "/scripts/pg-cluster.sh";
  ASSERT_EQ(std::system(fmt::format("{} start {} > /dev/null", script, cluster.string()).c_str()), 0);
  // Stopped however the test ends (a failed assertion returns early; a throw unwinds).
  struct StopCluster {
    std::string command;
    ~StopCluster() { [[maybe_unused]] const int ignored = std::system(command.c_str()); }
  } stop{fmt::format("{} stop {}", script, cluster.string())};
  std::string conninfo;
  std::getline(std::ifstream(cluster / "conninfo"), conninfo);
  {
    Deployment d(conninfo);
    ASSERT_TRUE(d.node(0).Start());
    ASSERT_TRUE(d.node(1).Start());
    const std::string token = d.Login(1, "catalog");
    ASSERT_FALSE(token.empty());
    Load load(d, token);
    load.Start({0, 1});
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    const auto before = load.acknowledged().size();
    // Down for two seconds: every session of both nodes is cut.
    ASSERT_EQ(std::system(fmt::format("GOVSHARE_PG_DOWN_S=2 {} restart {}", script, cluster.string()).c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    load.Stop();
    EXPECT_GT(load.unavailable(), 0) << "requests while PostgreSQL was down are refused with 503";
    EXPECT_TRUE(load.wrong().empty()) << load.wrong().front();
    const auto acknowledged = load.acknowledged();
    EXPECT_GT(acknowledged.size(), before) << "both nodes write again once PostgreSQL is back";
    ExpectAllThere(d, 0, token, acknowledged);
    ExpectAllThere(d, 1, token, acknowledged);
    for (std::size_t n : {0U, 1U}) {
      auto ready = http::Send("GET", d.node(n).base() + "/readyz", "", {}, std::chrono::milliseconds(2000));
      ASSERT_TRUE(ready.ok());
      EXPECT_EQ(ready->status, 200u);
    }
  }
}

}  // namespace
}  // namespace govshare::testing
