// Bad input gets a clear 4xx (or a closed connection) and changes nothing.
#include <gtest/gtest.h>

#include "common/validate.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

json ValidDepartment() {
  json d = {{"name", "河北省测试局"},         {"region_id", "130000"},  {"kind", "department"},
            {"responsible_unit", "信息中心"}, {"contact_name", "测试"}, {"contact_phone", "13800000000"}};
  const std::string first17 = "11130000MA0000077";
  d["credit_code"] = first17 + std::string(1, common::CreditCodeCheckChar(first17));
  return d;
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.config.http.header_timeout_s = 1;
    options.config.http.idle_timeout_s = 2;
    options.config.http.max_body_bytes = 64 * 1024;
    options.config.http.max_header_bytes = 8 * 1024;
    server_ = new TestServer(options);
    admin_ = server_->Login("admin");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  /// POSTs `body` as the admin and checks the status, the problem code and that no department was added.
  static json PostDepartment(const std::string& body, unsigned status, const std::string& code,
                             const std::map<std::string, std::string>& extra = {}) {
    const auto before = server_->Count("departments");
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + admin_}};
    headers.insert(extra.begin(), extra.end());
    auto res = server_->Request("POST", "/api/v1/departments", body, headers);
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.headers["content-type"], "application/problem+json");
    const auto problem = res.Json();
    EXPECT_EQ(problem["code"], code) << res.body;
    EXPECT_EQ(problem["status"], status);
    EXPECT_FALSE(problem["request_id"].get<std::string>().empty());
    EXPECT_EQ(server_->Count("departments"), before) << "a rejected request changed state";
    return problem;
  }
  static TestServer* server_;
  static std::string admin_;
};
TestServer* BadInput::server_ = nullptr;
std::string BadInput::admin_;

TEST_F(BadInput, MalformedJson) { PostDepartment(R"({"name": "x",)", 400, "invalid_json"); }

TEST_F(BadInput, NotAnObject) { PostDepartment(R"(["a","b"])", 400, "invalid_json"); }

TEST_F(BadInput, InvalidUtf8) { PostDepartment("{\"name\":\"\xC3\x28\"}", 400, "invalid_utf8"); }

TEST_F(BadInput, WrongContentType) {
  PostDepartment(ValidDepartment().dump(), 415, "unsupported_media_type", {{"Content-Type", "text/plain"}});
}

TEST_F(BadInput, WrongTypes) {
  auto d = ValidDepartment();
  d["name"] = 42;
  EXPECT_EQ(PostDepartment(d.dump(), 400, "wrong_type")["field"], "/name");
}

TEST_F(BadInput, UnknownEnumValue) {
  auto d = ValidDepartment();
  d["kind"] = "ministry";
  EXPECT_EQ(PostDepartment(d.dump(), 400, "invalid_enum")["field"], "/kind");
}

TEST_F(BadInput, UnknownField) {
  auto d = ValidDepartment();
  d["is_admin"] = true;
  EXPECT_EQ(PostDepartment(d.dump(), 400, "unknown_field")["field"], "/is_admin");
}

TEST_F(BadInput, MissingField) {
  auto d = ValidDepartment();
  d.erase("credit_code");
  EXPECT_EQ(PostDepartment(d.dump(), 400, "missing_field")["field"], "/credit_code");
}

// Art. 4: a department is identified by a valid GB 32100 credit code.
TEST_F(BadInput, Art4CreditCodeChecksumIsEnforced) {
  auto d = ValidDepartment();
  std::string code = d["credit_code"];
  code.back() = code.back() == '0' ? '1' : '0';
  d["credit_code"] = code;
  EXPECT_EQ(PostDepartment(d.dump(), 422, "invalid_credit_code")["field"], "/credit_code");
}

TEST_F(BadInput, UnknownRegionAndBadPhone) {
  auto d = ValidDepartment();
  d["region_id"] = "139999";
  PostDepartment(d.dump(), 422, "unknown_region");
  d = ValidDepartment();
  d["contact_phone"] = "12345";
  PostDepartment(d.dump(), 422, "invalid_phone");
}

TEST_F(BadInput, TooLongAndControlCharacters) {
  auto d = ValidDepartment();
  d["name"] = std::string(300, 'x');
  PostDepartment(d.dump(), 400, "too_long");
  d = ValidDepartment();
  d["name"] = "bad\u0001name";
  PostDepartment(d.dump(), 400, "invalid_text");
}

TEST_F(BadInput, DeeplyNestedJson) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  PostDepartment(R"({"name":)" + deep + "}", 400, "invalid_json");
}

TEST_F(BadInput, InjectionStringsAreStoredAsPlainText) {
  auto d = ValidDepartment();
  d["name"] = "x'); DROP TABLE departments;--";
  const auto before = server_->Count("departments");
  auto res = server_->Send("POST", "/api/v1/departments", d, admin_);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.Json()["name"], "x'); DROP TABLE departments;--");
  EXPECT_EQ(server_->Count("departments"), before + 1);
  auto search = server_->Get("/api/v1/departments?q=%25%27%20OR%201%3D1", admin_);
  ASSERT_EQ(search.status, 200);
  EXPECT_TRUE(search.Json()["items"].empty()) << "a LIKE wildcard in the query must match literally";
}

TEST_F(BadInput, BadQueryParameters) {
  EXPECT_EQ(server_->Get("/api/v1/departments?limit=0", admin_).status, 400);
  EXPECT_EQ(server_->Get("/api/v1/departments?limit=abc", admin_).status, 400);
  EXPECT_EQ(server_->Get("/api/v1/departments?cursor=-1", admin_).status, 400);
  EXPECT_EQ(server_->Get("/api/v1/departments?q=%ZZ", admin_).status, 400);
  EXPECT_EQ(server_->Get("/api/v1/departments/abc", admin_).status, 404);
  EXPECT_EQ(server_->Get("/api/v1/departments/99999", admin_).status, 404);
}

TEST_F(BadInput, StaleVersionIsAConflict) {
  auto current = server_->Get("/api/v1/departments/11", admin_).Json();
  auto res = server_->Send("PATCH", "/api/v1/departments/11",
                           {{"version", current["version"].get<int>() + 5}, {"contact_name", "新联系人"}}, admin_);
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(res.Json()["code"], "version_conflict");
  EXPECT_EQ(server_->Get("/api/v1/departments/11", admin_).Json()["contact_name"], current["contact_name"]);
}

TEST_F(BadInput, UnknownRouteAndMethod) {
  auto missing = server_->Get("/api/v1/nothing-here", admin_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["code"], "not_found");
  auto method = server_->Request("PUT", "/api/v1/departments", "{}", {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(method.status, 405);
}

TEST_F(BadInput, OversizedBodyIsRefusedWith413) {
  const auto before = server_->Count("departments");
  const std::string big(70 * 1024, 'x');
  const std::string raw = "POST /api/v1/departments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin_ +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(big.size()) +
                          "\r\n\r\n" + big;
  const auto out = server_->Raw(raw);
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out.substr(0, 200);
  EXPECT_NE(out.find("body_too_large"), std::string::npos);
  EXPECT_EQ(server_->Count("departments"), before);
}

TEST_F(BadInput, OversizedHeadersAreRefusedWith431) {
  const std::string raw = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Junk: " + std::string(10 * 1024, 'a') + "\r\n\r\n";
  const auto out = server_->Raw(raw);
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 200);
}

TEST_F(BadInput, GarbageIsA400) {
  const auto out = server_->Raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out.substr(0, 200);
}

TEST_F(BadInput, SlowLorisConnectionIsClosedAfterTheHeaderTimeout) {
  bool closed = false;
  const auto out = server_->Raw("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ", 4000, &closed);
  EXPECT_TRUE(closed) << "a request whose headers never end must be cut off";
  EXPECT_TRUE(out.empty()) << out;
}

TEST_F(BadInput, IdleKeepAliveConnectionIsClosed) {
  bool closed = false;
  server_->Raw("", 5000, &closed);
  EXPECT_TRUE(closed);
}

TEST_F(BadInput, ServerStillServesAfterAllOfThat) {
  EXPECT_EQ(server_->Get("/api/v1/me", admin_).status, 200);
  EXPECT_EQ(server_->Request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace govshare::testing
