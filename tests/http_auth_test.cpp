// Authentication over HTTP: login, sessions, cookies and CSRF, lockout and throttling, API keys, password change.
#include <gtest/gtest.h>

#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

json Creds(const std::string& user, const std::string& password) {
  return {{"username", user}, {"password", password}};
}

TEST(HttpAuth, LoginReturnsTokenCookiesAndUser) {
  TestServer s;
  auto res = s.Request("POST", "/api/v1/auth/login", Creds("requester", s.PasswordOf("requester")).dump());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.Json();
  EXPECT_EQ(body["user"]["username"], "requester");
  EXPECT_EQ(body["user"]["roles"], json::array({"requester"}));
  EXPECT_FALSE(body["token"].get<std::string>().empty());
  const auto& cookies = res.headers["set-cookie"];
  EXPECT_NE(cookies.find("gs_session="), std::string::npos);
  EXPECT_NE(cookies.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookies.find("gs_csrf=" + body["csrf_token"].get<std::string>()), std::string::npos);

  auto me = s.Get("/api/v1/me", body["token"]);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json()["user"]["department_name"], "河北省人力资源和社会保障厅");
}

TEST(HttpAuth, WrongPasswordAndUnknownUserLookTheSame) {
  TestServer s;
  auto wrong = s.Request("POST", "/api/v1/auth/login", Creds("requester", "Wrong-password-1").dump());
  auto unknown = s.Request("POST", "/api/v1/auth/login", Creds("nobody", "Wrong-password-1").dump());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.Json()["code"], "invalid_credentials");
  EXPECT_EQ(unknown.Json()["code"], "invalid_credentials");
  EXPECT_EQ(wrong.headers["content-type"], "application/problem+json");
}

TEST(HttpAuth, AccountLocksAfterRepeatedFailuresEvenForTheRightPassword) {
  TestServer s;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(s.Request("POST", "/api/v1/auth/login", Creds("steward", "Wrong-password-1").dump()).status, 401);
  }
  auto fifth = s.Request("POST", "/api/v1/auth/login", Creds("steward", "Wrong-password-1").dump());
  EXPECT_EQ(fifth.status, 423);
  EXPECT_EQ(fifth.Json()["code"], "account_locked");
  auto right = s.Request("POST", "/api/v1/auth/login", Creds("steward", s.PasswordOf("steward")).dump());
  EXPECT_EQ(right.status, 423);
}

TEST(HttpAuth, LoginAttemptsAreThrottledPerClientAddress) {
  TestServer::Options options;
  options.config.auth.login_attempts_per_minute_per_ip = 3;
  // The window is the clock's minute: a fixed clock at the start of one, so that the four attempts cannot straddle a
  // minute boundary (with the wall clock, a run that did failed about once in a hundred).
  auto clock = std::make_shared<common::FakeClock>(1795737600);
  TestServer s(options, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.Request("POST", "/api/v1/auth/login", Creds("nobody", "x").dump()).status, 401);
  }
  auto res = s.Request("POST", "/api/v1/auth/login", Creds("requester", s.PasswordOf("requester")).dump());
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.Json()["code"], "too_many_attempts");
}

TEST(HttpAuth, LogoutRevokesTheSession) {
  TestServer s;
  const auto token = s.Login("auditor");
  ASSERT_EQ(s.Get("/api/v1/me", token).status, 200);
  EXPECT_EQ(s.Send("POST", "/api/v1/auth/logout", nullptr, token).status, 204);
  auto after = s.Get("/api/v1/me", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Json()["code"], "unauthenticated");
}

TEST(HttpAuth, SessionsExpire) {
  auto clock = std::make_shared<common::FakeClock>(1795737600);
  TestServer::Options options;
  options.config.auth.session_ttl_s = 600;
  TestServer s(options, clock);
  const auto token = s.Login("auditor");
  clock->Advance(599);
  EXPECT_EQ(s.Get("/api/v1/me", token).status, 200);
  clock->Advance(2);
  auto res = s.Get("/api/v1/me", token);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.Json()["code"], "session_expired");
}

TEST(HttpAuth, CookieSessionsNeedTheCsrfTokenForUnsafeMethods) {
  TestServer s;
  auto login = s.Request("POST", "/api/v1/auth/login", Creds("admin", s.PasswordOf("admin")).dump());
  const auto body = login.Json();
  const std::string cookie = "gs_session=" + body["token"].get<std::string>();
  EXPECT_EQ(s.Request("GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 200);
  const std::string app = json{{"department_id", 11}, {"name", "跨站请求测试"}}.dump();
  const auto before = s.Count("applications");
  auto forged = s.Request("POST", "/api/v1/applications", app, {{"Cookie", cookie}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.Json()["code"], "csrf_mismatch");
  EXPECT_EQ(s.Count("applications"), before);
  auto ok = s.Request("POST", "/api/v1/applications", app,
                      {{"Cookie", cookie}, {"X-CSRF-Token", body["csrf_token"].get<std::string>()}});
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST(HttpAuth, ApiKeysAuthenticateApplicationsAndCanBeRevoked) {
  TestServer s;
  const std::string key = s.ApiKey(0);
  auto me = s.Get("/api/v1/me", key);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json()["kind"], "application");
  EXPECT_EQ(me.Json()["application"]["name"], "社保待遇资格认证系统");
  // A key with a right prefix and a wrong secret is refused.
  std::string tampered = key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(s.Get("/api/v1/me", tampered).status, 401);
  // Applications administer nothing (deny by default).
  EXPECT_EQ(s.Get("/api/v1/departments", key).status, 403);

  const auto admin = s.Login("admin");
  const auto app_id = s.credentials()["applications"][0]["application_id"].get<std::int64_t>();
  auto keys = s.Get("/api/v1/applications/" + std::to_string(app_id) + "/keys", admin).Json();
  const auto key_id = keys["items"][0]["id"].get<std::int64_t>();
  EXPECT_EQ(keys["items"][0]["key_prefix"], key.substr(0, 16));
  EXPECT_EQ(s.Send("DELETE", "/api/v1/applications/" + std::to_string(app_id) + "/keys/" + std::to_string(key_id),
                   nullptr, admin)
                .status,
            204);
  auto revoked = s.Get("/api/v1/me", key);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.Json()["code"], "api_key_revoked");
}

TEST(HttpAuth, NewApiKeyIsShownOnceAndWorks) {
  TestServer s;
  const auto steward = s.Login("steward");  // data steward of 河北省公安厅, which owns application 2
  const auto app_id = s.credentials()["applications"][1]["application_id"].get<std::int64_t>();
  auto created = s.Send("POST", "/api/v1/applications/" + std::to_string(app_id) + "/keys",
                        {{"label", "生产"}, {"expires_in_days", 30}}, steward);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto api_key = created.Json()["api_key"].get<std::string>();
  EXPECT_EQ(s.Get("/api/v1/me", api_key).status, 200);
  auto listed = s.Get("/api/v1/applications/" + std::to_string(app_id) + "/keys", steward);
  EXPECT_EQ(listed.body.find(api_key), std::string::npos) << "the secret must never be listed";
}

TEST(HttpAuth, InitialPasswordMustBeChangedBeforeAnythingElse) {
  TestServer s;
  const auto admin = s.Login("admin");
  auto created = s.Send("POST", "/api/v1/users",
                        {{"username", "new.reviewer"},
                         {"display_name", "新审核员"},
                         {"department_id", 1},
                         {"roles", {"authority_reviewer"}}},
                        admin);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto initial = created.Json()["initial_password"].get<std::string>();
  auto login = s.Request("POST", "/api/v1/auth/login", Creds("new.reviewer", initial).dump());
  ASSERT_EQ(login.status, 200);
  const auto token = login.Json()["token"].get<std::string>();
  EXPECT_TRUE(login.Json()["user"]["must_change_password"].get<bool>());
  auto blocked = s.Get("/api/v1/departments", token);
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Json()["code"], "password_change_required");
  auto weak = s.Send("POST", "/api/v1/me/password", {{"current_password", initial}, {"new_password", "short"}}, token);
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.Json()["field"], "/new_password");
  auto changed = s.Send("POST", "/api/v1/me/password",
                        {{"current_password", initial}, {"new_password", "Correct-Horse-42"}}, token);
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(s.Get("/api/v1/departments", token).status, 200);
}

TEST(HttpAuth, AUserWhoMustChangeThePasswordCanStillReadMeAndLogOut) {
  TestServer s;
  const auto admin = s.Login("admin");
  auto created = s.Send(
      "POST", "/api/v1/users",
      {{"username", "new.auditor"}, {"display_name", "新审计员"}, {"department_id", 1}, {"roles", {"auditor"}}}, admin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto login = s.Request("POST", "/api/v1/auth/login",
                         Creds("new.auditor", created.Json()["initial_password"].get<std::string>()).dump());
  const auto token = login.Json()["token"].get<std::string>();
  EXPECT_EQ(s.Get("/api/v1/me", token).status, 200);
  EXPECT_EQ(s.Get("/api/v1/roles", token).Json()["code"], "password_change_required");
  EXPECT_EQ(s.Send("POST", "/api/v1/auth/logout", nullptr, token).status, 204);
}

// Art. 27: third-party accounts are approved, scoped and time-boxed.
TEST(HttpAuth, Art27ContractorAccountsNeedAValidityAndExpire) {
  auto clock = std::make_shared<common::FakeClock>(1795737600);  // 2026-11-27
  TestServer s(TestServer::Options{}, clock);
  const auto admin = s.Login("admin");
  auto missing = s.Send(
      "POST", "/api/v1/users",
      {{"username", "vendor.a"}, {"display_name", "厂商甲"}, {"department_id", 11}, {"roles", {"contractor"}}}, admin);
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.Json()["code"], "contractor_needs_validity");
  auto too_long = s.Send("POST", "/api/v1/users",
                         {{"username", "vendor.a"},
                          {"display_name", "厂商甲"},
                          {"department_id", 11},
                          {"roles", {"contractor"}},
                          {"valid_until", "2027-12-31"}},
                         admin);
  EXPECT_EQ(too_long.status, 422);
  EXPECT_EQ(too_long.Json()["code"], "validity_too_long");
  auto ok = s.Send("POST", "/api/v1/users",
                   {{"username", "vendor.a"},
                    {"display_name", "厂商甲"},
                    {"department_id", 11},
                    {"roles", {"contractor"}},
                    {"valid_until", "2026-12-31"}},
                   admin);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Json()["user"]["approved_by"], 1);
  // The demo contractor is valid for 90 days: on day 91 its open session stops working and it cannot log in.
  const auto token = s.Login("contractor");
  clock->Advance(3600);
  ASSERT_EQ(s.Get("/api/v1/me", token).status, 200);
  clock->Advance(91LL * 86400);
  auto login = s.Request("POST", "/api/v1/auth/login", Creds("contractor", s.PasswordOf("contractor")).dump());
  EXPECT_EQ(login.status, 403);
  EXPECT_EQ(login.Json()["code"], "account_expired");
}

}  // namespace
}  // namespace govshare::testing
