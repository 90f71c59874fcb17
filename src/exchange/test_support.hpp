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

class StoreFixture {
 public:
  StoreFixture() : dir_(TempDir()), clock_(1767225600) {  // 2026-01-01T08:00+08:00
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
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  /// In a forked child: the parent's store has no threads here and must not be destroyed (its destructor would wait
  /// for a writer thread that does not exist); leak it and open the file anew.
  void ReopenInChild() {
    (void)store_.release();  // NOLINT(bugprone-unused-return-value): deliberately leaked
    Reopen();
  }
  void Reopen() {
    store_.reset();
    DatasetStore::Options o;
    o.path = dir_ + "/exchange.db";
    auto s = DatasetStore::Open(o, clock_);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    store_ = std::move(s.value());
  }
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
  std::string dir_;
  common::FakeClock clock_;
  ValidationRules rules_;
  std::unique_ptr<DatasetStore> store_;
};

}  // namespace govshare::exchange::testing
