// The remaining manners of the data access API (Art. 12, 14, 16, 21, 30; issue 7): filtered queries with cursors and
// streamed exports (manner bulk) and the change feed (manner subscribe). As for lookups, an application gets only the
// granted items, masked, in the grant's row scope, in the manner granted, and every call, denials included, has a
// durable audit record whose receipt comes with the answer — for an export before its first byte.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "common/crypto.hpp"
#include "exchange/test_support.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

/// The records of a query's answer (a copy: range-for would not keep a temporary document alive).
json Records(const HttpResponse& r) { return r.Json()["records"]; }

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr int kPeople = 12;

/// Person i: in 长安区 (130102), 桥西区 (130104) or 唐山 路南区 (130202) in turn; registered on 2020-01-(i+1).
struct Person {
  std::string id, name, birth, address, region, registered;
};
Person PersonAt(int i) {
  static const char* const kRegions[] = {"130102", "130104", "130202"};
  static const char* const kGiven[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "甲", "乙"};
  const int year = 1970 + i;
  Person p;
  p.region = kRegions[i % 3];
  p.id = WithCheckDigit(fmt::format("{}{}0101{:03d}", p.region, year, 10 + 2 * i));
  p.name = std::string("王") + kGiven[i];
  p.birth = fmt::format("{}-01-01", year);
  p.address = fmt::format("河北省某市某路{}号", i + 1);
  p.registered = fmt::format("2020-01-{:02d}", i + 1);
  return p;
}

json MannerContent() {
  json content = Content("常住人口基本信息");
  content["share_type"] = "unconditional";  // granted at once (Art. 15)
  content["share_condition"] = "";
  content["share_methods"] = {"api", "table"};  // table: the bulk manner (query, export) is offered
  content["items"].push_back(Item("登记日期", "", "D", 0, false, false, "general1"));  // no element: no mask
  content["items"].push_back(Item("家庭人口数", "", "I", 3, false, false, "general1"));
  return content;
}

class DataManners : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    requester_ = server_->Login("requester");
    auditor_ = server_->Login("auditor");
    hrss_app_ = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
    hrss_key_ = server_->ApiKey(0);
    std::tie(sjz_app_, sjz_key_) = server_->Application("石家庄市公安局");
    entry_ = server_->PublishEntry(MannerContent());
    auto& exchange = server_->platform().exchange();
    ASSERT_TRUE(exchange.Ensure(entry_).ok());
    std::string csv = "公民身份号码,姓名,性别,出生日期,民族,户籍地址,行政区划代码,登记日期,家庭人口数\n";
    for (int i = 0; i < kPeople; ++i) {
      const Person p = PersonAt(i);
      csv +=
          fmt::format("{},{},1,{},01,{},{},{},{}\n", p.id, p.name, p.birth, p.address, p.region, p.registered, i + 1);
    }
    exchange::DatasetStore::LoadOptions load;
    auto loaded = exchange.store().LoadSnapshot(entry_, exchange::testing::StringSource(csv), load, exchange.Rules());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    ASSERT_TRUE(loaded->applied) << exchange::ReportJson(loaded.value());
  }
  /// A grant for the 人社厅 application (province-wide: no row scope), or for 石家庄市公安局's (row scope 1301).
  std::string Grant(const std::string& manner, bool shijiazhuang = false,
                    std::vector<std::string> items = {"公民身份号码", "姓名", "行政区划代码", "登记日期"},
                    int volume_per_day = 1000) {
    json body = {{"entry_id", entry_},
                 {"application_id", shijiazhuang ? sjz_app_ : hrss_app_},
                 {"items", items},
                 {"scenario",
                  {{"purpose", "养老保险待遇资格认证"},
                   {"legal_basis", "《社会保险法》第七十三条"},
                   {"scope", "养老保险待遇领取人员"},
                   {"manner", manner},
                   {"volume_per_day", volume_per_day},
                   {"validity_days", 30}}},
                 {"accept_commitments", true}};
    auto r =
        server_->Send("POST", "/api/v1/requests", body, shijiazhuang ? server_->Login("sjz.requester") : requester_);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.Json()["grant_id"].get<std::string>();
  }
  HttpResponse Call(const std::string& grant, const std::string& target, bool shijiazhuang = false,
                    const std::string& business_ref = "SB-2026-000123",
                    std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + (shijiazhuang ? sjz_key_ : hrss_key_);
    headers["X-Grant-Id"] = grant;
    if (!business_ref.empty()) headers["X-Business-Ref"] = business_ref;
    return server_->Request("GET", fmt::format("/api/v1/data/{}/{}", entry_, target), "", headers);
  }
  json AuditRecord(const HttpResponse& r) {
    auto receipt = r.headers.find("x-audit-receipt");
    EXPECT_NE(receipt, r.headers.end()) << "no X-Audit-Receipt";
    if (receipt == r.headers.end()) return json();
    return server_->Get("/api/v1/audit/records/" + receipt->second, auditor_).Json();
  }
  /// The record that closes a streamed export (decision complete or incomplete): appended after the last byte, so
  /// it may arrive a little after the client has read the body.
  json ClosingRecord(const std::string& grant) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      for (const char* decision : {"complete", "incomplete"}) {
        auto list =
            server_->Get(fmt::format("/api/v1/audit/records?grant_id={}&decision={}", grant, decision), auditor_);
        if (list.status == 200 && !list.Json()["items"].empty()) return list.Json()["items"].back();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no closing record for " << grant;
    return json();
  }
  std::int64_t UsesToday(const std::string& grant) { return server_->platform().data().UsageOf(grant).today; }
  /// Every record of a query, page by page (limit per page).
  std::vector<json> AllPages(const std::string& grant, const std::string& filters, int limit, int* pages = nullptr) {
    std::vector<json> out;
    std::string cursor;
    for (int page = 1; page <= kPeople + 1; ++page) {
      std::string target = fmt::format("records?limit={}{}", limit, filters);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      auto r = Call(grant, target);
      EXPECT_EQ(r.status, 200u) << r.body;
      if (r.status != 200) break;
      for (const auto& record : Records(r)) out.push_back(record);
      if (pages) *pages = page;
      if (r.Json()["next_cursor"].is_null()) break;
      cursor = r.Json()["next_cursor"].get<std::string>();
    }
    return out;
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::string requester_, auditor_, hrss_key_, sjz_key_;
  std::int64_t hrss_app_ = 0, sjz_app_ = 0;
  std::int64_t entry_ = 0;
};

TEST_F(DataManners, Art14QueryFiltersByEqualityRangeAndPrefixAndReturnsOnlyGrantedMaskedItems) {
  const auto grant = Grant("bulk");
  // Equality on a masked item: the caller states the value, as in a lookup.
  auto r = Call(grant, "records?eq.%E5%A7%93%E5%90%8D=%E7%8E%8B%E4%B8%89");  // eq.姓名=王三
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(r.Json()["records"].size(), 1u);
  const auto record = r.Json()["records"][0];
  EXPECT_EQ(record.size(), 4u);  // exactly the granted items: no 出生日期, 户籍地址, 性别 or 民族, not even as null
  EXPECT_FALSE(record.contains("出生日期"));
  EXPECT_FALSE(record.contains("户籍地址"));
  EXPECT_EQ(record["姓名"], "王*");                                    // the name element's default mask
  EXPECT_EQ(record["公民身份号码"].get<std::string>().find("*"), 1u);  // resident_id: first 1 and last 2
  EXPECT_EQ(record["公民身份号码"].get<std::string>().size(), 18u);
  EXPECT_EQ(record["行政区划代码"], PersonAt(2).region);
  EXPECT_EQ(record["登记日期"], PersonAt(2).registered);
  EXPECT_EQ(r.body.find(PersonAt(2).id), std::string::npos);  // the ID number never in clear, cursor included
  EXPECT_TRUE(r.Json()["next_cursor"].is_null());
  const auto audit = AuditRecord(r);
  EXPECT_EQ(audit["decision"], "allow");
  EXPECT_EQ(audit["grant_id"], grant);
  EXPECT_EQ(audit["business_ref"], "SB-2026-000123");
  EXPECT_EQ(audit["fields"], "公民身份号码,姓名,行政区划代码,登记日期");
  EXPECT_EQ(audit["row_count"], 1);
  EXPECT_EQ(audit["content_hash"], common::Sha256Hex(r.body));
  EXPECT_NE(audit["target"].get<std::string>().find("?eq."), std::string::npos);  // what was asked

  // A range on an unmasked date: 2020-01-03 .. 2020-01-05.
  auto range = Call(grant,
                    "records?gte.%E7%99%BB%E8%AE%B0%E6%97%A5%E6%9C%9F=2020-01-03"
                    "&lte.%E7%99%BB%E8%AE%B0%E6%97%A5%E6%9C%9F=2020-01-05");
  ASSERT_EQ(range.status, 200u) << range.body;
  std::vector<std::string> dates;
  for (const auto& rec : Records(range)) dates.push_back(rec["登记日期"].get<std::string>());
  std::sort(dates.begin(), dates.end());
  EXPECT_EQ(dates, (std::vector<std::string>{"2020-01-03", "2020-01-04", "2020-01-05"}));

  // A prefix on the division-code item: 石家庄 (1301) holds 8 of the 12.
  auto prefix = Call(grant, "records?prefix.%E8%A1%8C%E6%94%BF%E5%8C%BA%E5%88%92%E4%BB%A3%E7%A0%81=1301");
  ASSERT_EQ(prefix.status, 200u) << prefix.body;
  EXPECT_EQ(prefix.Json()["records"].size(), 8u);
  for (const auto& rec : Records(prefix)) EXPECT_EQ(rec["行政区划代码"].get<std::string>().substr(0, 4), "1301");

  // A prefix on another item and a range on a text item are malformed filters.
  EXPECT_EQ(Call(grant, "records?prefix.%E7%99%BB%E8%AE%B0%E6%97%A5%E6%9C%9F=2020").status, 400u);
  EXPECT_EQ(Call(grant, "records?gte.%E8%A1%8C%E6%94%BF%E5%8C%BA%E5%88%92%E4%BB%A3%E7%A0%81=1301").Json()["code"],
            "invalid_filter");
}

TEST_F(DataManners, ANumberFilterComparesNumbersAndAValueOfAnotherTypeIsRefusedBeforeTheQuota) {
  const auto grant = Grant("bulk", false, {"公民身份号码", "家庭人口数"});
  // 家庭人口数 is 1..12: as numbers, 9 of them are at least 4 (as text "10" < "4" would leave 6).
  auto r = Call(grant, "records?gte.%E5%AE%B6%E5%BA%AD%E4%BA%BA%E5%8F%A3%E6%95%B0=4");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Records(r).size(), 9u);
  for (const auto& rec : Records(r)) EXPECT_TRUE(rec["家庭人口数"].is_number_integer()) << rec;
  const auto uses = UsesToday(grant);
  auto bad = Call(grant, "records?lte.%E5%AE%B6%E5%BA%AD%E4%BA%BA%E5%8F%A3%E6%95%B0=many");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.Json()["code"], "invalid_filter");
  EXPECT_EQ(UsesToday(grant), uses);
}

TEST_F(DataManners, CursorPagingVisitsEveryRowExactlyOnce) {
  const auto grant = Grant("bulk");
  int pages = 0;
  const auto records = AllPages(grant, "", 5, &pages);
  EXPECT_EQ(pages, 3);  // 5 + 5 + 2
  std::multiset<std::string> seen;
  for (const auto& r : records) seen.insert(r["登记日期"].get<std::string>());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kPeople));
  for (int i = 0; i < kPeople; ++i) EXPECT_EQ(seen.count(PersonAt(i).registered), 1u) << i;
  // The cursor with a filter: only the matching rows, each once.
  const auto sjz = AllPages(grant, "&prefix.%E8%A1%8C%E6%94%BF%E5%8C%BA%E5%88%92%E4%BB%A3%E7%A0%81=1301", 3);
  EXPECT_EQ(sjz.size(), 8u);
}

TEST_F(DataManners, ABadCursorIsRefusedAuditedAndUsesNothing) {
  const auto grant = Grant("bulk");
  auto first = Call(grant, "records?limit=2");
  ASSERT_EQ(first.status, 200u);
  const auto cursor = first.Json()["next_cursor"].get<std::string>();
  const auto uses = UsesToday(grant);
  for (const std::string& bad : {std::string("not-a-cursor"), cursor.substr(0, cursor.size() - 2) + "AA"}) {
    auto r = Call(grant, "records?limit=2&cursor=" + bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.Json()["code"], "invalid_cursor");
    EXPECT_EQ(r.body.find("王"), std::string::npos);
    EXPECT_EQ(AuditRecord(r)["decision"], "deny");
  }
  // Another grant's cursor is not this one's (it is bound to the grant it was issued for).
  const auto other = Grant("bulk");
  EXPECT_EQ(Call(other, "records?limit=2&cursor=" + cursor).Json()["code"], "invalid_cursor");
  EXPECT_EQ(UsesToday(grant), uses);  // nothing taken from the quota
  EXPECT_EQ(Call(grant, "records?limit=0").Json()["code"], "invalid_limit");
  EXPECT_EQ(Call(grant, "records?colour=red").Json()["code"], "invalid_parameter");
  EXPECT_EQ(UsesToday(grant), uses);
}

TEST_F(DataManners, Art14AFilterOnAnItemOutsideTheGrantOrARangeOverAMaskIsDeniedAndAudited) {
  const auto grant = Grant("bulk");
  for (const auto& [target, code] : std::vector<std::pair<std::string, std::string>>{
           {"records?eq.%E6%88%B7%E7%B1%8D%E5%9C%B0%E5%9D%80=x", "item_not_granted"},  // eq.户籍地址
           {"export?eq.%E6%B0%91%E6%97%8F=01", "item_not_granted"},                    // eq.民族
           // gte.公民身份号码 over its mask would reveal the hidden digits by bisection
           {"records?gte.%E5%85%AC%E6%B0%91%E8%BA%AB%E4%BB%BD%E5%8F%B7%E7%A0%81=1", "item_masked"}}) {
    auto r = Call(grant, target);
    EXPECT_EQ(r.status, 403u) << target << r.body;
    EXPECT_EQ(r.Json()["code"], code);
    EXPECT_EQ(r.body.find("王"), std::string::npos);
    const auto audit = AuditRecord(r);
    EXPECT_EQ(audit["decision"], "deny");
    EXPECT_EQ(audit["reason"], code);
    EXPECT_EQ(audit["grant_id"], grant);
  }
  EXPECT_EQ(UsesToday(grant), 0);
}

TEST_F(DataManners, Art14EachMannerNeedsItsOwnGrantAndDenialsAreAudited) {
  const auto lookup = Grant("lookup");
  const auto bulk = Grant("bulk");
  const auto subscribe = Grant("subscribe");
  for (const auto& [grant, target] : std::vector<std::pair<std::string, std::string>>{
           {lookup, "records"}, {lookup, "export"}, {subscribe, "records"}, {bulk, "changes?since=0"}}) {
    auto r = Call(grant, target);
    EXPECT_EQ(r.status, 403u) << target << r.body;
    EXPECT_EQ(r.Json()["code"], "manner_not_granted");
    EXPECT_EQ(r.body.find("王"), std::string::npos);
    const auto audit = AuditRecord(r);
    EXPECT_EQ(audit["decision"], "deny");
    EXPECT_EQ(audit["reason"], "manner_not_granted");
  }
}

TEST_F(DataManners, Art30AMissingBusinessReferenceIsRefusedForEveryManner) {
  const auto bulk = Grant("bulk");
  const auto subscribe = Grant("subscribe");
  for (const auto& [grant, target] : std::vector<std::pair<std::string, std::string>>{
           {bulk, "records"}, {bulk, "export"}, {subscribe, "changes?since=0"}}) {
    auto r = Call(grant, target, false, "");
    EXPECT_EQ(r.status, 400u) << target;
    EXPECT_EQ(r.Json()["code"], "business_ref_required");
    EXPECT_EQ(AuditRecord(r)["reason"], "business_ref_required");
  }
}

TEST_F(DataManners, Art14TheRowScopeRestrictsQueriesExportsAndChanges) {
  const auto grant = Grant("bulk", true);  // 石家庄市公安局: row scope 1301
  auto page = Call(grant, "records?limit=100", true);
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.Json()["records"].size(), 8u);
  for (const auto& rec : Records(page)) EXPECT_NE(rec["行政区划代码"], "130202");
  // Asking for 唐山 explicitly finds nothing rather than another city's rows.
  auto tangshan = Call(grant, "records?prefix.%E8%A1%8C%E6%94%BF%E5%8C%BA%E5%88%92%E4%BB%A3%E7%A0%81=1302", true);
  ASSERT_EQ(tangshan.status, 200u);
  EXPECT_TRUE(tangshan.Json()["records"].empty());
  auto csv = Call(grant, "export?format=csv", true);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + 8);
  EXPECT_EQ(csv.body.find("130202"), std::string::npos);
  const auto subscribe = Grant("subscribe", true);
  auto changes = Call(subscribe, "changes?since=0", true);
  ASSERT_EQ(changes.status, 200u) << changes.body;
  EXPECT_EQ(changes.Json()["changes"].size(), 8u);
  EXPECT_EQ(changes.body.find("130202"), std::string::npos);
  EXPECT_EQ(changes.Json()["next_since"], kPeople);  // the feed moves on past the rows it may not see
}

TEST_F(DataManners, Art14BulkCallsUseTheDaysVolumeByTheRecordsTheyDeliverAndAreRefusedWholeWhenTheyDoNotFit) {
  const std::vector<std::string> items = {"公民身份号码", "姓名", "行政区划代码", "登记日期"};
  const auto grant = Grant("bulk", false, items, /*volume_per_day=*/30);
  auto csv = Call(grant, "export?format=csv");
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + kPeople);
  EXPECT_EQ(UsesToday(grant), kPeople);  // one export of 12 rows: 12 of the day's 30
  auto page = Call(grant, "records?limit=10");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(UsesToday(grant), kPeople + 10);
  // 8 left: a second export (12 rows) is refused before its first byte, audited, and takes nothing.
  auto refused = Call(grant, "export?format=csv");
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(refused.Json()["code"], "quota_exceeded");
  EXPECT_NE(refused.Json()["detail"].get<std::string>().find("8 of the grant's 30"), std::string::npos) << refused.body;
  EXPECT_EQ(AuditRecord(refused)["decision"], "deny");
  EXPECT_EQ(UsesToday(grant), kPeople + 10);
  // A page of 10 does not fit either; a page of 8 does, and then nothing is left.
  EXPECT_EQ(Call(grant, "records?limit=10").Json()["code"], "quota_exceeded");
  auto last = Call(grant, "records?limit=8");
  ASSERT_EQ(last.status, 200u) << last.body;
  EXPECT_EQ(Records(last).size(), 8u);
  EXPECT_EQ(UsesToday(grant), 30);
  EXPECT_EQ(Call(grant, "records?limit=1").Json()["code"], "quota_exceeded");
  EXPECT_EQ(UsesToday(grant), 30);
}

TEST_F(DataManners, ConcurrentExportsAreCappedAndABusyRefusalIsAuditedAndUsesNoQuota) {
  const auto grant = Grant("bulk");
  auto app = server_->platform().org().Authenticate(hrss_key_);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  const exchange::DataCall call{grant, "SB-2026-000125", entry_};
  // Exports that have been admitted and not yet finished hold their slots (the default: 4 at once).
  std::vector<exchange::ExportPlan> running;
  for (int i = 0; i < 4; ++i) {
    exchange::Served served;
    auto plan = server_->platform().data().Export(app.value(), call, exchange::QueryCall{}, served);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    running.push_back(std::move(plan.value()));
  }
  EXPECT_EQ(UsesToday(grant), 4 * kPeople);  // each export is charged its rows
  auto busy = Call(grant, "export?format=csv");
  EXPECT_EQ(busy.status, 503u) << busy.body;
  EXPECT_EQ(busy.Json()["code"], "exports_busy");
  EXPECT_EQ(busy.body.find("公民身份号码"), std::string::npos);  // no data
  const auto record = AuditRecord(busy);
  EXPECT_EQ(record["decision"], "deny");
  EXPECT_EQ(record["reason"], "exports_busy");
  EXPECT_EQ(UsesToday(grant), 4 * kPeople) << "a refusal for lack of a slot takes nothing from the quota";
  running.pop_back();  // one finishes: its slot is free again
  auto admitted = Call(grant, "export?format=csv");
  EXPECT_EQ(admitted.status, 200u) << admitted.body;
  EXPECT_EQ(UsesToday(grant), 5 * kPeople);
  running.clear();
  EXPECT_EQ(Call(grant, "export?format=jsonl").status, 200u);
}

TEST_F(DataManners, Art16ExportStreamsTheScopedMaskedRowsAsCsvAndJsonLinesAuditedBeforeTheBody) {
  const auto grant = Grant("bulk");
  const auto all = AllPages(grant, "", 100);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kPeople));

  auto csv = Call(grant, "export?format=csv");
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_EQ(csv.headers["transfer-encoding"], "chunked");  // streamed, not buffered
  EXPECT_EQ(csv.headers.count("content-length"), 0u);
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  std::string expected = "公民身份号码,姓名,行政区划代码,登记日期\r\n";
  for (const auto& r : all) {
    expected += fmt::format("{},{},{},{}\r\n", r["公民身份号码"].get<std::string>(), r["姓名"].get<std::string>(),
                            r["行政区划代码"].get<std::string>(), r["登记日期"].get<std::string>());
  }
  EXPECT_EQ(csv.body, expected);
  // The record that came with the header was durable before the first byte: it names the query, not yet the rows.
  const auto before = AuditRecord(csv);
  EXPECT_EQ(before["decision"], "allow");
  EXPECT_EQ(before["fields"], "公民身份号码,姓名,行政区划代码,登记日期");
  EXPECT_NE(before["target"].get<std::string>().find("format=csv"), std::string::npos);
  // The record that closes the stream: every row, and the SHA-256 of the whole body as sent.
  const auto closing = ClosingRecord(grant);
  EXPECT_EQ(closing["decision"], "complete");
  EXPECT_EQ(closing["row_count"], kPeople);
  EXPECT_EQ(closing["content_hash"], common::Sha256Hex(csv.body));
  EXPECT_EQ(closing["request_id"], before["request_id"]);

  auto jsonl = Call(grant, "export", false, "SB-2026-000124", {{"Accept", "application/x-ndjson"}});
  ASSERT_EQ(jsonl.status, 200u) << jsonl.body;
  EXPECT_EQ(jsonl.headers["transfer-encoding"], "chunked");
  std::istringstream lines(jsonl.body);
  std::vector<json> exported;
  for (std::string line; std::getline(lines, line);) exported.push_back(json::parse(line));
  EXPECT_EQ(exported, all);
  EXPECT_EQ(Call(grant, "export?format=xml").Json()["code"], "invalid_format");
  EXPECT_EQ(Call(grant, "export?cursor=abc").Json()["code"], "invalid_parameter");
}

TEST_F(DataManners, Art21ChangesSinceASequenceReturnOnlyLaterChangesAndDeletesCarryOnlyTheKey) {
  const auto grant = Grant("subscribe");
  auto initial = Call(grant, "changes?since=0&limit=5");
  ASSERT_EQ(initial.status, 200u) << initial.body;
  EXPECT_EQ(initial.Json()["changes"].size(), 5u);
  EXPECT_EQ(initial.Json()["next_since"], 5);
  // The provider renames person 0 and deletes person 1.
  auto& exchange = server_->platform().exchange();
  exchange::Batch batch;
  const Person p0 = PersonAt(0);
  batch.upserts.push_back({{"公民身份号码", p0.id},
                           {"姓名", "赵一"},
                           {"性别", "1"},
                           {"出生日期", p0.birth},
                           {"民族", "01"},
                           {"户籍地址", p0.address},
                           {"行政区划代码", p0.region},
                           {"登记日期", p0.registered}});
  batch.deletes.push_back({{"公民身份号码", PersonAt(1).id}});
  auto applied =
      exchange.store().ApplyBatch(entry_, batch, exchange::LoadMode::kReject, "", "", exchange.Rules(), "test");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_TRUE(applied->applied) << exchange::ReportJson(applied.value());

  auto later = Call(grant, fmt::format("changes?since={}", kPeople));
  ASSERT_EQ(later.status, 200u) << later.body;
  const auto changes = later.Json()["changes"];
  ASSERT_EQ(changes.size(), 2u) << later.body;
  EXPECT_EQ(later.Json()["next_since"], kPeople + 2);
  const auto& upsert = changes[0];
  EXPECT_EQ(upsert["seq"], kPeople + 1);
  EXPECT_EQ(upsert["op"], "upsert");
  EXPECT_EQ(upsert["record"]["姓名"], "赵*");  // the row as it is now, masked
  EXPECT_EQ(upsert["record"].size(), 4u);
  EXPECT_FALSE(upsert["record"].contains("户籍地址"));
  const auto& del = changes[1];
  EXPECT_EQ(del["op"], "delete");
  EXPECT_FALSE(del.contains("record"));
  EXPECT_EQ(del["key"].size(), 1u);
  EXPECT_EQ(del["key"]["公民身份号码"].get<std::string>().size(), 18u);
  EXPECT_EQ(del["key"]["公民身份号码"].get<std::string>().find(PersonAt(1).id.substr(1, 6)), std::string::npos);
  EXPECT_EQ(later.body.find(PersonAt(1).id), std::string::npos);  // masked, as the grant says
  const auto audit = AuditRecord(later);
  EXPECT_EQ(audit["row_count"], 2);
  EXPECT_EQ(audit["content_hash"], common::Sha256Hex(later.body));
  // Nothing after the end.
  auto none = Call(grant, fmt::format("changes?since={}", kPeople + 2));
  EXPECT_TRUE(none.Json()["changes"].empty());
  EXPECT_EQ(none.Json()["next_since"], kPeople + 2);
  // A malformed since is refused, audited, and uses nothing.
  const auto uses = UsesToday(grant);
  for (const char* bad : {"changes?since=-1", "changes?since=abc", "changes?since=1&limit=0", "changes?from=1"}) {
    auto r = Call(grant, bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(AuditRecord(r)["decision"], "deny");
  }
  EXPECT_EQ(Call(grant, "changes?since=abc").Json()["code"], "invalid_since");
  EXPECT_EQ(UsesToday(grant), uses);
}

}  // namespace
}  // namespace govshare::testing
