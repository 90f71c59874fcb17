#include "catalog/content.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "common/json.hpp"

namespace govshare::catalog {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxListItems = 50;
constexpr std::size_t kMaxShortText = 100;

class Reader {
 public:
  explicit Reader(std::vector<Violation>& out) : out_(out) {}

  void Add(std::string field, std::string rule, std::string message, std::string article = {}) {
    out_.push_back({std::move(field), std::move(rule), std::move(article), std::move(message)});
  }

  bool Text(const json& parent, std::string_view key, const std::string& pointer, std::string& out,
            std::size_t max_chars) {
    const auto it = parent.find(std::string(key));
    if (it == parent.end() || it->is_null()) return false;
    if (!it->is_string()) {
      Add(pointer, "wrong_type", fmt::format("{} 必须是文本", pointer));
      return false;
    }
    const auto& s = it->get_ref<const std::string&>();
    if (!common::IsCleanText(s)) {
      Add(pointer, "invalid_text", fmt::format("{} 含有控制字符", pointer));
      return false;
    }
    if (common::Utf8Length(s) > max_chars) {
      Add(pointer, "too_long", fmt::format("{} 不能超过 {} 个字符", pointer, max_chars), "7");
      return false;
    }
    const auto first = s.find_first_not_of(" \t\r\n");
    const auto last = s.find_last_not_of(" \t\r\n");
    out = first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
    return true;
  }

  void Choice(const json& parent, std::string_view key, const std::string& pointer, const ValueList& list,
              std::string& out) {
    std::string v;
    if (!Text(parent, key, pointer, v, kMaxShortText) || v.empty()) return;
    if (!list.Contains(v)) {
      std::string allowed;
      for (const auto& c : list.choices) allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", c.value);
      Add(pointer, "invalid_value", fmt::format("{} 的取值必须是以下之一：{}", pointer, allowed));
      return;
    }
    out = v;
  }

  void LevelField(const json& parent, std::string_view key, const std::string& pointer, std::optional<Level>& out) {
    std::string v;
    if (!Text(parent, key, pointer, v, kMaxShortText) || v.empty()) return;
    if (v == "classified") {
      Add(pointer, "classified_not_allowed", "涉密数据不得进入共享平台", "2");
      return;
    }
    out = ParseLevel(v);
    if (!out)
      Add(pointer, "invalid_value", fmt::format("{} 必须是 core、important、general4 至 general1 之一", pointer));
  }

  void Flag(const json& parent, std::string_view key, const std::string& pointer, bool& out) {
    const auto it = parent.find(std::string(key));
    if (it == parent.end() || it->is_null()) return;
    if (!it->is_boolean()) {
      Add(pointer, "wrong_type", fmt::format("{} 必须是 true 或 false", pointer));
      return;
    }
    out = it->get<bool>();
  }

  void TextList(const json& parent, std::string_view key, const std::string& pointer, std::vector<std::string>& out,
                std::size_t max_chars, const ValueList* choices = nullptr) {
    const auto it = parent.find(std::string(key));
    if (it == parent.end() || it->is_null()) return;
    if (!it->is_array()) {
      Add(pointer, "wrong_type", fmt::format("{} 必须是数组", pointer));
      return;
    }
    if (it->size() > kMaxListItems) {
      Add(pointer, "too_many", fmt::format("{} 最多 {} 项", pointer, kMaxListItems));
      return;
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string p = fmt::format("{}/{}", pointer, i);
      std::string v;
      json holder = json::object({{"v", (*it)[i]}});
      if (!Text(holder, "v", p, v, max_chars)) {
        if ((*it)[i].is_null()) Add(p, "wrong_type", fmt::format("{} 必须是文本", p));
        continue;
      }
      if (v.empty()) {
        Add(p, "empty_value", fmt::format("{} 不能为空", p));
        continue;
      }
      if (choices && !choices->Contains(v)) {
        Add(p, "invalid_value", fmt::format("{} 不是允许的取值", p));
        continue;
      }
      if (std::find(out.begin(), out.end(), v) != out.end()) {
        Add(p, "duplicate_value", fmt::format("{} 重复", p));
        continue;
      }
      out.push_back(std::move(v));
    }
  }

  void Unknown(const json& object, const std::string& pointer, std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, v] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        Add(pointer + "/" + k, "unknown_field", fmt::format("未知字段 {}", k));
      }
    }
  }

 private:
  std::vector<Violation>& out_;
};

bool Blank(const std::string& s) { return s.empty(); }

json ItemJson(const Item& i) {
  return json{{"name", i.name}, {"element", i.element},   {"data_type", i.data_type},   {"length", i.length},
              {"key", i.key},   {"personal", i.personal}, {"level", LevelName(i.level)}};
}

}  // namespace

std::vector<Violation> ParseContent(const json& j, EntryContent& out) {
  out = EntryContent{};
  std::vector<Violation> v;
  Reader r(v);
  if (!j.is_object()) {
    r.Add("", "wrong_type", "目录内容必须是 JSON 对象");
    return v;
  }
  r.Unknown(j, "",
            {"name", "classification", "abstract", "keywords", "format", "subject", "share_type", "share_condition",
             "legal_basis", "share_methods", "open_attribute", "open_condition", "update_frequency", "security_level",
             "scope_of_use", "databases", "related_codes", "non_classified", "items"});
  r.Text(j, "name", "/name", out.name, kMaxName);
  r.Text(j, "classification", "/classification", out.classification, 7);
  if (!out.classification.empty() && !IsClassificationCode(out.classification)) {
    r.Add("/classification", "invalid_classification",
          "分类码由类（1 基础、2 主题、3 部门）加至多三级两位数字组成，如 1010203", "7");
    out.classification.clear();
  }
  r.Text(j, "abstract", "/abstract", out.abstract, kMaxAbstract);
  r.TextList(j, "keywords", "/keywords", out.keywords, 20);
  r.Choice(j, "format", "/format", Formats(), out.format);
  r.Choice(j, "subject", "/subject", Subjects(), out.subject);
  r.Choice(j, "share_type", "/share_type", ShareTypes(), out.share_type);
  r.Text(j, "share_condition", "/share_condition", out.share_condition, kMaxCondition);
  r.Text(j, "legal_basis", "/legal_basis", out.legal_basis, kMaxCondition);
  r.TextList(j, "share_methods", "/share_methods", out.share_methods, kMaxShortText, &ShareMethods());
  r.Choice(j, "open_attribute", "/open_attribute", OpenAttributes(), out.open_attribute);
  r.Text(j, "open_condition", "/open_condition", out.open_condition, kMaxCondition);
  r.Choice(j, "update_frequency", "/update_frequency", UpdateFrequencies(), out.update_frequency);
  r.LevelField(j, "security_level", "/security_level", out.security_level);
  r.TextList(j, "scope_of_use", "/scope_of_use", out.scope_of_use, kMaxShortText);
  r.TextList(j, "databases", "/databases", out.databases, 40);
  r.TextList(j, "related_codes", "/related_codes", out.related_codes, 20);
  for (std::size_t i = 0; i < out.related_codes.size(); ++i) {
    if (!IsResourceCode(out.related_codes[i])) {
      r.Add(fmt::format("/related_codes/{}", i), "invalid_resource_code",
            "资源代码格式为 分类码/顺序码，如 1010203/00012");
    }
  }
  r.Flag(j, "non_classified", "/non_classified", out.non_classified);

  if (const auto it = j.find("items"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      r.Add("/items", "wrong_type", "/items 必须是数组");
    } else if (it->size() > kMaxItems) {
      r.Add("/items", "too_many", fmt::format("信息项最多 {} 个", kMaxItems));
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& ji = (*it)[i];
        const std::string p = fmt::format("/items/{}", i);
        if (!ji.is_object()) {
          r.Add(p, "wrong_type", fmt::format("{} 必须是对象", p));
          continue;
        }
        r.Unknown(ji, p, {"name", "element", "data_type", "length", "key", "personal", "level"});
        Item item;
        r.Text(ji, "name", p + "/name", item.name, kMaxName);
        r.Text(ji, "element", p + "/element", item.element, 40);
        r.Choice(ji, "data_type", p + "/data_type", DataTypes(), item.data_type);
        if (const auto len = ji.find("length"); len != ji.end() && !len->is_null()) {
          if (!len->is_number_integer() || len->get<std::int64_t>() < 0 || len->get<std::int64_t>() > 1000000) {
            r.Add(p + "/length", "invalid_value", fmt::format("{}/length 必须是 0 到 1000000 的整数", p));
          } else {
            item.length = len->get<std::int64_t>();
          }
        }
        r.Flag(ji, "key", p + "/key", item.key);
        r.Flag(ji, "personal", p + "/personal", item.personal);
        std::optional<Level> level;
        r.LevelField(ji, "level", p + "/level", level);
        item.level = level.value_or(Level::kGeneral1);
        out.items.push_back(std::move(item));
      }
    }
  }
  return v;
}

json ContentToJson(const EntryContent& c) {
  json items = json::array();
  for (const auto& i : c.items) items.push_back(ItemJson(i));
  return json{{"name", c.name},
              {"classification", c.classification},
              {"abstract", c.abstract},
              {"keywords", c.keywords},
              {"format", c.format},
              {"subject", c.subject},
              {"share_type", c.share_type},
              {"share_condition", c.share_condition},
              {"legal_basis", c.legal_basis},
              {"share_methods", c.share_methods},
              {"open_attribute", c.open_attribute},
              {"open_condition", c.open_condition},
              {"update_frequency", c.update_frequency},
              {"security_level", c.security_level ? json(LevelName(*c.security_level)) : json(nullptr)},
              {"scope_of_use", c.scope_of_use},
              {"databases", c.databases},
              {"related_codes", c.related_codes},
              {"non_classified", c.non_classified},
              {"items", items}};
}

std::vector<Violation> CheckCompilationRules(const EntryContent& c, const RuleContext& ctx) {
  std::vector<Violation> v;
  auto add = [&](std::string field, std::string rule, std::string article, std::string message) {
    v.push_back({std::move(field), std::move(rule), std::move(article), std::move(message)});
  };
  auto required = [&](const std::string& value, const char* field, const char* label) {
    if (Blank(value)) add(field, "required", "7", fmt::format("请填写{}", label));
  };
  required(c.name, "/name", "信息资源名称");
  required(c.classification, "/classification", "信息资源分类");
  required(c.abstract, "/abstract", "信息资源摘要");
  required(c.format, "/format", "信息资源格式");
  required(c.subject, "/subject", "数据主体（采集对象）");
  required(c.share_type, "/share_type", "共享类型");
  required(c.open_attribute, "/open_attribute", "开放属性");
  required(c.update_frequency, "/update_frequency", "更新周期");
  if (!c.security_level) add("/security_level", "required", "7", "请填写安全级别");
  if (c.scope_of_use.empty()) add("/scope_of_use", "required", "7", "请填写使用范围");
  if (!c.non_classified) {
    add("/non_classified", "non_classified_required", "2", "须声明该资源不涉及国家秘密（涉密数据不得进入共享平台）");
  }

  // Art. 11: three share types; the conditions and the legal basis are part of the declaration.
  if (c.share_type == "conditional" && Blank(c.share_condition)) {
    add("/share_condition", "condition_required", "11", "有条件共享的资源须写明共享条件");
  }
  if (c.share_type != "not_shared" && c.share_methods.empty() && !c.share_type.empty()) {
    add("/share_methods", "required", "7", "请选择至少一种共享方式");
  }
  if (c.share_type == "not_shared") {
    if (Blank(c.legal_basis)) add("/legal_basis", "legal_basis_required", "11", "不予共享的资源须写明法律、法规依据");
    if (!ctx.on_negative_list) {
      add("/share_type", "negative_list_required", "11", "不予共享须经申请、审核并由本级人民政府批准列入负面清单");
    }
    if (!c.open_attribute.empty() && c.open_attribute != "not_open") {
      add("/open_attribute", "not_shared_not_open", "11", "不予共享的资源不得向社会开放");
    }
  }
  if (c.open_attribute == "conditional_open" && Blank(c.open_condition)) {
    add("/open_condition", "open_condition_required", "7", "有条件开放的资源须写明开放条件");
  }
  // GB/T 43697-2024: core data is never shared unconditionally; the entry's level is at least its items' (就高从严).
  if (c.security_level) {
    if (*c.security_level == Level::kCore && c.share_type == "unconditional") {
      add("/share_type", "core_not_unconditional", "11", "核心数据不得列为无条件共享");
    }
    if (!c.items.empty() && *c.security_level < c.HighestItemLevel()) {
      add("/security_level", "level_below_items", "7",
          fmt::format("资源安全级别不得低于信息项的最高级别（就高从严）：应至少为{}",
                      LevelLabel(c.HighestItemLevel())));
    }
  }

  // Art. 13: base-class entries belong to a base database; databases must exist.
  bool in_base = false;
  for (std::size_t i = 0; i < c.databases.size(); ++i) {
    const auto* db = ctx.database ? ctx.database(c.databases[i]) : nullptr;
    if (db == nullptr) {
      add(fmt::format("/databases/{}", i), "unknown_database", "13",
          fmt::format("基础库或主题库 {} 不存在", c.databases[i]));
    } else if (db->kind == "base") {
      in_base = true;
    }
  }
  if (!c.classification.empty() && c.classification[0] == '1' && !in_base) {
    add("/databases", "base_database_required", "13", "基础类资源须归属一个基础库");
  }

  // Information items.
  const bool structured =
      c.format == "database" || c.format == "spreadsheet" || c.format == "service" || c.format == "self_describing";
  if (structured && c.items.empty()) add("/items", "items_required", "7", "结构化资源须列出信息项");
  if (structured && !c.items.empty() &&
      std::none_of(c.items.begin(), c.items.end(), [](const Item& i) { return i.key; })) {
    add("/items", "key_item_required", "7", "须至少标记一个关键信息项（用于查询和核验）");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < c.items.size(); ++i) {
    const auto& item = c.items[i];
    const std::string p = fmt::format("/items/{}", i);
    if (Blank(item.name)) add(p + "/name", "required", "7", "请填写信息项名称");
    if (!item.name.empty() && !names.insert(item.name).second) {
      add(p + "/name", "duplicate_item", "7", fmt::format("信息项名称 {} 重复", item.name));
    }
    if (Blank(item.data_type)) add(p + "/data_type", "required", "5", "请填写信息项数据类型");
    if ((item.data_type == "C" || item.data_type == "N") && item.length <= 0) {
      add(p + "/length", "length_required", "5", "字符型和数值型信息项须填写长度");
    }
    if (item.element.empty()) continue;
    const auto* e = ctx.element ? ctx.element(item.element) : nullptr;
    if (e == nullptr) {
      add(p + "/element", "unknown_element", "5", fmt::format("数据元 {} 不存在", item.element));
      continue;
    }
    if (!item.data_type.empty() && item.data_type != e->data_type) {
      add(p + "/data_type", "element_type_mismatch", "5",
          fmt::format("数据元 {}（{}）的数据类型为 {}", e->id, e->name, e->data_type));
    }
    if (auto rep = ParseRepresentation(e->representation); rep && item.length > 0) {
      if ((rep->fixed && static_cast<std::size_t>(item.length) != rep->length) ||
          (!rep->fixed && static_cast<std::size_t>(item.length) > rep->length)) {
        add(p + "/length", "element_length_mismatch", "5",
            fmt::format("数据元 {}（{}）的表示格式为 {}", e->id, e->name, e->representation));
      }
    }
    if (e->personal && !item.personal) {
      add(p + "/personal", "personal_flag_required", "26", fmt::format("{} 属于个人信息，须标记为个人信息项", e->name));
    }
    if (item.level < e->default_level) {
      add(p + "/level", "item_level_below_element", "7",
          fmt::format("{} 的安全级别不得低于数据元默认级别{}", item.name, LevelLabel(e->default_level)));
    }
  }
  return v;
}

std::vector<FieldChange> Diff(const EntryContent& before, const EntryContent& after) {
  std::vector<FieldChange> out;
  json a = ContentToJson(before);
  json b = ContentToJson(after);
  for (const auto& [key, value] : b.items()) {
    if (key == "items") continue;
    if (a[key] != value) out.push_back({"/" + key, a[key], value});
  }
  std::map<std::string, const Item*> old_items;
  for (const auto& i : before.items) old_items.emplace(i.name, &i);
  std::set<std::string> seen;
  for (const auto& i : after.items) {
    seen.insert(i.name);
    const auto it = old_items.find(i.name);
    if (it == old_items.end()) {
      out.push_back({"/items/" + i.name, nullptr, ItemJson(i)});
      continue;
    }
    const json old_item = ItemJson(*it->second);
    const json new_item = ItemJson(i);
    for (const auto& [key, value] : new_item.items()) {
      if (old_item[key] != value) out.push_back({"/items/" + i.name + "/" + key, old_item[key], value});
    }
  }
  for (const auto& i : before.items) {
    if (!seen.count(i.name)) out.push_back({"/items/" + i.name, ItemJson(i), nullptr});
  }
  return out;
}

std::string ViolationsJson(const std::vector<Violation>& violations) {
  json out = json::array();
  for (const auto& v : violations) {
    out.push_back({{"field", v.field}, {"rule", v.rule}, {"article", v.article}, {"message", v.message}});
  }
  return out.dump();
}

std::optional<Representation> ParseRepresentation(std::string_view text) {
  // ^(an|a|n|c)(\.\.)?([0-9]{1,6})$ by hand: the exchange checks every loaded value against it.
  Representation r;
  std::size_t i = 0;
  if (text.substr(0, 2) == "an") {
    r.charset = "an";
    i = 2;
  } else if (!text.empty() && (text[0] == 'a' || text[0] == 'n' || text[0] == 'c')) {
    r.charset = std::string(1, text[0]);
    i = 1;
  } else {
    return std::nullopt;
  }
  r.fixed = text.substr(i, 2) != "..";
  if (!r.fixed) i += 2;
  const std::string_view digits = text.substr(i);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  for (char c : digits) r.length = r.length * 10 + static_cast<std::size_t>(c - '0');
  return r;
}

bool IsResourceCode(std::string_view code) {
  const auto slash = code.find('/');
  if (slash == std::string_view::npos || code.size() - slash - 1 != 5) return false;
  if (!IsClassificationCode(code.substr(0, slash))) return false;
  return std::all_of(code.begin() + static_cast<std::ptrdiff_t>(slash) + 1, code.end(),
                     [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool IsClassificationCode(std::string_view code) {
  if (code.empty() || code.size() > 7 || code.size() % 2 == 0) return false;
  if (code[0] < '1' || code[0] > '3') return false;
  return std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace govshare::catalog
