// Catalog benchmarks (issue 4): bulk import of generated entries (floor 5,000 entries/s) and search over 100,000
// entries with one- to four-character Chinese queries and two filters (floor p95 <= 20 ms).
//
//   build/govshare_bench --benchmark_filter=Catalog
//
// The catalog is built once per process in a temporary data directory (the demo organisation, then 100,000 entries
// imported through CatalogService::Import, which validates every row and commits all or nothing per file).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>

#include "app/platform.hpp"
#include "catalog/content.hpp"
#include "cli/setup.hpp"
#include "store/sqlite/database.hpp"

namespace govshare {
namespace {

constexpr int kEntries = 100000;
constexpr int kFileSize = 5000;  // entries per import file

const char* const kSubjects[] = {"常住人口", "户籍人口", "流动人口", "社保参保", "医保结算", "营业执照",   "不动产登记",
                                 "婚姻登记", "学历证书", "机动车",   "排污许可", "税务登记", "住房公积金", "食品经营",
                                 "建设工程", "道路运输", "农业补贴", "低保救助", "出生医学", "职业资格"};
const char* const kKinds[] = {"基本信息", "变更信息", "统计数据", "办理记录",
                              "许可信息", "年度报告", "注销信息", "核验结果"};
const char* const kPlaces[] = {"河北省", "石家庄市", "唐山市", "秦皇岛市", "邯郸市", "邢台市", "保定市",  "张家口市",
                               "承德市", "沧州市",   "廊坊市", "衡水市",   "定州市", "辛集市", "雄安新区"};
const char* const kShare[] = {"unconditional", "conditional"};
const char* const kLevels[] = {"general2", "general3", "general4"};
const char* const kFormats[] = {"database", "spreadsheet", "service"};
const char* const kFrequencies[] = {"realtime", "daily", "monthly", "yearly"};

catalog::EntryContent Generated(int n, std::mt19937& rng) {
  catalog::EntryContent c;
  auto pick = [&rng](const auto& list) { return list[rng() % std::size(list)]; };
  const std::string subject = pick(kSubjects);
  c.name = std::string(pick(kPlaces)) + subject + pick(kKinds) + std::to_string(n);
  c.classification = "3" + std::to_string(10 + static_cast<int>(rng() % 80));
  c.abstract = c.name + "，由提供部门按日更新，用于" + pick(kSubjects) + "相关业务核验和统计分析";
  c.keywords = {subject, pick(kKinds)};
  c.format = pick(kFormats);
  c.subject = "person";
  c.share_type = pick(kShare);
  if (c.share_type == "conditional") c.share_condition = "用于法定职责范围内的业务办理";
  c.share_methods = {"api"};
  c.open_attribute = "not_open";
  c.update_frequency = pick(kFrequencies);
  c.security_level = catalog::ParseLevel(pick(kLevels));
  c.scope_of_use = {"政务服务"};
  c.non_classified = true;
  c.items = {{"公民身份号码", "DE0001", "C", 18, true, true, catalog::Level::kGeneral4},
             {"姓名", "DE0002", "C", 50, false, true, catalog::Level::kGeneral3},
             {"行政区划代码", "DE0006", "C", 6, false, false, catalog::Level::kGeneral1},
             {subject + "状态", "", "C", 10, false, false, catalog::Level::kGeneral2},
             {"数据更新时间", "DE0030", "T", 0, false, false, catalog::Level::kGeneral1}};
  c.security_level = catalog::Level::kGeneral4;  // 就高从严: the ID number item
  return c;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<app::Platform> platform;
  std::vector<org::Principal> compilers;  // one catalog manager per department
  std::mt19937 rng{20261127};
  int next = 0;
  double import_seconds = 0;
  int imported = 0;

  Fixture() {
    dir = (std::filesystem::temp_directory_path() / ("govshare-catalog-bench-" + std::to_string(getpid()))).string();
    std::filesystem::remove_all(dir);
    common::Config config;
    config.data_dir = dir;
    config.auth.fast_password_hash = true;
    config.log.access_log = "";
    std::ostringstream out;
    if (auto s = cli::Demo(config, out, false); !s.ok()) throw std::runtime_error(s.ToString());
    auto p = app::Platform::Open(config);
    if (!p.ok()) throw std::runtime_error(p.status().ToString());
    platform = std::move(p.value());
    org::Principal admin;
    admin.roles.Add(org::Role::kPlatformAdmin);
    auto departments = platform->org().ListDepartments(admin, org::DepartmentFilter{}, org::PageRequest{0, 200});
    for (const auto& d : departments.value()) {
      org::Principal c;
      c.id = 0;
      c.department_id = d.id;
      c.department_name = d.name;
      c.region_id = d.region_id;
      c.roles.Add(org::Role::kCatalogManager);
      compilers.push_back(c);
    }
  }
  ~Fixture() {
    platform.reset();
    std::filesystem::remove_all(dir);
  }

  /// Imports one file of kFileSize generated entries for the next department; returns the seconds it took.
  double ImportFile() {
    std::vector<catalog::EntryContent> contents;
    contents.reserve(kFileSize);
    for (int i = 0; i < kFileSize; ++i) contents.push_back(Generated(next++, rng));
    const auto& who = compilers[static_cast<std::size_t>(imported / kFileSize) % compilers.size()];
    const auto start = std::chrono::steady_clock::now();
    auto report = platform->catalog().Import(who, contents, {}, {}, false);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!report.ok() || !report->errors.empty()) {
      throw std::runtime_error("import failed: " +
                               (report.ok() ? report->errors.front().violation.message : report.status().ToString()));
    }
    imported += kFileSize;
    import_seconds += seconds;
    return seconds;
  }

  void FillTo(int n) {
    while (imported < n) ImportFile();
  }
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

void BM_CatalogImport(benchmark::State& state) {
  auto& f = Shared();
  for (auto _ : state) {
    if (f.imported >= kEntries) {
      state.SkipWithError("the catalog is full");
      break;
    }
    state.SetIterationTime(f.ImportFile());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kFileSize);
  state.counters["entries_total"] = f.imported;
}
// 20 files of 5,000 = the 100,000 entries the search benchmark uses.
BENCHMARK(BM_CatalogImport)->UseManualTime()->Iterations(kEntries / kFileSize)->Unit(benchmark::kMillisecond);

void BM_CatalogSearch(benchmark::State& state) {
  auto& f = Shared();
  f.FillTo(kEntries);
  // Imported entries are drafts; an auditor sees every draft, so scope=all searches all 100,000 (the published catalog
  // is searched by the same code path over the same postings).
  org::Principal reader;
  reader.department_id = 1;
  reader.region_id = "130000";
  reader.roles.Add(org::Role::kAuditor);
  const std::vector<std::string> queries = {"人",     "口",     "人口",     "社保", "登记", "营业执照",
                                            "不动产", "石家庄", "医保结算", "信息", "学历", "许可"};
  std::unordered_set<std::string> sjz;
  for (const auto& r : f.platform->regions().all()) {
    if (f.platform->regions().IsWithin(r.id, "130100")) sjz.insert(r.id);
  }
  std::vector<double> ms;
  std::size_t i = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    catalog::SearchQuery q;
    q.q = queries[i % queries.size()];
    q.scope = "all";
    if (i % 2 == 0) {  // two filters
      q.share_type = "conditional";
      q.format = "database";
    } else {
      q.update_frequency = "daily";
      q.share_type = "unconditional";
    }
    ++i;
    const auto start = std::chrono::steady_clock::now();
    auto result = f.platform->catalog().Search(reader, q);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    hits += result.total;
    benchmark::DoNotOptimize(result);
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&ms](double p) {
    return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))];
  };
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p95_ms"] = pct(0.95);
  state.counters["max_ms"] = ms.empty() ? 0.0 : ms.back();
  state.counters["entries"] = static_cast<double>(f.platform->catalog().index().size());
  state.counters["mean_hits"] = ms.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(ms.size());
}
BENCHMARK(BM_CatalogSearch)->Unit(benchmark::kMillisecond);

/// Baselines in the same run: raw SQLite with the same durability (WAL, synchronous=FULL) and the same documents.
struct Baseline {
  std::string path;
  std::unique_ptr<store::sqlite::Connection> db;
  std::mt19937 rng{20261127};
  int rows = 0;
  Baseline() {
    path =
        (std::filesystem::temp_directory_path() / ("govshare-baseline-" + std::to_string(getpid()) + ".db")).string();
    std::filesystem::remove(path);
    db = std::make_unique<store::sqlite::Connection>(path, store::sqlite::Connection::Mode::kReadWrite, 5000);
    db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    db->Exec(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, text TEXT, share_type TEXT, format TEXT, "
        "update_frequency TEXT, document TEXT)");
  }
  ~Baseline() {
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  /// Inserts one file's worth of generated entries in one transaction; returns the seconds it took.
  double InsertFile() {
    std::vector<catalog::EntryContent> contents;
    for (int i = 0; i < kFileSize; ++i) contents.push_back(Generated(rows + i, rng));
    const auto start = std::chrono::steady_clock::now();
    db->Exec("BEGIN");
    for (const auto& c : contents) {
      std::string text = c.name + "\n" + c.abstract;
      for (const auto& k : c.keywords) text += "\n" + k;
      for (const auto& i : c.items) text += "\n" + i.name;
      db->Prepare("INSERT INTO t(name, text, share_type, format, update_frequency, document) VALUES (?, ?, ?, ?, ?, ?)")
          .Bind(1, c.name)
          .Bind(2, text)
          .Bind(3, c.share_type)
          .Bind(4, c.format)
          .Bind(5, c.update_frequency)
          .Bind(6, catalog::ContentToJson(c).dump())
          .Run();
    }
    db->Exec("COMMIT");
    rows += kFileSize;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

Baseline& SharedBaseline() {
  static Baseline baseline;
  return baseline;
}

void BM_CatalogImportBaselineSqlite(benchmark::State& state) {
  auto& b = SharedBaseline();
  for (auto _ : state) state.SetIterationTime(b.InsertFile());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kFileSize);
}
BENCHMARK(BM_CatalogImportBaselineSqlite)
    ->UseManualTime()
    ->Iterations(kEntries / kFileSize)
    ->Unit(benchmark::kMillisecond);

/// The naive search: LIKE '%q%' over the same text with the same two filters (SQLite scans the table).
void BM_CatalogSearchBaselineSqliteLike(benchmark::State& state) {
  auto& b = SharedBaseline();
  while (b.rows < kEntries) b.InsertFile();
  const std::vector<std::string> queries = {"人",     "口",     "人口",     "社保", "登记", "营业执照",
                                            "不动产", "石家庄", "医保结算", "信息", "学历", "许可"};
  std::vector<double> ms;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string like = "%" + queries[i % queries.size()] + "%";
    const bool even = i % 2 == 0;
    ++i;
    const auto start = std::chrono::steady_clock::now();
    auto s =
        even ? b.db->Prepare("SELECT count(*) FROM t WHERE text LIKE ? AND share_type = ? AND format = ?")
             : b.db->Prepare("SELECT count(*) FROM t WHERE text LIKE ? AND update_frequency = ? AND share_type = ?");
    s.Bind(1, like).Bind(2, even ? "conditional" : "daily").Bind(3, even ? "database" : "unconditional");
    s.Step();
    benchmark::DoNotOptimize(s.Int(0));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms.empty() ? 0.0 : ms[ms.size() / 2];
  state.counters["p95_ms"] = ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
}
BENCHMARK(BM_CatalogSearchBaselineSqliteLike)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace govshare
