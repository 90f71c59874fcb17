// Datasets over HTTP (Art. 12): metadata for every user, snapshot loads and idempotent batches for the provider only,
// row-precise rejection reports, GB18030 bodies, staleness. The demo's population dataset is generated small here.
#include <gtest/gtest.h>
#include <iconv.h>

#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

constexpr const char* kA = "130102199001010015";
constexpr const char* kB = "130102198512310023";
constexpr const char* kHeader = "公民身份号码,姓名,性别,出生日期,民族,行政区划代码\n";

class HttpDatasets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options o;
    o.demo_catalog = true;
    o.population = 50;
    server_ = new TestServer(o);
    const auto steward = server_->Login("steward");
    const json listed = server_->Get("/api/v1/datasets", steward).Json();
    for (const auto& d : listed["items"]) {
      if (d["name"] == "常住人口基本信息") population_ = std::to_string(d["id"].get<std::int64_t>());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResponse Load(const std::string& token, const std::string& body, const std::string& query = "",
                           const std::string& type = "text/csv", const std::string& id = population_) {
    return server_->Request("POST", "/api/v1/datasets/" + id + "/loads" + query, body,
                            {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }
  static HttpResponse Batch(const std::string& token, const json& body, const std::string& key) {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token}};
    if (!key.empty()) headers["Idempotency-Key"] = key;
    return server_->Request("POST", "/api/v1/datasets/" + population_ + "/batches", body.dump(), headers);
  }
  static std::int64_t Rows() {
    return server_->Get("/api/v1/datasets/" + population_, server_->Login("auditor")).Json()["row_count"];
  }
  static TestServer* server_;
  static std::string population_;
};
TestServer* HttpDatasets::server_ = nullptr;
std::string HttpDatasets::population_;

TEST_F(HttpDatasets, EveryUserSeesDatasetsWithColumnsAndCounts) {
  ASSERT_FALSE(population_.empty());
  auto res = server_->Get("/api/v1/datasets/" + population_, server_->Login("requester"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto d = res.Json();
  EXPECT_EQ(d["key"], json({"公民身份号码"}));
  EXPECT_EQ(d["region_column"], "行政区划代码");
  EXPECT_EQ(d["update_frequency"], "realtime");
  EXPECT_FALSE(d["stale"].get<bool>());  // the demo loaded it just now
  bool phone = false;
  for (const auto& c : d["columns"]) phone = phone || (c["name"] == "联系电话" && c["element"] == "DE0008");
  EXPECT_TRUE(phone);
  EXPECT_EQ(server_->Get("/api/v1/datasets/999999", server_->Login("requester")).status, 404);
  // Datasets nobody loaded yet are stale (except irregular ones).
  auto stale = server_->Get("/api/v1/datasets/stale", server_->Login("auditor")).Json()["items"];
  ASSERT_FALSE(stale.empty());
  for (const auto& s : stale) EXPECT_NE(s["id"].get<std::int64_t>(), std::stoll(population_));
}

TEST_F(HttpDatasets, OnlyTheProviderDepartmentLoads) {
  const std::string csv = std::string(kHeader) + kA + ",张三,1,1990-01-01,01,130102\n";
  for (const std::string user : {"requester", "sjz.requester", "head", "admin"}) {
    auto res = Load(server_->Login(user), csv);
    EXPECT_EQ(res.status, 403) << user << " " << res.body;
  }
  EXPECT_EQ(Load(server_->ApiKey(0), csv).status, 403);  // 社保 system: another department's application
  auto res = Load(server_->Login("steward"), csv);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json()["row_count"], 1);
  EXPECT_EQ(res.Json()["deleted"], 50);  // the demo's 50 people are gone from the snapshot: the net effect
  EXPECT_EQ(Load(server_->Login("catalog"), csv).status, 200);
  EXPECT_EQ(Load(server_->ApiKey(1), csv).status, 200);  // 人口综合信息系统: the provider's own application
  EXPECT_EQ(Load(server_->Login("steward"), csv, "", "text/csv", "999999").status, 404);
  EXPECT_EQ(Load(server_->Login("steward"), csv, "", "application/json").status, 415);
}

TEST_F(HttpDatasets, RejectedRowsAreReportedAndChangeNothing) {
  const auto steward = server_->Login("steward");
  ASSERT_EQ(Load(steward, std::string(kHeader) + kA + ",张三,1,1990-01-01,01,130102\n").status, 200);
  const std::string csv = std::string(kHeader) + kB + ",李四,2,1985-12-31,01,130102\n" +
                          "130102199001010016,王五,1,1990-01-01,01,130102\n" + kA +
                          ",\"'); DROP TABLE d1; --\",12,1990-01-01,01,130102\n";
  auto res = Load(steward, csv, "?mode=reject");
  ASSERT_EQ(res.status, 422) << res.body;
  const auto p = res.Json();
  EXPECT_EQ(p["code"], "rows_rejected");
  ASSERT_EQ(p["errors"].size(), 2u);
  EXPECT_EQ(p["errors"][0]["row"], 2);
  EXPECT_EQ(p["errors"][0]["line"], 3);
  EXPECT_EQ(p["errors"][0]["rule"], "resident_id_checksum");
  EXPECT_EQ(p["errors"][0]["value"], "1***************16");
  EXPECT_EQ(p["errors"][1]["field"], "性别");
  EXPECT_EQ(Rows(), 1);
  res = Load(steward, csv, "?mode=keep_good");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json()["rows_accepted"], 1);
  EXPECT_EQ(Rows(), 2);  // kB added, kA kept (its rejected row had a valid key)
  EXPECT_EQ(Load(steward, "未知,姓名\n1,2\n").Json()["code"], "invalid_header");
}

TEST_F(HttpDatasets, Gb18030BodiesAreDecoded) {
  const std::string utf8 = std::string(kHeader) + kA + ",张三丰,1,1990-01-01,01,130102\n";
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string gb(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* out = gb.data();
  std::size_t out_left = gb.size();
  ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  gb.resize(gb.size() - out_left);
  auto res = Load(server_->Login("steward"), gb, "?encoding=gb18030");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(Load(server_->Login("steward"), gb).Json()["code"], "invalid_header");
  std::vector<std::string> key = {kA};
  exchange::View view(server_->platform().exchange().store().Find(std::stoll(population_)));
  exchange::Row row;
  ASSERT_TRUE(server_->platform().exchange().store().Lookup(view, key, row).value());
  EXPECT_EQ(std::get<std::string>(row.values[1]), "张三丰");
}

TEST_F(HttpDatasets, BatchesNeedAnIdempotencyKeyAndApplyOnce) {
  const auto steward = server_->Login("steward");
  const json body = {
      {"upserts", {{{"公民身份号码", "13010219880808108x"}, {"姓名", "钱一"}, {"行政区划代码", "130102"}}}},
      {"deletes", json::array()}};
  EXPECT_EQ(Batch(steward, body, "").Json()["code"], "idempotency_key_required");
  EXPECT_EQ(Batch(server_->Login("requester"), body, "b1").status, 403);
  auto res = Batch(steward, body, "b1");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto seq = res.Json()["last_seq"].get<std::int64_t>();
  res = Batch(steward, body, "b1");
  ASSERT_EQ(res.status, 200);
  EXPECT_TRUE(res.Json()["replayed"].get<bool>());
  EXPECT_EQ(res.Json()["last_seq"], seq);
  json other = body;
  other["upserts"][0]["姓名"] = "钱二";
  EXPECT_EQ(Batch(steward, other, "b1").status, 409);
  other["upserts"][0]["性别"] = "12";
  res = Batch(steward, other, "b2");
  ASSERT_EQ(res.status, 422);
  EXPECT_EQ(res.Json()["errors"][0]["field"], "性别");
  auto changes = server_->platform().exchange().store().Changes(std::stoll(population_), seq - 1, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().key, std::vector<std::string>{"13010219880808108X"});
  EXPECT_EQ(changes->front().region, "130102");
}

}  // namespace
}  // namespace govshare::testing
