// The server's streamed response bodies (Context::Stream; ARCHITECTURE.md §16): the header goes out only after the
// request's audit record is durable, the body follows in chunks from a producer on the blocking pool with bounded
// memory, a producer stops when its client goes, and a closing record carries the row count and the SHA-256 of the
// whole body (Art. 14, 30: a bulk use of shared data is traceable to exactly what was sent).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "common/crypto.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

constexpr int kStreamLines = 40000;  // ~2 MB: many 64 KiB chunks
/// What a producer may get ahead of a client that does not read: the loopback socket buffers (a few MB with
/// autotuning) and the pipe's few 64 KiB chunks, with a wide margin.
constexpr std::int64_t kBoundBytes = 48 << 20;

/// Test routes: a long streamed body of numbered lines, and one whose producer writes until the client has gone.
struct StreamRoutes {
  std::shared_ptr<std::atomic<bool>> endless_ended = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<std::int64_t>> endless_bytes = std::make_shared<std::atomic<std::int64_t>>(0);

  void Add(http::Router& router) const {
    for (const bool endless : {false, true}) {
      http::Route r;
      r.method = boost::beast::http::verb::get;
      r.pattern = endless ? "/api/v1/test/endless" : "/api/v1/test/stream";
      r.access = http::Access::kPublic;
      r.audit = http::AuditPolicy::kOutcome;
      r.handler = [endless, ended = endless_ended, bytes = endless_bytes](http::Context& ctx) {
        ctx.audit.fields = "line";
        ctx.Stream(200, "text/plain", [endless, ended, bytes](http::BodyWriter& out, http::AuditDetail& end) {
          for (std::int64_t i = 0; endless || i < kStreamLines; ++i) {
            const auto line = fmt::format("line {:010d} of a streamed body\n", i);
            if (!out.Write(line)) break;
            if (endless) bytes->fetch_add(static_cast<std::int64_t>(line.size()));
            end.row_count = i + 1;
          }
          if (endless) ended->store(true);
          return common::Status::Ok();
        });
      };
      router.Add(std::move(r));
    }
  }
};

class StreamedBody : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServer::Options options;
    options.routes = [routes = routes_](http::Router& router) { routes.Add(router); };
    server_ = std::make_unique<TestServer>(options);
    auditor_ = server_->Login("auditor");
  }
  json Closing() {
    for (int attempt = 0; attempt < 500; ++attempt) {
      for (const char* decision : {"complete", "incomplete"}) {
        auto list = server_->Get(fmt::format("/api/v1/audit/records?decision={}", decision), auditor_);
        if (list.status == 200 && !list.Json()["items"].empty()) return list.Json()["items"].back();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no closing record";
    return json();
  }
  StreamRoutes routes_;
  std::unique_ptr<TestServer> server_;
  std::string auditor_;
};

TEST_F(StreamedBody, ALongBodyArrivesWholeInChunksAfterItsRecordAndIsClosedByARecordWithItsHash) {
  auto r = server_->Request("GET", "/api/v1/test/stream");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  EXPECT_NE(r.headers.count("x-audit-receipt"), 0u);  // durable before the header, so before the first byte
  std::string expected;
  for (int i = 0; i < kStreamLines; ++i) expected += fmt::format("line {:010d} of a streamed body\n", i);
  EXPECT_EQ(r.body, expected);
  const auto closing = Closing();
  EXPECT_EQ(closing["decision"], "complete");
  EXPECT_EQ(closing["row_count"], kStreamLines);
  EXPECT_EQ(closing["content_hash"], common::Sha256Hex(expected));
  // The connection stays usable after a whole streamed body.
  EXPECT_EQ(server_->Request("GET", "/api/v1/test/stream").body.size(), expected.size());
}

TEST_F(StreamedBody, AProducerStopsWhenTheClientGoesAndHoldsOnlyAFewChunksMeanwhile) {
  namespace asio = boost::asio;
  {
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    const std::string request = "GET /api/v1/test/endless HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    std::string head(256 << 10, '\0');
    asio::read(socket, asio::buffer(head));  // a quarter MiB of an endless body, then the client goes
    EXPECT_NE(head.find("200 OK"), std::string::npos);
    EXPECT_NE(head.find("line 0000000001"), std::string::npos);
    // The client stops reading. The producer may fill the socket buffers and a few chunks, then must wait: an
    // unbounded one would produce hundreds of MB in this second.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    EXPECT_LT(routes_.endless_bytes->load(), kBoundBytes);
  }
  // Once the client is gone, the producer's next write fails and it ends.
  for (int i = 0; i < 500 && !routes_.endless_ended->load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(routes_.endless_ended->load());
  const auto closing = Closing();
  EXPECT_EQ(closing["decision"], "incomplete");
  EXPECT_EQ(closing["reason"], "client_gone");
  EXPECT_EQ(closing["content_hash"], "");  // no hash for a body nobody received whole
}

}  // namespace
}  // namespace govshare::testing
