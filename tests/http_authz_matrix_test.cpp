// The authorisation matrix: every route × every role → allowed or denied. The expectations are written out here, apart
// from the permission table in src/org/permissions.cpp, so that a change to either that is not mirrored fails.
#include <gtest/gtest.h>

#include <set>

#include "common/validate.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

std::string common_check(const std::string& first17) { return std::string(1, common::CreditCodeCheckChar(first17)); }

// Demo users (see src/cli/setup.cpp): province authority users, a provincial department's staff, a city authority head.
const std::vector<std::string> kUsers = {"admin",   "reviewer",  "head",       "approver", "auditor",      "catalog",
                                         "steward", "requester", "contractor", "sjz.head", "sjz.requester"};
constexpr const char* kApplication = "application";  // the API key of 社保待遇资格认证系统

struct Case {
  std::string method;
  std::string path;               // with ids filled in
  std::string route;              // the route template it exercises
  std::set<std::string> allowed;  // principals allowed; everyone else gets 403 (or 401 for nothing)
  json body;
  unsigned ok_status = 0;  // what allowed principals get; 0: any 2xx
};

std::set<std::string> Everyone() {
  std::set<std::string> all(kUsers.begin(), kUsers.end());
  return all;
}

class AuthzMatrix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TestServer* server_;
};
TestServer* AuthzMatrix::server_ = nullptr;

TEST_F(AuthzMatrix, EveryRouteAndRoleGetsTheExpectedDecision) {
  TestServer& s = *server_;
  std::map<std::string, std::string> tokens;
  for (const auto& u : kUsers) tokens[u] = s.Login(u);
  tokens[kApplication] = s.ApiKey(0);
  const std::string admin = tokens["admin"];

  // Resources at province level owned by 河北省公安厅 (department 11): a target user, its application and a key.
  auto target = s.Send(
      "POST", "/api/v1/users",
      {{"username", "matrix.target"}, {"display_name", "靶用户"}, {"department_id", 11}, {"roles", {"requester"}}},
      admin);
  ASSERT_EQ(target.status, 201) << target.body;
  const std::string user_id = std::to_string(target.Json()["user"]["id"].get<std::int64_t>());
  const std::string app_id = std::to_string(s.credentials()["applications"][1]["application_id"].get<std::int64_t>());
  auto key = s.Send("POST", "/api/v1/applications/" + app_id + "/keys", {{"label", "matrix"}}, admin);
  ASSERT_EQ(key.status, 201);
  const std::string key_id = std::to_string(key.Json()["key"]["id"].get<std::int64_t>());

  ASSERT_TRUE(s.platform().audit().SignNewHead().ok());  // the logins above are audited: sign a head over them
  const std::set<std::string> admins = {"admin", "head"};
  const std::set<std::string> user_readers = {"admin", "head", "auditor"};
  const std::set<std::string> app_writers = {"admin", "steward"};
  const std::set<std::string> app_readers = {"admin", "head", "steward", "auditor"};
  const std::set<std::string> catalogers = {"catalog"};
  const json share_request = {{"entry_id", 999999},
                              {"application_id", 1},
                              {"items", {"姓名"}},
                              {"scenario",
                               {{"purpose", "p"},
                                {"legal_basis", "l"},
                                {"scope", "s"},
                                {"manner", "lookup"},
                                {"volume_per_day", 1},
                                {"validity_days", 1}}},
                              {"accept_commitments", true}};
  json outward_request = share_request;
  outward_request.erase("entry_id");
  outward_request["application_id"] = 999999;  // no such application: 422 once the route lets the caller in
  outward_request["level"] = "national";
  outward_request["holder"] = "公安部";
  outward_request["resource"] = "全国人口基础信息";
  const std::set<std::string> reviewers = {"reviewer", "head", "sjz.head"};
  const std::set<std::string> loaders = {"steward", "catalog", "sjz.requester", kApplication};
  std::set<std::string> everyone_and_app = Everyone();
  everyone_and_app.insert(kApplication);

  int counter = 0;
  auto unique = [&counter](const std::string& base) { return base + std::to_string(++counter); };

  std::vector<Case> cases = {
      {"GET", "/api/v1/me", "/api/v1/me", everyone_and_app, nullptr},
      {"GET", "/api/v1/roles", "/api/v1/roles", everyone_and_app, nullptr},
      {"GET", "/api/v1/regions", "/api/v1/regions", Everyone(), nullptr},
      {"GET", "/api/v1/regions/xiongan", "/api/v1/regions/{id}", Everyone(), nullptr},
      {"GET", "/api/v1/departments", "/api/v1/departments", Everyone(), nullptr},
      {"GET", "/api/v1/departments/11", "/api/v1/departments/{id}", Everyone(), nullptr},
      {"POST", "/api/v1/departments", "/api/v1/departments", admins, nullptr},
      {"PATCH", "/api/v1/departments/11", "/api/v1/departments/{id}", admins, nullptr},
      // A city authority head lists users of its own subtree only: allowed, with other regions filtered out.
      {"GET", "/api/v1/users", "/api/v1/users", {"admin", "head", "auditor", "sjz.head"}, nullptr},
      {"GET", "/api/v1/users/" + user_id, "/api/v1/users/{id}", user_readers, nullptr},
      {"POST", "/api/v1/users", "/api/v1/users", admins, nullptr},
      {"PATCH", "/api/v1/users/" + user_id, "/api/v1/users/{id}", admins, nullptr},
      {"POST", "/api/v1/users/" + user_id + "/reset-password", "/api/v1/users/{id}/reset-password", admins, nullptr},
      {"GET",
       "/api/v1/applications",
       "/api/v1/applications",
       {"admin", "head", "steward", "auditor", "sjz.head", "sjz.requester"},
       nullptr},
      {"GET", "/api/v1/applications/" + app_id, "/api/v1/applications/{id}", app_readers, nullptr},
      {"POST", "/api/v1/applications", "/api/v1/applications", app_writers, nullptr},
      {"PATCH", "/api/v1/applications/" + app_id, "/api/v1/applications/{id}", app_writers, nullptr},
      {"GET", "/api/v1/applications/" + app_id + "/keys", "/api/v1/applications/{id}/keys", app_readers, nullptr},
      {"POST", "/api/v1/applications/" + app_id + "/keys", "/api/v1/applications/{id}/keys", app_writers, nullptr},
      {"DELETE", "/api/v1/applications/" + app_id + "/keys/" + key_id, "/api/v1/applications/{id}/keys/{key_id}",
       app_writers, nullptr},
      // Wrong current password: allowed callers get 401 invalid_credentials, never 403.
      {"POST", "/api/v1/me/password", "/api/v1/me/password", Everyone(), nullptr},
      {"GET", "/api/v1/calendar/add-working-days?from=2026-09-30&days=3", "/api/v1/calendar/add-working-days",
       Everyone(), nullptr},
      {"GET", "/api/v1/calendar/working-days?from=2026-01-01&to=2026-02-01", "/api/v1/calendar/working-days",
       Everyone(), nullptr},
      {"GET", "/api/v1/calendar/years", "/api/v1/calendar/years", Everyone(), nullptr},
      {"GET", "/api/v1/calendar/years/2026", "/api/v1/calendar/years/{year}", Everyone(), nullptr},
      {"PUT",
       "/api/v1/calendar/years/2030",
       "/api/v1/calendar/years/{year}",
       {"admin"},
       {{"year", 2030}, {"source", "matrix"}, {"holidays", {"2030-01-01"}}, {"makeup_workdays", json::array()}}},
      {"GET", "/api/v1/rules", "/api/v1/rules", Everyone(), nullptr},
      {"GET", "/api/v1/cases", "/api/v1/cases", Everyone(), nullptr},
      {"GET", "/api/v1/inbox", "/api/v1/inbox", Everyone(), nullptr},
      // Case routes on a case nobody can see: users pass the route check and get 404; applications get 403.
      {"GET", "/api/v1/cases/999999", "/api/v1/cases/{id}", Everyone(), nullptr, 404},
      {"POST",
       "/api/v1/cases/999999/transitions",
       "/api/v1/cases/{id}/transitions",
       Everyone(),
       {{"action", "approve"}, {"version", 1}},
       404},
      {"POST",
       "/api/v1/cases/999999/extensions",
       "/api/v1/cases/{id}/extensions",
       Everyone(),
       {{"reason", "matrix"}},
       404},
      {"POST", "/api/v1/inbox/999999/read", "/api/v1/inbox/{id}/read", Everyone(), nullptr, 404},
      {"POST", "/api/v1/cases/999999/attachments?filename=a.txt", "/api/v1/cases/{id}/attachments", Everyone(),
       json("x"), 404},
      // Webhooks of 河北省公安厅 (department 11): its data steward and administrators.
      {"GET", "/api/v1/departments/11/webhooks", "/api/v1/departments/{id}/webhooks", {"admin", "steward"}, nullptr},
      {"POST",
       "/api/v1/departments/11/webhooks",
       "/api/v1/departments/{id}/webhooks",
       {"admin", "steward"},
       {{"url", "http://127.0.0.1:9/matrix"}}},
      {"DELETE",
       "/api/v1/departments/11/webhooks/999999",
       "/api/v1/departments/{id}/webhooks/{webhook_id}",
       {"admin", "steward"},
       nullptr,
       404},
      {"GET",
       "/api/v1/departments/11/webhooks/999999/deliveries",
       "/api/v1/departments/{id}/webhooks/{webhook_id}/deliveries",
       {"admin", "steward"},
       nullptr,
       404},
      // The audit log: heads, keys and proofs are public to every user; records only to auditors.
      {"GET", "/api/v1/audit/key", "/api/v1/audit/key", Everyone(), nullptr},
      {"GET", "/api/v1/audit/sth", "/api/v1/audit/sth", Everyone(), nullptr},
      {"GET", "/api/v1/audit/proof/inclusion?leaf_index=0&tree_size=1", "/api/v1/audit/proof/inclusion", Everyone(),
       nullptr},
      {"GET", "/api/v1/audit/proof/consistency?first=1&second=1", "/api/v1/audit/proof/consistency", Everyone(),
       nullptr},
      {"GET", "/api/v1/audit/records", "/api/v1/audit/records", {"auditor"}, nullptr},
      {"GET", "/api/v1/audit/records/0", "/api/v1/audit/records/{leaf_index}", {"auditor"}, nullptr},
      {"GET", "/api/v1/cases/999999/attachments/1", "/api/v1/cases/{id}/attachments/{attachment_id}", Everyone(),
       nullptr, 404},
      // The catalog: every user reads the published catalog; catalog managers compile their department's entries;
      // authority reviewers and heads review; data elements and databases are provincial standards.
      {"GET", "/api/v1/catalog/vocabulary", "/api/v1/catalog/vocabulary", Everyone(), nullptr},
      {"GET", "/api/v1/catalog/elements", "/api/v1/catalog/elements", Everyone(), nullptr},
      {"POST", "/api/v1/catalog/elements", "/api/v1/catalog/elements", admins, nullptr, 201},
      {"PUT",
       "/api/v1/catalog/elements/DE9999",
       "/api/v1/catalog/elements/{element_id}",
       admins,
       {{"name", "不存在"}, {"data_type", "C"}, {"version", 1}},
       404},
      {"GET", "/api/v1/catalog/databases", "/api/v1/catalog/databases", Everyone(), nullptr},
      {"PUT",
       "/api/v1/catalog/databases/population",
       "/api/v1/catalog/databases/{code}",
       admins,
       {{"name", "人口基础库"}, {"kind", "base"}, {"keeper_department_id", 11}}},
      {"GET", "/api/v1/catalog/search?q=%E4%BA%BA%E5%8F%A3", "/api/v1/catalog/search", Everyone(), nullptr},
      {"POST", "/api/v1/catalog/check", "/api/v1/catalog/check", catalogers, {{"content", {{"name", "检查"}}}}},
      {"POST", "/api/v1/catalog/entries", "/api/v1/catalog/entries", catalogers, nullptr, 201},
      {"GET", "/api/v1/catalog/entries/999999", "/api/v1/catalog/entries/{id}", Everyone(), nullptr, 404},
      {"PUT",
       "/api/v1/catalog/entries/999999/draft",
       "/api/v1/catalog/entries/{id}/draft",
       catalogers,
       {{"content", {{"name", "x"}, {"classification", "3"}}}, {"entry_version", 1}},
       404},
      {"DELETE", "/api/v1/catalog/entries/999999/draft?entry_version=1", "/api/v1/catalog/entries/{id}/draft",
       catalogers, nullptr, 404},
      {"POST",
       "/api/v1/catalog/entries/999999/submit",
       "/api/v1/catalog/entries/{id}/submit",
       catalogers,
       {{"entry_version", 1}},
       404},
      {"POST",
       "/api/v1/catalog/entries/999999/review",
       "/api/v1/catalog/entries/{id}/review",
       reviewers,
       {{"decision", "approve"}},
       404},
      {"POST",
       "/api/v1/catalog/entries/999999/changes",
       "/api/v1/catalog/entries/{id}/changes",
       catalogers,
       {{"date", "2026-01-05"}, {"reason", "law"}, {"description", "修法"}},
       404},
      {"POST",
       "/api/v1/catalog/entries/999999/withdrawal",
       "/api/v1/catalog/entries/{id}/withdrawal",
       catalogers,
       {{"reason", "撤销"}},
       404},
      {"POST",
       "/api/v1/catalog/entries/999999/negative-list",
       "/api/v1/catalog/entries/{id}/negative-list",
       catalogers,
       {{"kind", "list"}, {"legal_basis", "法"}, {"reason", "理由"}},
       404},
      {"GET", "/api/v1/catalog/entries/999999/versions", "/api/v1/catalog/entries/{id}/versions", Everyone(), nullptr,
       404},
      {"GET", "/api/v1/catalog/entries/999999/versions/1", "/api/v1/catalog/entries/{id}/versions/{number}", Everyone(),
       nullptr, 404},
      {"GET", "/api/v1/catalog/entries/999999/diff?from=1&to=2", "/api/v1/catalog/entries/{id}/diff", Everyone(),
       nullptr, 404},
      {"GET", "/api/v1/catalog/negative-list", "/api/v1/catalog/negative-list", Everyone(), nullptr},
      {"GET", "/api/v1/catalog/negative-list/applications", "/api/v1/catalog/negative-list/applications", Everyone(),
       nullptr},
      {"GET", "/api/v1/catalog/responsibilities", "/api/v1/catalog/responsibilities", Everyone(), nullptr},
      {"GET", "/api/v1/catalog/findings", "/api/v1/catalog/findings", Everyone(), nullptr},
      {"POST", "/api/v1/catalog/findings/scan", "/api/v1/catalog/findings/scan", reviewers, nullptr},
      {"POST",
       "/api/v1/catalog/findings/999999/dismiss",
       "/api/v1/catalog/findings/{id}/dismiss",
       reviewers,
       {{"reason", "不重复"}},
       404},
      {"POST",
       "/api/v1/catalog/findings/999999/rectify",
       "/api/v1/catalog/findings/{id}/rectify",
       reviewers,
       {{"note", "整改"}},
       404},
      {"POST", "/api/v1/catalog/import", "/api/v1/catalog/import", catalogers, {{"entries", json::array()}}, 201},
      {"GET", "/api/v1/catalog/export?format=dcat", "/api/v1/catalog/export", Everyone(), nullptr},
      // Sharing: requesters ask for their department; every user sees what concerns its department or region (the
      // service filters); answers, objections, decisions and grant changes are decided by the case engine and service.
      // The data API is for applications only (users: 403 applications_only); without X-Business-Ref the
      // application's call is refused before any grant is looked at (400 business_ref_required).
      {"GET", "/api/v1/data/999999/records/x", "/api/v1/data/{dataset}/records/{key}", {kApplication}, nullptr, 400},
      {"POST",
       "/api/v1/data/999999/verify",
       "/api/v1/data/{dataset}/verify",
       {kApplication},
       {{"fields", {{"姓名", "张三"}}}},
       400},
      {"GET", "/api/v1/data/999999/records?limit=5", "/api/v1/data/{dataset}/records", {kApplication}, nullptr, 400},
      {"GET", "/api/v1/data/999999/export", "/api/v1/data/{dataset}/export", {kApplication}, nullptr, 400},
      {"GET", "/api/v1/data/999999/changes?since=0", "/api/v1/data/{dataset}/changes", {kApplication}, nullptr, 400},
      // Logical access: the route admits catalog readers; the service lets only the provider's staff register and
      // only them, their authority and the administrator read (404 for an entry that does not exist).
      {"PUT",
       "/api/v1/datasets/999999/endpoint",
       "/api/v1/datasets/{id}/endpoint",
       Everyone(),
       {{"url", "http://127.0.0.1:9/x/{key}"}},
       404},
      {"GET", "/api/v1/datasets/999999/endpoint", "/api/v1/datasets/{id}/endpoint", Everyone(), nullptr, 404},
      {"POST", "/api/v1/datasets/999999/endpoint/check", "/api/v1/datasets/{id}/endpoint/check", Everyone(),
       json::object(), 404},
      {"POST",
       "/api/v1/requests/outward",
       "/api/v1/requests/outward",
       {"requester", "sjz.requester"},
       outward_request,
       422},
      {"GET", "/api/v1/requests/outward", "/api/v1/requests/outward", Everyone(), nullptr},
      {"GET", "/api/v1/requests/outward/999999", "/api/v1/requests/outward/{id}", Everyone(), nullptr, 404},
      {"POST", "/api/v1/requests", "/api/v1/requests", {"requester", "sjz.requester"}, share_request, 404},
      {"GET", "/api/v1/requests", "/api/v1/requests", Everyone(), nullptr},
      {"GET", "/api/v1/requests/999999", "/api/v1/requests/{id}", Everyone(), nullptr, 404},
      {"POST",
       "/api/v1/requests/999999/answer",
       "/api/v1/requests/{id}/answer",
       Everyone(),
       {{"decision", "yes"}},
       404},
      {"POST",
       "/api/v1/requests/999999/objection",
       "/api/v1/requests/{id}/objection",
       Everyone(),
       {{"reason", "异议"}},
       404},
      {"POST",
       "/api/v1/requests/999999/decision",
       "/api/v1/requests/{id}/decision",
       Everyone(),
       {{"decision", "uphold"}, {"reasons", "维持"}},
       404},
      {"GET", "/api/v1/grants", "/api/v1/grants", Everyone(), nullptr},
      {"GET", "/api/v1/grants/gr_none", "/api/v1/grants/{grant_id}", Everyone(), nullptr, 404},
      {"POST",
       "/api/v1/grants/gr_none/suspend",
       "/api/v1/grants/{grant_id}/suspend",
       Everyone(),
       {{"reason", "暂停"}},
       404},
      {"POST",
       "/api/v1/grants/gr_none/resume",
       "/api/v1/grants/{grant_id}/resume",
       Everyone(),
       {{"reason", "恢复"}},
       404},
      {"POST",
       "/api/v1/grants/gr_none/revoke",
       "/api/v1/grants/{grant_id}/revoke",
       Everyone(),
       {{"reason", "撤销"}},
       404},
      // Datasets (Art. 12): every user sees the metadata; only the provider department loads (its data stewards and
      // catalog managers, or its applications — any department's, since the dataset's provider decides: 404 here).
      {"GET", "/api/v1/datasets", "/api/v1/datasets", Everyone(), nullptr},
      {"GET", "/api/v1/datasets/stale", "/api/v1/datasets/stale", Everyone(), nullptr},
      // The dashboard (Art. 28): platform-wide counts for every user, not for applications.
      {"GET", "/api/v1/stats/dashboard", "/api/v1/stats/dashboard", Everyone(), nullptr},
      {"GET", "/api/v1/datasets/999999", "/api/v1/datasets/{id}", Everyone(), nullptr, 404},
      {"POST", "/api/v1/datasets/999999/loads", "/api/v1/datasets/{id}/loads", loaders, json("x"), 404},
      {"POST",
       "/api/v1/datasets/999999/batches",
       "/api/v1/datasets/{id}/batches",
       loaders,
       {{"upserts", json::array()}},
       404},
  };

  std::set<std::string> covered;
  for (auto& c : cases) {
    for (const auto& [who, token] : tokens) {
      json body = c.body;
      if (c.method == "POST" && c.route == "/api/v1/departments") {
        // A valid department whose credit code is made unique by its organisation code.
        body = {{"name", unique("矩阵测试局")},   {"credit_code", ""},
                {"region_id", "130000"},          {"kind", "department"},
                {"responsible_unit", "信息中心"}, {"contact_name", "测试"},
                {"contact_phone", "13800000000"}};
        std::string first17 = "11130000MA0" + std::to_string(100000 + counter);
        body["credit_code"] = first17 + common_check(first17);
      } else if (c.method == "PATCH" && c.route == "/api/v1/departments/{id}") {
        auto current = s.Get("/api/v1/departments/11", admin).Json();
        body = {{"version", current["version"]}, {"contact_name", unique("联系人")}};
      } else if (c.method == "POST" && c.route == "/api/v1/users") {
        body = {{"username", unique("matrix.user")},
                {"display_name", "用户"},
                {"department_id", 11},
                {"roles", {"requester"}}};
      } else if (c.method == "PATCH" && c.route == "/api/v1/users/{id}") {
        auto current = s.Get("/api/v1/users/" + user_id, admin).Json();
        body = {{"version", current["version"]}, {"display_name", unique("用户")}};
      } else if (c.method == "POST" && c.route == "/api/v1/applications") {
        body = {{"department_id", 11}, {"name", unique("矩阵应用")}};
      } else if (c.method == "PATCH" && c.route == "/api/v1/applications/{id}") {
        auto current = s.Get("/api/v1/applications/" + app_id, admin).Json();
        body = {{"version", current["version"]}, {"description", unique("说明")}};
      } else if (c.route == "/api/v1/applications/{id}/keys" && c.method == "POST") {
        body = {{"label", unique("k")}};
      } else if (c.method == "POST" && c.route == "/api/v1/catalog/elements") {
        body = {{"id", "DE" + std::to_string(7000 + counter++)}, {"name", "矩阵数据元"}, {"data_type", "C"}};
      } else if (c.method == "POST" && c.route == "/api/v1/catalog/entries") {
        body = {{"content", {{"name", unique("矩阵目录")}, {"classification", "30111"}}}};
      } else if (c.route == "/api/v1/me/password") {
        body = {{"current_password", "Not-the-password-1"}, {"new_password", "Another-password-2"}};
      }
      auto res = s.Send(c.method, c.path, body, token);
      const bool expect_allowed = c.allowed.count(who) != 0;
      SCOPED_TRACE(c.method + " " + c.path + " as " + who + " -> " + std::to_string(res.status) + " " + res.body);
      if (expect_allowed) {
        EXPECT_NE(res.status, 403u);
        EXPECT_LT(res.status, 500u);
        if (c.route == "/api/v1/me/password") {
          EXPECT_EQ(res.Json()["code"], "invalid_credentials");
        } else if (c.ok_status != 0) {
          EXPECT_EQ(res.status, c.ok_status);
        } else {
          EXPECT_GE(res.status, 200u);
          EXPECT_LT(res.status, 300u);
        }
      } else {
        EXPECT_EQ(res.status, 403u);
      }
    }
    covered.insert(c.method + " " + c.route);
  }
  // Every authenticated route of the router is in the matrix (login and logout are covered in http_auth_test).
  for (const auto& route : s.platform().router().routes()) {
    if (route.access == http::Access::kPublic || route.pattern == "/api/v1/auth/logout") continue;
    const std::string route_key = std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern;
    EXPECT_TRUE(covered.count(route_key)) << route_key << " is missing from the authorisation matrix";
  }
}

TEST_F(AuthzMatrix, CityAuthorityActsForItsRegionAndBelowOnly) {
  TestServer& s = *server_;
  const auto sjz = s.Login("sjz.head");
  // Art. 4 / Art. 17: 石家庄's authority administers 石家庄 and its counties, not the province or other cities.
  json dept = {{"name", "正定县测试局"},         {"region_id", "130123"},  {"kind", "department"},
               {"responsible_unit", "信息中心"}, {"contact_name", "测试"}, {"contact_phone", "13800000001"}};
  dept["credit_code"] = std::string("11130123MA0000001") + common_check("11130123MA0000001");
  EXPECT_EQ(s.Send("POST", "/api/v1/departments", dept, sjz).status, 201);
  dept["name"] = "保定测试局";
  dept["region_id"] = "130600";
  dept["credit_code"] = std::string("11130600MA0000001") + common_check("11130600MA0000001");
  EXPECT_EQ(s.Send("POST", "/api/v1/departments", dept, sjz).status, 403);
  // Listing users shows only 石家庄's people.
  auto users = s.Get("/api/v1/users?limit=200", sjz).Json();
  ASSERT_FALSE(users["items"].empty());
  for (const auto& u : users["items"]) {
    EXPECT_TRUE(u["department_name"].get<std::string>().rfind("石家庄", 0) == 0 ||
                u["department_name"].get<std::string>().rfind("正定", 0) == 0)
        << u.dump();
  }
}

}  // namespace
}  // namespace govshare::testing
