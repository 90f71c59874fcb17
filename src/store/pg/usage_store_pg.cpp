#include "store/pg/usage_store_pg.hpp"

#include "store/exchange_rows.hpp"
#include "store/rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using exchange::DayUsage;

Status PgUsageStore::Save(const std::vector<DayUsage>& usage) {
  if (usage.empty()) return Status::Ok();
  return db_.Write([&](Connection& c) {
    for (const auto& u : usage) {
      // Each node adds its own uses: the stored count is every node's.
      auto upsert = c.Prepare(
          "INSERT INTO grant_usage(grant_id, day, uses) VALUES ($1, $2, $3) ON CONFLICT(grant_id, day) DO UPDATE SET "
          "uses = grant_usage.uses + excluded.uses");
      BindDayUsage(upsert, u);
      upsert.Run();
    }
    return Status::Ok();
  });
}

Result<std::vector<DayUsage>> PgUsageStore::LoadDay(std::int64_t day) {
  return SelectRows<DayUsage>(
      db_, "SELECT grant_id, uses FROM grant_usage WHERE day = $1", [&](Statement& s) { s.Bind(1, day); },
      [&](const Statement& s) { return ReadDayUsage(s, day); });
}

}  // namespace govshare::store::pg
