#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace govshare::audit {

/// One audit record (Art. 14, 25, 27, 30: every use of shared data and every state change is traceable). Its
/// canonical byte encoding (Encode) is what the Merkle tree hashes; docs/AUDIT.md specifies it so that anyone can
/// re-hash a record.
struct AuditRecord {
  std::int64_t time_us = 0;  // Unix time in microseconds
  std::string actor_kind;    // user | application | system
  std::int64_t actor_id = 0;
  std::string actor_name;
  std::int64_t department_id = 0;
  std::string role;
  std::string action;    // e.g. "POST /api/v1/departments", "login"
  std::string target;    // the resource, e.g. "/api/v1/departments/42"
  std::string decision;  // allow | deny
  std::string reason;    // the error code of a denial, or empty
  std::string grant_id;  // data access only (issue 7)
  std::string scenario;
  std::string business_ref;
  std::string fields;  // comma-separated returned fields (data access)
  std::int64_t row_count = 0;
  std::string content_hash;  // SHA-256 of the returned content (data access)
  std::string client_address;
  std::string request_id;
};

/// The canonical encoding: the ASCII magic "GSAR1", then each field in the order of the struct as a 4-byte big-endian
/// length followed by its bytes; integers are written as decimal text.
std::string Encode(const AuditRecord& r);
common::Result<AuditRecord> Decode(std::string_view bytes);

}  // namespace govshare::audit
