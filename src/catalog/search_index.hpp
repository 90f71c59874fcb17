#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/model.hpp"

namespace govshare::catalog {

/// An entry as the index keeps it: the row and its published and working versions (immutable snapshots).
struct IndexedEntry {
  Entry entry;
  std::shared_ptr<const Version> published;
  std::shared_ptr<const Version> working;
};

struct SearchQuery {
  std::string q;  // words separated by spaces; every word must occur (Chinese needs no segmentation: substring match)
  std::optional<std::int64_t> provider_department_id;
  std::optional<std::unordered_set<std::string>> region_ids;  // the regional catalog: a region and those below it
  std::optional<std::string> share_type;
  std::optional<std::string> security_level;
  std::optional<std::string> database;
  std::optional<std::string> format;
  std::optional<std::string> update_frequency;
  std::optional<std::string> subject;
  /// published (default): the published catalog; working: drafts and versions in review the viewer may see; all: both.
  std::string scope = "published";
  std::optional<std::string> working_state;  // with scope working/all: draft, in_review or returned
  bool include_withdrawn = false;
  /// The order of the hits: relevance (the default: the best matches first, then the latest updated), or by the
  /// entry's last update (`sort=updated_at`, `descending` for `-updated_at`), ties by id in the same direction.
  enum class Order { kRelevance, kUpdatedAt };
  Order order = Order::kRelevance;
  bool descending = false;
  int offset = 0;
  int limit = 20;
};

struct SearchHit {
  std::shared_ptr<const IndexedEntry> entry;
  bool published = true;  // which version matched
};

struct SearchResult {
  int total = 0;
  std::vector<SearchHit> hits;
  /// facet name -> value -> count, over all matches (provider, region, share_type, security_level, database, format,
  /// update_frequency, subject, state).
  std::map<std::string, std::map<std::string, int>> facets;
  std::map<std::int64_t, std::string> provider_names;  // the labels of the provider facet
};

/// The catalog in memory for search, facets and the derived lists (responsibilities, duplicates): every entry with its
/// published and working versions. Search is a character index (each Unicode code point → the documents containing it)
/// followed by substring verification, so one-character Chinese queries work without a word segmenter. The store is the
/// truth; the index is rebuilt from it at start-up and updated after each committed change. Thread-safe: many readers,
/// one writer at a time.
class CatalogIndex {
 public:
  /// Indexes the entry as read; a read older than the one held (a lower entry version) changes nothing.
  void Put(const Entry& entry, const std::optional<Version>& published, const std::optional<Version>& working);
  std::shared_ptr<const IndexedEntry> Get(std::int64_t id) const;
  /// `can_see_working` decides whether the viewer may see an entry's working (unpublished) version.
  SearchResult Search(const SearchQuery& query, const std::function<bool(const Entry&)>& can_see_working) const;
  /// Every entry (published or not), in id order.
  void ForEach(const std::function<void(const IndexedEntry&)>& fn) const;
  /// The entry id of the provider's non-withdrawn entry with this name (published or working), if any.
  std::optional<std::int64_t> FindByName(std::int64_t provider_department_id, const std::string& name) const;
  std::size_t size() const;

 private:
  struct Doc {
    std::shared_ptr<const IndexedEntry> entry;
    bool published = true;
    bool alive = true;
    std::string text;       // lower-cased searchable text
    std::string name_text;  // lower-cased name
    // Filter fields as small codes (position in their value list + 1; 0: empty), so that most candidates are
    // rejected without touching the entry.
    std::int64_t provider = 0;
    std::uint8_t share_type = 0, format = 0, frequency = 0, subject = 0, level = 0;
    VersionState state = VersionState::kDraft;
  };
  void AddDoc(const std::shared_ptr<const IndexedEntry>& e, bool published);
  void Compact();

  mutable std::shared_mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<const IndexedEntry>> entries_;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> slots_of_entry_;
  std::vector<Doc> docs_;
  std::unordered_map<char32_t, std::vector<std::uint32_t>> postings_;
  std::map<std::pair<std::int64_t, std::string>, std::set<std::int64_t>> names_;  // (provider, name) -> entries
  std::size_t dead_ = 0;
};

/// Decodes UTF-8 into code points (invalid bytes are skipped).
std::vector<char32_t> CodePoints(std::string_view text);
/// Lower-cases ASCII letters (Chinese has no case).
std::string SearchFold(std::string_view text);

}  // namespace govshare::catalog
