// What every DatasetStore backend shares: load files, snapshot and batch rules, definitions, reads
// (dataset_backend.hpp).
#include "exchange/dataset_backend.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "common/encoding.hpp"
#include "common/json.hpp"

namespace govshare::exchange {

using common::Result;
using common::Status;

namespace detail {
namespace {

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

}  // namespace

LoadReport ReportFromJson(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json);
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

namespace {

/// The first active item of the division-code element is the region column.
std::optional<int> RegionColumn(const std::vector<Column>& columns) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].element == kRegionElement && !columns[i].retired()) return static_cast<int>(i);
  }
  return std::nullopt;
}

/// The exclusive upper bound of the strings starting with `prefix` (the prefix with its last byte incremented).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

}  // namespace

void Reject(LoadReport& report, Rejection r) {
  if (report.rejections.size() < kMaxReportedRejections) {
    report.rejections.push_back(std::move(r));
  } else {
    report.rejections_truncated = true;
  }
}

Result<std::unique_ptr<RecordReader>> OpenRecords(const Dataset& d, const common::ByteSource& source, LoadFormat format,
                                                  Encoding encoding) {
  common::ByteSource input = source;
  if (encoding == Encoding::kGb18030) {
    auto decoded = common::Gb18030ToUtf8(source);
    if (!decoded.ok()) return decoded.status();
    input = std::move(decoded.value());
  }
  std::unique_ptr<RecordReader> reader;
  if (format == LoadFormat::kCsv) {
    reader = std::make_unique<CsvRecords>(d, std::move(input));
  } else {
    reader = std::make_unique<JsonLineRecords>(d, std::move(input));
  }
  return reader;
}

Status RunSnapshot(const Dataset& d, RecordReader& reader, const RowChecker& checker, LoadMode mode,
                   SnapshotTarget& target, LoadReport& report) {
  GOVSHARE_RETURN_IF_ERROR(reader.Start());
  const int k0 = d.key.front();
  const std::string& k0_name = d.columns[static_cast<std::size_t>(k0)].name;
  std::vector<std::vector<std::string>> keep_keys;  // rejected rows with valid keys (keep_good): keep their records
  Record r;
  while (reader.Next(r)) {
    ++report.rows_read;
    bool key_ok = false;
    if (!CheckRecord(d, checker, r, report, key_ok)) {
      ++report.rows_rejected;
      if (mode == LoadMode::kKeepGood && key_ok) {
        std::vector<std::string> key;
        for (int k : d.key) key.push_back(r.cells[static_cast<std::size_t>(k)]);
        keep_keys.push_back(std::move(key));
      }
      continue;
    }
    if (target.Stage(r)) {
      ++report.rows_accepted;
      continue;
    }
    Reject(report,
           {r.row, r.line, k0_name, "duplicate_key", checker.Masked(k0, r.cells[static_cast<std::size_t>(k0)])});
    ++report.rows_rejected;
  }
  const auto duplicates = target.TakeDuplicates();
  if (!duplicates.empty()) {
    for (const auto& dup : duplicates) {
      Reject(report, {dup.row, dup.line, k0_name, "duplicate_key", checker.Masked(k0, dup.cells.front())});
      ++report.rows_rejected;
      --report.rows_accepted;
    }
    // The report lists rejections in row order, wherever the stage found them.
    std::stable_sort(report.rejections.begin(), report.rejections.end(),
                     [](const Rejection& a, const Rejection& b) { return a.row < b.row; });
  }
  if (report.rows_rejected > 0 && mode == LoadMode::kReject) {
    return Status::Unprocessable(kRolledBack, "rows were rejected");
  }
  const std::int64_t kept = target.Keep(keep_keys);
  const std::int64_t before = target.LastSeq();
  target.Replace(before + 1, report);
  report.unchanged = report.rows_accepted - report.inserted - report.updated;
  const std::int64_t changes = report.inserted + report.updated + report.deleted;
  if (changes > 0) {
    report.first_seq = before + 1;
    report.last_seq = before + changes;
  }
  report.row_count = report.rows_accepted + kept;
  report.applied = true;
  target.Finish(report);
  return Status::Ok();
}

Status RunBatch(const Dataset& d, const Batch& batch, LoadMode mode, const std::string& idempotency_key,
                const std::string& body_sha256, const RowChecker& checker, BatchTarget& target, LoadReport& report,
                bool& replayed, std::chrono::steady_clock::time_point start) {
  replayed = false;
  if (!idempotency_key.empty()) {
    if (auto seen = target.FindKey(idempotency_key)) {
      if (seen->first != body_sha256) {
        return Status::Conflict("idempotency_key_reused",
                                "this Idempotency-Key was used for another batch of this dataset", "Idempotency-Key");
      }
      report = ReportFromJson(seen->second);
      replayed = true;
      return Status::Ok();
    }
  }
  std::unordered_map<std::string, int> by_name;  // active columns
  for (std::size_t i = 0; i < d.columns.size(); ++i) {
    if (!d.columns[i].retired()) by_name.emplace(d.columns[i].name, static_cast<int>(i));
  }
  const std::int64_t before = target.LastSeq();
  std::int64_t seq = before;
  auto key_text = [&](const Record& r) {
    if (d.key.size() == 1) return r.cells[static_cast<std::size_t>(d.key[0])];
    nlohmann::json a = nlohmann::json::array();
    for (int k : d.key) a.push_back(r.cells[static_cast<std::size_t>(k)]);
    return a.dump();
  };
  auto start_record = [&](Record& r, std::size_t n) {
    ++report.rows_read;
    r.row = static_cast<std::int64_t>(n) + 1;
    r.line = 0;
    r.problems.clear();
    r.cells.assign(d.columns.size(), std::string());
  };
  Record r;
  for (std::size_t n = 0; n < batch.upserts.size(); ++n) {
    start_record(r, n);
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
    switch (target.Upsert(r)) {
      case BatchTarget::Upserted::kUnchanged:
        ++report.unchanged;
        continue;
      case BatchTarget::Upserted::kInserted:
        ++report.inserted;
        break;
      case BatchTarget::Upserted::kUpdated:
        ++report.updated;
        break;
    }
    target.Feed(++seq, ChangeOp::kUpsert, key_text(r),
                d.region_column ? r.cells[static_cast<std::size_t>(*d.region_column)] : std::string());
  }
  for (std::size_t n = 0; n < batch.deletes.size(); ++n) {
    start_record(r, n);
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
    if (auto region = target.Delete(r)) {
      ++report.deleted;
      target.Feed(++seq, ChangeOp::kDelete, key_text(r), *region);
    } else {
      ++report.unchanged;  // nothing to delete
    }
  }
  if (report.rows_rejected > 0 && mode == LoadMode::kReject) return Status::Unprocessable(kRolledBack, "rejected");
  if (seq > before) {
    report.first_seq = before + 1;
    report.last_seq = seq;
  }
  report.row_count = target.RowCount() + report.inserted - report.deleted;
  report.applied = true;
  report.seconds = Since(start);
  target.Finish(report, idempotency_key, body_sha256);
  return Status::Ok();
}

Result<LoadReport> Outcome(const Status& status, LoadReport report, bool replayed,
                           std::chrono::steady_clock::time_point start) {
  if (!status.ok() && status.code() != kRolledBack) return status;
  if (replayed) {
    report.replayed = true;
    return report;
  }
  report.seconds = Since(start);
  return report;
}

LoadJob::LoadJob(std::shared_ptr<const Dataset> dataset, const ValidationRules& rules, UnixSeconds now,
                 std::string kind)
    : dataset_(std::move(dataset)),
      checker_(*dataset_, rules),
      now_(now),
      kind_(std::move(kind)),
      start_(std::chrono::steady_clock::now()) {}

Result<std::unique_ptr<LoadJob>> LoadJob::Snapshot(const DatasetRegistry& registry, std::int64_t id,
                                                   const common::ByteSource& source,
                                                   const DatasetStore::LoadOptions& options,
                                                   const ValidationRules& rules, UnixSeconds now) {
  auto dataset = registry.Find(id);
  if (!dataset) return Status::NotFound(fmt::format("dataset {} does not exist", id));
  auto reader = OpenRecords(*dataset, source, options.format, options.encoding);
  if (!reader.ok()) return reader.status();
  std::unique_ptr<LoadJob> job(new LoadJob(std::move(dataset), rules, now, "snapshot"));
  job->reader_ = std::move(reader.value());
  return job;
}

Result<std::unique_ptr<LoadJob>> LoadJob::ForBatch(const DatasetRegistry& registry, std::int64_t id, const Batch& batch,
                                                   const ValidationRules& rules, UnixSeconds now) {
  auto dataset = registry.Find(id);
  if (!dataset) return Status::NotFound(fmt::format("dataset {} does not exist", id));
  GOVSHARE_RETURN_IF_ERROR(CheckBatchSize(batch));
  return std::unique_ptr<LoadJob>(new LoadJob(std::move(dataset), rules, now, "batch"));
}

void LoadJob::Begin() {
  report_ = LoadReport{};
  report_.dataset_id = dataset_->id;
  report_.kind = kind_;
  replayed_ = false;
}

Status LoadJob::RunSnapshot(RecordReader& reader, LoadMode mode, SnapshotTarget& target) {
  return detail::RunSnapshot(*dataset_, reader, checker_, mode, target, report_);
}

Status LoadJob::RunBatch(const Batch& batch, LoadMode mode, const std::string& idempotency_key,
                         const std::string& body_sha256, BatchTarget& target) {
  return detail::RunBatch(*dataset_, batch, mode, idempotency_key, body_sha256, checker_, target, report_, replayed_,
                          start_);
}

Result<LoadReport> LoadJob::Finish(const Status& status, DatasetRegistry& registry) {
  auto out = Outcome(status, std::move(report_), replayed_, start_);
  if (out.ok() && out->applied && !replayed_) registry.Counted(dataset_->id, out->row_count, now_, out->last_seq);
  return out;
}

Status CheckBatchSize(const Batch& batch) {
  if (batch.upserts.size() + batch.deletes.size() <= kMaxBatchRows) return Status::Ok();
  return Status::Invalid("batch_too_large", fmt::format("a batch holds at most {} upserts and deletes", kMaxBatchRows));
}

// ---- definitions

void DeriveKeys(Dataset& d) {
  d.key.clear();
  std::vector<std::pair<int, int>> keyed;
  for (std::size_t i = 0; i < d.columns.size(); ++i) {
    if (d.columns[i].key_order > 0) keyed.emplace_back(d.columns[i].key_order, static_cast<int>(i));
  }
  std::sort(keyed.begin(), keyed.end());
  for (const auto& [order, i] : keyed) d.key.push_back(i);
  d.region_column = RegionColumn(d.columns);
}

Result<std::optional<DefinitionPlan>> PlanDefinition(const std::shared_ptr<const Dataset>& current,
                                                     const DatasetStore::Definition& def, UnixSeconds now) {
  if (current && current->entry_version >= def.entry_version) return std::optional<DefinitionPlan>();
  std::vector<std::string> new_keys;
  for (const auto& item : def.items) {
    if (item.key) new_keys.push_back(item.name);
  }
  if (new_keys.empty()) {
    return Status::Unprocessable("no_key", fmt::format("catalog entry {} declares no key item: a physical dataset "
                                                       "needs one",
                                                       def.id));
  }
  if (current) {
    std::vector<std::string> old_keys;
    for (int k : current->key) old_keys.push_back(current->columns[k].name);
    if (old_keys != new_keys) {
      return Status::Unprocessable(
          "key_changed",
          fmt::format("version {} of catalog entry {} changes the key items ({} → {}): the dataset's rows are "
                      "identified by the old key, so this version cannot be applied; declare a new entry instead",
                      def.entry_version, def.id, fmt::join(old_keys, ","), fmt::join(new_keys, ",")));
    }
  }
  DefinitionPlan plan;
  plan.creating = !current;
  Dataset& next = plan.next;
  if (current) next = *current;
  next.id = def.id;
  next.name = def.name;
  next.resource_code = def.resource_code;
  next.provider_department_id = def.provider_department_id;
  next.region_id = def.region_id;
  next.entry_version = def.entry_version;
  next.update_frequency = def.update_frequency;
  if (!current) next.created_at = now;
  int key_order = 0;
  for (auto& c : next.columns) {  // items no longer declared: retired, never dropped
    const bool still = std::any_of(def.items.begin(), def.items.end(), [&](const auto& i) { return i.name == c.name; });
    if (!still && !c.retired()) c.retired_in = def.entry_version;
  }
  for (const auto& item : def.items) {
    const int at = next.ColumnIndex(item.name);
    Column* c = nullptr;
    if (at < 0) {
      next.columns.emplace_back();
      c = &next.columns.back();
      c->position = static_cast<int>(next.columns.size());
      c->name = item.name;
      c->added_in = def.entry_version;
      c->storage = StorageOf(item.data_type);
      plan.added.push_back(next.columns.size() - 1);
    } else {
      c = &next.columns[static_cast<std::size_t>(at)];
      c->retired_in.reset();
    }
    // The storage of a column stays that of its creation (neither backend changes a column's type); validation
    // follows the current declaration.
    c->element = item.element;
    c->data_type = item.data_type;
    c->length = item.length;
    c->personal = item.personal;
    c->level = std::string(catalog::LevelName(item.level));
    c->key_order = item.key ? ++key_order : 0;
  }
  DeriveKeys(next);
  return std::optional<DefinitionPlan>(std::move(plan));
}

// ---- the registry

std::shared_ptr<const Dataset> DatasetRegistry::Find(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = datasets_.find(id);
  return it == datasets_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Dataset>> DatasetRegistry::List() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const Dataset>> out;
  out.reserve(datasets_.size());
  for (const auto& [id, d] : datasets_) out.push_back(d);
  return out;
}

void DatasetRegistry::Publish(std::shared_ptr<const Dataset> dataset) {
  std::unique_lock lock(mutex_);
  datasets_[dataset->id] = std::move(dataset);
}

void DatasetRegistry::ReplaceAll(std::map<std::int64_t, std::shared_ptr<const Dataset>> all) {
  std::unique_lock lock(mutex_);
  datasets_ = std::move(all);
}

void DatasetRegistry::Replace(std::int64_t id, std::shared_ptr<const Dataset> dataset) {
  std::unique_lock lock(mutex_);
  if (dataset) {
    datasets_[id] = std::move(dataset);
  } else {
    datasets_.erase(id);
  }
}

void DatasetRegistry::Counted(std::int64_t id, std::int64_t row_count, UnixSeconds at, std::int64_t last_seq) {
  std::unique_lock lock(mutex_);
  const auto it = datasets_.find(id);
  if (it == datasets_.end()) return;
  auto next = std::make_shared<Dataset>(*it->second);
  next->row_count = row_count;
  next->last_load_at = at;
  if (last_seq > 0) next->last_seq = last_seq;
  it->second = std::move(next);
}

// ---- reads

Status CheckKeyArity(const Dataset& d, std::span<const std::string> key) {
  if (key.size() == d.key.size()) return Status::Ok();
  return Status::Invalid("invalid_key", fmt::format("the key of dataset {} has {} item(s)", d.id, d.key.size()));
}

Status CheckQueryLimit(int limit) {
  if (limit >= 1 && limit <= kMaxQueryLimit) return Status::Ok();
  return Status::Invalid("invalid_limit", fmt::format("limit must be 1..{}", kMaxQueryLimit));
}

Status CheckChangesLimit(int limit) {
  constexpr int kMaxChanges = 10000;
  if (limit >= 1 && limit <= kMaxChanges) return Status::Ok();
  return Status::Invalid("invalid_limit", "limit must be 1..10000");
}

std::optional<std::int64_t> ParseInteger(std::string_view value) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseReal(std::string_view value) {
  const std::string text(value);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::string NormaliseKey(const Column& c, std::string_view value) {
  std::string out(value);
  if (c.element == "DE0001" || c.element == "DE0010" || c.element == "DE0019") {
    for (char& ch : out) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
  }
  return out;
}

std::string Cols(const Dataset& d, const std::vector<int>& idx, std::string_view prefix) {
  std::string out;
  for (int i : idx) out += fmt::format("{}{}{}", out.empty() ? "" : ",", prefix, d.columns[i].sql_name());
  return out;
}

std::string KeyList(const Dataset& d, std::string_view prefix) { return Cols(d, d.key, prefix); }

std::string KeyEquals(const Dataset& d, std::string_view a, std::string_view b) {
  std::string out;
  for (int k : d.key) {
    const auto name = d.columns[k].sql_name();
    out += fmt::format("{}{}.{} = {}.{}", out.empty() ? "" : " AND ", a, name, b, name);
  }
  return out;
}

std::vector<std::string> ChangeKey(bool composite, const std::string& text) {
  if (!composite) return {text};
  std::vector<std::string> key;
  for (const auto& v : nlohmann::json::parse(text)) key.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return key;
}

Result<Where> BuildWhere(const Dataset& d, const QuerySpec& spec,
                         const std::function<std::string(int n, const Column* c)>& param) {
  Where w;
  auto add = [&](const std::string& clause) { w.sql += (w.sql.empty() ? " WHERE " : " AND ") + clause; };
  auto bind = [&](const Column* c, std::string value) {
    w.binds.emplace_back(c, std::move(value));
    return param(static_cast<int>(w.binds.size()), c);
  };
  for (const auto& f : spec.filters) {
    if (f.column < 0 || f.column >= static_cast<int>(d.columns.size())) {
      return Status::Invalid("invalid_filter", "a filter names an unknown column");
    }
    const Column& c = d.columns[static_cast<std::size_t>(f.column)];
    const std::string name = c.sql_name();
    if (f.op == Filter::Op::kPrefix) {
      if (c.storage != Storage::kText) {
        return Status::Invalid("invalid_filter", fmt::format("'{}' is not text: no prefix filter", c.name));
      }
      if (f.value.empty()) continue;
      const std::string low = bind(nullptr, f.value);
      add(fmt::format("{} >= {} AND {} < {}", name, low, name, bind(nullptr, PrefixEnd(f.value))));
      continue;
    }
    if (!FitsStorage(c, f.value)) {
      return Status::Invalid("invalid_filter", fmt::format("'{}' is not a value of '{}'", f.value, c.name));
    }
    const char* op = f.op == Filter::Op::kEq   ? "="
                     : f.op == Filter::Op::kLt ? "<"
                     : f.op == Filter::Op::kLe ? "<="
                     : f.op == Filter::Op::kGt ? ">"
                                               : ">=";
    add(fmt::format("{} {} {}", name, op, bind(&c, c.key_order > 0 ? NormaliseKey(c, f.value) : f.value)));
  }
  if (!spec.region_prefixes.empty()) {
    if (!d.region_column) {
      return Status::Invalid("no_region_column", fmt::format("dataset {} has no region column", d.id));
    }
    const std::string name = d.columns[*d.region_column].sql_name();
    const bool everything = std::any_of(spec.region_prefixes.begin(), spec.region_prefixes.end(),
                                        [](const std::string& p) { return p.empty(); });
    if (!everything) {
      std::string any;
      for (const auto& p : spec.region_prefixes) {
        const std::string low = bind(nullptr, p);
        any += fmt::format("{}({} >= {} AND {} < {})", any.empty() ? "" : " OR ", name, low, name,
                           bind(nullptr, PrefixEnd(p)));
      }
      add("(" + any + ")");
    }
  }
  if (!spec.after_key.empty()) {
    if (spec.after_key.size() != d.key.size()) {
      return Status::Invalid("invalid_cursor", "the cursor does not fit the key");
    }
    std::string lhs, rhs;
    for (std::size_t i = 0; i < d.key.size(); ++i) {
      const Column& c = d.columns[d.key[i]];
      if (!FitsStorage(c, spec.after_key[i])) {
        return Status::Invalid("invalid_filter", fmt::format("'{}' is not a value of '{}'", spec.after_key[i], c.name));
      }
      lhs += (i ? "," : "") + c.sql_name();
      rhs += (i ? "," : "") + bind(&c, NormaliseKey(c, spec.after_key[i]));
    }
    add(fmt::format("({}) > ({})", lhs, rhs));
  }
  return w;
}

Result<Page> CollectPage(const QuerySpec& spec, const std::function<Status(int, const RowSink&)>& run) {
  GOVSHARE_RETURN_IF_ERROR(CheckQueryLimit(spec.limit));
  Page page;
  auto s = run(spec.limit + 1, [&](const Row& row, std::vector<std::string>&& key) {
    if (static_cast<int>(page.rows.size()) == spec.limit) {
      page.next_after_key = page.keys.back();
      return false;
    }
    page.rows.push_back(row);
    page.keys.push_back(std::move(key));
    return true;
  });
  GOVSHARE_RETURN_IF_ERROR(s);
  return page;
}

}  // namespace detail

std::string ReportJson(const LoadReport& report) { return detail::ReportToJson(report).dump(); }

}  // namespace govshare::exchange
