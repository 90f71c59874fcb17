#include "http/handlers/org_json.hpp"

namespace govshare::http::handlers {

using common::FormatRfc3339;

void WriteRegion(common::JsonWriter& w, const org::Region& r) {
  w.StartObject()
      .Field("id", r.id)
      .Field("division_code", r.division_code)
      .Field("name", r.name)
      .Field("level", org::RegionLevelName(r.level))
      .Field("parent_id", r.parent_id)
      .Field("gb_parent_code", r.gb_parent_code)
      .Field("flows_back", r.flows_back)
      .EndObject();
}

void WriteDepartment(common::JsonWriter& w, const org::Department& d, const org::RegionTree& regions) {
  const auto* region = regions.Find(d.region_id);
  w.StartObject()
      .Field("id", d.id)
      .Field("name", d.name)
      .Field("credit_code", d.credit_code)
      .Field("region_id", d.region_id)
      .Field("region_name", region ? region->name : std::string())
      .Field("kind", org::DepartmentKindName(d.kind))
      .Field("responsible_unit", d.responsible_unit)
      .Field("contact_name", d.contact_name)
      .Field("contact_phone", d.contact_phone)
      .Field("status", d.active ? "active" : "disabled")
      .Field("created_at", FormatRfc3339(d.created_at))
      .Field("updated_at", FormatRfc3339(d.updated_at))
      .Field("version", d.version)
      .EndObject();
}

void WriteUser(common::JsonWriter& w, const org::User& u, const std::string& department_name) {
  w.StartObject()
      .Field("id", u.id)
      .Field("username", u.username)
      .Field("display_name", u.display_name)
      .Field("department_id", u.department_id)
      .Field("department_name", department_name)
      .Field("roles", u.roles.Names())
      .Field("status", u.active ? "active" : "disabled");
  w.Key("locked_until");
  if (u.locked_until) {
    w.String(FormatRfc3339(*u.locked_until));
  } else {
    w.Null();
  }
  w.Field("must_change_password", u.must_change_password)
      .Field("valid_until", u.valid_until)
      .Field("approved_by", u.approved_by)
      .Field("created_at", FormatRfc3339(u.created_at))
      .Field("updated_at", FormatRfc3339(u.updated_at))
      .Field("version", u.version)
      .EndObject();
}

void WriteApplication(common::JsonWriter& w, const org::Application& a, const std::string& department_name) {
  w.StartObject()
      .Field("id", a.id)
      .Field("department_id", a.department_id)
      .Field("department_name", department_name)
      .Field("name", a.name)
      .Field("description", a.description)
      .Field("status", a.active ? "active" : "disabled")
      .Field("created_at", FormatRfc3339(a.created_at))
      .Field("updated_at", FormatRfc3339(a.updated_at))
      .Field("version", a.version)
      .EndObject();
}

void WriteApiKey(common::JsonWriter& w, const org::ApiKey& k, common::UnixSeconds now) {
  const char* status = k.revoked_at ? "revoked" : (k.expires_at <= now ? "expired" : "active");
  w.StartObject()
      .Field("id", k.id)
      .Field("application_id", k.application_id)
      .Field("key_prefix", "gsk_" + k.prefix)
      .Field("label", k.label)
      .Field("created_at", FormatRfc3339(k.created_at))
      .Field("expires_at", FormatRfc3339(k.expires_at));
  w.Key("revoked_at");
  if (k.revoked_at) {
    w.String(FormatRfc3339(*k.revoked_at));
  } else {
    w.Null();
  }
  w.Field("status", status).EndObject();
}

void WritePrincipalUser(common::JsonWriter& w, const org::Principal& p) {
  w.StartObject()
      .Field("id", p.id)
      .Field("username", p.name)
      .Field("display_name", p.display_name)
      .Field("department_id", p.department_id)
      .Field("department_name", p.department_name)
      .Field("region_id", p.region_id)
      .Field("at_authority", p.at_authority)
      .Field("roles", p.roles.Names())
      .Field("must_change_password", p.must_change_password)
      .Field("valid_until", p.valid_until)
      .EndObject();
}

}  // namespace govshare::http::handlers
