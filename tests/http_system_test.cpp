// System routes: health, readiness, metrics, the OpenAPI document, request ids.
#include <gtest/gtest.h>

#include "http/handlers/handlers.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

TEST(HttpSystem, HealthAndReadiness) {
  TestServer s;
  EXPECT_EQ(s.Request("GET", "/healthz").Json()["status"], "ok");
  EXPECT_EQ(s.Request("GET", "/readyz").status, 200);
}

TEST(HttpSystem, RequestIdIsEchoedOrGenerated) {
  TestServer s;
  auto mine = s.Request("GET", "/healthz", "", {{"X-Request-Id", "trace-123"}});
  EXPECT_EQ(mine.headers["x-request-id"], "trace-123");
  auto bad = s.Request("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_NE(bad.headers["x-request-id"], "bad id with spaces");
  EXPECT_FALSE(bad.headers["x-request-id"].empty());
}

TEST(HttpSystem, MetricsCountRequestsPerRouteAndStatus) {
  TestServer s;
  s.Request("GET", "/healthz");
  s.Request("GET", "/api/v1/me");  // 401
  auto m = s.Request("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(R"(govshare_http_requests_total{method="GET",route="/healthz",status="200"} 1)"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find(R"(govshare_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1)"),
            std::string::npos);
  EXPECT_NE(m.body.find("govshare_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\""),
            std::string::npos);
}

// Every route the router serves is documented in the OpenAPI document, with its method.
TEST(HttpSystem, OpenApiDocumentCoversEveryRoute) {
  TestServer s;
  auto res = s.Request("GET", "/api/openapi.json");
  ASSERT_EQ(res.status, 200);
  const auto doc = res.Json();
  ASSERT_TRUE(doc.is_object()) << "the OpenAPI document is not valid JSON";
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 3), "3.1");
  for (const auto& route : s.platform().router().routes()) {
    std::string method(boost::beast::http::to_string(route.method));
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    EXPECT_TRUE(doc["paths"].contains(route.pattern) && doc["paths"][route.pattern].contains(method))
        << method << " " << route.pattern << " is missing from docs/openapi.json";
  }
}

}  // namespace
}  // namespace govshare::testing
