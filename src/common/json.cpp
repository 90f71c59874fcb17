#include "common/json.hpp"

#include <fmt/format.h>

namespace govshare::common {
namespace {

std::string Pointer(std::string_view name) { return fmt::format("/{}", name); }

Status WrongType(std::string_view name, std::string_view expected) {
  return Status::Invalid("wrong_type", fmt::format("field '{}' must be {}", name, expected), Pointer(name));
}

std::size_t Depth(simdjson::dom::element e, std::size_t depth) {
  if (depth > JsonLimits::kMaxDepth) return depth;
  std::size_t max_depth = depth;
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (e.get(object) == simdjson::SUCCESS) {
    for (auto field : object) max_depth = std::max(max_depth, Depth(field.value, depth + 1));
  } else if (e.get(array) == simdjson::SUCCESS) {
    for (auto child : array) max_depth = std::max(max_depth, Depth(child, depth + 1));
  }
  return max_depth;
}

}  // namespace

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsCleanText(std::string_view s) {
  if (!simdjson::validate_utf8(s.data(), s.size())) return false;
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return false;
  }
  return true;
}

Result<JsonObject> JsonObject::Parse(std::string_view body) {
  JsonObject out;
  out.parser_ = std::make_shared<simdjson::dom::parser>();
  simdjson::dom::element root;
  auto error = out.parser_->parse(body.data(), body.size()).get(root);
  if (error == simdjson::UTF8_ERROR) return Status::Invalid("invalid_utf8", "request body is not valid UTF-8");
  if (error) {
    return Status::Invalid("invalid_json",
                           fmt::format("request body is not valid JSON: {}", simdjson::error_message(error)));
  }
  if (Depth(root, 0) > JsonLimits::kMaxDepth) return Status::Invalid("invalid_json", "JSON nesting is too deep");
  if (root.get(out.object_) != simdjson::SUCCESS) return Status::Invalid("invalid_json", "body must be an object");
  return out;
}

bool JsonObject::Has(std::string_view name) const {
  simdjson::dom::element e;
  return !object_.at_key(name).get(e) && !e.is_null();
}

Status JsonObject::RequiredString(std::string_view name, std::string& out, std::size_t max_chars,
                                  bool allow_empty) const {
  simdjson::dom::element e;
  if (object_.at_key(name).get(e) || e.is_null()) {
    return Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Pointer(name));
  }
  std::string_view v;
  if (e.get_string().get(v)) return WrongType(name, "a string");
  if (!allow_empty && v.find_first_not_of(" \t") == std::string_view::npos) {
    return Status::Invalid("empty_field", fmt::format("field '{}' must not be empty", name), Pointer(name));
  }
  if (Utf8Length(v) > max_chars) {
    return Status::Invalid("too_long", fmt::format("field '{}' is longer than {} characters", name, max_chars),
                           Pointer(name));
  }
  if (!IsCleanText(v)) {
    return Status::Invalid("invalid_text", fmt::format("field '{}' contains control characters", name), Pointer(name));
  }
  out.assign(v);
  return Status::Ok();
}

Status JsonObject::OptionalString(std::string_view name, std::optional<std::string>& out, std::size_t max_chars) const {
  if (!Has(name)) return Status::Ok();
  std::string v;
  GOVSHARE_RETURN_IF_ERROR(RequiredString(name, v, max_chars, /*allow_empty=*/true));
  out = std::move(v);
  return Status::Ok();
}

Status JsonObject::RequiredInt(std::string_view name, std::int64_t& out) const {
  simdjson::dom::element e;
  if (object_.at_key(name).get(e) || e.is_null()) {
    return Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Pointer(name));
  }
  if (e.get_int64().get(out)) return WrongType(name, "an integer");
  return Status::Ok();
}

Status JsonObject::OptionalInt(std::string_view name, std::optional<std::int64_t>& out) const {
  if (!Has(name)) return Status::Ok();
  std::int64_t v = 0;
  GOVSHARE_RETURN_IF_ERROR(RequiredInt(name, v));
  out = v;
  return Status::Ok();
}

Status JsonObject::OptionalBool(std::string_view name, std::optional<bool>& out) const {
  if (!Has(name)) return Status::Ok();
  bool v = false;
  if (object_.at_key(name).get_bool().get(v)) return WrongType(name, "a boolean");
  out = v;
  return Status::Ok();
}

Status JsonObject::StringArray(std::string_view name, std::vector<std::string>& out, bool required,
                               std::size_t max_items, std::size_t max_chars) const {
  simdjson::dom::element e;
  if (object_.at_key(name).get(e) || e.is_null()) {
    if (!required) return Status::Ok();
    return Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Pointer(name));
  }
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) return WrongType(name, "an array of strings");
  if (arr.size() > max_items) {
    return Status::Invalid("too_many_items", fmt::format("field '{}' has more than {} items", name, max_items),
                           Pointer(name));
  }
  out.clear();
  std::size_t i = 0;
  for (auto item : arr) {
    std::string_view v;
    const std::string ptr = fmt::format("/{}/{}", name, i++);
    if (item.get_string().get(v)) return Status::Invalid("wrong_type", "array items must be strings", ptr);
    if (Utf8Length(v) > max_chars || !IsCleanText(v)) return Status::Invalid("invalid_text", "invalid array item", ptr);
    out.emplace_back(v);
  }
  return Status::Ok();
}

Status JsonObject::OnlyFields(std::initializer_list<std::string_view> allowed) const {
  for (auto field : object_) {
    if (std::find(allowed.begin(), allowed.end(), field.key) == allowed.end()) {
      return Status::Invalid("unknown_field", fmt::format("unknown field '{}'", field.key), Pointer(field.key));
    }
  }
  return Status::Ok();
}

}  // namespace govshare::common
