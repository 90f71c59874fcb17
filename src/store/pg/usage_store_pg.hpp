#pragma once

#include "exchange/usage_meter.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// UsageStore on the main PostgreSQL database (migration 5), with the semantics of store::sqlite::SqliteUsageStore
/// (src/store/usage_store_conformance_test.cpp runs the same tests on both): a stored count is never lowered.
class PgUsageStore final : public exchange::UsageStore {
 public:
  explicit PgUsageStore(Database& db) : db_(db) {}
  common::Status Save(const std::vector<exchange::DayUsage>& usage) override;
  common::Result<std::vector<exchange::DayUsage>> LoadDay(std::int64_t day) override;

 private:
  Database& db_;
};

}  // namespace govshare::store::pg
