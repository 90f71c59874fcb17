#include "cli/convert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "app/platform.hpp"
#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "calendar/calendar.hpp"
#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "exchange/dataset_backend.hpp"
#include "store/pg/database.hpp"
#include "store/pg/dataset_store_pg.hpp"
#include "store/pg/migrations.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::cli {

using common::Result;
using common::Status;
namespace sq = store::sqlite;
namespace pg = store::pg;

namespace {

/// COPY data goes to the server in pieces of about this size.
constexpr std::size_t kCopyChunkBytes = 1 << 20;
/// A table this long says how far its copy has come every so many rows (a province's dataset takes minutes).
constexpr std::int64_t kProgressRows = 1000000;
/// How long the conversion waits for a platform still serving on the directory to finish a write before it gives up.
constexpr int kSourceBusyTimeoutMs = 30000;

/// Table and column names come from the databases; only plain identifiers are put into SQL.
bool IsIdentifier(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
}

Status SchemaMismatch(const std::string& what) {
  return Status::Conflict("schema_mismatch", fmt::format("{}: this binary cannot convert it", what));
}

/// A column of a PostgreSQL table.
struct TargetColumn {
  std::string name;
  std::string type;    // format_type: bigint, boolean, bytea, ...
  bool identity;       // GENERATED ... AS IDENTITY
  bool needs_a_value;  // NOT NULL without a default
};

std::vector<TargetColumn> TargetColumns(pg::Connection& c, const std::string& table) {
  auto st = c.Prepare(
      "SELECT a.attname, format_type(a.atttypid, NULL), a.attidentity <> '', a.attnotnull AND NOT a.atthasdef AND "
      "a.attidentity = '' FROM pg_attribute a WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT "
      "a.attisdropped ORDER BY a.attnum");
  st.Bind(1, table);
  std::vector<TargetColumn> out;
  while (st.Step()) out.push_back({st.Text(0), st.Text(1), st.Bool(2), st.Bool(3)});
  return out;
}

std::vector<std::string> SourceColumns(sq::Connection& c, const std::string& table) {
  auto st = c.Prepare(fmt::format("PRAGMA table_info(\"{}\")", table));
  std::vector<std::string> out;
  while (st.Step()) out.push_back(st.Text(1));
  return out;
}

/// The tables of a SQLite file that hold data (not SQLite's own, not the migration record).
std::vector<std::string> SourceTables(sq::Connection& c) {
  auto st = c.Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> "
      "'schema_migrations' ORDER BY name");
  std::vector<std::string> out;
  while (st.Step()) out.push_back(st.Text(0));
  return out;
}

/// One SQLite value as a COPY field of a column of PostgreSQL type `type`. Integers go as numbers, which PostgreSQL
/// reads as booleans too (0/1, anything else is refused); bytes for a bytea go in its hex form; a value that does not
/// fit its column is sent as it is and refused by PostgreSQL, naming the table.
void AppendField(std::string& out, const sq::Statement& s, int col, bool bytea) {
  switch (s.ColumnType(col)) {
    case sq::Statement::Type::kNull:
      out += "\\N";
      return;
    case sq::Statement::Type::kInteger:
      out += std::to_string(s.Int(col));
      return;
    case sq::Statement::Type::kReal:
      fmt::format_to(std::back_inserter(out), "{}", s.Double(col));
      return;
    case sq::Statement::Type::kText:
    case sq::Statement::Type::kBlob:
      if (bytea) {
        out += "\\\\x";  // \x, its backslash escaped for COPY
        out += audit::ToHex(s.Blob(col));
      } else {
        pg::AppendCopyText(out, s.TextView(col));
      }
      return;
  }
}

/// A computed column of the target that the source does not have (a dataset row's `city`).
struct ExtraColumn {
  std::string name;
  std::function<void(std::string&, const sq::Statement&)> append;
};

struct Copied {
  std::int64_t rows = 0;
  std::vector<std::string> identity_columns;
};

/// Copies every row of `source` (SQLite) into `target` (PostgreSQL) with COPY: the columns of the same names, each
/// converted to the target's type. Every source column must have a target column, and every target column that needs
/// a value must have a source column.
Result<Copied> CopyTable(sq::Connection& from, const std::string& source, pg::Connection& to, const std::string& target,
                         const std::function<void(std::int64_t)>& progress,
                         const std::optional<ExtraColumn>& extra = std::nullopt) {
  if (!IsIdentifier(source) || !IsIdentifier(target)) return SchemaMismatch(fmt::format("table \"{}\"", source));
  const auto columns = TargetColumns(to, target);
  if (columns.empty()) return SchemaMismatch(fmt::format("table {} has no PostgreSQL counterpart {}", source, target));
  const auto names = SourceColumns(from, source);
  std::vector<bool> bytea;
  std::string list;
  for (const auto& name : names) {
    auto it = std::find_if(columns.begin(), columns.end(), [&](const auto& c) { return c.name == name; });
    if (it == columns.end() || !IsIdentifier(name)) {
      return SchemaMismatch(fmt::format("column {}.{} has no PostgreSQL counterpart", source, name));
    }
    bytea.push_back(it->type == "bytea");
    list += fmt::format("{}{}", list.empty() ? "" : ", ", name);
  }
  Copied copied;
  for (const auto& c : columns) {
    if (c.identity) copied.identity_columns.push_back(c.name);
    const bool given = std::find(names.begin(), names.end(), c.name) != names.end() || (extra && extra->name == c.name);
    if (c.needs_a_value && !given) {
      return SchemaMismatch(fmt::format("column {}.{} has no value in {}", target, c.name, source));
    }
  }
  // Rows in the order they were written (a table with rowid), or in key order.
  auto shape = from.Prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
  shape.Bind(1, source);
  const bool rowid = shape.Step() && shape.Text(0).find("WITHOUT ROWID") == std::string::npos;
  auto rows = from.Prepare(fmt::format("SELECT {} FROM \"{}\"{}", list, source, rowid ? " ORDER BY rowid" : ""));
  to.CopyBegin(fmt::format("COPY {} ({}{}) FROM STDIN", target, list, extra ? ", " + extra->name : ""));
  std::string buffer;
  buffer.reserve(kCopyChunkBytes + kCopyChunkBytes / 4);
  std::int64_t read = 0;
  try {
    while (rows.Step()) {
      ++read;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) buffer.push_back('\t');
        AppendField(buffer, rows, static_cast<int>(i), bytea[i]);
      }
      if (extra) {
        buffer.push_back('\t');
        extra->append(buffer, rows);
      }
      buffer.push_back('\n');
      if (buffer.size() >= kCopyChunkBytes) {
        to.CopyPut(buffer);
        buffer.clear();
      }
      if (read % kProgressRows == 0) progress(read);
    }
    to.CopyPut(buffer);
  } catch (...) {
    to.CopyAbort();
    throw;
  }
  copied.rows = to.CopyEnd();
  if (copied.rows != read) {
    return Status::Internal(fmt::format("{}: {} rows read but {} copied", source, read, copied.rows));
  }
  return copied;
}

/// The identity sequences of `table` continue after its highest id.
void ContinueIdentities(pg::Connection& to, const std::string& table, const std::vector<std::string>& columns) {
  for (const auto& column : columns) {
    to.Exec(fmt::format(
        "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), MAX({1})) FROM {0} HAVING MAX({1}) IS NOT NULL", table,
        column));
  }
}

/// `tables` ordered so that a table comes after every other one of them it refers to (its foreign keys).
Result<std::vector<std::string>> InReferenceOrder(pg::Connection& to, const std::vector<std::string>& tables) {
  std::map<std::string, std::set<std::string>> refers;
  for (const auto& t : tables) refers[t];
  auto st = to.Prepare(
      "SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON "
      "p.oid = k.confrelid WHERE k.contype = 'f' AND c.relnamespace = to_regnamespace(current_schema())");
  while (st.Step()) {
    const std::string from = st.Text(0);
    const std::string of = st.Text(1);
    if (from != of && refers.count(from) && refers.count(of)) refers[from].insert(of);
  }
  std::vector<std::string> out;
  std::set<std::string> placed;
  while (out.size() < tables.size()) {
    const auto before = out.size();
    for (const auto& t : tables) {
      if (placed.count(t)) continue;
      const auto& needs = refers[t];
      if (std::all_of(needs.begin(), needs.end(), [&](const auto& n) { return placed.count(n) > 0; })) {
        out.push_back(t);
        placed.insert(t);
      }
    }
    if (out.size() == before) return Status::Internal("the tables' foreign keys form a cycle");
  }
  return out;
}

/// A SQLite file of the source, write-locked for the whole conversion (BEGIN IMMEDIATE; rolled back at the end: the
/// source is only read).
class LockedSource {
 public:
  explicit LockedSource(const std::string& path)
      : connection_(path, sq::Connection::Mode::kReadWrite, kSourceBusyTimeoutMs) {
    connection_.Exec("BEGIN IMMEDIATE");
  }
  ~LockedSource() {
    try {
      connection_.Exec("ROLLBACK");
    } catch (const sq::SqliteError&) {  // closing the connection ends the transaction anyway
    }
  }
  LockedSource(const LockedSource&) = delete;
  LockedSource& operator=(const LockedSource&) = delete;
  sq::Connection& operator*() { return connection_; }

 private:
  sq::Connection connection_;
};

class Converter {
 public:
  Converter(std::string data_dir, pg::Connection& to, std::ostream& out)
      : dir_(std::move(data_dir)), to_(to), out_(out) {}

  Status Run() {
    LockedSource main(dir_ + "/govshare.db");
    std::unique_ptr<LockedSource> exchange;
    if (std::filesystem::exists(dir_ + "/exchange.db"))
      exchange = std::make_unique<LockedSource>(dir_ + "/exchange.db");
    std::unique_ptr<LockedSource> audit;
    if (std::filesystem::exists(dir_ + "/audit.db")) audit = std::make_unique<LockedSource>(dir_ + "/audit.db");
    GOVSHARE_RETURN_IF_ERROR(CheckSourceAudit(audit != nullptr));

    to_.Exec("BEGIN");
    // Nodes that start meanwhile wait (and then find the platform); two conversions do not interleave.
    to_.Exec("LOCK TABLE regions, audit_frontier IN ACCESS EXCLUSIVE MODE");
    auto held = to_.Prepare(
        "SELECT (SELECT count(*) FROM regions) + (SELECT count(*) FROM audit_records) + (SELECT count(*) FROM "
        "datasets) + (SELECT count(*) FROM blobs) + (SELECT count(*) FROM calendar_years)");
    if (held.Step() && held.Int(0) > 0) {
      return Status::Conflict("target_not_empty",
                              "the PostgreSQL database already holds a platform (regions, audit records, datasets, "
                              "attachments or calendar years): convert into an empty database");
    }
    // Keys a node registered while the database was empty mean nothing yet: the platform's own are registered after.
    to_.Exec("DELETE FROM audit_public_key; DELETE FROM shared_secrets; SET CONSTRAINTS ALL DEFERRED");

    out_ << fmt::format("{}/govshare.db:\n", dir_);
    GOVSHARE_RETURN_IF_ERROR(CopyTables(*main, {}));
    if (exchange) {
      out_ << fmt::format("{}/exchange.db:\n", dir_);
      GOVSHARE_RETURN_IF_ERROR(CopyDatasets(**exchange));
    }
    if (audit) {
      out_ << fmt::format("{}/audit.db:\n", dir_);
      GOVSHARE_RETURN_IF_ERROR(CopyAudit(**audit));
    }
    out_ << fmt::format("{}:\n", dir_);
    GOVSHARE_RETURN_IF_ERROR(CopyAttachments());
    GOVSHARE_RETURN_IF_ERROR(CopyCalendarYears());
    to_.Exec("COMMIT");
    return Status::Ok();
  }

  /// The root line of the source log's verification ("root: ..."), empty if it has none.
  const std::string& source_root() const { return source_root_; }

 private:
  /// A log that does not verify is not moved: converting must never launder a damaged or tampered log.
  Status CheckSourceAudit(bool present) {
    if (!present) return Status::Ok();
    std::ostringstream report;
    const Status verified = audit::AuditLog::Verify(dir_, report);
    if (!verified.ok()) {
      return Status::Conflict("audit_invalid", fmt::format("the audit log of {} does not verify, so it is not "
                                                           "converted: {}",
                                                           dir_, report.str()));
    }
    source_root_ = RootLine(report.str());
    return Status::Ok();
  }

  /// Copies tables of a SQLite file in the order of their references, each under its PostgreSQL name.
  Status CopyTables(sq::Connection& from, const std::map<std::string, std::string>& renamed,
                    const std::function<bool(const std::string&)>& skip = nullptr) {
    std::vector<std::string> targets;
    std::map<std::string, std::string> source_of;
    for (const auto& source : SourceTables(from)) {
      if (skip && skip(source)) continue;
      const auto it = renamed.find(source);
      const std::string target = it == renamed.end() ? source : it->second;
      targets.push_back(target);
      source_of[target] = source;
    }
    auto ordered = InReferenceOrder(to_, targets);
    if (!ordered.ok()) return ordered.status();
    for (const auto& target : ordered.value()) {
      auto copied = CopyTable(from, source_of[target], to_, target, Progress(target));
      if (!copied.ok()) return copied.status();
      ContinueIdentities(to_, target, copied->identity_columns);
      Report(target, copied->rows);
    }
    return Status::Ok();
  }

  /// exchange.db: the datasets' definitions, loads and idempotency keys as tables; then each dataset's rows into the
  /// tables a new dataset gets on PostgreSQL (partitioned by city), with its change feed.
  Status CopyDatasets(sq::Connection& from) {
    auto generated = [](const std::string& table) {
      return table.size() > 1 && table[0] == 'd' && table[1] >= '0' && table[1] <= '9';
    };
    GOVSHARE_RETURN_IF_ERROR(CopyTables(from, {}, generated));
    for (const auto& [id, dataset] : exchange::detail::ReadDatasets(from)) {
      const exchange::Dataset& d = *dataset;
      pg::CreateDatasetTables(to_, d);
      std::optional<ExtraColumn> city;
      if (d.region_column) {
        // The region column's place among the source columns (c<position>, in position order).
        const auto names = SourceColumns(from, d.table());
        const auto region = d.columns[static_cast<std::size_t>(*d.region_column)].sql_name();
        const auto found = std::find(names.begin(), names.end(), region);
        if (found == names.end()) return SchemaMismatch(fmt::format("{} has no region column {}", d.table(), region));
        const auto at = static_cast<int>(found - names.begin());
        city = ExtraColumn{"city", [at](std::string& out, const sq::Statement& s) {
                             pg::AppendCopyText(
                                 out, pg::CityCode(s.IsNull(at) ? std::nullopt : std::optional(s.TextView(at))));
                           }};
      }
      auto rows = CopyTable(from, d.table(), to_, d.table(), Progress(d.table()), city);
      if (!rows.ok()) return rows.status();
      auto changes = CopyTable(from, d.changes_table(), to_, d.changes_table(), Progress(d.changes_table()));
      if (!changes.ok()) return changes.status();
      out_ << fmt::format("  {:<28} {:>12}  (change feed {}: {})\n", d.table(), rows->rows, d.changes_table(),
                          changes->rows);
    }
    return Status::Ok();
  }

  /// audit.db verbatim: records (the leaves), signed tree heads, data calls per day; the frontier after the last leaf.
  Status CopyAudit(sq::Connection& from) {
    GOVSHARE_RETURN_IF_ERROR(CopyTables(from, {{"records", "audit_records"},
                                               {"tree_heads", "audit_tree_heads"},
                                               {"data_calls_per_day", "audit_data_calls_per_day"}}));
    auto leaves = to_.Prepare("SELECT count(*), COALESCE(MAX(leaf_index) + 1, 0) FROM audit_records");
    if (!leaves.Step() || leaves.Int(0) != leaves.Int(1)) {
      return Status::Conflict("audit_invalid", "the audit log's leaf indexes are not 0, 1, 2, ... without a gap");
    }
    to_.Prepare("UPDATE audit_frontier SET next_index = $1::bigint").Bind(1, leaves.Int(0)).Run();
    return Status::Ok();
  }

  /// Attachment files (DIR/attachments, named by their SHA-256) into `blobs`, each checked against its name.
  Status CopyAttachments() {
    const std::filesystem::path dir = dir_ + "/attachments";
    std::int64_t count = 0;
    if (std::filesystem::is_directory(dir)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      auto insert = to_.Prepare("INSERT INTO blobs(sha256, bytes) VALUES ($1::text, decode($2::text, 'hex'))");
      for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in) return Status::Unavailable("read_failed", fmt::format("cannot read {}", file.string()));
        const std::string name = file.filename().string();
        if (common::Sha256Hex(bytes.str()) != name) {
          return Status::Conflict(
              "attachment_corrupt",
              fmt::format("{} does not hold the bytes its name (their SHA-256) says", file.string()));
        }
        insert.Bind(1, name).Bind(2, audit::ToHex(bytes.str())).Run();
        ++count;
      }
    }
    Report("blobs (attachments)", count);
    return Status::Ok();
  }

  /// Calendar years an administrator installed (DIR/calendar/*.json) into `calendar_years`, checked as at install.
  Status CopyCalendarYears() {
    const std::filesystem::path dir = dir_ + "/calendar";
    std::int64_t count = 0;
    if (std::filesystem::is_directory(dir)) {
      auto insert = to_.Prepare("INSERT INTO calendar_years(year, document) VALUES ($1::int, $2::text)");
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".json") continue;
        auto json = common::ReadJsonFile(e.path().string());
        if (!json.ok()) return json.status();
        auto year = calendar::WorkingCalendar::ParseYear(json.value());
        if (!year.ok()) return year.status();
        GOVSHARE_RETURN_IF_ERROR(calendar::WorkingCalendar::ValidateYear(year.value()));
        insert.Bind(1, year->year).Bind(2, json->dump()).Run();
        ++count;
      }
    }
    Report("calendar_years", count);
    return Status::Ok();
  }

  /// Says how far the copy of a long table has come (before its line of Report).
  std::function<void(std::int64_t)> Progress(const std::string& table) {
    return [this, table](std::int64_t rows) {
      out_ << fmt::format("  {:<28} {:>12} rows so far ...", table, rows) << std::endl;
    };
  }

  void Report(const std::string& table, std::int64_t rows) { out_ << fmt::format("  {:<28} {:>12}\n", table, rows); }

  static std::string RootLine(const std::string& report) {
    const auto at = report.find("root: ");
    if (at == std::string::npos) return {};
    return report.substr(at, report.find('\n', at) - at);
  }

  std::string dir_;
  pg::Connection& to_;
  std::ostream& out_;
  std::string source_root_;
};

/// A database error during the conversion, saying that nothing was converted (the transaction rolled back).
Status Failed(const Status& s) {
  return Status(s.kind(), s.code(), fmt::format("the conversion failed and wrote nothing: {}", s.message()));
}

}  // namespace

Status Convert(const common::Config& config, const std::string& conninfo, std::ostream& out) {
  const std::string& dir = config.data_dir;
  if (!std::filesystem::exists(dir + "/govshare.db")) {
    return Status::Invalid("not_initialised", fmt::format("{} holds no platform (no govshare.db)", dir));
  }
  if (conninfo == "sqlite") return Status::Invalid("invalid_target", "the target must be a postgresql:// URI");
  GOVSHARE_RETURN_IF_ERROR(common::CheckStorage(conninfo));
  {
    // The source at this binary's schema, as `govshare migrate` (or a start) would leave it, and whole enough to open.
    common::Config source = config;
    source.storage = "sqlite";
    auto platform = app::Platform::Open(source);
    if (!platform.ok()) return platform.status();
  }
  pg::Database::Options options;
  options.conninfo = conninfo;
  options.max_connections = 2;
  auto db = pg::Database::Open(options, pg::MainMigrations());  // the target's schema
  if (!db.ok()) return db.status();
  std::string source_root;
  try {
    pg::Connection to(conninfo);
    Converter converter(dir, to, out);
    GOVSHARE_RETURN_IF_ERROR(converter.Run());
    source_root = converter.source_root();
  } catch (const pg::PgError& e) {
    return Failed(pg::Database::ToStatus(e));
  } catch (const sq::SqliteError& e) {
    return Failed(sq::Database::ToStatus(e));
  }
  // Statistics and visibility maps for the new rows (plans, index-only scans): the database would get there by
  // itself (autovacuum), so a failure here is only said.
  try {
    pg::Connection(conninfo).Exec("VACUUM (ANALYZE)");
  } catch (const pg::PgError& e) {
    out << fmt::format("VACUUM (ANALYZE) failed ({}): run it by hand\n", e.what());
  }
  {
    // Opened as a node starts: registers audit.key and mask.key of this directory, reads everything back.
    common::Config target = config;
    target.storage = conninfo;
    auto platform = app::Platform::Open(target);
    if (!platform.ok()) return platform.status();
  }
  std::ostringstream report;
  const Status verified = audit::AuditLog::VerifyPostgres(*db.value(), report);
  out << "audit verify on PostgreSQL:\n" << report.str();
  if (!verified.ok()) return verified;
  if (!source_root.empty() && report.str().find(source_root) == std::string::npos) {
    return Status::Internal(fmt::format("the audit root on PostgreSQL differs from the source's ({})", source_root));
  }
  out << fmt::format(
      "converted {} to PostgreSQL. Set storage = \"<the URI>\" in the configuration and start the nodes, each with "
      "audit.key and mask.key of {}\n",
      dir, dir);
  return Status::Ok();
}

}  // namespace govshare::cli
