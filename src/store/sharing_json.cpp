#include "store/sharing_json.hpp"

#include <nlohmann/json.hpp>

namespace govshare::store {

using nlohmann::json;

std::string ListToJson(const std::vector<std::string>& list) { return json(list).dump(); }

std::vector<std::string> ListFromJson(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

std::string MapToJson(const std::map<std::string, std::string>& map) { return json(map).dump(); }

std::map<std::string, std::string> MapFromJson(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

std::string ScenarioToJson(const sharing::Scenario& s) {
  return json{{"purpose", s.purpose},
              {"legal_basis", s.legal_basis},
              {"scope", s.scope},
              {"manner", s.manner},
              {"volume_per_day", s.volume_per_day},
              {"validity_days", s.validity_days},
              {"service_matter", s.service_matter}}
      .dump();
}

sharing::Scenario ScenarioFromJson(const std::string& text) {
  sharing::Scenario s;
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  s.purpose = j.value("purpose", "");
  s.legal_basis = j.value("legal_basis", "");
  s.scope = j.value("scope", "");
  s.manner = j.value("manner", "");
  s.volume_per_day = j.value("volume_per_day", std::int64_t{0});
  s.validity_days = j.value("validity_days", 0);
  s.service_matter = j.value("service_matter", "");
  return s;
}

std::optional<std::string> TermsToJson(const std::optional<sharing::Terms>& t) {
  if (!t) return std::nullopt;
  return json{{"items", t->items},
              {"validity_days", t->validity_days},
              {"volume_per_day", t->volume_per_day},
              {"masks", t->masks}}
      .dump();
}

std::optional<sharing::Terms> TermsFromJson(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  sharing::Terms t;
  t.items = ListFromJson(j.value("items", json::array()).dump());
  t.validity_days = j.value("validity_days", 0);
  t.volume_per_day = j.value("volume_per_day", std::int64_t{0});
  t.masks = MapFromJson(j.value("masks", json::object()).dump());
  return t;
}

}  // namespace govshare::store
