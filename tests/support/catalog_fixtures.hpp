// Catalog content for tests: a valid person-data entry (the national metadata set) that passes the compilation rules.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace govshare::testing {

using nlohmann::json;

inline json Item(const std::string& name, const std::string& element, const std::string& type, int length, bool key,
                 bool personal, const std::string& level) {
  return {{"name", name}, {"element", element},   {"data_type", type}, {"length", length},
          {"key", key},   {"personal", personal}, {"level", level}};
}

inline json PersonItems() {
  return {Item("公民身份号码", "DE0001", "C", 18, true, true, "general4"),
          Item("姓名", "DE0002", "C", 50, false, true, "general3"),
          Item("性别", "DE0003", "C", 1, false, true, "general3"),
          Item("出生日期", "DE0004", "D", 0, false, true, "general3"),
          Item("民族", "DE0005", "C", 2, false, true, "general3"),
          Item("户籍地址", "DE0016", "C", 200, false, true, "general4"),
          Item("行政区划代码", "DE0006", "C", 6, false, false, "general1")};
}

/// A resident ID number from its first 17 digits: the GB 11643 check character (ISO 7064 MOD 11-2) appended.
inline std::string WithCheckDigit(const std::string& first17) {
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

inline json Content(const std::string& name) {
  return {{"name", name},
          {"classification", "30111"},
          {"abstract", name + "的摘要"},
          {"keywords", {"测试"}},
          {"format", "database"},
          {"subject", "person"},
          {"share_type", "conditional"},
          {"share_condition", "用于法定职责范围内的业务办理"},
          {"share_methods", {"api"}},
          {"open_attribute", "not_open"},
          {"update_frequency", "daily"},
          {"security_level", "general4"},
          {"scope_of_use", {"政务服务"}},
          {"non_classified", true},
          {"items", PersonItems()}};
}

/// The body of a sharing request of `application` for the ID number and name of `entry`, for pension eligibility
/// checks: `manner` (lookup, verify, ...), `volume_per_day`, `validity_days` as given.
inline json ShareRequestBody(std::int64_t entry, std::int64_t application, const std::string& manner = "lookup",
                             int volume_per_day = 20000, int validity_days = 365) {
  return {{"entry_id", entry},
          {"application_id", application},
          {"items", {"公民身份号码", "姓名"}},
          {"scenario",
           {{"purpose", "养老保险待遇资格认证"},
            {"legal_basis", "《社会保险法》第七十三条"},
            {"scope", "全省养老保险待遇领取人员"},
            {"manner", manner},
            {"volume_per_day", volume_per_day},
            {"validity_days", validity_days}}},
          {"accept_commitments", true}};
}

}  // namespace govshare::testing
