#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.hpp"

namespace govshare::exchange {

using common::UnixSeconds;

/// The data element of the division code (行政区划代码, data/catalog/elements.json): the item with it is a dataset's
/// region column (indexed; row scopes and region-prefix filters use it).
inline constexpr std::string_view kRegionElement = "DE0006";

/// How a catalog data type is stored (SQLite affinity). Codes stay text (ID numbers, division codes, phone numbers are
/// C items), so leading zeros and the check character X survive.
enum class Storage { kText, kInteger, kReal, kNumeric };

/// One column of a physical dataset: an information item of the catalog entry.
struct Column {
  int position = 0;       // 1-based, stable for the dataset's life; the SQL column is c<position>
  std::string name;       // the item name (信息项名称)
  std::string element;    // data element id or empty
  std::string data_type;  // catalog data type: C N Y D T L M G B I F
  std::int64_t length = 0;
  int key_order = 0;  // 1.. for primary-key items, 0 otherwise
  bool personal = false;
  std::string level;              // security level name (general1 ... core)
  int added_in = 0;               // the entry version that added it
  std::optional<int> retired_in;  // the entry version that dropped the item; the column and its data stay
  Storage storage = Storage::kText;

  bool retired() const { return retired_in.has_value(); }
  std::string sql_name() const;  // c<position>
};

/// A physical dataset (物理汇聚) as held in memory: immutable; a schema change or load makes a new one.
struct Dataset {
  std::int64_t id = 0;  // the catalog entry id
  std::string name;
  std::string resource_code;
  std::int64_t provider_department_id = 0;
  std::string region_id;  // the entry's region
  int entry_version = 0;  // the published catalog version the table follows
  std::string update_frequency;
  std::vector<Column> columns;       // by position (index = position - 1)
  std::vector<int> key;              // indexes into `columns` of the key items, in key order
  std::optional<int> region_column;  // index into `columns` of the region column, if any
  std::int64_t row_count = 0;
  std::optional<UnixSeconds> last_load_at;  // the last snapshot or batch that changed or confirmed data
  std::int64_t last_seq = 0;                // the last change-feed sequence number
  UnixSeconds created_at = 0;

  /// The index of the (active or retired) column named `item`, or -1.
  int ColumnIndex(std::string_view item) const;
  std::string table() const;          // d<id>
  std::string changes_table() const;  // d<id>_changes
};

/// A stored value. Columns of text storage always give text; integer and real columns give numbers; numeric columns
/// give whatever SQLite kept (integer, real, or text if it was not a number).
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// One row of a read: `values[i]` belongs to the read's i-th projected column; `region` is the row's region code
/// (empty if the dataset has no region column or the value is null), for row-scope checks.
struct Row {
  std::vector<Value> values;
  std::string region;
};

/// Staleness (Art. 12 update frequency): the longest a dataset of each declared frequency may go without a load.
/// nullopt: never stale (irregular).
std::optional<std::int64_t> MaxAgeSeconds(std::string_view update_frequency);

struct StaleDataset {
  std::shared_ptr<const Dataset> dataset;
  std::optional<std::int64_t> overdue_seconds;  // since the load was due; nullopt: never loaded
};

// ---- loads ---------------------------------------------------------------------------------------------------------

enum class LoadMode { kReject, kKeepGood };
enum class LoadFormat { kCsv, kJsonLines };
enum class Encoding { kUtf8, kGb18030 };

/// One rejected row. `row` is the 1-based data row (the CSV header is not counted: the first record after the header
/// is row 1; in JSON Lines, non-blank lines are counted); `line` is the physical line the record starts on (the header
/// is line 1). For batches, `row` is the 1-based index in `upserts` (or in `deletes`, with field "/deletes").
struct Rejection {
  std::int64_t row = 0;
  std::int64_t line = 0;
  std::string field;  // the item name, or empty for the whole record
  std::string rule;   // stable id: required, length, integer, number, date, datetime, logical, invalid_encoding,
                      // invalid_csv, column_count, record_too_large, duplicate_key, unknown_field, wrong_type, or
                      // a data element rule of catalog::CheckValue (resident_id_checksum, credit_code_checksum, ...)
  std::string value;  // the offending value, masked (exchange/masking.hpp by the element's mask, else all but 1 char)
};

/// What a load or batch did. In reject mode a report with rejections means nothing changed (`applied` false).
struct LoadReport {
  std::int64_t dataset_id = 0;
  std::string kind;  // snapshot, batch
  bool applied = false;
  std::int64_t rows_read = 0;
  std::int64_t rows_accepted = 0;
  std::int64_t rows_rejected = 0;
  std::int64_t inserted = 0;   // new keys
  std::int64_t updated = 0;    // existing keys whose values changed
  std::int64_t unchanged = 0;  // existing keys with equal values
  std::int64_t deleted = 0;    // keys removed (absent from a snapshot, or deleted by a batch)
  std::int64_t first_seq = 0;  // change-feed range written (0, 0: none)
  std::int64_t last_seq = 0;
  std::int64_t row_count = 0;         // rows in the dataset afterwards
  std::vector<Rejection> rejections;  // every rejected row, up to kMaxReportedRejections
  bool rejections_truncated = false;
  double seconds = 0;
  bool replayed = false;  // an Idempotency-Key seen before: this is the first result, nothing was done again
};

/// Limits of a load (ARCHITECTURE-GUIDE §9: inputs have hard limits).
inline constexpr std::size_t kMaxRecordBytes = 64 * 1024;  // one CSV record or JSON line
inline constexpr std::size_t kMaxReportedRejections = 100000;
inline constexpr std::size_t kMaxBatchRows = 10000;  // upserts + deletes of one batch

/// An incremental batch (upserts replace whole rows; missing items become null; deletes name the key items).
struct Batch {
  std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> upserts;  // item name -> value
  std::vector<std::vector<std::pair<std::string, std::string>>> deletes;                 // key item name -> value
};

// ---- the change feed -----------------------------------------------------------------------------------------------

enum class ChangeOp { kUpsert, kDelete };
std::string_view ChangeOpName(ChangeOp op);

/// One accepted change (Art. 12, 22): for subscriptions and for flowing data back to cities.
struct Change {
  std::int64_t seq = 0;  // per dataset, increasing, gap-free in commit order
  ChangeOp op = ChangeOp::kUpsert;
  std::vector<std::string> key;  // the key values, in key order
  std::string region;            // the row's region code (empty if none)
  UnixSeconds at = 0;
};

// ---- reads ---------------------------------------------------------------------------------------------------------

/// A filter of Query/Scan on one column. Values are text and converted to the column's storage (a non-number for a
/// numeric column is invalid_filter). kPrefix is a range on text columns (e.g. region code "1301").
struct Filter {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kPrefix };
  int column = 0;  // index into Dataset::columns
  Op op = Op::kEq;
  std::string value;
};

struct QuerySpec {
  std::vector<Filter> filters;               // all must hold
  std::vector<std::string> region_prefixes;  // row scope: the region column starts with one of them (empty: any)
  std::vector<std::string> after_key;        // cursor: rows with a key greater than this (key order); empty: start
  int limit = 100;                           // Query only; 1..kMaxQueryLimit
};
inline constexpr int kMaxQueryLimit = 1000;

struct Page {
  std::vector<Row> rows;
  std::vector<std::vector<std::string>> keys;              // each row's key values (for cursors)
  std::optional<std::vector<std::string>> next_after_key;  // pass as after_key for the next page; nullopt: last page
};

}  // namespace govshare::exchange
