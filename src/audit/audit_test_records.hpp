#pragma once

#include <string>

#include "audit/record.hpp"

namespace govshare::audit {

/// The i-th record of an audit test: a case transition by user 7 at a fixed time plus i µs, denied when i % 3 == 0,
/// with request id "req-<i>".
inline AuditRecord TestRecord(int i, const char* action = "POST /api/v1/cases/{id}/transitions") {
  AuditRecord r;
  r.time_us = 1795737600000000 + i;
  r.actor_kind = "user";
  r.actor_id = 7;
  r.actor_name = "requester";
  r.department_id = 11;
  r.action = action;
  r.target = "/api/v1/cases/" + std::to_string(i);
  r.decision = i % 3 == 0 ? "deny" : "allow";
  r.request_id = "req-" + std::to_string(i);
  return r;
}

}  // namespace govshare::audit
