#pragma once

#include "exchange/usage_meter.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::store::sqlite {

/// UsageStore on the main SQLite database (migration 9).
class SqliteUsageStore final : public exchange::UsageStore {
 public:
  explicit SqliteUsageStore(Database& db) : db_(db) {}
  common::Status Save(const std::vector<exchange::DayUsage>& usage) override;
  common::Result<std::vector<exchange::DayUsage>> LoadDay(std::int64_t day) override;

 private:
  Database& db_;
};

}  // namespace govshare::store::sqlite
