#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "common/status.hpp"

namespace govshare::common {

/// Limits applied to every JSON request body, whatever the route.
struct JsonLimits {
  static constexpr std::size_t kMaxDepth = 32;
  static constexpr std::size_t kDefaultMaxString = 4096;
};

/// Parses a request body strictly (RFC 8259, UTF-8 validated by simdjson) and reads typed fields from its top-level
/// object. Each accessor reports the first problem as a Status naming the field; callers stop at the first error.
/// Not thread-safe: one per request.
class JsonObject {
 public:
  /// Parses `body`; fails with invalid_json (or invalid_utf8) if it is not one JSON object.
  static Result<JsonObject> Parse(std::string_view body);

  /// Required string: missing or non-string or too long or empty (when !allow_empty) is an error.
  Status RequiredString(std::string_view name, std::string& out, std::size_t max_chars = JsonLimits::kDefaultMaxString,
                        bool allow_empty = false) const;
  /// Optional string: absent or null leaves `out` unset.
  Status OptionalString(std::string_view name, std::optional<std::string>& out,
                        std::size_t max_chars = JsonLimits::kDefaultMaxString) const;
  Status RequiredInt(std::string_view name, std::int64_t& out) const;
  Status OptionalInt(std::string_view name, std::optional<std::int64_t>& out) const;
  Status OptionalBool(std::string_view name, std::optional<bool>& out) const;
  /// Required array of strings, each at most max_chars.
  Status StringArray(std::string_view name, std::vector<std::string>& out, bool required, std::size_t max_items = 64,
                     std::size_t max_chars = 128) const;
  /// Rejects fields outside `allowed` so that typos do not silently do nothing.
  Status OnlyFields(std::initializer_list<std::string_view> allowed) const;
  bool Has(std::string_view name) const;

 private:
  JsonObject() = default;
  std::shared_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::object object_;
};

/// Counts the Unicode code points of valid UTF-8 text (names are limited in characters, not bytes).
std::size_t Utf8Length(std::string_view s);
/// True when `s` is valid UTF-8 without control characters other than tab/newline.
bool IsCleanText(std::string_view s);

/// A thin facade over RapidJSON's writer so that response code reads as the JSON it produces.
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  JsonWriter& StartObject() {
    writer_.StartObject();
    return *this;
  }
  JsonWriter& EndObject() {
    writer_.EndObject();
    return *this;
  }
  JsonWriter& StartArray() {
    writer_.StartArray();
    return *this;
  }
  JsonWriter& EndArray() {
    writer_.EndArray();
    return *this;
  }
  JsonWriter& Key(std::string_view k) {
    writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  JsonWriter& String(std::string_view v) {
    writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  JsonWriter& Int(std::int64_t v) {
    writer_.Int64(v);
    return *this;
  }
  JsonWriter& Double(double v) {
    writer_.Double(v);
    return *this;
  }
  JsonWriter& Bool(bool v) {
    writer_.Bool(v);
    return *this;
  }
  JsonWriter& Null() {
    writer_.Null();
    return *this;
  }
  JsonWriter& OptString(const std::optional<std::string>& v) { return v ? String(*v) : Null(); }
  JsonWriter& OptInt(const std::optional<std::int64_t>& v) { return v ? Int(*v) : Null(); }
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const std::string& v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, std::int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonWriter& Field(std::string_view k, const std::optional<std::string>& v) { return Key(k).OptString(v); }
  JsonWriter& Field(std::string_view k, const std::optional<std::int64_t>& v) { return Key(k).OptInt(v); }
  JsonWriter& Field(std::string_view k, const std::vector<std::string>& v) {
    Key(k).StartArray();
    for (const auto& s : v) String(s);
    return EndArray();
  }
  /// Inserts already-serialised JSON as a value.
  JsonWriter& Raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace govshare::common
