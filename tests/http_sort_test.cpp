// Lists sorted on the server (issue 8): `sort=FIELD` / `sort=-FIELD` from each route's whitelist, keyset paging that
// stays stable under the sort, invalid_sort and invalid_cursor, and the default (id) order unchanged.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;
using org::Role;

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialPsb = 11;                   // 河北省公安厅 in the demo organisation

workflow::CaseType SortTestType() {
  workflow::CaseType t;
  t.id = "test_sort";
  t.name = "排序测试";
  t.initial_state = "submitted";
  t.final_states = {"published"};
  t.transitions = {{"approve", "submitted", "published", {Role::kAuthorityReviewer}, false}};
  t.waits = {{"submitted", workflow::Party::kAuthority, "catalog_review", workflow::OnDeadline::kEscalate}};
  return t;
}

/// Whether `a` comes before `b` in (field, id) order, ascending or descending. A null (no due time) sorts last when
/// ascending, as the server does.
bool Before(const json& a, const json& b, const std::string& field, bool descending) {
  const auto key = [&](const json& row) {
    const json& v = row[field];
    return std::make_pair(v.is_null() ? json("~") : v, row["id"].get<std::int64_t>());
  };
  return descending ? key(b) < key(a) : key(a) < key(b);
}

class Sorting : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = new TestServer(TestServer::Options{}, clock_);
    ASSERT_TRUE(server_->platform().cases().RegisterType(SortTestType()).ok());
    // Cases opened a minute apart, with subjects out of id order.
    for (const std::string subject : {"丙目录", "甲目录", "丁目录", "乙目录", "戊目录"}) {
      workflow::NewCase n;
      n.type = "test_sort";
      n.subject = subject;
      n.reference = "catalog_entry:1";
      n.requester_department_id = kProvincialPsb;
      n.region_id = "130000";
      auto c = server_->platform().cases().Open(nullptr, n);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      clock_->Advance(60);
    }
    admin_ = new std::string(server_->Login("admin"));
    reviewer_ = new std::string(server_->Login("reviewer"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete admin_;
    delete reviewer_;
    server_ = nullptr;
  }

  /// Every row of `path` under `sort` ("" for none), `limit` at a time, following next_cursor; fails on a repeat.
  static std::vector<json> PageAll(const std::string& path, const std::string& sort, int limit,
                                   const std::string& token) {
    std::vector<json> rows;
    std::set<std::int64_t> seen;
    std::string cursor;
    for (int pages = 0; pages < 200; ++pages) {
      std::string target = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::to_string(limit);
      if (!sort.empty()) target += "&sort=" + sort;
      if (!cursor.empty()) target += "&cursor=" + Escape(cursor);
      auto r = server_->Get(target, token);
      EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
      if (r.status != 200u) break;
      const auto page = r.Json();
      for (const auto& item : page["items"]) {
        EXPECT_TRUE(seen.insert(item["id"].get<std::int64_t>()).second) << "row " << item["id"] << " twice";
        rows.push_back(item);
      }
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"].get<std::string>();
    }
    return rows;
  }

  /// Percent-encodes a cursor for the query string (text sort values may be Chinese).
  static std::string Escape(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("%{:02X}", static_cast<unsigned>(c));
      }
    }
    return out;
  }

  /// `path` sorted by `field` both ways, paged `limit` at a time: each way in order and every row of the default
  /// (id) order once.
  static void ExpectSorts(const std::string& path, const std::string& field, int limit, const std::string& token) {
    const auto all = PageAll(path, "", 200, token);
    ASSERT_GE(all.size(), 3u) << path << " needs rows to sort";
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1]["id"], all[i]["id"]) << "default order";
    std::set<std::int64_t> ids;
    for (const auto& row : all) ids.insert(row["id"].get<std::int64_t>());
    for (const bool descending : {false, true}) {
      const auto sorted = PageAll(path, (descending ? "-" : "") + field, limit, token);
      std::set<std::int64_t> sorted_ids;
      for (const auto& row : sorted) sorted_ids.insert(row["id"].get<std::int64_t>());
      EXPECT_EQ(sorted_ids, ids) << path << " sort=" << (descending ? "-" : "") << field;
      for (std::size_t i = 1; i < sorted.size(); ++i) {
        EXPECT_TRUE(Before(sorted[i - 1], sorted[i], field, descending))
            << path << " sort=" << (descending ? "-" : "") << field << ": " << sorted[i - 1][field] << " then "
            << sorted[i][field];
      }
    }
  }

  static void ExpectProblem(const std::string& target, const std::string& token, const std::string& code) {
    auto r = server_->Get(target, token);
    EXPECT_EQ(r.status, 400u) << target << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    EXPECT_EQ(r.Json()["code"], code) << target;
  }

  static std::shared_ptr<common::FakeClock> clock_;
  static TestServer* server_;
  static std::string* admin_;
  static std::string* reviewer_;
};
std::shared_ptr<common::FakeClock> Sorting::clock_;
TestServer* Sorting::server_ = nullptr;
std::string* Sorting::admin_ = nullptr;
std::string* Sorting::reviewer_ = nullptr;

TEST_F(Sorting, DepartmentsByEachWhitelistedField) {
  for (const std::string field : {"name", "region_id", "kind", "created_at", "updated_at", "id"}) {
    ExpectSorts("/api/v1/departments", field, 7, *admin_);
  }
}

TEST_F(Sorting, UsersAndApplications) {
  for (const std::string field : {"username", "display_name", "created_at"}) {
    ExpectSorts("/api/v1/users", field, 5, *admin_);
  }
  for (const std::string field : {"name", "updated_at"}) ExpectSorts("/api/v1/applications", field, 3, *admin_);
}

TEST_F(Sorting, CasesAndInbox) {
  for (const std::string field : {"subject", "created_at", "due_at", "state", "type"}) {
    ExpectSorts("/api/v1/cases", field, 2, *reviewer_);
  }
  const auto by_subject = PageAll("/api/v1/cases?type=test_sort", "subject", 2, *reviewer_);
  ASSERT_EQ(by_subject.size(), 5u);
  std::vector<std::string> subjects;
  for (const auto& c : by_subject) subjects.push_back(c["subject"].get<std::string>());
  // Text sorts by its UTF-8 bytes (code point order): 丁 U+4E01, 丙 U+4E19, 乙 U+4E59, 戊 U+620A, 甲 U+7532.
  EXPECT_EQ(subjects, (std::vector<std::string>{"丁目录", "丙目录", "乙目录", "戊目录", "甲目录"}));
  const auto newest = PageAll("/api/v1/cases?type=test_sort", "-created_at", 2, *reviewer_);
  EXPECT_EQ(newest.front()["subject"], "戊目录");
  EXPECT_EQ(newest.back()["subject"], "丙目录");
  ExpectSorts("/api/v1/inbox", "created_at", 2, *reviewer_);
  ExpectSorts("/api/v1/inbox", "kind", 2, *reviewer_);
}

TEST_F(Sorting, SharingAndOutwardRequests) {
  const auto requester = server_->Login("requester");
  const auto app = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
  const auto entry = server_->PublishEntry(Content("排序测试人口信息"));
  json body = {{"entry_id", entry},
               {"application_id", app},
               {"items", {"公民身份号码", "姓名"}},
               {"scenario",
                {{"purpose", "养老保险待遇资格认证"},
                 {"legal_basis", "《社会保险法》第七十三条"},
                 {"scope", "全省养老保险待遇领取人员"},
                 {"manner", "lookup"},
                 {"volume_per_day", 20000},
                 {"validity_days", 365}}},
               {"accept_commitments", true}};
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(server_->Send("POST", "/api/v1/requests", body, requester).status, 201u);
    clock_->Advance(30);
  }
  body.erase("entry_id");
  body["level"] = "national";
  body["holder"] = "公安部";
  body["resource"] = "全国人口基本信息资源库 — 身份核验";
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(server_->Send("POST", "/api/v1/requests/outward", body, requester).status, 201u);
    clock_->Advance(30);
  }
  for (const std::string field : {"created_at", "updated_at", "state"}) {
    ExpectSorts("/api/v1/requests", field, 3, requester);
    ExpectSorts("/api/v1/requests/outward", field, 3, requester);
  }
  // The service filters by visibility after the store: still every visible row once, in order.
  ExpectSorts("/api/v1/requests?as=requester", "created_at", 1, requester);
}

TEST_F(Sorting, CatalogSearchRanksByRelevanceOrSortsByLastUpdate) {
  std::vector<std::int64_t> published;
  for (const std::string name : {"排序检索甲信息", "排序检索乙信息", "排序检索丙信息"}) {
    published.push_back(server_->PublishEntry(Content(name)));
    clock_->Advance(60);
  }
  const auto catalog = server_->Login("catalog");
  const auto ids = [&](const std::string& sort) {
    auto r = server_->Get("/api/v1/catalog/search?q=" + Escape("排序检索") + "&limit=2&offset=1" + sort, catalog);
    EXPECT_EQ(r.status, 200u) << r.body;
    const auto body = r.Json();
    std::vector<std::int64_t> out;
    for (const auto& hit : body["items"]) out.push_back(hit["id"].get<std::int64_t>());
    return out;
  };
  // Offset 1, two hits: the second and third in each order.
  EXPECT_EQ(ids("&sort=updated_at"), (std::vector<std::int64_t>{published[1], published[2]}));
  EXPECT_EQ(ids("&sort=-updated_at"), (std::vector<std::int64_t>{published[1], published[0]}));
  EXPECT_EQ(ids(""), ids("&sort=-updated_at"));  // equal relevance: the latest updated first, as before
  ExpectProblem("/api/v1/catalog/search?sort=name", catalog, "invalid_sort");
  ExpectProblem("/api/v1/catalog/search?sort=created_at", catalog, "invalid_sort");
}

TEST_F(Sorting, DefaultOrderAndCursorAreUnchanged) {
  auto first = server_->Get("/api/v1/departments?limit=3", *admin_).Json();
  ASSERT_EQ(first["items"].size(), 3u);
  EXPECT_EQ(first["next_cursor"], std::to_string(first["items"][2]["id"].get<std::int64_t>()));
  // sort=id is the default order, with the same cursors.
  EXPECT_EQ(server_->Get("/api/v1/departments?limit=3&sort=id", *admin_).Json(), first);
  auto sorted = server_->Get("/api/v1/departments?limit=3&sort=-name", *admin_).Json();
  EXPECT_TRUE(sorted["next_cursor"].get<std::string>().starts_with("name.d."));
}

TEST_F(Sorting, UnknownSortFieldIsInvalidSort) {
  for (const std::string sort : {"password_hash", "-", "--name", "name;drop", "NAME", "-credit_code"}) {
    ExpectProblem("/api/v1/departments?sort=" + Escape(sort), *admin_, "invalid_sort");
  }
  ExpectProblem("/api/v1/users?sort=name", *admin_, "invalid_sort");  // users sort by username, display_name
  ExpectProblem("/api/v1/applications?sort=state", *admin_, "invalid_sort");
  ExpectProblem("/api/v1/cases?sort=-name", *reviewer_, "invalid_sort");
  ExpectProblem("/api/v1/inbox?sort=due_at", *reviewer_, "invalid_sort");
  ExpectProblem("/api/v1/requests?sort=name", *reviewer_, "invalid_sort");
  ExpectProblem("/api/v1/requests/outward?sort=subject", *reviewer_, "invalid_sort");
}

TEST_F(Sorting, CursorOfAnotherSortIsInvalidCursor) {
  const auto by_name = server_->Get("/api/v1/departments?limit=2&sort=name", *admin_).Json()["next_cursor"];
  const auto by_id = server_->Get("/api/v1/departments?limit=2", *admin_).Json()["next_cursor"];
  const auto by_time = server_->Get("/api/v1/departments?limit=2&sort=created_at", *admin_).Json()["next_cursor"];
  ASSERT_TRUE(by_name.is_string() && by_id.is_string() && by_time.is_string());
  const std::string name_cursor = Escape(by_name.get<std::string>());
  ExpectProblem("/api/v1/departments?sort=-name&cursor=" + name_cursor, *admin_, "invalid_cursor");
  ExpectProblem("/api/v1/departments?sort=kind&cursor=" + name_cursor, *admin_, "invalid_cursor");
  ExpectProblem("/api/v1/departments?cursor=" + name_cursor, *admin_, "invalid_cursor");
  ExpectProblem("/api/v1/departments?sort=name&cursor=" + by_id.get<std::string>(), *admin_, "invalid_cursor");
  // Damaged: no id, a text value under a time sort.
  ExpectProblem("/api/v1/departments?sort=name&cursor=name.a.x", *admin_, "invalid_cursor");
  ExpectProblem("/api/v1/departments?sort=created_at&cursor=created_at.a.3.yesterday", *admin_, "invalid_cursor");
  // The cursor of the same sort goes on.
  EXPECT_EQ(server_->Get("/api/v1/departments?sort=created_at&cursor=" + by_time.get<std::string>(), *admin_).status,
            200u);
  // The plain id cursor in the default order keeps its old error for non-numbers.
  EXPECT_EQ(server_->Get("/api/v1/departments?cursor=abc", *admin_).Json()["code"], "invalid_parameter");
}

}  // namespace
}  // namespace govshare::testing
