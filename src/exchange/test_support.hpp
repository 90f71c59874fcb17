#pragma once
// Shared by the exchange's unit tests: a temporary exchange.db with a small dataset and the rules of its elements.

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "catalog/model.hpp"
#include "common/clock.hpp"
#include "common/csv.hpp"
#include "exchange/dataset_store.hpp"
#include "exchange/dataset_store_sqlite.hpp"
#include "store/pg/dataset_store_pg.hpp"
#include "support/backend_sql.hpp"
#include "support/store_backend.hpp"

namespace govshare::exchange::testing {

inline std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "govshare-exchange-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

/// A source over a string (copied).
inline common::ByteSource StringSource(std::string text) {
  auto data = std::make_shared<std::string>(std::move(text));
  auto offset = std::make_shared<std::size_t>(0);
  return [data, offset](char* out, std::size_t capacity) {
    const std::size_t n = std::min(capacity, data->size() - *offset);
    std::copy_n(data->data() + *offset, n, out);
    *offset += n;
    return n;
  };
}

inline std::map<std::string, catalog::DataElement> Elements() {
  auto e = [](std::string id, std::string rep, std::string rule, std::string mask) {
    catalog::DataElement d;
    d.id = std::move(id);
    d.representation = std::move(rep);
    d.validation = std::move(rule);
    d.default_mask = std::move(mask);
    return d;
  };
  return {{"DE0001", e("DE0001", "an18", "resident_id", "resident_id")},
          {"DE0002", e("DE0002", "c..50", "", "name")},
          {"DE0004", e("DE0004", "", "date", "date")},
          {"DE0006", e("DE0006", "n6", "division_code", "")},
          {"DE0008", e("DE0008", "n11", "mobile", "mobile")}};
}

inline catalog::Item Item(std::string name, std::string element, std::string type, std::int64_t length,
                          bool key = false, bool personal = false) {
  catalog::Item i;
  i.name = std::move(name);
  i.element = std::move(element);
  i.data_type = std::move(type);
  i.length = length;
  i.key = key;
  i.personal = personal;
  return i;
}

/// Version 1 of a small population dataset: ID (key), name, birth date, region, age.
inline DatasetStore::Definition PeopleV1(std::int64_t id = 7) {
  DatasetStore::Definition d;
  d.id = id;
  d.name = "常住人口";
  d.resource_code = "10101/00001";
  d.provider_department_id = 11;
  d.region_id = "130000";
  d.entry_version = 1;
  d.update_frequency = "daily";
  d.items = {Item("公民身份号码", "DE0001", "C", 18, true, true), Item("姓名", "DE0002", "C", 50, false, true),
             Item("出生日期", "DE0004", "D", 0, false, true), Item("行政区划代码", "DE0006", "C", 6),
             Item("年龄", "", "I", 0)};
  return d;
}

/// A DatasetStore of one backend for a test: SQLite in a temporary directory (exchange.db), or PostgreSQL on a scratch
/// database of the test cluster (with every migration applied); removed on destruction.
class StoreFixture {
 public:
  using Backend = govshare::testing::Backend;
  explicit StoreFixture(Backend backend = Backend::kSqlite)
      : backend_(backend), dir_(TempDir()), clock_(1767225600) {  // 2026-01-01T08:00+08:00
    if (backend == Backend::kPostgres) {
      pg_ = std::make_unique<govshare::testing::BackendDatabase>(Backend::kPostgres);
      if (!pg_->status().ok()) throw std::runtime_error(pg_->status().ToString());
    }
    Reopen();
    rules_.element = [e = Elements()](const std::string& id) -> std::optional<catalog::DataElement> {
      const auto it = e.find(id);
      if (it == e.end()) return std::nullopt;
      return it->second;
    };
    rules_.known_division = [](std::string_view code) {
      return code == "130102" || code == "130104" || code == "130602" || code == "130000";
    };
    rules_.today_yyyymmdd = 20260101;
  }
  ~StoreFixture() {
    store_.reset();
    others_.clear();
    pg_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  /// In a forked child: the parent's store has no threads here and must not be destroyed (its destructor would wait
  /// for a writer thread that does not exist); leak it and open the file anew.
  void ReopenInChild() {
    (void)store_.release();  // NOLINT(bugprone-unused-return-value): deliberately leaked
    Reopen();
  }
  /// Closes the store and opens it again on the same database (what a restart does).
  void Reopen() {
    store_.reset();
    auto s = Open();
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    store_ = std::move(s.value());
  }
  /// Another store on the same database, as another node would open it (PostgreSQL: its own connection pool).
  common::Result<std::unique_ptr<DatasetStore>> OpenAnother() {
    if (backend_ == Backend::kSqlite) return Open();
    store::pg::Database::Options o;
    o.conninfo = pg_->pg_conninfo();
    auto db = store::pg::Database::Open(o, store::pg::MainMigrations());
    if (!db.ok()) return db.status();
    others_.push_back(std::move(db.value()));
    return store::pg::OpenDatasetStore(*others_.back(), clock_);
  }
  /// Runs `sql` on the store's database in a write transaction of its own, behind the store's back (what no API does,
  /// such as deleting a dataset). The SQL must suit both backends.
  common::Status ExecSql(const std::string& sql) {
    auto* sqlite = dynamic_cast<SqliteDatasetStore*>(store_.get());
    return govshare::testing::ExecSql(sqlite ? &sqlite->database() : nullptr, pg_ ? pg_->pg() : nullptr, sql);
  }
  Backend backend() const { return backend_; }
  /// The PostgreSQL database's conninfo (empty on SQLite).
  std::string pg_conninfo() const { return pg_ ? pg_->pg_conninfo() : std::string(); }
  DatasetStore& store() { return *store_; }
  common::FakeClock& clock() { return clock_; }
  const ValidationRules& rules() const { return rules_; }
  const std::string& dir() const { return dir_; }
  common::Result<LoadReport> LoadCsv(std::int64_t id, const std::string& csv, LoadMode mode = LoadMode::kReject,
                                     Encoding encoding = Encoding::kUtf8) {
    DatasetStore::LoadOptions o;
    o.mode = mode;
    o.encoding = encoding;
    o.actor = "test";
    return store_->LoadSnapshot(id, StringSource(csv), o, rules_);
  }

 private:
  common::Result<std::unique_ptr<DatasetStore>> Open() {
    if (backend_ == Backend::kPostgres) return store::pg::OpenDatasetStore(*pg_->pg(), clock_);
    DatasetStore::Options o;
    o.path = dir_ + "/exchange.db";
    return DatasetStore::Open(o, clock_);
  }

  Backend backend_;
  std::string dir_;
  common::FakeClock clock_;
  ValidationRules rules_;
  std::unique_ptr<govshare::testing::BackendDatabase> pg_;
  std::vector<std::unique_ptr<store::pg::Database>> others_;  // the databases of OpenAnother's stores
  std::unique_ptr<DatasetStore> store_;
};

}  // namespace govshare::exchange::testing
