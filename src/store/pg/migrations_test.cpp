// The PostgreSQL migrations as a list: the runner applies, in list order, each version above the database's, so the
// list must ascend (a version listed after a higher one would never be applied).
#include "store/pg/migrations.hpp"

#include <gtest/gtest.h>

namespace govshare::store::pg {
namespace {

TEST(PgMigrations, VersionsAscendAndEachHasANameAndSql) {
  const auto& migrations = MainMigrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].sql.empty());
    if (i > 0) {
      EXPECT_GT(migrations[i].version, migrations[i - 1].version) << migrations[i].name;
    }
  }
}

}  // namespace
}  // namespace govshare::store::pg
