#include <utility>

#include "exchange/demo_provider.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/validate.hpp"
#include "exchange/logical.hpp"

namespace govshare::exchange {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using common::Status;

struct DemoProvider::State {
  std::string secret;
  std::atomic<long> calls{0};
  std::atomic<bool> failing{false};
  std::atomic<int> delay_ms{0};
};

namespace {

constexpr std::string_view kPath = "/death-registrations/";
constexpr std::int64_t kMaxSkewSeconds = 300;

const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "军",
                              "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"};

bhttp::response<bhttp::string_body> Answer(const DemoProvider::State& state,
                                           const bhttp::request<bhttp::string_body>& req) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  auto reply = [&](bhttp::status status, std::string body) {
    res.result(status);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };
  const std::string target(req.target());
  if (target == "/healthz") return reply(bhttp::status::ok, R"({"status":"ok"})");
  if (req.method() != bhttp::verb::get || target.rfind(kPath, 0) != 0) {
    return reply(bhttp::status::not_found, R"({"error":"no such resource"})");
  }
  const std::string ts(req["X-Govshare-Timestamp"]);
  const std::string signature(req["X-Govshare-Signature"]);
  std::int64_t when = 0;
  try {
    when = std::stoll(ts);
  } catch (const std::exception&) {
    return reply(bhttp::status::unauthorized, R"({"error":"unsigned call"})");
  }
  const auto now = common::SystemClock().Now();
  if (std::llabs(now - when) > kMaxSkewSeconds || signature != SignCall(state.secret, ts, "GET", target, "")) {
    return reply(bhttp::status::unauthorized, R"({"error":"bad signature"})");
  }
  if (state.failing.load()) return reply(bhttp::status::service_unavailable, R"({"error":"maintenance"})");
  const auto record = DemoDeathRecord(target.substr(kPath.size()));
  if (!record) return reply(bhttp::status::not_found, R"({"error":"no death registration"})");
  return reply(
      bhttp::status::ok,
      nlohmann::json{{"sfzh", record->id}, {"xm", record->name}, {"swrq", record->date}, {"xzqhdm", record->region}}
          .dump());
}

asio::awaitable<void> Session(std::shared_ptr<DemoProvider::State> state, asio::ip::tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  try {
    for (;;) {
      stream.expires_after(std::chrono::seconds(30));
      bhttp::request<bhttp::string_body> req;
      co_await bhttp::async_read(stream, buffer, req, asio::use_awaitable);
      if (const int delay = state->delay_ms.load(); delay > 0 && req.target() != "/healthz") {
        asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(delay));
        co_await timer.async_wait(asio::use_awaitable);
      }
      if (req.target() != "/healthz") ++state->calls;
      auto res = Answer(*state, req);
      co_await bhttp::async_write(stream, res, asio::use_awaitable);
      if (!res.keep_alive()) break;
    }
  } catch (const std::exception&) {
    // the peer closed or timed out: end the session
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> Accept(std::shared_ptr<DemoProvider::State> state, asio::ip::tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), Session(state, std::move(socket)), asio::detached);
  }
}

}  // namespace

std::optional<DeathRecord> DemoDeathRecord(const std::string& id) {
  if (!common::IsValidResidentId(id, 20991231)) return std::nullopt;
  const std::string h = common::Sha256Hex("govshare-demo-death:" + id);
  const unsigned long v = std::stoul(h.substr(0, 8), nullptr, 16);
  if (v % 50 != 0) return std::nullopt;
  const int birth_year = std::stoi(id.substr(6, 4));
  const int year = std::max(birth_year + 1, 2016 + static_cast<int>((v / 50) % 10));
  if (year > 2025) return std::nullopt;
  DeathRecord r;
  r.id = id;
  r.name = std::string(kSurnames[(v >> 8) % std::size(kSurnames)]) + kGiven[(v >> 12) % std::size(kGiven)] +
           ((v >> 16) % 2 == 0 ? kGiven[(v >> 20) % std::size(kGiven)] : "");
  r.date = fmt::format("{}-{:02}-{:02}", year, 1 + (v >> 4) % 12, 1 + (v >> 10) % 28);
  r.region = id.substr(0, 6);
  return r;
}

common::Result<std::unique_ptr<DemoProvider>> DemoProvider::Start(const std::string& listen, std::string secret) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("invalid_listen", "listen is host:port");
  std::unique_ptr<DemoProvider> p(new DemoProvider());
  p->state_ = std::make_shared<State>();
  p->state_->secret = std::move(secret);
  p->ioc_ = std::make_unique<asio::io_context>(1);
  auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(*p->ioc_);
  try {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(listen.substr(0, colon)),
                                           static_cast<unsigned short>(std::stoi(listen.substr(colon + 1))));
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen();
    p->port_ = acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    return Status::Unavailable("listen_failed", fmt::format("demo provider on {}: {}", listen, e.what()));
  }
  asio::co_spawn(
      *p->ioc_, [state = p->state_, acceptor]() -> asio::awaitable<void> { co_await Accept(state, *acceptor); },
      asio::detached);
  p->thread_ = std::thread([ioc = p->ioc_.get()] { ioc->run(); });
  return p;
}

DemoProvider::~DemoProvider() {
  if (ioc_) ioc_->stop();
  if (thread_.joinable()) thread_.join();
}

long DemoProvider::calls() const { return state_->calls.load(); }
void DemoProvider::SetFailing(bool failing) { state_->failing = failing; }
void DemoProvider::SetDelay(int delay_ms) { state_->delay_ms = delay_ms; }

}  // namespace govshare::exchange
