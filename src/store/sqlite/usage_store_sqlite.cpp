#include "store/sqlite/usage_store_sqlite.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using exchange::DayUsage;

Status SqliteUsageStore::Save(const std::vector<DayUsage>& usage) {
  if (usage.empty()) return Status::Ok();
  return db_.Write([&](Connection& c) {
    auto upsert = c.Prepare(
        "INSERT INTO grant_usage(grant_id, day, uses) VALUES (?, ?, ?) ON CONFLICT(grant_id, day) DO UPDATE SET uses "
        "= MAX(uses, excluded.uses)");
    for (const auto& u : usage) {
      upsert.Bind(1, u.grant_id).Bind(2, u.day).Bind(3, u.uses).Run();
      upsert.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<DayUsage>> SqliteUsageStore::LoadDay(std::int64_t day) {
  std::vector<DayUsage> out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    auto s = c.Prepare("SELECT grant_id, uses FROM grant_usage WHERE day = ?");
    s.Bind(1, day);
    while (s.Step()) out.push_back(DayUsage{s.Text(0), day, s.Int(1)});
    return Status::Ok();
  }));
  return out;
}

}  // namespace govshare::store::sqlite
