// Micro-benchmarks of the per-request work on the authenticated path: routing, credential hashing, permission checks,
// request parsing and response writing. Run with `build/govshare_bench`.
#include <benchmark/benchmark.h>

#include "common/crypto.hpp"
#include "common/json.hpp"
#include "http/router.hpp"
#include "org/permissions.hpp"

namespace {

using namespace govshare;  // NOLINT(google-build-using-namespace): benchmark file

void BM_Sha256Token(benchmark::State& state) {
  (void)common::InitCrypto();
  const std::string token = common::RandomToken(32);
  for (auto _ : state) benchmark::DoNotOptimize(common::Sha256Hex(token));
}
BENCHMARK(BM_Sha256Token);

void BM_RouterFind(benchmark::State& state) {
  http::Router router;
  for (const char* p : {"/healthz", "/api/v1/me", "/api/v1/departments", "/api/v1/departments/{id}", "/api/v1/users",
                        "/api/v1/users/{id}", "/api/v1/applications/{id}/keys/{key_id}"}) {
    router.Add({boost::beast::http::verb::get, p, http::Access::kPublic, std::nullopt, http::Exec::kInline, nullptr});
  }
  for (auto _ : state) benchmark::DoNotOptimize(router.Find(boost::beast::http::verb::get, "/api/v1/users/42"));
}
BENCHMARK(BM_RouterFind);

void BM_PermissionCheck(benchmark::State& state) {
  org::RegionTree tree({{"130000", "130000", "河北省", org::RegionLevel::kProvince, std::nullopt, std::nullopt, false},
                        {"130100", "130100", "石家庄市", org::RegionLevel::kCity, "130000", std::nullopt, true},
                        {"130102", "130102", "长安区", org::RegionLevel::kCounty, "130100", std::nullopt, false}});
  org::Authorizer authorizer(tree);
  org::Principal p;
  p.roles.Add(org::Role::kAuthorityHead);
  p.at_authority = true;
  p.region_id = "130100";
  for (auto _ : state) {
    benchmark::DoNotOptimize(authorizer.Check(p, org::Permission::kUserCreate, {"130102", 7}));
  }
}
BENCHMARK(BM_PermissionCheck);

void BM_ParseLoginBody(benchmark::State& state) {
  const std::string body = R"({"username":"requester","password":"Secret-Password-123"})";
  for (auto _ : state) {
    auto obj = common::JsonObject::Parse(body);
    std::string u;
    benchmark::DoNotOptimize(obj->RequiredString("username", u));
  }
}
BENCHMARK(BM_ParseLoginBody);

void BM_WriteMeResponse(benchmark::State& state) {
  for (auto _ : state) {
    common::JsonWriter w;
    w.StartObject().Field("kind", "user").Key("user").StartObject();
    w.Field("id", std::int64_t{7}).Field("username", "requester").Field("display_name", "王申请");
    w.Field("roles", std::vector<std::string>{"requester"}).EndObject().EndObject();
    benchmark::DoNotOptimize(w.str());
  }
}
BENCHMARK(BM_WriteMeResponse);

}  // namespace
