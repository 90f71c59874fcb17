// Durable audit appends (issue 5: floor 100,000/s in-process with concurrent writers), against a raw SQLite baseline
// run in the same process, and proof generation. Results and how to read them: docs/BENCHMARKS.md.
// Run: build/govshare_bench --benchmark_filter=Audit
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/crypto.hpp"
#include "store/sqlite/database.hpp"

namespace {

using govshare::audit::AuditLog;
using govshare::audit::AuditRecord;

/// Records appended per timed burst, and bursts per repetition; the aggregates report the median over repetitions.
constexpr std::int64_t kBurst = 50000;
constexpr int kBurstsPerRepetition = 3;
constexpr int kRepetitions = 5;

/// A fresh data directory in the temp folder, removed (with the log in it) when the benchmark binary ends.
class BenchDir {
 public:
  explicit BenchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct BenchLog {
  BenchDir dir{"govshare-audit-bench"};
  govshare::common::SystemClock clock;
  std::unique_ptr<AuditLog> log;
  BenchLog() {
    (void)govshare::common::InitCrypto();
    log = std::move(AuditLog::Open(dir.path(), clock).value());
  }
};

AuditLog* SharedLog() {
  static BenchLog bench;
  return bench.log.get();
}

AuditRecord Sample(std::int64_t i) {
  AuditRecord r;
  r.time_us = 1795737600000000 + i;
  r.actor_kind = "application";
  r.actor_id = 3;
  r.actor_name = "社保待遇资格认证系统";
  r.department_id = 5;
  r.action = "GET /api/v1/data/{dataset}/records/{key}";
  r.target = "/api/v1/data/population/records/11010519491231002X";
  r.decision = "allow";
  r.grant_id = "g-42";
  r.scenario = "养老保险待遇资格认证";
  r.business_ref = "SB-2026-000123";
  r.fields = "name,id_number,address";
  r.row_count = 1;
  r.content_hash = std::string(64, 'a');
  r.client_address = "10.1.2.3";
  r.request_id = "req-" + std::to_string(i);
  return r;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Each thread appends and waits for durability, one record at a time, as a blocking request handler does; threads
// share commits, so a commit holds at most as many records as there are threads.
void BM_AuditDurableAppend(benchmark::State& state) {
  AuditLog* log = SharedLog();
  std::int64_t i = state.thread_index() * 1000000000LL;
  for (auto _ : state) {
    if (!log->Append(Sample(i++)).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditDurableAppend)->Threads(1)->Threads(64)->Threads(256)->UseRealTime()->MinTime(2);

/// The baseline: the same records, encoded and hashed the same way, inserted into the same schema (BLOBs, bound without
/// copying, as the writer does) by one thread in ONE transaction with one prepared statement and one synchronous=FULL
/// commit at the end. That is what SQLite itself
/// ingests on this machine when nobody waits for an answer before the whole burst is durable.
class RawInsertBaseline {
 public:
  RawInsertBaseline() {
    (void)govshare::common::InitCrypto();
    govshare::common::SystemClock clock;
    if (!AuditLog::Open(dir_.path(), clock).ok()) return;  // creates audit.db with the log's schema, then closes it
    connection_ = std::make_unique<Connection>(dir_.path() + "/audit.db", Connection::Mode::kReadWrite, 5000);
    connection_->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
  }

  /// Inserts records [first, first + n) and returns the seconds it took, or a negative number if it failed.
  double InsertBurst(std::int64_t first, std::int64_t n) {
    if (!connection_) return -1;
    Connection& c = *connection_;
    const auto start = std::chrono::steady_clock::now();
    c.Exec("BEGIN IMMEDIATE");
    {
      auto insert = c.Prepare(
          "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
          "leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (std::int64_t i = first; i < first + n; ++i) {
        const AuditRecord r = Sample(i);
        const std::string encoded = govshare::audit::Encode(r);
        const auto leaf = govshare::audit::LeafHash(encoded);
        insert.Bind(1, next_index_++)
            .Bind(2, r.time_us)
            .Bind(3, r.actor_id)
            .Bind(4, r.department_id)
            .BindTextNoCopy(5, r.action)
            .BindTextNoCopy(6, r.decision)
            .BindTextNoCopy(7, r.grant_id)
            .BindBlobNoCopy(8, encoded)
            .BindBlobNoCopy(9, std::string_view(reinterpret_cast<const char*>(leaf.data()), leaf.size()))
            .Run();
        insert.Reset();
      }
    }
    c.Exec("COMMIT");
    return SecondsSince(start);
  }

 private:
  using Connection = govshare::store::sqlite::Connection;
  BenchDir dir_{"govshare-audit-baseline"};
  std::unique_ptr<Connection> connection_;
  std::int64_t next_index_ = 0;
};

RawInsertBaseline& Baseline() {
  static RawInsertBaseline baseline;
  return baseline;
}

/// The records one submitter has queued and not yet seen acknowledged. Shared with the callbacks, which may still
/// touch it after the submitter saw the count reach zero.
struct InFlight {
  explicit InFlight(std::int64_t resume) : resume_at(resume) {}
  std::atomic<std::int64_t> count{0};
  std::atomic<std::int64_t> failed{0};
  const std::int64_t resume_at;  // a submitter with a full window waits until no more than this many are in flight
};

/// Appends `n` records with at most `window` waiting at a time, then waits until every one is durable: `window`
/// concurrent requests, each suspended until its record is durable, without a thread each. A full window resumes when
/// half of it is free, and only that crossing (and the last answer) wakes the submitter, as an event loop wakes once
/// for many completions: waking it for every answer would measure thread ping-pong instead of the log.
std::int64_t SubmitAndWait(AuditLog& log, std::int64_t first, std::int64_t n, std::int64_t window) {
  auto in_flight = std::make_shared<InFlight>(window / 2);
  for (std::int64_t i = first; i < first + n; ++i) {
    if (in_flight->count.load() >= window) {
      for (auto c = in_flight->count.load(); c > in_flight->resume_at; c = in_flight->count.load()) {
        in_flight->count.wait(c);
      }
    }
    in_flight->count.fetch_add(1);
    log.AppendAsync(Sample(i), [in_flight](const govshare::common::Result<std::uint64_t>& r) {
      if (!r.ok()) in_flight->failed.fetch_add(1);
      const auto left = in_flight->count.fetch_sub(1) - 1;
      if (left == in_flight->resume_at || left == 0) in_flight->count.notify_one();
    });
  }
  for (auto c = in_flight->count.load(); c != 0; c = in_flight->count.load()) in_flight->count.wait(c);
  return in_flight->failed.load();
}

// range(0) submitter threads, each with range(1) appends in flight. The time of a burst runs from the first submission
// to the last acknowledgement, so every counted record is durable. Each burst is paired with a baseline burst of the
// same size run just before it, so that the machine's load hits both alike; the counters give both rates and their
// ratio over the repetition.
void BM_AuditDurableAppendAsync(benchmark::State& state) {
  AuditLog* log = SharedLog();
  const auto submitters = state.range(0);
  const auto per_submitter = kBurst / submitters;
  const auto window = state.range(1);
  static std::int64_t next = 2000000000000LL;  // request ids apart from the other benchmarks'
  double audit_s = 0;
  double baseline_s = 0;
  for (auto _ : state) {
    const double baseline = Baseline().InsertBurst(next, per_submitter * submitters);
    if (baseline < 0) {
      state.SkipWithError("the baseline cannot open its database");
      return;
    }
    baseline_s += baseline;
    std::atomic<std::int64_t> failed{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (std::int64_t t = 0; t < submitters; ++t) {
      threads.emplace_back([&, first = next + t * per_submitter] {
        failed.fetch_add(SubmitAndWait(*log, first, per_submitter, window));
      });
    }
    for (auto& t : threads) t.join();
    const double elapsed = SecondsSince(start);
    state.SetIterationTime(elapsed);
    audit_s += elapsed;
    next += per_submitter * submitters;
    if (failed.load() != 0) state.SkipWithError("appends failed");
  }
  const auto records = static_cast<double>(state.iterations() * per_submitter * submitters);
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
  state.counters["audit_per_s"] = records / audit_s;
  state.counters["baseline_per_s"] = records / baseline_s;
  state.counters["ratio"] = baseline_s / audit_s;
}
BENCHMARK(BM_AuditDurableAppendAsync)
    ->ArgNames({"submitters", "window"})
    ->Args({2, 64})
    ->Args({2, 2048})
    ->Args({8, 512})
    ->UseManualTime()
    ->Iterations(kBurstsPerRepetition)
    ->Repetitions(kRepetitions)
    ->ReportAggregatesOnly();

void BM_AuditInclusionProof(benchmark::State& state) {
  AuditLog* log = SharedLog();
  while (log->size() < 10000) (void)log->Append(Sample(static_cast<std::int64_t>(log->size())));
  const auto n = log->size();
  std::uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(log->InclusionProof((i++ * 7919) % n, n));
}
BENCHMARK(BM_AuditInclusionProof);

}  // namespace
