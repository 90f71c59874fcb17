#include "store/sqlite/usage_store_sqlite.hpp"

#include "store/exchange_rows.hpp"
#include "store/rows.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using exchange::DayUsage;

Status SqliteUsageStore::Save(const std::vector<DayUsage>& usage) {
  if (usage.empty()) return Status::Ok();
  return db_.Write([&](Connection& c) {
    auto upsert = c.Prepare(
        "INSERT INTO grant_usage(grant_id, day, uses) VALUES (?, ?, ?) ON CONFLICT(grant_id, day) DO UPDATE SET uses "
        "= uses + excluded.uses");
    for (const auto& u : usage) {
      BindDayUsage(upsert, u);
      upsert.Run();
      upsert.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<DayUsage>> SqliteUsageStore::LoadDay(std::int64_t day) {
  return SelectRows<DayUsage>(
      db_, "SELECT grant_id, uses FROM grant_usage WHERE day = ?", [&](Statement& s) { s.Bind(1, day); },
      [&](const Statement& s) { return ReadDayUsage(s, day); });
}

}  // namespace govshare::store::sqlite
