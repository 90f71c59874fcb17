#include "workflow/case_model.hpp"

#include <algorithm>

namespace govshare::workflow {

std::string_view PartyName(Party p) {
  switch (p) {
    case Party::kRequester:
      return "requester";
    case Party::kProvider:
      return "provider";
    case Party::kAuthority:
      return "authority";
  }
  return "authority";
}

const WaitRule* CaseType::WaitIn(std::string_view state) const {
  for (const auto& w : waits) {
    if (w.state == state) return &w;
  }
  return nullptr;
}

bool CaseType::IsFinal(std::string_view state) const {
  return std::find(final_states.begin(), final_states.end(), state) != final_states.end();
}

}  // namespace govshare::workflow
