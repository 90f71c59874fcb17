// The read primitive of the data access path: a key lookup in the 1M-person dataset (issue 7: ≤ ~10 µs CPU). The
// dataset is generated (exchange/demo_population.hpp) and loaded once per run into a temporary exchange.db;
// GOVSHARE_BENCH_ROWS changes its size (default 1,000,000). Run with `build/govshare_bench
// --benchmark_filter=Exchange`.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "app/platform.hpp"
#include "cli/setup.hpp"
#include "common/json_file.hpp"
#include "exchange/dataset_store.hpp"
#include "exchange/demo_population.hpp"
#include "store/pg/dataset_store_pg.hpp"
#include "store/pg/migrations.hpp"

namespace {

using namespace govshare;  // NOLINT(google-build-using-namespace): benchmark file

/// The demo's population dataset (the 常住人口基本信息 entry's items).
exchange::DatasetStore::Definition PopulationDefinition() {
  exchange::DatasetStore::Definition d;
  d.id = 1;
  d.name = "常住人口基本信息";
  d.region_id = "130000";
  d.entry_version = 1;
  d.update_frequency = "realtime";
  auto item = [](const char* name, const char* element, const char* type, int length, bool key = false) {
    catalog::Item i;
    i.name = name;
    i.element = element;
    i.data_type = type;
    i.length = length;
    i.key = key;
    return i;
  };
  d.items = {item("公民身份号码", "DE0001", "C", 18, true),
             item("姓名", "DE0002", "C", 50),
             item("性别", "DE0003", "C", 1),
             item("出生日期", "DE0004", "D", 0),
             item("民族", "DE0005", "C", 2),
             item("户籍地址", "DE0016", "C", 200),
             item("现住址", "DE0007", "C", 200),
             item("联系电话", "DE0008", "C", 11),
             item("行政区划代码", "DE0006", "C", 6),
             item("数据更新时间", "DE0030", "T", 0)};
  return d;
}

/// The counties of data/regions/hebei.json, where the demo population lives.
std::vector<exchange::DemoCounty> Counties() {
  org::RegionTree regions;
  auto file = common::ReadJsonFile(app::ResourceDir() + "/regions/hebei.json");
  std::vector<org::Region> all;
  for (const auto& r : file->at("regions")) {
    org::Region region;
    region.id = r.at("id").get<std::string>();
    if (!r.at("division_code").is_null()) region.division_code = r.at("division_code").get<std::string>();
    region.name = r.at("name").get<std::string>();
    region.level = r.at("level") == "county" ? org::RegionLevel::kCounty : org::RegionLevel::kCity;
    if (!r.at("parent_id").is_null()) region.parent_id = r.at("parent_id").get<std::string>();
    all.push_back(std::move(region));
  }
  regions.Reset(std::move(all));
  return cli::DemoCounties(regions);
}

struct Fixture {
  std::string dir;
  common::SystemClock clock;
  std::unique_ptr<exchange::DatasetStore> store;
  std::unique_ptr<exchange::View> view;
  std::vector<std::string> keys;

  Fixture() {
    const char* rows_env = std::getenv("GOVSHARE_BENCH_ROWS");
    const std::int64_t rows = rows_env ? std::atoll(rows_env) : 1000000;
    std::string tmpl = (std::filesystem::temp_directory_path() / "govshare-bench-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    exchange::DatasetStore::Options o;
    o.path = dir + "/exchange.db";
    store = std::move(exchange::DatasetStore::Open(o, clock).value());
    (void)store->Define(PopulationDefinition());
    exchange::ValidationRules rules;
    rules.today_yyyymmdd = 20260101;
    (void)store->LoadSnapshot(1, exchange::PopulationCsv(Counties(), rows), {}, rules);
    view = std::make_unique<exchange::View>(store->Find(1));
    (void)store->Scan(*view, {}, [&](const exchange::Row& r) {
      if (keys.size() < 200000) keys.push_back(std::get<std::string>(r.values[0]));
      return true;
    });
    std::shuffle(keys.begin(), keys.end(), std::mt19937(7));
  }
  ~Fixture() {
    view.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_ExchangeLookup(benchmark::State& state) {
  auto& f = Shared();
  exchange::Row row;
  std::size_t i = 0;
  std::vector<std::string> key(1);
  for (auto _ : state) {
    key[0] = f.keys[i++ % f.keys.size()];
    auto found = f.store->Lookup(*f.view, key, row);
    if (!found.ok() || !found.value()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(row);
  }
  state.counters["rows"] = static_cast<double>(f.store->Find(1)->row_count);
}
BENCHMARK(BM_ExchangeLookup)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_ExchangeLookup)->Threads(2)->MeasureProcessCPUTime()->UseRealTime();

void BM_ExchangeLookupMiss(benchmark::State& state) {
  auto& f = Shared();
  exchange::Row row;
  std::vector<std::string> key = {"130102190001010000"};
  for (auto _ : state) benchmark::DoNotOptimize(f.store->Lookup(*f.view, key, row));
}
BENCHMARK(BM_ExchangeLookupMiss);

/// A snapshot load of the population CSV at $GOVSHARE_BENCH_CSV through the PostgreSQL store (COPY into a staging
/// table, the net effect into the city-partitioned table) into the empty database at $GOVSHARE_PG_CONNINFO; one
/// iteration (bench/pg_load.sh gives it a fresh database and compares with psql's \copy of the same file).
void BM_PgSnapshotLoad(benchmark::State& state) {
  const char* conninfo = std::getenv("GOVSHARE_PG_CONNINFO");
  const char* csv = std::getenv("GOVSHARE_BENCH_CSV");
  if (conninfo == nullptr || csv == nullptr) {
    state.SkipWithError("set GOVSHARE_PG_CONNINFO and GOVSHARE_BENCH_CSV (bench/pg_load.sh)");
    return;
  }
  store::pg::Database::Options o;
  o.conninfo = conninfo;
  auto db = store::pg::Database::Open(o, store::pg::MainMigrations());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  // The province and its cities, so that the table gets a partition per city.
  auto regions = common::ReadJsonFile(app::ResourceDir() + "/regions/hebei.json");
  auto filled = db.value()->Write([&](store::pg::Connection& c) {
    for (const auto& r : regions->at("regions")) {
      if (r.at("level") == "county") continue;
      c.Prepare(
           "INSERT INTO regions(id, division_code, name, level, parent_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
           "DO NOTHING")
          .Bind(1, r.at("id").get<std::string>())
          .Bind(2, r.at("division_code").is_null() ? std::optional<std::string>()
                                                   : r.at("division_code").get<std::string>())
          .Bind(3, r.at("name").get<std::string>())
          .Bind(4, r.at("level").get<std::string>())
          .Bind(5, r.at("parent_id").is_null() ? std::optional<std::string>() : r.at("parent_id").get<std::string>())
          .Run();
    }
    return common::Status::Ok();
  });
  if (!filled.ok()) {
    state.SkipWithError(filled.ToString().c_str());
    return;
  }
  common::SystemClock clock;
  auto store = store::pg::OpenDatasetStore(*db.value(), clock);
  if (!store.ok() || !store.value()->Define(PopulationDefinition()).ok()) {
    state.SkipWithError("cannot define the dataset");
    return;
  }
  exchange::ValidationRules rules;
  rules.today_yyyymmdd = 20260101;
  for (auto _ : state) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(csv, "rb"), &std::fclose);
    if (!file) {
      state.SkipWithError("cannot open the CSV");
      return;
    }
    common::ByteSource source = [f = file.get()](char* buffer, std::size_t capacity) {
      return std::fread(buffer, 1, capacity, f);
    };
    auto report = store.value()->LoadSnapshot(1, source, {}, rules);
    if (!report.ok() || !report->applied) {
      state.SkipWithError(report.ok() ? exchange::ReportJson(*report).c_str() : report.status().ToString().c_str());
      return;
    }
    state.counters["rows"] = static_cast<double>(report->row_count);
    state.counters["rows_per_s"] = static_cast<double>(report->row_count) / report->seconds;
  }
}
BENCHMARK(BM_PgSnapshotLoad)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
