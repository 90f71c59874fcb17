#pragma once

#include <string>

#include "common/json.hpp"
#include "org/model.hpp"
#include "org/permissions.hpp"

namespace govshare::http::handlers {

/// JSON shapes of the organisation model, shared by every handler that returns them.
void WriteRegion(common::JsonWriter& w, const org::Region& r);
void WriteDepartment(common::JsonWriter& w, const org::Department& d, const org::RegionTree& regions);
/// `department_name` may be empty when unknown.
void WriteUser(common::JsonWriter& w, const org::User& u, const std::string& department_name);
void WriteApplication(common::JsonWriter& w, const org::Application& a, const std::string& department_name);
void WriteApiKey(common::JsonWriter& w, const org::ApiKey& k, common::UnixSeconds now);
/// The user view of a principal (login response and GET /me).
void WritePrincipalUser(common::JsonWriter& w, const org::Principal& p);

}  // namespace govshare::http::handlers
