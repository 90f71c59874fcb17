// How the server reads requests and writes whole (not streamed) responses on a keep-alive connection: a request that
// has arrived whole is parsed from the read buffer, one that arrives in pieces is read on under its deadlines;
// pipelined requests are answered in order; a response larger than the socket can take at once is finished
// asynchronously and arrives whole, and the connection stays usable after it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <thread>

#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kBigBody = 24u << 20;  // far more than the loopback socket buffers take at once

std::string BigBody() {
  std::string body(kBigBody, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return body;
}

/// Test routes: a large whole body, and an echo of a POSTed body's length.
void AddRoutes(http::Router& router) {
  http::Route big;
  big.method = boost::beast::http::verb::get;
  big.pattern = "/api/v1/test/big";
  big.access = http::Access::kPublic;
  big.handler = [](http::Context& ctx) { ctx.Json(200, BigBody()); };
  router.Add(std::move(big));
  http::Route echo;
  echo.method = boost::beast::http::verb::post;
  echo.pattern = "/api/v1/test/echo";
  echo.access = http::Access::kPublic;
  echo.handler = [](http::Context& ctx) {
    ctx.Json(200, fmt::format(R"({{"length":{},"body":"{}"}})", ctx.request.body().size(), ctx.request.body()));
  };
  router.Add(std::move(echo));
}

/// A client on a raw socket, so that the test decides how the bytes of a request arrive and when the answer is read.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void Send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  /// Reads one response with a Content-Length body: {status line, body}.
  std::pair<std::string, std::string> ReadResponse() {
    asio::read_until(socket_, in_, "\r\n\r\n");
    std::istream head(&in_);
    std::string status_line;
    std::getline(head, status_line);
    std::size_t length = 0;
    for (std::string line; std::getline(head, line) && line != "\r";) {
      if (line.rfind("Content-Length: ", 0) == 0) length = std::stoul(line.substr(16));
    }
    if (in_.size() < length) asio::read(socket_, in_, asio::transfer_exactly(length - in_.size()));
    std::string body(length, '\0');
    head.read(body.data(), static_cast<std::streamsize>(length));
    return {status_line, body};
  }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  asio::streambuf in_;
};

class WholeBody : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServer::Options options;
    options.routes = [](http::Router& router) { AddRoutes(router); };
    server_ = std::make_unique<TestServer>(options);
  }
  std::unique_ptr<TestServer> server_;
};

TEST_F(WholeBody, ALargeResponseToASlowReaderArrivesWholeAndPipelinedRequestsAreAnsweredInOrder) {
  RawClient client(server_->port());
  // Three requests in one write: the server parses them one after the other from its buffer.
  client.Send(
      "GET /api/v1/test/big HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
      "GET /api/v1/test/big HTTP/1.1\r\nHost: x\r\n\r\n");
  // The client reads nothing for a while: the server's first send fills the socket and the rest must wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string expected = BigBody();
  auto [status1, body1] = client.ReadResponse();
  EXPECT_EQ(status1, "HTTP/1.1 200 OK\r");
  EXPECT_EQ(body1.size(), expected.size());
  EXPECT_TRUE(body1 == expected);
  auto [status2, body2] = client.ReadResponse();
  EXPECT_EQ(status2, "HTTP/1.1 200 OK\r");
  EXPECT_EQ(body2, R"({"length":5,"body":"hello"})");
  auto [status3, body3] = client.ReadResponse();
  EXPECT_EQ(status3, "HTTP/1.1 200 OK\r");
  EXPECT_TRUE(body3 == expected);
}

TEST_F(WholeBody, ARequestArrivingInPiecesIsReadOnAndAnswered) {
  RawClient client(server_->port());
  // The request line, the rest of the header and the body each come later than the previous piece.
  client.Send("POST /api/v1/test/ec");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Send("ho HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n01234");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Send("56789");
  auto [status, body] = client.ReadResponse();
  EXPECT_EQ(status, "HTTP/1.1 200 OK\r");
  EXPECT_EQ(body, R"({"length":10,"body":"0123456789"})");
  // And the connection is ready for the next request.
  client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().first, "HTTP/1.1 200 OK\r");
}

TEST_F(WholeBody, AMalformedRequestInTheBufferIsA400) {
  RawClient client(server_->port());
  client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().first, "HTTP/1.1 400 Bad Request\r");
}

}  // namespace
}  // namespace govshare::testing
