#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sharing/model.hpp"

namespace govshare::store {

// The JSON text in which every backend stores the documents of sharing requests and grants (items, masks, row scope,
// scenario, terms). One encoder for all backends, so that a store reads back the same bytes whichever database holds
// them. The decoders are lenient: text that is not the expected JSON yields empty values, as it always has.

std::string ListToJson(const std::vector<std::string>& list);
std::vector<std::string> ListFromJson(const std::string& text);
std::string MapToJson(const std::map<std::string, std::string>& map);
std::map<std::string, std::string> MapFromJson(const std::string& text);
std::string ScenarioToJson(const sharing::Scenario& s);
sharing::Scenario ScenarioFromJson(const std::string& text);
/// nullopt (terms as requested) stays nullopt: the column is NULL.
std::optional<std::string> TermsToJson(const std::optional<sharing::Terms>& t);
std::optional<sharing::Terms> TermsFromJson(const std::optional<std::string>& text);

}  // namespace govshare::store
