// Durable audit appends (issue 5: floor 100,000/s in-process with concurrent writers) and proof generation.
// Run: build/govshare_bench --benchmark_filter=Audit
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "audit/audit_log.hpp"
#include "common/crypto.hpp"

namespace {

using govshare::audit::AuditLog;
using govshare::audit::AuditRecord;

AuditLog* SharedLog() {
  static govshare::common::SystemClock clock;
  static std::unique_ptr<AuditLog> log = [] {
    (void)govshare::common::InitCrypto();
    const auto dir = std::filesystem::temp_directory_path() / ("govshare-audit-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return std::move(AuditLog::Open(dir.string(), clock).value());
  }();
  return log.get();
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

// Each thread appends and waits for durability, as a request handler does; threads share group commits.
void BM_AuditDurableAppend(benchmark::State& state) {
  AuditLog* log = SharedLog();
  std::int64_t i = state.thread_index() * 1000000000LL;
  for (auto _ : state) benchmark::DoNotOptimize(log->Append(Sample(i++)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditDurableAppend)->Threads(1)->Threads(16)->Threads(64)->UseRealTime();

void BM_AuditInclusionProof(benchmark::State& state) {
  AuditLog* log = SharedLog();
  while (log->size() < 10000) (void)log->Append(Sample(static_cast<std::int64_t>(log->size())));
  const auto n = log->size();
  std::uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(log->InclusionProof((i++ * 7919) % n, n));
}
BENCHMARK(BM_AuditInclusionProof);

}  // namespace
