#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include <unistd.h>

#include "common/status.hpp"
#include "org/org_store.hpp"
#include "store/pg/database.hpp"
#include "store/pg/migrations.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/migrations.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::testing {

/// The storage backends a conformance suite runs on: each test once per backend (instances .../Sqlite and
/// .../Postgres; the Postgres ones need the cluster of CTest fixture `postgres`).
enum class Backend { kSqlite, kPostgres };

inline void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

/// The province region (130000, 河北省) that store tests place their departments and cases in.
inline constexpr const char* kTestProvince = "130000";

/// Stores the province region through `org`.
inline void AddProvince(org::OrgStore& org) {
  const org::Region province{kTestProvince, kTestProvince, "河北省", org::RegionLevel::kProvince,
                             std::nullopt,  std::nullopt,  false};
  EXPECT_TRUE(org.UpsertRegions({province}).ok());
}

/// Creates a department (kind department) in `region` through `org`, for the rows of a store test to point at; returns
/// its id.
inline std::int64_t MakeDepartment(org::OrgStore& org, const std::string& name, const std::string& credit_code,
                                   const std::string& region) {
  org::Department d;
  d.name = name;
  d.credit_code = credit_code;
  d.region_id = region;
  d.kind = org::DepartmentKind::kDepartment;
  d.responsible_unit = name + " data office";
  d.contact_name = "Li";
  d.contact_phone = "0311-1234567";
  EXPECT_TRUE(org.CreateDepartment(d).ok());
  return d.id;
}

/// The main database of one backend, of one test, with every migration applied: a SQLite file in a temporary
/// directory named after the running test, or a scratch database on the PostgreSQL test cluster. Both are removed on
/// destruction. Exactly one of sqlite() and pg() is set once status() is ok.
class BackendDatabase {
 public:
  explicit BackendDatabase(Backend backend) {
    if (backend == Backend::kSqlite) {
      OpenSqlite();
    } else {
      OpenPostgres();
    }
  }
  ~BackendDatabase() {
    sqlite_.reset();
    pg_.reset();
    scratch_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  BackendDatabase(const BackendDatabase&) = delete;
  BackendDatabase& operator=(const BackendDatabase&) = delete;

  const common::Status& status() const { return status_; }

  /// A store of this database's backend: SqliteStore(sqlite, args...) or PgStore(pg, args...).
  template <typename Interface, typename SqliteStore, typename PgStore, typename... Args>
  std::unique_ptr<Interface> Make(Args&... args) {
    if (sqlite_) return std::make_unique<SqliteStore>(*sqlite_, args...);
    return std::make_unique<PgStore>(*pg_, args...);
  }

  store::sqlite::Database* sqlite() { return sqlite_.get(); }
  store::pg::Database* pg() { return pg_.get(); }
  /// The PostgreSQL database's conninfo, for a second connection of a test's own; empty on SQLite.
  std::string pg_conninfo() const { return scratch_ ? scratch_->conninfo() : std::string(); }

 private:
  void OpenSqlite() {
    std::string name = "govshare-store-" + std::to_string(::getpid()) + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised test names hold a '/'
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::sqlite::Database::Options options;
    options.path = (dir_ / "govshare.db").string();
    auto db = store::sqlite::Database::Open(options, store::sqlite::MainMigrations());
    if (!db.ok()) {
      status_ = db.status();
      return;
    }
    sqlite_ = std::move(db.value());
  }

  void OpenPostgres() {
    scratch_ = std::make_unique<ScratchPgDatabase>();
    if (!scratch_->status().ok()) {
      status_ = scratch_->status();
      return;
    }
    store::pg::Database::Options options;
    options.conninfo = scratch_->conninfo();
    auto db = store::pg::Database::Open(options, store::pg::MainMigrations());
    if (!db.ok()) {
      status_ = db.status();
      return;
    }
    pg_ = std::move(db.value());
  }

  common::Status status_;
  std::filesystem::path dir_;
  std::unique_ptr<ScratchPgDatabase> scratch_;
  std::unique_ptr<store::sqlite::Database> sqlite_;
  std::unique_ptr<store::pg::Database> pg_;
};

}  // namespace govshare::testing
