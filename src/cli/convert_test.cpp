// govshare convert: a platform on SQLite moved into PostgreSQL (issue 9, the scale-out path; docs/OPERATIONS.md §6).

#include "cli/convert.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/platform.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_test_records.hpp"
#include "audit/merkle.hpp"
#include "cli/setup.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "exchange/dataset_store.hpp"
#include "store/blob_store.hpp"
#include "store/pg/cluster.hpp"
#include "store/pg/database.hpp"
#include "store/pg/dataset_store_pg.hpp"
#include "store/pg/migrations.hpp"
#include "store/sqlite/database.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::cli {
namespace {

namespace sq = store::sqlite;
namespace pg = store::pg;

using Rows = std::vector<std::string>;

/// Every row of every table of a SQLite file, by the table's PostgreSQL name: each row one line of its values
/// (integers in decimal, bytes in hex, NULL as ∅), the rows sorted. Only what the main, exchange and audit schemas
/// hold: a REAL value fails the test (no such column there to compare as text).
std::map<std::string, Rows> SqliteTables(const std::string& path, const std::map<std::string, std::string>& renamed,
                                         bool skip_datasets = false) {
  sq::Connection c(path, sq::Connection::Mode::kReadOnly, 1000);
  std::vector<std::string> tables;
  auto list = c.Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> "
      "'schema_migrations'");
  while (list.Step()) tables.push_back(list.Text(0));
  std::map<std::string, Rows> out;
  for (const auto& table : tables) {
    if (skip_datasets && table.size() > 1 && table[0] == 'd' && std::isdigit(static_cast<unsigned char>(table[1]))) {
      continue;
    }
    auto columns = c.Prepare(fmt::format("PRAGMA table_info({})", table));
    int n = 0;
    while (columns.Step()) ++n;
    auto rows = c.Prepare(fmt::format("SELECT * FROM {}", table));
    Rows& target = out[renamed.count(table) ? renamed.at(table) : table];
    while (rows.Step()) {
      std::string line;
      for (int i = 0; i < n; ++i) {
        switch (rows.ColumnType(i)) {
          case sq::Statement::Type::kNull:
            line += "∅";
            break;
          case sq::Statement::Type::kInteger:
            line += std::to_string(rows.Int(i));
            break;
          case sq::Statement::Type::kBlob:
            line += audit::ToHex(rows.Blob(i));
            break;
          case sq::Statement::Type::kText:
            line += rows.Text(i);
            break;
          case sq::Statement::Type::kReal:
            ADD_FAILURE() << table << " holds a REAL";
            break;
        }
        line += '|';
      }
      target.push_back(std::move(line));
    }
    std::sort(target.begin(), target.end());
  }
  return out;
}

/// The same rendering of a PostgreSQL table, its columns in the order of the SQLite table's (`like`): booleans as 0/1,
/// bytea in hex.
Rows PgTable(pg::Connection& c, const std::string& table, const std::string& sqlite_path, const std::string& like) {
  sq::Connection s(sqlite_path, sq::Connection::Mode::kReadOnly, 1000);
  auto columns = s.Prepare(fmt::format("PRAGMA table_info({})", like));
  std::string select;
  while (columns.Step()) {
    const std::string name = columns.Text(1);
    auto type = c.Prepare(
        "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = to_regclass($1::text) AND attname = "
        "$2::text");
    type.Bind(1, table).Bind(2, name);
    EXPECT_TRUE(type.Step()) << table << "." << name << " is missing on PostgreSQL";
    const std::string t = type.Text(0);
    std::string expr = fmt::format("{}::text", name);
    if (t == "boolean") expr = fmt::format("CASE WHEN {0} THEN '1' WHEN NOT {0} THEN '0' END", name);
    if (t == "bytea") expr = fmt::format("encode({}, 'hex')", name);
    select += fmt::format("{}COALESCE({}, '∅') || '|'", select.empty() ? "" : " || ", expr);
  }
  Rows out;
  auto rows = c.Prepare(fmt::format("SELECT {} FROM {}", select, table));
  while (rows.Step()) out.push_back(rows.Text(0));
  std::sort(out.begin(), out.end());
  return out;
}

std::string AsText(const exchange::Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "∅";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  return std::get<std::string>(v);
}

/// Every row of every dataset as a user of the store sees it (Scan), and its change feed from the start.
std::map<std::int64_t, Rows> DatasetContents(const exchange::DatasetStore& store) {
  std::map<std::int64_t, Rows> out;
  for (const auto& d : store.List()) {
    Rows& rows = out[d->id];
    const exchange::View view(d, {});
    EXPECT_TRUE(store
                    .Scan(view, exchange::QuerySpec{},
                          [&](const exchange::Row& row) {
                            std::string line;
                            for (const auto& v : row.values) line += AsText(v) + "|";
                            rows.push_back(line + row.region);
                            return true;
                          })
                    .ok());
    auto changes = store.Changes(d->id, 0, 10000);
    EXPECT_TRUE(changes.ok());
    for (const auto& c : changes.value()) {
      std::string key;
      for (const auto& k : c.key) key += k + ",";
      rows.push_back(fmt::format("change {} {} {} {} {}", c.seq, static_cast<int>(c.op), key, c.region, c.at));
    }
  }
  return out;
}

std::int64_t Count(const std::string& conninfo, const std::string& table) {
  pg::Connection c(conninfo);
  auto st = c.Prepare(fmt::format("SELECT count(*) FROM {}", table));
  return st.Step() ? st.Int(0) : -1;
}

class ConvertPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.status().ok()) << scratch_.status().ToString();
    base_ = std::filesystem::temp_directory_path() / ("govshare-convert-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    config_.data_dir = (base_ / "node").string();
    config_.storage = "sqlite";
    config_.auth.fast_password_hash = true;
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::string dir() const { return config_.data_dir; }

  /// Audited calls and a signed head in the source's log.
  void AppendAuditRecords(int n) {
    auto p = app::Platform::Open(config_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (int i = 0; i < n; ++i) ASSERT_TRUE(p.value()->audit().Append(audit::TestRecord(i)).ok());
    ASSERT_TRUE(p.value()->audit().SignNewHead().ok());
  }

  testing::ScratchPgDatabase scratch_;
  std::filesystem::path base_;
  common::Config config_;
};

// The whole platform arrives: every row of every table of govshare.db, exchange.db's datasets as a user reads them
// (rows, regions, change feeds), audit.db verbatim with the same Merkle root under the same key, attachments and
// installed calendar years; the platform then runs on PostgreSQL where it stopped (ids continue, the log grows on).
TEST_F(ConvertPostgresTest, EveryRowRecordAndFileArrivesTheAuditRootStaysAndThePlatformGoesOnThere) {
  std::ostringstream demo_out;
  ASSERT_TRUE(Demo(config_, demo_out, true, 3000).ok()) << demo_out.str();
  AppendAuditRecords(40);
  const std::string attachment = "红头文件 — a case attachment\n";
  ASSERT_TRUE(store::FileBlobStore(dir() + "/attachments").Put(attachment).ok());
  auto year = common::ReadJsonFile(app::ResourceDir() + "/calendar/2026.json");
  ASSERT_TRUE(year.ok()) << year.status().ToString();
  {
    auto p = app::Platform::Open(config_);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p.value()->InstallCalendarYear(year.value()).ok());
  }
  std::ostringstream source_report;
  ASSERT_TRUE(audit::AuditLog::Verify(dir(), source_report).ok()) << source_report.str();
  const auto root = source_report.str().substr(source_report.str().find("root: "), 6 + 64);
  const auto main = SqliteTables(dir() + "/govshare.db", {});
  const auto exchange_tables = SqliteTables(dir() + "/exchange.db", {}, true);
  const std::map<std::string, std::string> audit_names = {{"records", "audit_records"},
                                                          {"tree_heads", "audit_tree_heads"},
                                                          {"data_calls_per_day", "audit_data_calls_per_day"}};
  const auto audit_tables = SqliteTables(dir() + "/audit.db", audit_names);
  common::SystemClock clock;
  std::map<std::int64_t, Rows> datasets;
  {
    exchange::DatasetStore::Options options;
    options.path = dir() + "/exchange.db";
    auto store = exchange::DatasetStore::Open(options, clock);
    ASSERT_TRUE(store.ok());
    datasets = DatasetContents(*store.value());
  }
  ASSERT_GE(main.at("catalog_entries").size(), 100U);
  ASSERT_EQ(audit_tables.at("audit_records").size(), 40U);

  std::ostringstream out;
  const auto converted = Convert(config_, scratch_.conninfo(), out);
  ASSERT_TRUE(converted.ok()) << converted.ToString() << "\n" << out.str();
  EXPECT_NE(out.str().find(root), std::string::npos) << out.str();  // verified on PostgreSQL: the same root

  pg::Connection c(scratch_.conninfo());
  for (const auto& [table, rows] : main) {
    EXPECT_EQ(PgTable(c, table, dir() + "/govshare.db", table), rows) << table;
  }
  for (const auto& [table, rows] : exchange_tables) {
    EXPECT_EQ(PgTable(c, table, dir() + "/exchange.db", table), rows) << table;
  }
  for (const auto& [sqlite_name, table] : audit_names) {
    EXPECT_EQ(PgTable(c, table, dir() + "/audit.db", sqlite_name), audit_tables.at(table)) << table;
  }
  {
    pg::Database::Options options;
    options.conninfo = scratch_.conninfo();
    auto db = pg::Database::Open(options, pg::MainMigrations());
    ASSERT_TRUE(db.ok());
    auto store = pg::OpenDatasetStore(*db.value(), clock);
    ASSERT_TRUE(store.ok());
    const auto on_pg = DatasetContents(*store.value());
    EXPECT_EQ(on_pg.size(), datasets.size());
    for (const auto& [id, rows] : datasets) EXPECT_EQ(on_pg.at(id), rows) << "dataset " << id;
    EXPECT_EQ(datasets.at(1).size(), 3000U + 3000U);  // the population, and its feed of 3,000 inserts
    EXPECT_EQ(pg::PgBlobStore(*db.value()).Get(common::Sha256Hex(attachment)).value(), attachment);
    auto years = pg::ListCalendarYears(*db.value());
    ASSERT_TRUE(years.ok());
    ASSERT_EQ(years->size(), 1U);
    EXPECT_EQ(years->front(), year->dump());
  }
  // A dataset with a region column is partitioned by city, each row in its city's partition (none in the default).
  auto partitions = c.Prepare(
      "SELECT count(DISTINCT tableoid), count(*) FILTER (WHERE tableoid = 'd1_pdefault'::regclass), count(*) FILTER "
      "(WHERE city <> left(c9, 4) || '00') FROM d1");  // c9: 行政区划代码
  ASSERT_TRUE(partitions.Step());
  EXPECT_GT(partitions.Int(0), 5);
  EXPECT_EQ(partitions.Int(1), 0);
  EXPECT_EQ(partitions.Int(2), 0);
  // Every identity goes on after the highest id copied.
  auto identities = c.Prepare(
      "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attidentity <> "
      "'' AND c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema())");
  int checked = 0;
  while (identities.Step()) {
    const std::string table = identities.Text(0);
    const std::string column = identities.Text(1);
    auto next = c.Prepare(
        fmt::format("SELECT nextval(pg_get_serial_sequence('{0}', '{1}')) > COALESCE((SELECT MAX({1}) FROM {0}), 0)",
                    table, column));
    ASSERT_TRUE(next.Step());
    EXPECT_TRUE(next.Bool(0)) << table << "." << column;
    ++checked;
  }
  EXPECT_GE(checked, 15);  // departments, users, cases, catalog entries, loads, ...

  // The platform on PostgreSQL with the directory's keys: its log goes on from the copied tree and verifies.
  common::Config on_pg = config_;
  on_pg.storage = scratch_.conninfo();
  auto platform = app::Platform::Open(on_pg);
  ASSERT_TRUE(platform.ok()) << platform.status().ToString();
  EXPECT_EQ(platform.value()->audit().size(), 40U);
  auto next = platform.value()->audit().Append(audit::TestRecord(40));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next.value(), 40U);
  ASSERT_TRUE(platform.value()->audit().SignNewHead().ok());
}

// A database that holds a platform is never converted into: nothing of it changes.
TEST_F(ConvertPostgresTest, ATargetThatHoldsAPlatformIsRefusedAndKeepsWhatItHolds) {
  common::Config other = config_;
  other.data_dir = (base_ / "other").string();
  other.storage = scratch_.conninfo();
  std::ostringstream init_out;
  ASSERT_TRUE(Init(other, init_out).ok()) << init_out.str();
  ASSERT_TRUE(Init(config_, init_out).ok()) << init_out.str();
  const auto departments = Count(scratch_.conninfo(), "departments");
  const auto users = Count(scratch_.conninfo(), "users");
  std::ostringstream out;
  const auto status = Convert(config_, scratch_.conninfo(), out);
  EXPECT_EQ(status.code(), "target_not_empty") << status.ToString();
  EXPECT_EQ(Count(scratch_.conninfo(), "departments"), departments);
  EXPECT_EQ(Count(scratch_.conninfo(), "users"), users);
}

// A failure after most of the copy (an attachment that does not hold the bytes its name says) rolls everything back:
// the target stays empty, and once the cause is mended the conversion runs through.
TEST_F(ConvertPostgresTest, AFailureHalfwayWritesNothingAndARetryAfterTheMendSucceeds) {
  std::ostringstream out;
  ASSERT_TRUE(Init(config_, out).ok()) << out.str();
  AppendAuditRecords(5);
  std::filesystem::create_directories(dir() + "/attachments");
  const std::string forged = dir() + "/attachments/" + common::Sha256Hex("the original");
  std::ofstream(forged) << "something else";
  const auto status = Convert(config_, scratch_.conninfo(), out);
  EXPECT_EQ(status.code(), "attachment_corrupt") << status.ToString();
  EXPECT_EQ(Count(scratch_.conninfo(), "regions"), 0);
  EXPECT_EQ(Count(scratch_.conninfo(), "audit_records"), 0);
  EXPECT_EQ(Count(scratch_.conninfo(), "departments"), 0);
  std::filesystem::remove(forged);
  const auto retried = Convert(config_, scratch_.conninfo(), out);
  EXPECT_TRUE(retried.ok()) << retried.ToString() << out.str();
  EXPECT_EQ(Count(scratch_.conninfo(), "audit_records"), 5);
  EXPECT_GT(Count(scratch_.conninfo(), "regions"), 100);
}

// A column the target's schema does not know (a source from another build) is not dropped silently.
TEST_F(ConvertPostgresTest, AColumnWithoutACounterpartIsRefusedAndWritesNothing) {
  std::ostringstream out;
  ASSERT_TRUE(Init(config_, out).ok()) << out.str();
  {
    sq::Connection c(dir() + "/govshare.db", sq::Connection::Mode::kReadWrite, 1000);
    c.Exec("ALTER TABLE users ADD COLUMN nickname TEXT");
  }
  const auto status = Convert(config_, scratch_.conninfo(), out);
  EXPECT_EQ(status.code(), "schema_mismatch") << status.ToString();
  EXPECT_NE(status.message().find("users.nickname"), std::string::npos) << status.message();
  EXPECT_EQ(Count(scratch_.conninfo(), "regions"), 0);
}

// A log that does not verify is not moved (a conversion must not launder tampering): nothing is written.
TEST_F(ConvertPostgresTest, AnAuditLogThatDoesNotVerifyIsNotConverted) {
  std::ostringstream out;
  ASSERT_TRUE(Init(config_, out).ok()) << out.str();
  AppendAuditRecords(5);
  {
    sq::Connection c(dir() + "/audit.db", sq::Connection::Mode::kReadWrite, 1000);
    c.Exec(
        "DROP TRIGGER records_no_update; UPDATE records SET encoded = CAST('forged' AS BLOB) || substr(encoded, 7) "
        "WHERE leaf_index = 2");
  }
  const auto status = Convert(config_, scratch_.conninfo(), out);
  EXPECT_EQ(status.code(), "audit_invalid") << status.ToString();
  EXPECT_EQ(Count(scratch_.conninfo(), "audit_records"), 0);
  EXPECT_EQ(Count(scratch_.conninfo(), "regions"), 0);
}

// A converted row lands in the partition a load would have put it in: the city computed in C++ is the loads' SQL.
TEST_F(ConvertPostgresTest, TheCityOfARowIsWhatTheLoadsComputeInSql) {
  pg::Connection c(scratch_.conninfo());
  for (const std::optional<std::string>& region :
       {std::optional<std::string>("130102"), std::optional<std::string>("13"), std::optional<std::string>(""),
        std::optional<std::string>("河北省石家庄市"), std::optional<std::string>("13é102"),
        std::optional<std::string>()}) {
    auto sql = c.Prepare("SELECT COALESCE(left($1::text, 4) || '00', '')");
    sql.Bind(1, region);
    ASSERT_TRUE(sql.Step());
    EXPECT_EQ(pg::CityCode(region ? std::optional<std::string_view>(*region) : std::nullopt), sql.Text(0))
        << region.value_or("NULL");
  }
}

TEST(ConvertTest, ADirectoryWithoutAPlatformOrATargetThatIsNotPostgresIsRefused) {
  common::Config config;
  config.data_dir = "/nonexistent/govshare";
  std::ostringstream out;
  EXPECT_EQ(Convert(config, "postgresql://127.0.0.1/x", out).code(), "not_initialised");
  config.data_dir =
      (std::filesystem::temp_directory_path() / ("govshare-convert-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(config.data_dir);
  std::ofstream(config.data_dir + "/govshare.db").close();
  EXPECT_EQ(Convert(config, "sqlite", out).code(), "invalid_target");
  EXPECT_EQ(Convert(config, "mysql://127.0.0.1/x", out).code(), "invalid_config");
  std::filesystem::remove_all(config.data_dir);
}

}  // namespace
}  // namespace govshare::cli
