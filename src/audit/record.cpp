#include "audit/record.hpp"

#include <charconv>

namespace govshare::audit {

namespace {

constexpr std::string_view kMagic = "GSAR1";
constexpr int kFields = 18;

constexpr std::size_t kLengthBytes = 4;
constexpr std::size_t kMaxIntChars = 20;  // "-9223372036854775808"

void Put(std::string& out, std::string_view v) {
  const auto n = static_cast<std::uint32_t>(v.size());
  const char length[kLengthBytes] = {static_cast<char>((n >> 24) & 0xFF), static_cast<char>((n >> 16) & 0xFF),
                                     static_cast<char>((n >> 8) & 0xFF), static_cast<char>(n & 0xFF)};
  out.append(length, kLengthBytes);
  out.append(v);
}

void Put(std::string& out, std::int64_t v) {
  char text[kMaxIntChars];
  const auto end = std::to_chars(text, text + kMaxIntChars, v).ptr;
  Put(out, std::string_view(text, static_cast<std::size_t>(end - text)));
}

bool Take(std::string_view& in, std::string& v) {
  if (in.size() < 4) return false;
  const auto b = [&in](int i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(in[static_cast<std::size_t>(i)]));
  };
  const std::uint32_t n = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  in.remove_prefix(4);
  if (in.size() < n) return false;
  v.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

bool Take(std::string_view& in, std::int64_t& v) {
  std::string text;
  if (!Take(in, text)) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string Encode(const AuditRecord& r) {
  // Sized once: every audit append encodes its record on the hot path.
  std::string out;
  out.reserve(kMagic.size() + kFields * kLengthBytes + 3 * kMaxIntChars + r.actor_kind.size() + r.actor_name.size() +
              r.role.size() + r.action.size() + r.target.size() + r.decision.size() + r.reason.size() +
              r.grant_id.size() + r.scenario.size() + r.business_ref.size() + r.fields.size() + r.content_hash.size() +
              r.client_address.size() + r.request_id.size());
  out.append(kMagic);
  Put(out, r.time_us);
  Put(out, r.actor_kind);
  Put(out, r.actor_id);
  Put(out, r.actor_name);
  Put(out, r.department_id);
  Put(out, r.role);
  Put(out, r.action);
  Put(out, r.target);
  Put(out, r.decision);
  Put(out, r.reason);
  Put(out, r.grant_id);
  Put(out, r.scenario);
  Put(out, r.business_ref);
  Put(out, r.fields);
  Put(out, r.row_count);
  Put(out, r.content_hash);
  Put(out, r.client_address);
  Put(out, r.request_id);
  static_assert(kFields == 18);
  return out;
}

common::Result<AuditRecord> Decode(std::string_view in) {
  const auto bad = common::Status::Invalid("invalid_record", "not a canonical audit record");
  if (in.substr(0, kMagic.size()) != kMagic) return bad;
  in.remove_prefix(kMagic.size());
  AuditRecord r;
  const bool ok = Take(in, r.time_us) && Take(in, r.actor_kind) && Take(in, r.actor_id) && Take(in, r.actor_name) &&
                  Take(in, r.department_id) && Take(in, r.role) && Take(in, r.action) && Take(in, r.target) &&
                  Take(in, r.decision) && Take(in, r.reason) && Take(in, r.grant_id) && Take(in, r.scenario) &&
                  Take(in, r.business_ref) && Take(in, r.fields) && Take(in, r.row_count) && Take(in, r.content_hash) &&
                  Take(in, r.client_address) && Take(in, r.request_id);
  if (!ok || !in.empty()) return bad;
  return r;
}

}  // namespace govshare::audit
