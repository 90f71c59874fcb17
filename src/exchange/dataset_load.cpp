// Aggregation (Art. 12, 全量归集): full snapshot loads and incremental batches of DatasetStore.
#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <unordered_map>

#include "common/encoding.hpp"
#include "common/json.hpp"
#include "exchange/dataset_store.hpp"
#include "exchange/row_checker.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::exchange {

using common::Result;
using common::Status;
using store::sqlite::Connection;
using store::sqlite::SqliteError;
using store::sqlite::Statement;

namespace {

/// The status a write job returns to roll back a load whose rows were rejected in reject mode (never seen outside).
constexpr const char* kRolledBack = "rows_rejected";

std::string Cols(const Dataset& d, const std::vector<int>& idx, std::string_view prefix) {
  std::string out;
  for (int i : idx) out += fmt::format("{}{}{}", out.empty() ? "" : ",", prefix, d.columns[i].sql_name());
  return out;
}

std::string KeyEquals(const Dataset& d, std::string_view a, std::string_view b) {
  std::string out;
  for (int k : d.key) {
    const auto name = d.columns[k].sql_name();
    out += fmt::format("{}{}.{} = {}.{}", out.empty() ? "" : " AND ", a, name, b, name);
  }
  return out;
}

std::string KeyExpr(const Dataset& d, std::string_view prefix) {
  if (d.key.size() == 1) return fmt::format("{}{}", prefix, d.columns[d.key[0]].sql_name());
  return fmt::format("json_array({})", Cols(d, d.key, prefix));
}

std::string RegionExpr(const Dataset& d, std::string_view prefix) {
  return d.region_column ? fmt::format("{}{}", prefix, d.columns[*d.region_column].sql_name()) : "NULL";
}

std::string KeyWhere(const Dataset& d) {
  std::string out;
  for (std::size_t i = 0; i < d.key.size(); ++i) {
    out += fmt::format("{}{} = ?{}", i ? " AND " : "", d.columns[d.key[i]].sql_name(), i + 1);
  }
  return out;
}

/// One data record of a load, by column index (empty: null).
struct Record {
  std::int64_t row = 0;
  std::int64_t line = 0;
  std::vector<std::string> cells;
  std::vector<Rejection> problems;  // record-level problems found while reading (malformed, unknown fields)
};

/// Reads data records of one format. Header problems are fatal (a Status); record problems travel in the record.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual Status Start() = 0;
  virtual bool Next(Record& r) = 0;
};

class CsvRecords final : public RecordReader {
 public:
  CsvRecords(const Dataset& d, common::ByteSource source) : d_(d), csv_(std::move(source), kMaxRecordBytes) {}

  Status Start() override {
    common::CsvReader::Record header;
    if (!csv_.Next(header)) return Status::Invalid("invalid_header", "the file is empty: a header row is required");
    if (!header.error.empty()) return Status::Invalid("invalid_header", header.detail);
    std::vector<bool> seen(d_.columns.size(), false);
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      std::string name = header.fields[i];
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
      if (!common::IsCleanText(name)) {
        return Status::Invalid("invalid_header", fmt::format("header column {} is not clean UTF-8 text (wrong "
                                                             "encoding? use encoding=gb18030)",
                                                             i + 1));
      }
      const int col = d_.ColumnIndex(name);
      if (col < 0 || d_.columns[static_cast<std::size_t>(col)].retired()) {
        return Status::Invalid("invalid_header", fmt::format("'{}' is not an item of dataset {}", name, d_.id),
                               "/" + name);
      }
      if (seen[static_cast<std::size_t>(col)]) {
        return Status::Invalid("invalid_header", fmt::format("'{}' appears twice in the header", name), "/" + name);
      }
      seen[static_cast<std::size_t>(col)] = true;
      map_.push_back(col);
    }
    for (int k : d_.key) {
      if (!seen[static_cast<std::size_t>(k)]) {
        return Status::Invalid("invalid_header", fmt::format("the key item '{}' is missing from the header",
                                                             d_.columns[static_cast<std::size_t>(k)].name));
      }
    }
    return Status::Ok();
  }

  bool Next(Record& r) override {
    if (!csv_.Next(rec_)) return false;
    r.row = ++row_;
    r.line = rec_.line;
    r.problems.clear();
    r.cells.assign(d_.columns.size(), std::string());
    if (!rec_.error.empty()) {
      r.problems.push_back({r.row, r.line, "", rec_.error, ""});
    } else if (rec_.fields.size() != map_.size()) {
      r.problems.push_back({r.row, r.line, "", "column_count",
                            fmt::format("{} fields, header has {}", rec_.fields.size(), map_.size())});
    } else {
      for (std::size_t i = 0; i < map_.size(); ++i) r.cells[static_cast<std::size_t>(map_[i])].swap(rec_.fields[i]);
    }
    return true;
  }

 private:
  const Dataset& d_;
  common::CsvReader csv_;
  common::CsvReader::Record rec_;
  std::vector<int> map_;
  std::int64_t row_ = 0;
};

class JsonLineRecords final : public RecordReader {
 public:
  JsonLineRecords(const Dataset& d, common::ByteSource source) : d_(d), source_(std::move(source)), buf_(1 << 16) {
    for (std::size_t i = 0; i < d.columns.size(); ++i) {
      if (!d.columns[i].retired()) by_name_.emplace(d.columns[i].name, static_cast<int>(i));
    }
  }
  Status Start() override { return Status::Ok(); }

  bool Next(Record& r) override {
    for (;;) {
      bool too_large = false;
      if (!ReadLine(too_large)) return false;
      ++line_;
      if (!too_large && line_text_.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
      r.row = ++row_;
      r.line = line_;
      r.problems.clear();
      r.cells.assign(d_.columns.size(), std::string());
      if (too_large) {
        r.problems.push_back({r.row, r.line, "", "record_too_large", ""});
        return true;
      }
      Parse(r);
      return true;
    }
  }

 private:
  /// Reads one line into line_text_ (without the newline); false at the end.
  bool ReadLine(bool& too_large) {
    line_text_.clear();
    bool any = false;
    for (;;) {
      if (pos_ == end_) {
        pos_ = 0;
        end_ = eof_ ? 0 : source_(buf_.data(), buf_.size());
        if (end_ == 0) {
          eof_ = true;
          return any;
        }
      }
      any = true;
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', end_ - pos_);
      const std::size_t n = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : end_ - pos_;
      if (!too_large) {
        if (line_text_.size() + n > kMaxRecordBytes) {
          too_large = true;
          line_text_.clear();
        } else {
          line_text_.append(start, n);
        }
      }
      pos_ += n;
      if (nl) {
        ++pos_;
        return true;
      }
    }
  }

  void Parse(Record& r) {
    simdjson::dom::element doc;
    if (parser_.parse(line_text_).get(doc) != simdjson::SUCCESS) {
      const bool utf8 = simdjson::validate_utf8(line_text_.data(), line_text_.size());
      r.problems.push_back({r.row, r.line, "", utf8 ? "invalid_json" : "invalid_encoding", ""});
      return;
    }
    simdjson::dom::object obj;
    if (doc.get(obj) != simdjson::SUCCESS) {
      r.problems.push_back({r.row, r.line, "", "wrong_type", "not an object"});
      return;
    }
    for (auto field : obj) {
      const auto it = by_name_.find(std::string(field.key));
      if (it == by_name_.end()) {
        r.problems.push_back({r.row, r.line, std::string(field.key), "unknown_field", ""});
        continue;
      }
      std::string& cell = r.cells[static_cast<std::size_t>(it->second)];
      switch (field.value.type()) {
        case simdjson::dom::element_type::STRING:
          cell.assign(std::string_view(field.value));
          if (cell.empty()) cell = std::string();  // "" is null, as in CSV
          break;
        case simdjson::dom::element_type::INT64:
          cell = std::to_string(int64_t(field.value));
          break;
        case simdjson::dom::element_type::UINT64:
          cell = std::to_string(uint64_t(field.value));
          break;
        case simdjson::dom::element_type::DOUBLE:
          cell = fmt::format("{}", double(field.value));
          break;
        case simdjson::dom::element_type::BOOL:
          cell = bool(field.value) ? "true" : "false";
          break;
        case simdjson::dom::element_type::NULL_VALUE:
          cell.clear();
          break;
        default:
          r.problems.push_back({r.row, r.line, std::string(field.key), "wrong_type", "an object or array"});
      }
    }
  }

  const Dataset& d_;
  common::ByteSource source_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::string line_text_;
  std::int64_t line_ = 0;
  std::int64_t row_ = 0;
  simdjson::dom::parser parser_;
  std::unordered_map<std::string, int> by_name_;
};

/// Adds a rejection to the report (the count always; the entry up to the report limit).
void Reject(LoadReport& report, Rejection r) {
  if (report.rejections.size() < kMaxReportedRejections) {
    report.rejections.push_back(std::move(r));
  } else {
    report.rejections_truncated = true;
  }
}

/// Validates a record's cells in place; returns false if the row is rejected (its problems added to the report).
/// `key_ok` tells whether the key cells are valid (a rejected row with a valid key keeps its old record).
bool CheckRecord(const Dataset& d, const detail::RowChecker& checker, Record& r, LoadReport& report, bool& key_ok) {
  bool ok = r.problems.empty();
  for (auto& p : r.problems) Reject(report, std::move(p));
  key_ok = ok;
  if (!ok) return false;
  for (int k : d.key) {
    if (r.cells[static_cast<std::size_t>(k)].empty()) {
      Reject(report, {r.row, r.line, d.columns[static_cast<std::size_t>(k)].name, "required", ""});
      ok = key_ok = false;
    }
  }
  for (std::size_t i = 0; i < r.cells.size(); ++i) {
    std::string& cell = r.cells[i];
    if (cell.empty()) continue;
    if (auto rule = checker.Check(static_cast<int>(i), cell)) {
      Reject(report, {r.row, r.line, d.columns[i].name, *rule, checker.Masked(static_cast<int>(i), cell)});
      ok = false;
      if (d.columns[i].key_order > 0) key_ok = false;
    }
  }
  return ok;
}

/// A load prepared against one version of the dataset's columns must not run after a Define changed them.
Status SameSchema(Connection& c, const Dataset& d) {
  auto st = c.Prepare("SELECT entry_version FROM datasets WHERE id = ?");
  st.Bind(1, d.id);
  if (!st.Step() || st.Int(0) != d.entry_version) {
    return Status::Conflict("dataset_changed", "the dataset's columns changed while the load was queued; retry");
  }
  return Status::Ok();
}

std::int64_t MaxSeq(Connection& c, const Dataset& d) {
  auto st = c.Prepare(fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}", d.changes_table()));
  st.Step();
  return st.Int(0);
}

void RecordLoad(Connection& c, const Dataset& d, const LoadReport& r, const std::string& actor, UnixSeconds now) {
  c.Prepare("UPDATE datasets SET row_count = ?, last_load_at = ?, last_seq = ?, updated_at = ? WHERE id = ?")
      .Bind(1, r.row_count)
      .Bind(2, now)
      .Bind(3, r.last_seq ? r.last_seq : d.last_seq)
      .Bind(4, now)
      .Bind(5, d.id)
      .Run();
  c.Prepare(
       "INSERT INTO loads(dataset_id, kind, actor, at, rows_read, rows_accepted, rows_rejected, inserted, updated, "
       "deleted, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, d.id)
      .Bind(2, r.kind)
      .Bind(3, actor)
      .Bind(4, now)
      .Bind(5, r.rows_read)
      .Bind(6, r.rows_accepted)
      .Bind(7, r.rows_rejected)
      .Bind(8, r.inserted)
      .Bind(9, r.updated)
      .Bind(10, r.deleted)
      .Bind(11, r.first_seq)
      .Bind(12, r.last_seq)
      .Run();
}

nlohmann::json ReportToJson(const LoadReport& r) {
  nlohmann::json rejections = nlohmann::json::array();
  for (const auto& x : r.rejections) {
    rejections.push_back({{"row", x.row}, {"line", x.line}, {"field", x.field}, {"rule", x.rule}, {"value", x.value}});
  }
  return {{"dataset_id", r.dataset_id},
          {"kind", r.kind},
          {"applied", r.applied},
          {"replayed", r.replayed},
          {"rows_read", r.rows_read},
          {"rows_accepted", r.rows_accepted},
          {"rows_rejected", r.rows_rejected},
          {"inserted", r.inserted},
          {"updated", r.updated},
          {"unchanged", r.unchanged},
          {"deleted", r.deleted},
          {"first_seq", r.first_seq},
          {"last_seq", r.last_seq},
          {"row_count", r.row_count},
          {"seconds", r.seconds},
          {"rejections", rejections},
          {"rejections_truncated", r.rejections_truncated}};
}

LoadReport ReportFromJson(const nlohmann::json& j) {
  LoadReport r;
  r.dataset_id = j.at("dataset_id").get<std::int64_t>();
  r.kind = j.at("kind").get<std::string>();
  r.applied = j.at("applied").get<bool>();
  r.rows_read = j.at("rows_read").get<std::int64_t>();
  r.rows_accepted = j.at("rows_accepted").get<std::int64_t>();
  r.rows_rejected = j.at("rows_rejected").get<std::int64_t>();
  r.inserted = j.at("inserted").get<std::int64_t>();
  r.updated = j.at("updated").get<std::int64_t>();
  r.unchanged = j.at("unchanged").get<std::int64_t>();
  r.deleted = j.at("deleted").get<std::int64_t>();
  r.first_seq = j.at("first_seq").get<std::int64_t>();
  r.last_seq = j.at("last_seq").get<std::int64_t>();
  r.row_count = j.at("row_count").get<std::int64_t>();
  r.seconds = j.at("seconds").get<double>();
  r.rejections_truncated = j.at("rejections_truncated").get<bool>();
  for (const auto& x : j.at("rejections")) {
    r.rejections.push_back({x.at("row").get<std::int64_t>(), x.at("line").get<std::int64_t>(),
                            x.at("field").get<std::string>(), x.at("rule").get<std::string>(),
                            x.at("value").get<std::string>()});
  }
  return r;
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string ReportJson(const LoadReport& report) { return ReportToJson(report).dump(); }

Result<LoadReport> DatasetStore::LoadSnapshot(std::int64_t id, const common::ByteSource& source,
                                              const LoadOptions& options, const ValidationRules& rules) {
  const auto start = std::chrono::steady_clock::now();
  auto dataset = Find(id);
  if (!dataset) return Status::NotFound(fmt::format("dataset {} does not exist", id));
  const Dataset& d = *dataset;
  common::ByteSource input = source;
  if (options.encoding == Encoding::kGb18030) {
    auto decoded = common::Gb18030ToUtf8(source);
    if (!decoded.ok()) return decoded.status();
    input = std::move(decoded.value());
  }
  std::unique_ptr<RecordReader> reader;
  if (options.format == LoadFormat::kCsv) {
    reader = std::make_unique<CsvRecords>(d, std::move(input));
  } else {
    reader = std::make_unique<JsonLineRecords>(d, std::move(input));
  }
  const detail::RowChecker checker(d, rules);
  LoadReport report;
  report.dataset_id = id;
  report.kind = "snapshot";
  const UnixSeconds now = clock_.Now();
  std::vector<int> all;
  for (std::size_t i = 0; i < d.columns.size(); ++i) all.push_back(static_cast<int>(i));
  std::vector<int> retired;
  for (std::size_t i = 0; i < d.columns.size(); ++i) {
    if (d.columns[i].retired()) retired.push_back(static_cast<int>(i));
  }
  const std::string stage = d.table() + "_stage";

  auto status = db_->Write([&](Connection& c) -> Status {
    GOVSHARE_RETURN_IF_ERROR(SameSchema(c, d));
    GOVSHARE_RETURN_IF_ERROR(reader->Start());
    // Staging table: the snapshot is built beside the live table and swapped in at the end of this one transaction.
    c.Exec(fmt::format("DROP TABLE IF EXISTS {}", stage));
    c.Exec(detail::CreateTableSql(d, stage));
    std::string placeholders;
    for (std::size_t i = 0; i < d.columns.size(); ++i) placeholders += i ? ",?" : "?";
    auto insert = c.Prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", stage, Cols(d, all, ""), placeholders));
    std::vector<std::vector<std::string>> keep_keys;  // rejected rows with valid keys (keep_good): keep their records
    Record r;
    while (reader->Next(r)) {
      ++report.rows_read;
      bool key_ok = false;
      if (!CheckRecord(d, checker, r, report, key_ok)) {
        ++report.rows_rejected;
        if (options.mode == LoadMode::kKeepGood && key_ok) {
          std::vector<std::string> key;
          for (int k : d.key) key.push_back(r.cells[static_cast<std::size_t>(k)]);
          keep_keys.push_back(std::move(key));
        }
        continue;
      }
      for (std::size_t i = 0; i < d.columns.size(); ++i) {
        detail::BindValue(insert, static_cast<int>(i) + 1, d.columns[i], r.cells[i]);
      }
      try {
        insert.Step();
        insert.Reset();
        ++report.rows_accepted;
      } catch (const SqliteError& e) {
        insert.Reset();
        if (!e.IsConstraint()) throw;
        const int k0 = d.key.front();
        Reject(report, {r.row, r.line, d.columns[static_cast<std::size_t>(k0)].name, "duplicate_key",
                        checker.Masked(k0, r.cells[static_cast<std::size_t>(k0)])});
        ++report.rows_rejected;
      }
    }
    if (report.rows_rejected > 0 && options.mode == LoadMode::kReject) {
      return Status::Unprocessable(kRolledBack, "rows were rejected");
    }
    std::int64_t kept = 0;
    for (const auto& key : keep_keys) {
      auto copy =
          c.Prepare(fmt::format("INSERT OR IGNORE INTO {} SELECT * FROM {} WHERE {}", stage, d.table(), KeyWhere(d)));
      for (std::size_t i = 0; i < key.size(); ++i) {
        detail::BindValue(copy, static_cast<int>(i) + 1, d.columns[static_cast<std::size_t>(d.key[i])], key[i]);
      }
      copy.Run();
      kept += c.Changes();
    }
    if (!retired.empty()) {  // retired columns are not in new files: carry their values over (never drop data)
      std::string set;
      for (int i : retired) {
        const auto name = d.columns[static_cast<std::size_t>(i)].sql_name();
        set += fmt::format("{}{} = m.{}", set.empty() ? "" : ", ", name, name);
      }
      c.Exec(fmt::format("UPDATE {} AS s SET {} FROM {} AS m WHERE {}", stage, set, d.table(), KeyEquals(d, "m", "s")));
    }
    const std::int64_t before = MaxSeq(c, d);
    // The change feed gets the net effect: new keys, changed rows, vanished keys.
    const std::string feed = fmt::format("INSERT INTO {}(op, key, region, at) ", d.changes_table());
    auto inserted = c.Prepare(fmt::format(
        "{} SELECT 0, {}, {}, ? FROM {} AS s WHERE NOT EXISTS (SELECT 1 FROM {} AS m "
        "WHERE {}) ORDER BY {}",
        feed, KeyExpr(d, "s."), RegionExpr(d, "s."), stage, d.table(), KeyEquals(d, "m", "s"), Cols(d, d.key, "s.")));
    inserted.Bind(1, now).Run();
    report.inserted = c.Changes();
    std::string same;
    for (int i : all) {
      const auto name = d.columns[static_cast<std::size_t>(i)].sql_name();
      same += fmt::format("{}s.{} IS m.{}", same.empty() ? "" : " AND ", name, name);
    }
    auto updated =
        c.Prepare(fmt::format("{} SELECT 0, {}, {}, ? FROM {} AS s JOIN {} AS m ON {} WHERE NOT ({}) "
                              "ORDER BY {}",
                              feed, KeyExpr(d, "s."), RegionExpr(d, "s."), stage, d.table(), KeyEquals(d, "m", "s"),
                              same, Cols(d, d.key, "s.")));
    updated.Bind(1, now).Run();
    report.updated = c.Changes();
    auto deleted = c.Prepare(fmt::format(
        "{} SELECT 1, {}, {}, ? FROM {} AS m WHERE NOT EXISTS (SELECT 1 FROM {} AS s "
        "WHERE {}) ORDER BY {}",
        feed, KeyExpr(d, "m."), RegionExpr(d, "m."), d.table(), stage, KeyEquals(d, "m", "s"), Cols(d, d.key, "m.")));
    deleted.Bind(1, now).Run();
    report.deleted = c.Changes();
    report.unchanged = report.rows_accepted - report.inserted - report.updated;
    const std::int64_t changes = report.inserted + report.updated + report.deleted;
    if (changes > 0) {
      report.first_seq = before + 1;
      report.last_seq = before + changes;
    }
    report.row_count = report.rows_accepted + kept;
    // The swap: within this transaction, so readers and a crash see either the old table or the new one.
    c.Exec(fmt::format("DROP TABLE {}", d.table()));
    c.Exec(fmt::format("ALTER TABLE {} RENAME TO {}", stage, d.table()));
    if (d.region_column) {
      c.Exec(fmt::format("CREATE INDEX {}_region ON {}({})", d.table(), d.table(),
                         d.columns[static_cast<std::size_t>(*d.region_column)].sql_name()));
    }
    report.applied = true;
    RecordLoad(c, d, report, options.actor, now);
    return Status::Ok();
  });
  if (!status.ok() && status.code() != kRolledBack) return status;
  report.seconds = Since(start);
  if (report.applied) Counted(id, report.row_count, now, report.last_seq);
  return report;
}

Result<LoadReport> DatasetStore::ApplyBatch(std::int64_t id, const Batch& batch, LoadMode mode,
                                            const std::string& idempotency_key, const std::string& body_sha256,
                                            const ValidationRules& rules, const std::string& actor) {
  const auto start = std::chrono::steady_clock::now();
  auto dataset = Find(id);
  if (!dataset) return Status::NotFound(fmt::format("dataset {} does not exist", id));
  const Dataset& d = *dataset;
  if (batch.upserts.size() + batch.deletes.size() > kMaxBatchRows) {
    return Status::Invalid("batch_too_large",
                           fmt::format("a batch holds at most {} upserts and deletes", kMaxBatchRows));
  }
  const detail::RowChecker checker(d, rules);
  LoadReport report;
  report.dataset_id = id;
  report.kind = "batch";
  const UnixSeconds now = clock_.Now();
  std::vector<int> active;
  for (std::size_t i = 0; i < d.columns.size(); ++i) {
    if (!d.columns[i].retired()) active.push_back(static_cast<int>(i));
  }
  std::unordered_map<std::string, int> by_name;
  for (int i : active) by_name.emplace(d.columns[static_cast<std::size_t>(i)].name, i);
  bool replayed = false;

  auto status = db_->Write([&](Connection& c) -> Status {
    GOVSHARE_RETURN_IF_ERROR(SameSchema(c, d));
    if (!idempotency_key.empty()) {
      auto seen = c.Prepare("SELECT body_sha256, report FROM batch_keys WHERE dataset_id = ? AND key = ?");
      seen.Bind(1, id).Bind(2, idempotency_key);
      if (seen.Step()) {
        if (seen.Text(0) != body_sha256) {
          return Status::Conflict("idempotency_key_reused",
                                  "this Idempotency-Key was used for another batch of this dataset", "Idempotency-Key");
        }
        report = ReportFromJson(nlohmann::json::parse(seen.Text(1)));
        replayed = true;
        return Status::Ok();
      }
    }
    const std::int64_t before = MaxSeq(c, d);
    std::int64_t seq = before;
    std::string placeholders, update, differs;
    for (std::size_t i = 0; i < active.size(); ++i) {
      placeholders += i ? ",?" : "?";
      const auto name = d.columns[static_cast<std::size_t>(active[i])].sql_name();
      if (d.columns[static_cast<std::size_t>(active[i])].key_order > 0) continue;
      update += fmt::format("{}{} = excluded.{}", update.empty() ? "" : ", ", name, name);
      differs += fmt::format("{}{} IS NOT excluded.{}", differs.empty() ? "" : " OR ", name, name);
    }
    const std::string keys = Cols(d, d.key, "");
    const std::string upsert_sql =
        update.empty() ? fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT({}) DO NOTHING", d.table(),
                                     Cols(d, active, ""), placeholders, keys)
                       : fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT({}) DO UPDATE SET {} WHERE {}",
                                     d.table(), Cols(d, active, ""), placeholders, keys, update, differs);
    const std::string exists_sql = fmt::format("SELECT 1 FROM {} WHERE {}", d.table(), KeyWhere(d));
    const std::string feed_sql =
        fmt::format("INSERT INTO {}(seq, op, key, region, at) VALUES (?, ?, ?, ?, ?)", d.changes_table());
    auto key_text = [&](const Record& r) {
      if (d.key.size() == 1) return r.cells[static_cast<std::size_t>(d.key[0])];
      nlohmann::json a = nlohmann::json::array();
      for (int k : d.key) a.push_back(r.cells[static_cast<std::size_t>(k)]);
      return a.dump();
    };
    auto feed = [&](ChangeOp op, const std::string& key, const std::string& region) {
      auto st = c.Prepare(feed_sql);
      st.Bind(1, ++seq).Bind(2, op == ChangeOp::kUpsert ? 0 : 1).Bind(3, key);
      if (region.empty()) {
        st.BindNull(4);
      } else {
        st.Bind(4, region);
      }
      st.Bind(5, now).Run();
    };
    Record r;
    for (std::size_t n = 0; n < batch.upserts.size(); ++n) {
      ++report.rows_read;
      r.row = static_cast<std::int64_t>(n) + 1;
      r.line = 0;
      r.problems.clear();
      r.cells.assign(d.columns.size(), std::string());
      for (const auto& [name, value] : batch.upserts[n]) {
        const auto it = by_name.find(name);
        if (it == by_name.end()) {
          r.problems.push_back({r.row, 0, name, "unknown_field", ""});
        } else if (value) {
          r.cells[static_cast<std::size_t>(it->second)] = *value;
        }
      }
      bool key_ok = false;
      if (!CheckRecord(d, checker, r, report, key_ok)) {
        ++report.rows_rejected;
        continue;
      }
      ++report.rows_accepted;
      auto exists = c.Prepare(exists_sql);
      for (std::size_t i = 0; i < d.key.size(); ++i) {
        detail::BindValue(exists, static_cast<int>(i) + 1, d.columns[static_cast<std::size_t>(d.key[i])],
                          r.cells[static_cast<std::size_t>(d.key[i])]);
      }
      const bool existed = exists.Step();
      auto up = c.Prepare(upsert_sql);
      for (std::size_t i = 0; i < active.size(); ++i) {
        detail::BindValue(up, static_cast<int>(i) + 1, d.columns[static_cast<std::size_t>(active[i])],
                          r.cells[static_cast<std::size_t>(active[i])]);
      }
      up.Run();
      if (c.Changes() == 0) {
        ++report.unchanged;
        continue;
      }
      ++(existed ? report.updated : report.inserted);
      feed(ChangeOp::kUpsert, key_text(r),
           d.region_column ? r.cells[static_cast<std::size_t>(*d.region_column)] : std::string());
    }
    const std::string delete_sql =
        fmt::format("DELETE FROM {} WHERE {} RETURNING {}", d.table(), KeyWhere(d), RegionExpr(d, ""));
    for (std::size_t n = 0; n < batch.deletes.size(); ++n) {
      ++report.rows_read;
      r.row = static_cast<std::int64_t>(n) + 1;
      r.line = 0;
      r.problems.clear();
      r.cells.assign(d.columns.size(), std::string());
      for (const auto& [name, value] : batch.deletes[n]) {
        const auto it = by_name.find(name);
        if (it == by_name.end() || d.columns[static_cast<std::size_t>(it->second)].key_order == 0) {
          r.problems.push_back({r.row, 0, "/deletes/" + name, "unknown_field", ""});
        } else {
          r.cells[static_cast<std::size_t>(it->second)] = value;
        }
      }
      // A delete names only key items: check those.
      bool ok = r.problems.empty();
      for (auto& p : r.problems) Reject(report, std::move(p));
      for (int k : d.key) {
        std::string& cell = r.cells[static_cast<std::size_t>(k)];
        const auto& name = d.columns[static_cast<std::size_t>(k)].name;
        if (cell.empty()) {
          Reject(report, {r.row, 0, "/deletes/" + name, "required", ""});
          ok = false;
        } else if (auto rule = checker.Check(k, cell)) {
          Reject(report, {r.row, 0, "/deletes/" + name, *rule, checker.Masked(k, cell)});
          ok = false;
        }
      }
      if (!ok) {
        ++report.rows_rejected;
        continue;
      }
      ++report.rows_accepted;
      auto del = c.Prepare(delete_sql);
      for (std::size_t i = 0; i < d.key.size(); ++i) {
        detail::BindValue(del, static_cast<int>(i) + 1, d.columns[static_cast<std::size_t>(d.key[i])],
                          r.cells[static_cast<std::size_t>(d.key[i])]);
      }
      if (del.Step()) {
        const std::string region = del.IsNull(0) ? std::string() : del.Text(0);
        del.Reset();
        ++report.deleted;
        feed(ChangeOp::kDelete, key_text(r), region);
      } else {
        ++report.unchanged;  // nothing to delete
      }
    }
    if (report.rows_rejected > 0 && mode == LoadMode::kReject) return Status::Unprocessable(kRolledBack, "rejected");
    if (seq > before) {
      report.first_seq = before + 1;
      report.last_seq = seq;
    }
    {
      auto count = c.Prepare("SELECT row_count FROM datasets WHERE id = ?");
      count.Bind(1, id).Step();
      report.row_count = count.Int(0) + report.inserted - report.deleted;
    }
    report.applied = true;
    report.seconds = Since(start);
    RecordLoad(c, d, report, actor, now);
    if (!idempotency_key.empty()) {
      c.Prepare("INSERT INTO batch_keys(dataset_id, key, body_sha256, report, created_at) VALUES (?, ?, ?, ?, ?)")
          .Bind(1, id)
          .Bind(2, idempotency_key)
          .Bind(3, body_sha256)
          .Bind(4, ReportJson(report))
          .Bind(5, now)
          .Run();
    }
    return Status::Ok();
  });
  if (!status.ok() && status.code() != kRolledBack) return status;
  if (replayed) {
    report.replayed = true;
    return report;
  }
  report.seconds = Since(start);
  if (report.applied) Counted(id, report.row_count, now, report.last_seq);
  return report;
}

}  // namespace govshare::exchange
