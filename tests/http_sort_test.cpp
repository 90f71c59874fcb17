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
    return std::make_pair(v.is_null() ? json("~") : v, row["id"]);  // ids: numbers, or text (grants)
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
    std::set<std::string> seen;
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
        EXPECT_TRUE(seen.insert(item["id"].dump()).second) << "row " << item["id"] << " twice";
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
  json body = ShareRequestBody(entry, app);
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

TEST_F(Sorting, GrantsPageByCreationAndSortByValidityAndStatus) {
  const auto requester = server_->Login("requester");
  const auto steward = server_->Login("steward");
  const auto app = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
  json content = Content("排序测试授权信息");
  content["share_type"] = "unconditional";
  content["share_condition"] = "";
  const auto entry = server_->PublishEntry(content);
  // Unconditional requests are granted at once: five grants, two of them in the same second, validity 30-365 days.
  std::vector<std::string> granted;
  for (const int days : {365, 30, 90, 30, 180}) {
    auto r = server_->Send("POST", "/api/v1/requests", ShareRequestBody(entry, app, "lookup", 20000, days), requester);
    ASSERT_EQ(r.status, 201u) << r.body;
    granted.push_back(r.Json()["grant_id"].get<std::string>());
    if (granted.size() != 1) clock_->Advance(60);
  }
  ASSERT_EQ(
      server_->Send("POST", "/api/v1/grants/" + granted[2] + "/suspend", {{"reason", "核查使用情况"}}, steward).status,
      200u);
  ASSERT_EQ(
      server_->Send("POST", "/api/v1/grants/" + granted[4] + "/revoke", {{"reason", "超范围使用"}}, steward).status,
      200u);

  // Without a sort: by creation (ties by id), paged by a cursor that carries the time and the grant id.
  const auto first = server_->Get("/api/v1/grants?as=consumer&limit=2", requester).Json();
  ASSERT_EQ(first["items"].size(), 2u);
  EXPECT_TRUE(first["next_cursor"].get<std::string>().starts_with("created_at.a.gr_")) << first["next_cursor"];
  const auto all = PageAll("/api/v1/grants?as=consumer", "", 2, requester);
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_TRUE(Before(all[i - 1], all[i], "created_at", false));
  std::set<std::string> ids;
  for (const auto& g : all) ids.insert(g["id"].get<std::string>());
  EXPECT_EQ(ids, std::set<std::string>(granted.begin(), granted.end()));
  EXPECT_EQ(PageAll("/api/v1/grants?as=consumer", "created_at", 2, requester), all);

  for (const std::string field : {"created_at", "valid_to", "status"}) {
    for (const bool descending : {false, true}) {
      const std::string sort = (descending ? "-" : "") + field;
      const auto sorted = PageAll("/api/v1/grants?as=consumer", sort, 2, requester);
      EXPECT_EQ(sorted.size(), 5u) << sort;
      for (std::size_t i = 1; i < sorted.size(); ++i) {
        EXPECT_TRUE(Before(sorted[i - 1], sorted[i], field, descending))
            << sort << ": " << sorted[i - 1][field] << " then " << sorted[i][field];
      }
    }
  }
  // The grants of one catalog entry (the entry page's related grants).
  EXPECT_EQ(PageAll("/api/v1/grants?entry_id=" + std::to_string(entry), "", 2, requester), all);
  EXPECT_TRUE(PageAll("/api/v1/grants?entry_id=" + std::to_string(entry + 1000), "", 2, requester).empty());
  ExpectProblem("/api/v1/grants?entry_id=one", requester, "invalid_parameter");
  // The provider sees the same grants, one a page: the service's visibility filter never shortens a walk.
  EXPECT_EQ(PageAll("/api/v1/grants?as=provider", "-valid_to", 1, steward).size(), 5u);

  ExpectProblem("/api/v1/grants?sort=id", requester, "invalid_sort");
  ExpectProblem("/api/v1/grants?sort=name", requester, "invalid_sort");
  const std::string cursor = Escape(first["next_cursor"].get<std::string>());
  ExpectProblem("/api/v1/grants?sort=status&cursor=" + cursor, requester, "invalid_cursor");
  ExpectProblem("/api/v1/grants?sort=-created_at&cursor=" + cursor, requester, "invalid_cursor");
  ExpectProblem("/api/v1/grants?cursor=12", requester, "invalid_cursor");
  ExpectProblem("/api/v1/grants?cursor=created_at.a..5", requester, "invalid_cursor");
  ExpectProblem("/api/v1/grants?cursor=created_at.a.gr_x.soon", requester, "invalid_cursor");
}

TEST_F(Sorting, DatasetsPageSortAndFilterOnTheServer) {
  for (const std::string name : {"排序数据集丙信息", "排序数据集甲信息", "排序数据集乙信息"}) {
    server_->PublishEntry(Content(name));
    clock_->Advance(60);
  }
  for (const std::string field : {"name", "resource_code", "row_count", "last_load_at", "id"}) {
    ExpectSorts("/api/v1/datasets", field, 2, *admin_);
  }
  // q: a substring of the name or the resource code, on the server, with the sort and the paging.
  const auto found = PageAll("/api/v1/datasets?q=" + Escape("排序数据集"), "name", 1, *reviewer_);
  std::vector<std::string> names;
  for (const auto& d : found) names.push_back(d["name"].get<std::string>());
  // 丙 U+4E19, 乙 U+4E59, 甲 U+7532.
  EXPECT_EQ(names, (std::vector<std::string>{"排序数据集丙信息", "排序数据集乙信息", "排序数据集甲信息"}));
  const auto code = found.front()["resource_code"].get<std::string>();
  const auto by_code = PageAll("/api/v1/datasets?q=" + Escape(code), "", 50, *reviewer_);
  ASSERT_FALSE(by_code.empty());
  for (const auto& d : by_code) EXPECT_NE(d["resource_code"].get<std::string>().find(code), std::string::npos);
  EXPECT_TRUE(PageAll("/api/v1/datasets?q=" + Escape("没有这个数据集"), "", 50, *reviewer_).empty());
  // The stale ones (daily, never loaded) page and sort alike.
  const auto stale = PageAll("/api/v1/datasets/stale?q=" + Escape("排序数据集"), "-name", 2, *reviewer_);
  ASSERT_EQ(stale.size(), 3u);
  EXPECT_EQ(stale.front()["name"], "排序数据集甲信息");
  EXPECT_TRUE(stale.front()["overdue_seconds"].is_null());

  ExpectProblem("/api/v1/datasets?sort=created_at", *reviewer_, "invalid_sort");
  ExpectProblem("/api/v1/datasets/stale?sort=provider_department_id", *reviewer_, "invalid_sort");
  const auto by_name = server_->Get("/api/v1/datasets?limit=1&sort=name", *reviewer_).Json()["next_cursor"];
  ASSERT_TRUE(by_name.is_string());
  ExpectProblem("/api/v1/datasets?sort=row_count&cursor=" + Escape(by_name.get<std::string>()), *reviewer_,
                "invalid_cursor");
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
  ExpectProblem("/api/v1/grants?sort=state", *reviewer_, "invalid_sort");  // grants have a status
  ExpectProblem("/api/v1/datasets?sort=-kind", *reviewer_, "invalid_sort");
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
