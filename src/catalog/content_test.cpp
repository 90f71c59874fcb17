#include "catalog/content.hpp"

#include <gtest/gtest.h>

#include <map>

#include "catalog/element_rules.hpp"

namespace govshare::catalog {
namespace {

using nlohmann::json;

const std::map<std::string, DataElement>& Elements() {
  static const std::map<std::string, DataElement> elements = [] {
    std::map<std::string, DataElement> m;
    auto el = [](const char* id, const char* name, const char* type, const char* rep, const char* rule, bool personal,
                 Level level) {
      DataElement e;
      e.id = id;
      e.name = name;
      e.data_type = type;
      e.representation = rep;
      e.validation = rule;
      e.personal = personal;
      e.default_level = level;
      return e;
    };
    DataElement id = el("DE0001", "公民身份号码", "C", "an18", "resident_id", true, Level::kGeneral4);
    DataElement name = el("DE0002", "姓名", "C", "c..50", "", true, Level::kGeneral3);
    DataElement code = el("DE0010", "统一社会信用代码", "C", "an18", "credit_code", false, Level::kGeneral1);
    DataElement div = el("DE0006", "行政区划代码", "C", "n6", "division_code", false, Level::kGeneral1);
    DataElement mobile = el("DE0008", "移动电话号码", "C", "n11", "mobile", true, Level::kGeneral4);
    DataElement date = el("DE0004", "出生日期", "D", "", "date", true, Level::kGeneral3);
    for (auto* e : {&id, &name, &code, &div, &mobile, &date}) m.emplace(e->id, *e);
    return m;
  }();
  return elements;
}

const ThemeDatabase kPopulation{"population", "人口基础库", "base", 11, ""};  // NOLINT(cert-err58-cpp)
const ThemeDatabase kHealth{"health", "健康保障主题库", "thematic", 16, ""};  // NOLINT(cert-err58-cpp)

RuleContext Context(bool on_negative_list = false) {
  RuleContext ctx;
  ctx.element = [](const std::string& id) -> const DataElement* {
    const auto it = Elements().find(id);
    return it == Elements().end() ? nullptr : &it->second;
  };
  ctx.database = [](const std::string& code) -> const ThemeDatabase* {
    if (code == "population") return &kPopulation;
    if (code == "health") return &kHealth;
    return nullptr;
  };
  ctx.on_negative_list = on_negative_list;
  return ctx;
}

json ValidJson() {
  return {{"name", "常住人口基本信息"},
          {"classification", "10101"},
          {"abstract", "全省常住人口的身份和户籍信息"},
          {"keywords", {"人口"}},
          {"format", "database"},
          {"subject", "person"},
          {"share_type", "conditional"},
          {"share_condition", "用于法定职责范围内的业务办理"},
          {"share_methods", {"api"}},
          {"open_attribute", "not_open"},
          {"update_frequency", "daily"},
          {"security_level", "general4"},
          {"scope_of_use", {"政务服务"}},
          {"databases", {"population"}},
          {"non_classified", true},
          {"items",
           {{{"name", "公民身份号码"},
             {"element", "DE0001"},
             {"data_type", "C"},
             {"length", 18},
             {"key", true},
             {"personal", true},
             {"level", "general4"}},
            {{"name", "姓名"},
             {"element", "DE0002"},
             {"data_type", "C"},
             {"length", 50},
             {"personal", true},
             {"level", "general3"}}}}};
}

EntryContent Parse(const json& j) {
  EntryContent c;
  const auto problems = ParseContent(j, c);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : problems.front().field + " " + problems.front().message);
  return c;
}

/// The rules broken by `j`, as "rule@field".
std::vector<std::string> Broken(const json& j, bool on_negative_list = false) {
  std::vector<std::string> out;
  for (const auto& v : CheckCompilationRules(Parse(j), Context(on_negative_list)))
    out.push_back(v.rule + "@" + v.field);
  return out;
}

bool Has(const std::vector<std::string>& broken, const std::string& what) {
  return std::find(broken.begin(), broken.end(), what) != broken.end();
}

TEST(CompilationRules, AValidEntryBreaksNone) { EXPECT_TRUE(Broken(ValidJson()).empty()); }

TEST(CompilationRules, Art7RequiredFieldsAreNamedEachWithItsField) {
  json j = ValidJson();
  for (const char* field : {"name", "abstract", "format", "share_type", "update_frequency", "security_level"}) {
    j.erase(field);
  }
  j["scope_of_use"] = json::array();
  const auto broken = Broken(j);
  for (const char* field :
       {"/name", "/abstract", "/format", "/share_type", "/update_frequency", "/security_level", "/scope_of_use"}) {
    EXPECT_TRUE(Has(broken, std::string("required@") + field)) << field;
  }
}

TEST(CompilationRules, Art11ConditionalSharingNeedsItsConditions) {
  json j = ValidJson();
  j["share_condition"] = "  ";
  EXPECT_TRUE(Has(Broken(j), "condition_required@/share_condition"));
}

TEST(CompilationRules, Art11NotSharedNeedsALegalBasisAndAnApprovedNegativeListEntry) {
  json j = ValidJson();
  j["share_type"] = "not_shared";
  j["share_methods"] = json::array();
  auto broken = Broken(j);
  EXPECT_TRUE(Has(broken, "legal_basis_required@/legal_basis"));
  EXPECT_TRUE(Has(broken, "negative_list_required@/share_type"));
  j["legal_basis"] = "《中华人民共和国反恐怖主义法》第四十八条";
  broken = Broken(j, /*on_negative_list=*/true);
  EXPECT_TRUE(broken.empty()) << broken.front();
  j["open_attribute"] = "open";
  EXPECT_TRUE(Has(Broken(j, true), "not_shared_not_open@/open_attribute"));
}

TEST(CompilationRules, CoreDataIsNeverUnconditional) {
  json j = ValidJson();
  j["security_level"] = "core";
  j["share_type"] = "unconditional";
  EXPECT_TRUE(Has(Broken(j), "core_not_unconditional@/share_type"));
  j["share_type"] = "conditional";
  EXPECT_FALSE(Has(Broken(j), "core_not_unconditional@/share_type"));
}

TEST(CompilationRules, Art7TheEntryLevelIsAtLeastItsHighestItemLevel) {
  json j = ValidJson();
  j["security_level"] = "general3";  // the ID number item is 一般4 (就高从严)
  const auto violations = CheckCompilationRules(Parse(j), Context());
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations.front().rule, "level_below_items");
  EXPECT_EQ(violations.front().article, "7");
  EXPECT_NE(violations.front().message.find("一般4"), std::string::npos);
}

TEST(CompilationRules, Art2ClassifiedDataCannotEnterAndTheDeclarationIsRequired) {
  json j = ValidJson();
  j["security_level"] = "classified";
  EntryContent c;
  auto problems = ParseContent(j, c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.front().rule, "classified_not_allowed");
  EXPECT_EQ(problems.front().article, "2");
  j = ValidJson();
  j["items"][1]["level"] = "classified";
  problems = ParseContent(j, c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.front().field, "/items/1/level");
  j = ValidJson();
  j["non_classified"] = false;
  EXPECT_TRUE(Has(Broken(j), "non_classified_required@/non_classified"));
}

TEST(CompilationRules, Art13BaseClassEntriesBelongToABaseDatabase) {
  json j = ValidJson();
  j["databases"] = {"health"};
  EXPECT_TRUE(Has(Broken(j), "base_database_required@/databases"));
  j["databases"] = {"nonexistent"};
  EXPECT_TRUE(Has(Broken(j), "unknown_database@/databases/0"));
}

TEST(CompilationRules, Art5ItemsFollowTheirDataElements) {
  json j = ValidJson();
  j["items"][0]["data_type"] = "N";
  j["items"][0]["length"] = 20;
  j["items"][0]["personal"] = false;
  j["items"][0]["level"] = "general2";
  j["items"][1]["element"] = "DE9999";
  j["security_level"] = "general4";
  const auto broken = Broken(j);
  EXPECT_TRUE(Has(broken, "element_type_mismatch@/items/0/data_type"));
  EXPECT_TRUE(Has(broken, "element_length_mismatch@/items/0/length"));
  EXPECT_TRUE(Has(broken, "personal_flag_required@/items/0/personal"));
  EXPECT_TRUE(Has(broken, "item_level_below_element@/items/0/level"));
  EXPECT_TRUE(Has(broken, "unknown_element@/items/1/element"));
}

TEST(CompilationRules, StructuredResourcesNeedItemsAKeyAndUniqueNames) {
  json j = ValidJson();
  j["items"][0]["key"] = false;
  j["items"][1]["name"] = "公民身份号码";
  auto broken = Broken(j);
  EXPECT_TRUE(Has(broken, "key_item_required@/items"));
  EXPECT_TRUE(Has(broken, "duplicate_item@/items/1/name"));
  j["items"] = json::array();
  EXPECT_TRUE(Has(Broken(j), "items_required@/items"));
  j["format"] = "file";  // a document needs no items
  EXPECT_FALSE(Has(Broken(j), "items_required@/items"));
}

TEST(ParseContent, StructuralProblemsAreListedWithPointers) {
  json j = ValidJson();
  j["share_type"] = "sometimes";
  j["name"] = std::string(60, 'x');
  j["surprise"] = 1;
  j["items"][0]["length"] = "long";
  j["classification"] = "42";
  EntryContent c;
  const auto problems = ParseContent(j, c);
  std::vector<std::string> got;
  for (const auto& p : problems) got.push_back(p.rule + "@" + p.field);
  for (const char* want : {"invalid_value@/share_type", "too_long@/name", "unknown_field@/surprise",
                           "invalid_value@/items/0/length", "invalid_classification@/classification"}) {
    EXPECT_TRUE(Has(got, want)) << want;
  }
}

TEST(ParseContent, RoundTripsThroughJson) {
  const EntryContent c = Parse(ValidJson());
  EntryContent again;
  EXPECT_TRUE(ParseContent(ContentToJson(c), again).empty());
  EXPECT_EQ(ContentToJson(again), ContentToJson(c));
}

TEST(Diff, ReportsFieldsAndItemsByName) {
  const EntryContent a = Parse(ValidJson());
  json jb = ValidJson();
  jb["share_type"] = "unconditional";
  jb["items"][1]["level"] = "general4";
  jb["items"].push_back(
      {{"name", "出生日期"}, {"element", "DE0004"}, {"data_type", "D"}, {"personal", true}, {"level", "general3"}});
  jb["items"].erase(0);
  const auto changes = Diff(a, Parse(jb));
  std::map<std::string, std::pair<json, json>> by_field;
  for (const auto& c : changes) by_field[c.field] = {c.before, c.after};
  ASSERT_EQ(by_field.size(), 4u);
  EXPECT_EQ(by_field["/share_type"].second, "unconditional");
  EXPECT_EQ(by_field["/items/姓名/level"].first, "general3");
  EXPECT_TRUE(by_field["/items/出生日期"].first.is_null());
  EXPECT_TRUE(by_field["/items/公民身份号码"].second.is_null());
}

TEST(Codes, ResourceAndClassificationCodes) {
  EXPECT_TRUE(IsResourceCode("1010203/00012"));
  EXPECT_TRUE(IsResourceCode("3/00001"));
  EXPECT_FALSE(IsResourceCode("1010203/0012"));
  EXPECT_FALSE(IsResourceCode("4010203/00012"));
  EXPECT_FALSE(IsResourceCode("10102/0001x"));
  EXPECT_TRUE(IsClassificationCode("10101"));
  EXPECT_FALSE(IsClassificationCode("1010"));
  EXPECT_FALSE(IsClassificationCode("101010101"));
}

TEST(ElementRules, ValuesAreCheckedAgainstRepresentationAndRule) {
  const auto& e = Elements();
  constexpr int kToday = 20261127;
  EXPECT_EQ(CheckValue(e.at("DE0001"), "11010519491231002X", kToday), std::nullopt);
  EXPECT_EQ(CheckValue(e.at("DE0001"), "110105194912310021", kToday), "resident_id_checksum");
  EXPECT_EQ(CheckValue(e.at("DE0001"), "1101051949123100", kToday), "length");
  EXPECT_EQ(CheckValue(e.at("DE0010"), "91110000600037341L", kToday), std::nullopt);
  EXPECT_EQ(CheckValue(e.at("DE0010"), "91110000600037341M", kToday), "credit_code_checksum");
  EXPECT_EQ(CheckValue(e.at("DE0006"), "130100", kToday), std::nullopt);
  EXPECT_EQ(CheckValue(e.at("DE0006"), "13010A", kToday), "digits");
  EXPECT_EQ(CheckValue(e.at("DE0006"), "999999", kToday, [](std::string_view c) { return c == "130100"; }),
            "division_code_unknown");
  EXPECT_EQ(CheckValue(e.at("DE0008"), "13800138000", kToday), std::nullopt);
  EXPECT_EQ(CheckValue(e.at("DE0008"), "12800138000", kToday), "mobile");
  EXPECT_EQ(CheckValue(e.at("DE0004"), "1990-02-30", kToday), "date");
  EXPECT_EQ(CheckValue(e.at("DE0002"), "张三", kToday), std::nullopt);
  EXPECT_EQ(CheckValue(e.at("DE0002"), std::string(51 * 3, 'x'), kToday), "length");
}

}  // namespace
}  // namespace govshare::catalog
