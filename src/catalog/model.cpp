#include "catalog/model.hpp"

#include <algorithm>
#include <array>

namespace govshare::catalog {
namespace {

struct LevelNames {
  Level level;
  std::string_view name;
  std::string_view label;
};
constexpr std::array<LevelNames, 6> kLevels = {{
    {Level::kGeneral1, "general1", "一般1"},
    {Level::kGeneral2, "general2", "一般2"},
    {Level::kGeneral3, "general3", "一般3"},
    {Level::kGeneral4, "general4", "一般4"},
    {Level::kImportant, "important", "重要"},
    {Level::kCore, "core", "核心"},
}};

constexpr std::array<std::string_view, 6> kVersionStates = {"draft",     "in_review",  "returned",
                                                            "published", "superseded", "withdrawn"};

}  // namespace

std::string_view LevelName(Level l) { return kLevels[static_cast<std::size_t>(l)].name; }
std::string_view LevelLabel(Level l) { return kLevels[static_cast<std::size_t>(l)].label; }
std::optional<Level> ParseLevel(std::string_view s) {
  for (const auto& l : kLevels) {
    if (l.name == s) return l.level;
  }
  return std::nullopt;
}

bool ValueList::Contains(std::string_view v) const {
  return std::any_of(choices.begin(), choices.end(), [&](const Choice& c) { return c.value == v; });
}

std::string_view ValueList::LabelOf(std::string_view v) const {
  for (const auto& c : choices) {
    if (c.value == v) return c.label;
  }
  return v;
}

const ValueList& ShareTypes() {
  static const ValueList list{
      "share_type", {{"unconditional", "无条件共享"}, {"conditional", "有条件共享"}, {"not_shared", "不予共享"}}};
  return list;
}
const ValueList& ShareMethods() {
  static const ValueList list{"share_methods", {{"api", "接口"}, {"table", "库表"}, {"file", "文件"}}};
  return list;
}
const ValueList& OpenAttributes() {
  static const ValueList list{"open_attribute",
                              {{"open", "无条件开放"}, {"conditional_open", "有条件开放"}, {"not_open", "不予开放"}}};
  return list;
}
const ValueList& UpdateFrequencies() {
  static const ValueList list{"update_frequency",
                              {{"realtime", "实时"},
                               {"daily", "每日"},
                               {"weekly", "每周"},
                               {"monthly", "每月"},
                               {"quarterly", "每季度"},
                               {"semiannual", "每半年"},
                               {"yearly", "每年"},
                               {"irregular", "不定期"}}};
  return list;
}
const ValueList& Formats() {
  static const ValueList list{"format",
                              {{"file", "电子文件"},
                               {"spreadsheet", "电子表格"},
                               {"database", "数据库"},
                               {"image", "图形图像"},
                               {"stream", "流媒体"},
                               {"self_describing", "自描述格式"},
                               {"service", "服务接口"},
                               {"other", "其他"}}};
  return list;
}
const ValueList& Subjects() {
  static const ValueList list{
      "subject", {{"person", "自然人"}, {"legal_person", "法人和其他组织"}, {"object", "物"}, {"other", "其他"}}};
  return list;
}
const ValueList& DataTypes() {
  static const ValueList list{"data_type",
                              {{"C", "字符"},
                               {"N", "数值"},
                               {"Y", "货币"},
                               {"D", "日期"},
                               {"T", "日期时间"},
                               {"L", "逻辑"},
                               {"M", "备注"},
                               {"G", "通用"},
                               {"B", "双精度"},
                               {"I", "整型"},
                               {"F", "浮点"}}};
  return list;
}
const ValueList& Levels() {
  static const ValueList list = [] {
    ValueList l{"security_level", {}};
    for (const auto& level : kLevels) l.choices.push_back({level.name, level.label});
    return l;
  }();
  return list;
}

Level EntryContent::HighestItemLevel() const {
  Level highest = Level::kGeneral1;
  for (const auto& item : items) highest = std::max(highest, item.level);
  return highest;
}

std::string_view VersionStateName(VersionState s) { return kVersionStates[static_cast<std::size_t>(s)]; }
std::optional<VersionState> ParseVersionState(std::string_view s) {
  for (std::size_t i = 0; i < kVersionStates.size(); ++i) {
    if (kVersionStates[i] == s) return static_cast<VersionState>(i);
  }
  return std::nullopt;
}

}  // namespace govshare::catalog
