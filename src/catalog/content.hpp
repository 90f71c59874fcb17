#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/model.hpp"

namespace govshare::catalog {

/// One broken rule, precise enough to show next to the field it is about.
struct Violation {
  std::string field;    // JSON pointer into the entry content, e.g. /items/2/level
  std::string rule;     // stable rule id, e.g. level_below_items
  std::string article;  // the article of the Measures (or the standard) the rule comes from; may be empty
  std::string message;  // for people (Chinese)
};

/// Reads an entry's content from JSON. Structural problems (unknown fields, wrong types, values outside the closed
/// lists, texts too long or with control characters, classified data) are returned as violations; a draft with any of
/// them is not saved. Missing fields are not structural: a draft may be incomplete until it is submitted.
std::vector<Violation> ParseContent(const nlohmann::json& j, EntryContent& out);
/// The content as JSON (object keys sorted, so the text is canonical and diffable).
nlohmann::json ContentToJson(const EntryContent& c);

/// What the compilation rules need to know beyond the content itself.
struct RuleContext {
  std::function<const DataElement*(const std::string&)> element;     // by id, null if unknown
  std::function<const ThemeDatabase*(const std::string&)> database;  // by code, null if unknown
  bool on_negative_list = false;  // the entry has an approved negative-list listing (Art. 11)
};

/// The compilation rules the authority sets (Art. 7, 11, 13; Art. 2 for classified data; GB/T 43697 "就高从严"),
/// checked when an entry is submitted. Returns every violation, not just the first, in field order.
std::vector<Violation> CheckCompilationRules(const EntryContent& c, const RuleContext& ctx);

/// A field that differs between two versions: `field` is a JSON pointer; information items are matched by name
/// (/items/姓名 for an added or removed item, /items/姓名/level for a changed property).
struct FieldChange {
  std::string field;
  nlohmann::json before;
  nlohmann::json after;
};
std::vector<FieldChange> Diff(const EntryContent& before, const EntryContent& after);

/// Writes violations as a JSON array for a problem response's "errors".
std::string ViolationsJson(const std::vector<Violation>& violations);

/// A representation such as an18, n8, an..100, c..50 (a letters, n digits, an both, c any characters, counted as
/// Unicode characters): the maximum length and whether it is fixed. nullopt if the text is
/// not of that form.
struct Representation {
  std::string charset;  // a, n, an, c
  std::size_t length = 0;
  bool fixed = false;
};
std::optional<Representation> ParseRepresentation(std::string_view text);

/// True if `code` is a resource code `分类码/顺序码` (digits, a slash, five digits).
bool IsResourceCode(std::string_view code);
/// True if `code` is a classification code: 1, 2 or 3, then up to three 2-digit levels.
bool IsClassificationCode(std::string_view code);

}  // namespace govshare::catalog
