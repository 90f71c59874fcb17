#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace govshare::catalog {

using common::UnixSeconds;

/// Security levels of GB/T 43697-2024, lowest first so that levels compare with < (DOMAIN.md §5). "classified" (涉密)
/// is not a level of the platform: it is recognised only to be refused (Art. 2).
enum class Level { kGeneral1, kGeneral2, kGeneral3, kGeneral4, kImportant, kCore };
std::string_view LevelName(Level l);   // general1 ... core
std::string_view LevelLabel(Level l);  // 一般1 ... 核心
std::optional<Level> ParseLevel(std::string_view s);

/// One closed list of values of a catalog field: the API value (stable, ASCII) and its Chinese label.
struct Choice {
  std::string_view value;
  std::string_view label;
};
struct ValueList {
  std::string_view field;
  std::vector<Choice> choices;
  bool Contains(std::string_view v) const;
  std::string_view LabelOf(std::string_view v) const;  // the value itself if unknown
};

/// The closed lists of DOMAIN.md §1 (share type, method, open attribute, update frequency, format, subject, data
/// types).
const ValueList& ShareTypes();    // unconditional 无条件共享, conditional 有条件共享, not_shared 不予共享
const ValueList& ShareMethods();  // api 接口, table 库表, file 文件
const ValueList& OpenAttributes();     // open, conditional_open, not_open
const ValueList& UpdateFrequencies();  // realtime ... irregular
const ValueList& Formats();            // file 电子文件 ... other 其他
const ValueList& Subjects();           // person 自然人, legal_person 法人和其他组织, object 物, other 其他
const ValueList& DataTypes();          // C N Y D T L M G B I F
const ValueList& Levels();             // general1 ... core

/// A data element (数据元, GB/T 19488): a standard field that information items refer to.
struct DataElement {
  std::string id;  // e.g. DE0001
  std::string name;
  std::string definition;
  std::string data_type;       // one of DataTypes()
  std::string representation;  // e.g. an18, n8, an..100
  std::string value_domain;    // the code table or range, text (e.g. GB/T 2261.1)
  std::string validation;      // a rule of ValidationRules(): resident_id, credit_code, ... or empty
  bool personal = false;
  Level default_level = Level::kGeneral2;
  std::string default_mask;  // a masking rule name (DOMAIN.md §6) or empty
  std::int64_t version = 1;
  UnixSeconds updated_at = 0;
};

/// An information item (信息项): one column of a resource.
struct Item {
  std::string name;
  std::string element;  // data element id, or empty for a department-specific item
  std::string data_type;
  std::int64_t length = 0;  // 0: not applicable (dates, logical)
  bool key = false;
  bool personal = false;
  Level level = Level::kGeneral1;
};

/// What a department declares about one dataset (the versioned document of a catalog entry). Fields follow the national
/// metadata set and Hebei's fields (DOMAIN.md §1, Art. 7).
struct EntryContent {
  std::string name;            // 信息资源名称, <= 50 characters, unique within the provider
  std::string classification;  // 分类码: 1 base / 2 thematic / 3 departmental, then 2-digit 项, 目, 细目
  std::string abstract;        // 信息资源摘要, <= 256 characters
  std::vector<std::string> keywords;
  std::string format;   // Formats()
  std::string subject;  // Subjects(): whom the data describes (collection responsibility, Art. 10)
  std::string share_type;
  std::string share_condition;  // conditional: the conditions
  std::string legal_basis;      // not shared: the law that requires it (Art. 11)
  std::vector<std::string> share_methods;
  std::string open_attribute;
  std::string open_condition;
  std::string update_frequency;
  std::optional<Level> security_level;
  std::vector<std::string> scope_of_use;   // 使用范围: business areas
  std::vector<std::string> databases;      // base or thematic database codes (Art. 13)
  std::vector<std::string> related_codes;  // 关联资源代码
  bool non_classified = false;             // the department declares the data is not classified (Art. 2)
  std::vector<Item> items;

  Level HighestItemLevel() const;
};

enum class VersionState { kDraft, kInReview, kReturned, kPublished, kSuperseded, kWithdrawn };
std::string_view VersionStateName(VersionState s);
std::optional<VersionState> ParseVersionState(std::string_view s);

struct Version {
  std::int64_t entry_id = 0;
  int number = 0;
  VersionState state = VersionState::kDraft;
  EntryContent content;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::optional<UnixSeconds> submitted_at;
  std::optional<UnixSeconds> published_at;
  std::optional<std::int64_t> case_id;  // the review or update case of this version
  std::string change_reason;            // why this version was made (empty for the first)
};

/// A catalog entry: the identity of a resource across its versions.
struct Entry {
  std::int64_t id = 0;
  std::string resource_code;  // 分类码/顺序码, unique
  std::int64_t provider_department_id = 0;
  std::string provider_name;
  std::string provider_code;  // the provider's unified social credit code
  std::string region_id;
  std::optional<int> published_version;  // the version users see; absent until first published
  std::optional<int> working_version;    // the draft or version under review, if any
  bool withdrawn = false;
  bool on_negative_list = false;
  std::optional<std::int64_t> open_case_id;  // the review, update or withdrawal case in progress
  std::optional<std::string> open_case_type;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::int64_t version = 1;  // optimistic lock of the entry row
};

/// A base or thematic database (Art. 13) with its keeper department.
struct ThemeDatabase {
  std::string code;  // e.g. population
  std::string name;  // 人口基础库
  std::string kind;  // base, thematic
  std::int64_t keeper_department_id = 0;
  std::string description;
};

/// The negative list (Art. 11): an application to classify an entry as not shared, or to revoke that.
struct NegativeListItem {
  std::int64_t id = 0;
  std::int64_t entry_id = 0;
  std::int64_t department_id = 0;
  std::string kind;    // list, revoke
  std::string status;  // pending, approved, rejected
  std::string legal_basis;
  std::string reason;
  std::optional<std::int64_t> case_id;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> decided_at;
};

/// A duplicate-collection finding (Art. 10, 30): two or more departments declare collecting the same data elements
/// about the same subject.
struct Finding {
  std::int64_t id = 0;
  std::string fingerprint;  // stable key of the finding (subject, elements, entries)
  std::string subject;
  std::vector<std::string> elements;    // the data elements collected more than once
  std::vector<std::int64_t> entry_ids;  // the entries that collect them
  std::vector<std::int64_t> department_ids;
  std::optional<std::int64_t> source_entry_id;  // a base-database entry that already provides them, if any
  std::string status;                           // open, dismissed, rectifying, resolved
  std::string resolution;                       // the dismissal reason or rectification note
  std::optional<std::int64_t> case_id;
  UnixSeconds detected_at = 0;
  std::optional<UnixSeconds> decided_at;
};

/// Maximum lengths of the entry's text fields (characters).
inline constexpr std::size_t kMaxName = 50;
inline constexpr std::size_t kMaxAbstract = 256;
inline constexpr std::size_t kMaxCondition = 1000;
inline constexpr std::size_t kMaxItems = 500;

}  // namespace govshare::catalog
