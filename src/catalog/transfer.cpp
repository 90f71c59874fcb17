#include "catalog/transfer.hpp"

#include <fmt/format.h>

#include <map>

#include "common/clock.hpp"
#include "common/csv.hpp"

namespace govshare::catalog {

using common::Result;
using common::Status;
using nlohmann::json;

namespace {

// Column names of the template.
constexpr std::string_view kName = "信息资源名称";
constexpr std::string_view kClassification = "信息资源分类";
constexpr std::string_view kAbstract = "信息资源摘要";
constexpr std::string_view kKeywords = "关键字";
constexpr std::string_view kFormat = "信息资源格式";
constexpr std::string_view kSubject = "数据主体";
constexpr std::string_view kShareType = "共享类型";
constexpr std::string_view kShareCondition = "共享条件";
constexpr std::string_view kLegalBasis = "不予共享依据";
constexpr std::string_view kShareMethods = "共享方式";
constexpr std::string_view kOpenAttribute = "开放属性";
constexpr std::string_view kOpenCondition = "开放条件";
constexpr std::string_view kFrequency = "更新周期";
constexpr std::string_view kLevel = "安全级别";
constexpr std::string_view kScope = "使用范围";
constexpr std::string_view kDatabases = "所属基础库主题库";
constexpr std::string_view kRelated = "关联资源代码";
constexpr std::string_view kNonClassified = "非涉密声明";
constexpr std::string_view kItemName = "信息项名称";
constexpr std::string_view kItemElement = "数据元";
constexpr std::string_view kItemType = "数据类型";
constexpr std::string_view kItemLength = "数据长度";
constexpr std::string_view kItemKey = "是否关键项";
constexpr std::string_view kItemPersonal = "是否个人信息";
constexpr std::string_view kItemLevel = "信息项安全级别";
constexpr std::string_view kCode = "信息资源代码";
constexpr std::string_view kProvider = "信息资源提供方";
constexpr std::string_view kProviderCode = "提供方代码";
constexpr std::string_view kPublished = "发布日期";
constexpr std::string_view kVersion = "版本";

/// A closed-list cell: the API value, or its Chinese label mapped to the value.
std::string ChoiceValue(const ValueList& list, const std::string& cell) {
  for (const auto& c : list.choices) {
    if (c.label == cell) return std::string(c.value);
  }
  return cell;
}

std::vector<std::string> SplitList(const std::string& cell) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    const auto first = current.find_first_not_of(' ');
    const auto last = current.find_last_not_of(' ');
    if (first != std::string::npos) out.push_back(current.substr(first, last - first + 1));
    current.clear();
  };
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == ';') {
      flush();
    } else if (cell.compare(i, 3, "；") == 0) {
      flush();
      i += 2;
    } else {
      current.push_back(cell[i]);
    }
  }
  flush();
  return out;
}

json FlagValue(const std::string& cell) {
  if (cell.empty()) return nullptr;
  if (cell == "是" || cell == "true" || cell == "1" || cell == "Y") return true;
  if (cell == "否" || cell == "false" || cell == "0" || cell == "N") return false;
  return cell;  // ParseContent reports it as not a boolean
}

json LevelValue(const std::string& cell) {
  if (cell.empty()) return nullptr;
  if (cell == "涉密") return "classified";
  return ChoiceValue(Levels(), cell);
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ";") + v;
  return out;
}

std::string FrequencyUri(const std::string& f) {
  static const std::map<std::string, std::string> eu = {
      {"realtime", "UPDATE_CONT"}, {"daily", "DAILY"},         {"weekly", "WEEKLY"}, {"monthly", "MONTHLY"},
      {"quarterly", "QUARTERLY"},  {"semiannual", "ANNUAL_2"}, {"yearly", "ANNUAL"}, {"irregular", "IRREG"}};
  const auto it = eu.find(f);
  return "http://publications.europa.eu/resource/authority/frequency/" +
         (it == eu.end() ? std::string("UNKNOWN") : it->second);
}

}  // namespace

const std::vector<std::string_view>& TemplateColumns() {
  static const std::vector<std::string_view> columns = {
      kName,           kClassification, kAbstract,     kKeywords,      kFormat,        kSubject,     kShareType,
      kShareCondition, kLegalBasis,     kShareMethods, kOpenAttribute, kOpenCondition, kFrequency,   kLevel,
      kScope,          kDatabases,      kRelated,      kNonClassified, kItemName,      kItemElement, kItemType,
      kItemLength,     kItemKey,        kItemPersonal, kItemLevel};
  return columns;
}

const std::vector<std::string_view>& ExportOnlyColumns() {
  static const std::vector<std::string_view> columns = {kCode, kProvider, kProviderCode, kPublished, kVersion};
  return columns;
}

ImportFile ReadImportJson(const json& doc) {
  ImportFile file;
  const auto it = doc.find("entries");
  if (!doc.is_object() || it == doc.end() || !it->is_array()) {
    file.errors.push_back({0, {"/entries", "required", "", "导入文件须为 {\"entries\": [...]}"}});
    return file;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    EntryContent c;
    const int row = static_cast<int>(i) + 1;
    for (auto& v : ParseContent((*it)[i], c)) file.errors.push_back({row, std::move(v)});
    file.contents.push_back(std::move(c));
    file.rows.push_back(row);
  }
  return file;
}

Result<ImportFile> ReadImportCsv(std::string_view text) {
  auto parsed = common::ParseCsv(text);
  if (!parsed.ok()) return parsed.status();
  auto& rows = parsed.value();
  if (rows.empty()) return Status::Invalid("invalid_csv", "the file is empty");
  std::map<std::string, std::size_t> col;
  const auto& header = rows.front().fields;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    const auto& t = TemplateColumns();
    const auto& x = ExportOnlyColumns();
    if (std::find(t.begin(), t.end(), name) == t.end() && std::find(x.begin(), x.end(), name) == x.end()) {
      return Status::Invalid("invalid_csv", fmt::format("unknown column '{}' in the header", name));
    }
    col[name] = i;
  }
  for (auto required : {kName, kClassification}) {
    if (!col.count(std::string(required))) {
      return Status::Invalid("invalid_csv", fmt::format("the header lacks the column '{}'", required));
    }
  }
  ImportFile file;
  auto cell = [&](const common::CsvRow& r, std::string_view name) -> std::string {
    const auto it = col.find(std::string(name));
    if (it == col.end() || it->second >= r.fields.size()) return {};
    return r.fields[it->second];
  };
  // Group consecutive rows with the same name into one entry.
  std::vector<std::pair<json, int>> docs;
  std::string current;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.fields.size() != header.size()) {
      file.errors.push_back(
          {row.line,
           {"", "column_count", "",
            fmt::format("第 {} 行有 {} 列，表头有 {} 列", row.line, row.fields.size(), header.size())}});
      continue;
    }
    const std::string name = cell(row, kName);
    if (docs.empty() || name != current || name.empty()) {
      json d = json::object();
      auto plain = [&](const char* key, std::string_view column) {
        if (auto v = cell(row, column); !v.empty()) d[key] = v;
      };
      auto choice = [&](const char* key, std::string_view column, const ValueList& list) {
        if (auto v = cell(row, column); !v.empty()) d[key] = ChoiceValue(list, v);
      };
      auto list = [&](const char* key, std::string_view column, const ValueList* values) {
        if (auto v = cell(row, column); !v.empty()) {
          json a = json::array();
          for (const auto& part : SplitList(v)) a.push_back(values ? ChoiceValue(*values, part) : part);
          d[key] = a;
        }
      };
      plain("name", kName);
      plain("classification", kClassification);
      plain("abstract", kAbstract);
      list("keywords", kKeywords, nullptr);
      choice("format", kFormat, Formats());
      choice("subject", kSubject, Subjects());
      choice("share_type", kShareType, ShareTypes());
      plain("share_condition", kShareCondition);
      plain("legal_basis", kLegalBasis);
      list("share_methods", kShareMethods, &ShareMethods());
      choice("open_attribute", kOpenAttribute, OpenAttributes());
      plain("open_condition", kOpenCondition);
      choice("update_frequency", kFrequency, UpdateFrequencies());
      if (auto v = LevelValue(cell(row, kLevel)); !v.is_null()) d["security_level"] = v;
      list("scope_of_use", kScope, nullptr);
      list("databases", kDatabases, nullptr);
      list("related_codes", kRelated, nullptr);
      if (auto v = FlagValue(cell(row, kNonClassified)); !v.is_null()) d["non_classified"] = v;
      d["items"] = json::array();
      docs.emplace_back(std::move(d), row.line);
      current = name;
    }
    if (const std::string item_name = cell(row, kItemName); !item_name.empty()) {
      json item = {{"name", item_name}};
      if (auto v = cell(row, kItemElement); !v.empty()) item["element"] = v;
      if (auto v = cell(row, kItemType); !v.empty()) item["data_type"] = ChoiceValue(DataTypes(), v);
      if (auto v = cell(row, kItemLength); !v.empty()) {
        const bool digits =
            v.size() <= 7 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        item["length"] = digits ? json(std::stoll(v)) : json(v);
      }
      if (auto v = FlagValue(cell(row, kItemKey)); !v.is_null()) item["key"] = v;
      if (auto v = FlagValue(cell(row, kItemPersonal)); !v.is_null()) item["personal"] = v;
      if (auto v = LevelValue(cell(row, kItemLevel)); !v.is_null()) item["level"] = v;
      docs.back().first["items"].push_back(std::move(item));
    }
  }
  for (auto& [doc, line] : docs) {
    EntryContent c;
    for (auto& v : ParseContent(doc, c)) file.errors.push_back({line, std::move(v)});
    file.contents.push_back(std::move(c));
    file.rows.push_back(line);
  }
  return file;
}

std::string ExportCsv(const std::vector<std::shared_ptr<const IndexedEntry>>& entries) {
  std::string out = "\xEF\xBB\xBF";  // a BOM, so that spreadsheet programs read UTF-8
  std::vector<std::string> header;
  for (auto c : ExportOnlyColumns()) header.emplace_back(c);
  for (auto c : TemplateColumns()) header.emplace_back(c);
  common::AppendCsvRow(out, header);
  for (const auto& e : entries) {
    if (!e->published) continue;
    const auto& v = *e->published;
    const auto& c = v.content;
    std::vector<std::string> base = {
        e->entry.resource_code,
        e->entry.provider_name,
        e->entry.provider_code,
        v.published_at ? common::FormatDate(*v.published_at) : "",
        std::to_string(v.number),
        c.name,
        c.classification,
        c.abstract,
        Join(c.keywords),
        std::string(Formats().LabelOf(c.format)),
        std::string(Subjects().LabelOf(c.subject)),
        std::string(ShareTypes().LabelOf(c.share_type)),
        c.share_condition,
        c.legal_basis,
        [&] {
          std::vector<std::string> labels;
          for (const auto& m : c.share_methods) labels.emplace_back(ShareMethods().LabelOf(m));
          return Join(labels);
        }(),
        std::string(OpenAttributes().LabelOf(c.open_attribute)),
        c.open_condition,
        std::string(UpdateFrequencies().LabelOf(c.update_frequency)),
        c.security_level ? std::string(LevelLabel(*c.security_level)) : "",
        Join(c.scope_of_use),
        Join(c.databases),
        Join(c.related_codes),
        c.non_classified ? "是" : "否",
    };
    if (c.items.empty()) {
      auto row = base;
      row.resize(header.size());
      common::AppendCsvRow(out, row);
    }
    for (const auto& i : c.items) {
      auto row = base;
      row.push_back(i.name);
      row.push_back(i.element);
      row.push_back(i.data_type);
      row.push_back(i.length > 0 ? std::to_string(i.length) : "");
      row.push_back(i.key ? "是" : "否");
      row.push_back(i.personal ? "是" : "否");
      row.emplace_back(LevelLabel(i.level));
      common::AppendCsvRow(out, row);
    }
  }
  return out;
}

json ExportJson(const std::vector<std::shared_ptr<const IndexedEntry>>& entries) {
  json list = json::array();
  for (const auto& e : entries) {
    if (!e->published) continue;
    const auto& v = *e->published;
    list.push_back({{"resource_code", e->entry.resource_code},
                    {"provider",
                     {{"department_id", e->entry.provider_department_id},
                      {"name", e->entry.provider_name},
                      {"credit_code", e->entry.provider_code}}},
                    {"region_id", e->entry.region_id},
                    {"version", v.number},
                    {"published_at", v.published_at ? json(common::FormatDate(*v.published_at)) : json(nullptr)},
                    {"content", ContentToJson(v.content)}});
  }
  return json{{"entries", list}};
}

json ExportDcat(const std::vector<std::shared_ptr<const IndexedEntry>>& entries,
                const std::vector<ThemeDatabase>& databases, const std::string& base_uri) {
  std::map<std::string, std::string> db_names;
  for (const auto& d : databases) db_names[d.code] = d.name;
  json datasets = json::array();
  for (const auto& e : entries) {
    if (!e->published) continue;
    const auto& v = *e->published;
    const auto& c = v.content;
    json themes = json::array();
    for (const auto& d : c.databases) {
      themes.push_back({{"@id", base_uri + "/themes/" + d}, {"skos:prefLabel", db_names.count(d) ? db_names[d] : d}});
    }
    json distributions = json::array();
    for (const auto& m : c.share_methods) {
      distributions.push_back(
          {{"@type", "dcat:Distribution"},
           {"dct:title", std::string(ShareMethods().LabelOf(m))},
           {"dct:format", std::string(Formats().LabelOf(c.format))},
           {"dcat:accessURL", {{"@id", base_uri + "/api/v1/catalog/entries/" + std::to_string(e->entry.id)}}}});
    }
    json d = {{"@id", base_uri + "/catalog/" + e->entry.resource_code},
              {"@type", "dcat:Dataset"},
              {"dct:identifier", e->entry.resource_code},
              {"dct:title", {{"@language", "zh"}, {"@value", c.name}}},
              {"dct:description", {{"@language", "zh"}, {"@value", c.abstract}}},
              {"dct:publisher",
               {{"@type", "foaf:Organization"},
                {"foaf:name", e->entry.provider_name},
                {"dct:identifier", e->entry.provider_code}}},
              {"dcat:keyword", c.keywords},
              {"dcat:theme", themes},
              {"dct:accrualPeriodicity", {{"@id", FrequencyUri(c.update_frequency)}}},
              {"dct:accessRights", std::string(ShareTypes().LabelOf(c.share_type))},
              {"dct:spatial", e->entry.region_id},
              {"owl:versionInfo", std::to_string(v.number)},
              {"dcat:distribution", distributions}};
    if (v.published_at) d["dct:issued"] = {{"@type", "xsd:date"}, {"@value", common::FormatDate(*v.published_at)}};
    datasets.push_back(std::move(d));
  }
  return json{{"@context",
               {{"dcat", "http://www.w3.org/ns/dcat#"},
                {"dct", "http://purl.org/dc/terms/"},
                {"foaf", "http://xmlns.com/foaf/0.1/"},
                {"owl", "http://www.w3.org/2002/07/owl#"},
                {"skos", "http://www.w3.org/2004/02/skos/core#"},
                {"xsd", "http://www.w3.org/2001/XMLSchema#"}}},
              {"@id", base_uri + "/catalog"},
              {"@type", "dcat:Catalog"},
              {"dct:title", {{"@language", "zh"}, {"@value", "政务数据共享目录"}}},
              {"dcat:dataset", datasets}};
}

}  // namespace govshare::catalog
