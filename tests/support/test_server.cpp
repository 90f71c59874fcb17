#include <utility>

#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/setup.hpp"
#include "support/backend_sql.hpp"

namespace govshare::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

nlohmann::json HttpResponse::Json() const {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return j;
}

namespace {

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "govshare-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  return made;
}

}  // namespace

TestServer::TestServer() : TestServer(Options{}) {}

bool TestOnPostgres() {
  const char* storage = std::getenv("GOVSHARE_TEST_STORAGE");
  return storage != nullptr && std::string_view(storage) == "postgres";
}

TestServer::TestServer(Options options, std::shared_ptr<common::FakeClock> clock) {
  dir_ = MakeTempDir();
  auto& config = options.config;
  config.data_dir = dir_ + "/data";
  config.auth.fast_password_hash = true;
  config.log.access_log = "";
  if (options.node_of != nullptr) {
    // A second node: the first one's database and the secrets every node must share.
    pg_ = options.node_of->pg_;
    if (!pg_) throw std::runtime_error("node_of needs a first node on PostgreSQL");
    config.storage = options.node_of->storage();
    credentials_ = options.node_of->credentials_;
    std::filesystem::create_directories(config.data_dir);
    for (const char* secret : {"mask.key", "audit.key"}) {
      std::filesystem::copy_file(options.node_of->options_.config.data_dir + "/" + secret,
                                 config.data_dir + "/" + secret);
    }
    options.demo = false;
  } else if (TestOnPostgres() || options.on_postgres) {
    pg_ = std::make_shared<ScratchPgDatabase>();
    if (!pg_->status().ok()) throw std::runtime_error(pg_->status().ToString());
    config.storage = pg_->conninfo();
  }
  if (options.demo) {
    std::ostringstream out;
    auto s = cli::Demo(config, out, options.demo_catalog, options.population);
    if (!s.ok()) throw std::runtime_error("demo failed: " + s.ToString());
    std::ifstream in(config.data_dir + "/demo-credentials.json");
    credentials_ = nlohmann::json::parse(in);
  }
  options_ = std::move(options);
  clock_ = std::move(clock);
  Start();
}

void TestServer::Start() {
  const auto& config = options_.config;
  auto platform = app::Platform::Open(config, clock_);
  if (!platform.ok()) throw std::runtime_error("open failed: " + platform.status().ToString());
  platform_ = std::move(platform.value());
  http::Server::Options server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.http = config.http;
  if (server_options.http.io_threads == 0) server_options.http.io_threads = 2;
  server_options.http.blocking_threads = options_.blocking_threads;
  server_options.audit = [p = platform_.get()](const http::Context& ctx, std::string_view route, http::AuditPhase phase,
                                               http::AuditDone done) {
    p->AuditHttp(ctx, route, phase, std::move(done));
  };
  auto* p = platform_.get();
  router_ = p->router();
  if (options_.routes) options_.routes(router_);
  server_ = std::make_unique<http::Server>(
      server_options, router_, p->metrics(), [p](const std::string& t) { return p->org().Authenticate(t); },
      p->authorizer(), nullptr);
  auto s = server_->Start();
  if (!s.ok()) throw std::runtime_error("start failed: " + s.ToString());
}

void TestServer::Restart() {
  server_.reset();
  platform_.reset();
  Start();
}

TestServer::~TestServer() {
  server_.reset();
  platform_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TestServer::PasswordOf(const std::string& username) const {
  for (const auto& u : credentials_.at("users")) {
    if (u.at("username") == username) return u.at("password").get<std::string>();
  }
  throw std::runtime_error("no demo user " + username);
}

std::string TestServer::ApiKey(std::size_t index) const {
  return credentials_.at("applications").at(index).at("api_key").get<std::string>();
}

std::pair<std::int64_t, std::string> TestServer::Application(const std::string& department) const {
  const auto& apps = credentials_.at("applications");
  for (std::size_t i = 0; i < apps.size(); ++i) {
    if (apps[i]["department"] == department) return {apps[i]["application_id"].get<std::int64_t>(), ApiKey(i)};
  }
  return {0, ""};
}

std::int64_t TestServer::PublishEntry(const nlohmann::json& content) {
  const auto catalog = Login("catalog");
  const auto reviewer = Login("reviewer");
  auto created = Send("POST", "/api/v1/catalog/entries", {{"content", content}}, catalog);
  EXPECT_EQ(created.status, 201u) << created.body;
  if (created.status != 201) return 0;
  const auto id = created.Json()["id"].get<std::int64_t>();
  const std::string base = "/api/v1/catalog/entries/" + std::to_string(id);
  EXPECT_EQ(Send("POST", base + "/submit", {{"entry_version", created.Json()["entry_version"]}}, catalog).status, 200u);
  EXPECT_EQ(Send("POST", base + "/review", {{"decision", "approve"}}, reviewer).status, 200u);
  return id;
}

HttpResponse TestServer::Request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    if (headers.find("Content-Type") == headers.end()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  bhttp::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResponse out;
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    auto& slot = out.headers[name];
    if (!slot.empty()) slot += "\n";
    slot += std::string(field.value());
  }
  beast::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

HttpResponse TestServer::Get(const std::string& target, const std::string& token) {
  return Request("GET", target, "", {{"Authorization", "Bearer " + token}});
}

HttpResponse TestServer::Send(const std::string& method, const std::string& target, const nlohmann::json& body,
                              const std::string& token) {
  return Request(method, target, body.is_null() ? "" : body.dump(), {{"Authorization", "Bearer " + token}});
}

std::string TestServer::Login(const std::string& username) {
  auto res = Request("POST", "/api/v1/auth/login",
                     nlohmann::json{{"username", username}, {"password", PasswordOf(username)}}.dump());
  if (res.status != 200) throw std::runtime_error("login of " + username + " failed: " + res.body);
  return res.Json().at("token").get<std::string>();
}

std::string TestServer::Raw(const std::string& bytes, int wait_ms, bool* closed_by_server) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  asio::write(socket, asio::buffer(bytes));
  std::string out;
  std::array<char, 4096> buf{};
  bool closed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  socket.non_blocking(true);
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (ec) {
      closed = true;
      break;
    }
    out.append(buf.data(), n);
  }
  if (closed_by_server != nullptr) *closed_by_server = closed;
  return out;
}

std::int64_t TestServer::Count(const std::string& table) {
  auto n = CountRows(platform_->sqlite(), platform_->postgres(), table);
  if (!n.ok()) throw std::runtime_error(n.status().ToString());
  return *n;
}

common::Status TestServer::ExecSql(const std::string& sql) {
  return testing::ExecSql(platform_->sqlite(), platform_->postgres(), sql);
}

}  // namespace govshare::testing
