#include <utility>

#include "http/client.hpp"

#include "common/url.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace govshare::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using common::Status;

namespace {

asio::awaitable<ClientResponse> Exchange(bhttp::verb method, common::HttpUrl url, std::string body,
                                         std::vector<std::pair<std::string, std::string>> headers,
                                         std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  beast::tcp_stream stream(ex);
  stream.expires_after(timeout);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  bhttp::request<bhttp::string_body> req{method, url.target, 11};
  req.set(bhttp::field::host, url.host);
  req.set(bhttp::field::user_agent, "govshare");
  if (method != bhttp::verb::get) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (method != bhttp::verb::get) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  co_await bhttp::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  ClientResponse out{parser.get().result_int(), parser.get().body(), {}};
  for (const auto& field : parser.get()) out.headers.emplace_back(field.name_string(), field.value());
  co_return out;
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return {};
}

common::Result<ClientResponse> Send(const std::string& method, const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout) {
  const auto verb = bhttp::string_to_verb(method);
  if (verb != bhttp::verb::get && verb != bhttp::verb::post) {
    return Status::Invalid("invalid_method", "the client sends GET or POST");
  }
  auto parsed = common::ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  asio::io_context ioc(1);
  auto future = asio::co_spawn(ioc, Exchange(verb, parsed.value(), body, headers, timeout), asio::use_future);
  ioc.run();
  try {
    return future.get();
  } catch (const boost::system::system_error& e) {
    if (e.code() == beast::error::timeout) {
      return Status::Unavailable("upstream_timeout", fmt::format("{}: no answer within {} ms", url, timeout.count()));
    }
    return Status::Unavailable("upstream_unreachable", fmt::format("{}: {}", url, e.code().message()));
  } catch (const std::exception& e) {
    return Status::Unavailable("upstream_unreachable", fmt::format("{}: {}", url, e.what()));
  }
}

common::Result<ClientResponse> Post(const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout) {
  return Send("POST", url, body, headers, timeout);
}

}  // namespace govshare::http
