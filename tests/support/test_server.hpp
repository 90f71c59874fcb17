#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/platform.hpp"
#include "common/clock.hpp"
#include "http/server.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::testing {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; Set-Cookie values joined with "\n"
  nlohmann::json Json() const;
};

/// Whether TestServers store on PostgreSQL: GOVSHARE_TEST_STORAGE=postgres (CTest runs the HTTP suite a second time
/// so, as the tests named Postgres*, under the cluster fixture).
bool TestOnPostgres();

/// A throwaway platform with the demo organisation (fast password hashing) and a live HTTP server on an ephemeral
/// port. Users and API keys come from the demo-credentials.json it writes. On PostgreSQL (TestOnPostgres()) each
/// server gets a scratch database of its own, dropped with it, unless it joins another server's (Options::node_of).
class TestServer {
 public:
  struct Options {
    common::Config config;  // data_dir is filled in
    bool demo = true;
    bool demo_catalog = false;    // the ~150 demo catalog entries (slow under sanitizers; only tests that need them)
    std::int64_t population = 0;  // with demo_catalog: people in the demo population dataset (0: no data loaded)
    std::int64_t blocking_threads = 4;
    /// Adds test-only routes to (a copy of) the platform's router before the server starts.
    std::function<void(http::Router&)> routes;
    /// Another node of `node_of`'s deployment: the same PostgreSQL database and secrets (its own data directory,
    /// no demo of its own; the credentials are the first node's). Needs `node_of` on PostgreSQL.
    const TestServer* node_of = nullptr;
    /// On PostgreSQL whatever GOVSHARE_TEST_STORAGE says (tests of several nodes).
    bool on_postgres = false;
  };
  TestServer();
  explicit TestServer(Options options, std::shared_ptr<common::FakeClock> clock = nullptr);
  ~TestServer();

  unsigned short port() const { return server_->port(); }
  app::Platform& platform() { return *platform_; }
  const nlohmann::json& credentials() const { return credentials_; }
  std::string PasswordOf(const std::string& username) const;
  std::string ApiKey(std::size_t index = 0) const;
  /// The demo application of the department named `department`: its id and API key (0 and "" if it has none).
  std::pair<std::int64_t, std::string> Application(const std::string& department) const;
  /// Creates a catalog entry as the catalog manager, submits it and has the reviewer approve it: the published id.
  std::int64_t PublishEntry(const nlohmann::json& content);

  HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& target, const std::string& token);
  HttpResponse Send(const std::string& method, const std::string& target, const nlohmann::json& body,
                    const std::string& token);
  /// Logs in and returns the session token (fails the test if login fails).
  std::string Login(const std::string& username);
  /// Sends raw bytes on a new connection and returns everything read until the server closes or `wait_ms` passes.
  std::string Raw(const std::string& bytes, int wait_ms = 2000, bool* closed_by_server = nullptr);
  /// The number of rows in a table (to prove a failed request changed nothing).
  std::int64_t Count(const std::string& table);
  /// Runs `sql` in a write transaction of the main database, whichever the backend (the SQL must suit both): what a
  /// user with direct database access could try.
  common::Status ExecSql(const std::string& sql);
  /// The storage setting of this server's platform ("sqlite" or its database's URI).
  const std::string& storage() const { return options_.config.storage; }

  const std::string& data_dir() const { return dir_; }
  /// Stops the server and the platform as `serve` does on SIGTERM, then opens both again on the same data directory
  /// (a new port; sessions survive, in-memory state does not).
  void Restart();

 private:
  void Start();

  Options options_;
  std::shared_ptr<common::FakeClock> clock_;
  std::string dir_;
  std::shared_ptr<ScratchPgDatabase> pg_;  // shared with the other nodes of the deployment
  std::unique_ptr<app::Platform> platform_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  nlohmann::json credentials_;
};

}  // namespace govshare::testing
