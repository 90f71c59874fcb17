#include "catalog/search_index.hpp"

#include <algorithm>
#include <mutex>
#include <sstream>

namespace govshare::catalog {

std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    int len = 1;
    char32_t cp = c;
    if (c >= 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else if (c >= 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0x80) {
      ++i;  // a stray continuation byte
      continue;
    }
    if (i + static_cast<std::size_t>(len) > text.size()) break;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string SearchFold(std::string_view text) {
  std::string out(text);
  for (auto& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

namespace {

std::string DocText(const Entry& e, const EntryContent& c) {
  std::string text = c.name;
  text += '\n' + c.abstract + '\n' + e.resource_code + '\n' + e.provider_name;
  for (const auto& k : c.keywords) text += '\n' + k;
  for (const auto& i : c.items) text += '\n' + i.name;
  for (const auto& s : c.scope_of_use) text += '\n' + s;
  return SearchFold(text);
}

std::vector<std::string> Terms(const std::string& q) {
  std::vector<std::string> out;
  std::istringstream in(SearchFold(q));
  std::string word;
  while (in >> word) {
    // Full-width spaces separate words too.
    std::size_t pos;
    while ((pos = word.find("\xE3\x80\x80")) != std::string::npos) {
      if (pos > 0) out.push_back(word.substr(0, pos));
      word = word.substr(pos + 3);
    }
    if (!word.empty()) out.push_back(word);
  }
  return out;
}

std::uint8_t CodeOf(const ValueList& list, std::string_view value) {
  for (std::size_t i = 0; i < list.choices.size(); ++i) {
    if (list.choices[i].value == value) return static_cast<std::uint8_t>(i + 1);
  }
  return 0;
}

/// The code a filter asks for: nullopt when there is no filter, 255 (matches nothing) for an unknown value.
std::optional<std::uint8_t> FilterCode(const ValueList& list, const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  const auto code = CodeOf(list, *value);
  return code == 0 ? std::uint8_t{255} : code;
}

}  // namespace

void CatalogIndex::AddDoc(const std::shared_ptr<const IndexedEntry>& e, bool published) {
  const Version& v = published ? *e->published : *e->working;
  Doc doc;
  doc.entry = e;
  doc.published = published;
  doc.text = DocText(e->entry, v.content);
  doc.name_text = SearchFold(v.content.name);
  doc.provider = e->entry.provider_department_id;
  doc.share_type = CodeOf(ShareTypes(), v.content.share_type);
  doc.format = CodeOf(Formats(), v.content.format);
  doc.frequency = CodeOf(UpdateFrequencies(), v.content.update_frequency);
  doc.subject = CodeOf(Subjects(), v.content.subject);
  doc.level = v.content.security_level ? static_cast<std::uint8_t>(static_cast<int>(*v.content.security_level) + 1) : 0;
  doc.state = v.state;
  const auto slot = static_cast<std::uint32_t>(docs_.size());
  auto cps = CodePoints(doc.text);
  std::sort(cps.begin(), cps.end());
  cps.erase(std::unique(cps.begin(), cps.end()), cps.end());
  for (char32_t cp : cps) {
    if (cp == '\n' || cp == ' ') continue;
    postings_[cp].push_back(slot);
  }
  docs_.push_back(std::move(doc));
  slots_of_entry_[e->entry.id].push_back(slot);
}

void CatalogIndex::Put(const Entry& entry, const std::optional<Version>& published,
                       const std::optional<Version>& working) {
  auto e = std::make_shared<IndexedEntry>();
  e->entry = entry;
  if (published) e->published = std::make_shared<const Version>(*published);
  if (working) e->working = std::make_shared<const Version>(*working);
  std::unique_lock lock(mutex_);
  // A state read before a later one was indexed (two refreshes of one entry racing: this node's own after its commit,
  // and the notification of an earlier change) must not replace it: entry versions only grow.
  if (auto held = entries_.find(entry.id); held != entries_.end() && held->second->entry.version > entry.version)
    return;
  auto names_of = [](const IndexedEntry& ie) {
    std::set<std::string> names;
    if (ie.entry.withdrawn) return names;
    if (ie.published) names.insert(ie.published->content.name);
    if (ie.working) names.insert(ie.working->content.name);
    return names;
  };
  if (auto old = entries_.find(entry.id); old != entries_.end()) {
    for (const auto& name : names_of(*old->second)) {
      auto it = names_.find({old->second->entry.provider_department_id, name});
      if (it == names_.end()) continue;
      it->second.erase(entry.id);
      if (it->second.empty()) names_.erase(it);
    }
  }
  for (const auto& name : names_of(*e)) names_[{entry.provider_department_id, name}].insert(entry.id);
  if (auto it = slots_of_entry_.find(entry.id); it != slots_of_entry_.end()) {
    for (auto slot : it->second) {
      docs_[slot].alive = false;
      docs_[slot].entry.reset();
      ++dead_;
    }
    slots_of_entry_.erase(it);
  }
  entries_[entry.id] = e;
  if (e->published) AddDoc(e, true);
  if (e->working) AddDoc(e, false);
  if (dead_ > 1024 && dead_ * 2 > docs_.size()) Compact();
}

void CatalogIndex::Compact() {
  docs_.clear();
  postings_.clear();
  slots_of_entry_.clear();
  dead_ = 0;
  for (const auto& [id, e] : entries_) {
    if (e->published) AddDoc(e, true);
    if (e->working) AddDoc(e, false);
  }
}

std::shared_ptr<const IndexedEntry> CatalogIndex::Get(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second;
}

std::size_t CatalogIndex::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

void CatalogIndex::ForEach(const std::function<void(const IndexedEntry&)>& fn) const {
  std::vector<std::shared_ptr<const IndexedEntry>> all;
  {
    std::shared_lock lock(mutex_);
    all.reserve(entries_.size());
    for (const auto& [id, e] : entries_) all.push_back(e);
  }
  for (const auto& e : all) fn(*e);
}

std::optional<std::int64_t> CatalogIndex::FindByName(std::int64_t provider_department_id,
                                                     const std::string& name) const {
  std::shared_lock lock(mutex_);
  const auto it = names_.find({provider_department_id, name});
  if (it == names_.end() || it->second.empty()) return std::nullopt;
  return *it->second.begin();
}

SearchResult CatalogIndex::Search(const SearchQuery& query,
                                  const std::function<bool(const Entry&)>& can_see_working) const {
  SearchResult result;
  const auto terms = Terms(query.q);
  std::shared_lock lock(mutex_);

  // Candidates: the shortest posting list among the query's characters (or every document).
  const std::vector<std::uint32_t>* candidates = nullptr;
  bool single_char = false;
  for (const auto& term : terms) {
    const auto cps = CodePoints(term);
    for (char32_t cp : cps) {
      const auto it = postings_.find(cp);
      if (it == postings_.end()) return result;  // a character no document has
      if (candidates == nullptr || it->second.size() < candidates->size()) candidates = &it->second;
    }
    single_char = terms.size() == 1 && cps.size() == 1;
  }
  const std::size_t n = candidates ? candidates->size() : docs_.size();

  struct Match {
    std::uint32_t slot;
    int score;
  };
  std::vector<Match> matches;
  // Facets are counted on views of the indexed strings (stable while the lock is held) and named at the end.
  struct Counts {
    std::unordered_map<std::int64_t, int> provider;
    std::unordered_map<std::string_view, int> region, share_type, level, database, format, frequency, subject, state;
  } counts;
  std::unordered_map<std::int64_t, std::string_view> provider_names;
  const auto share_code = FilterCode(ShareTypes(), query.share_type);
  const auto format_code = FilterCode(Formats(), query.format);
  const auto frequency_code = FilterCode(UpdateFrequencies(), query.update_frequency);
  const auto subject_code = FilterCode(Subjects(), query.subject);
  const auto level_code = FilterCode(Levels(), query.security_level);
  const bool want_published = query.scope != "working";
  const bool want_working = query.scope != "published";
  const auto working_state = query.working_state ? ParseVersionState(*query.working_state) : std::nullopt;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t slot = candidates ? (*candidates)[k] : static_cast<std::uint32_t>(k);
    const Doc& d = docs_[slot];
    if (!d.alive || (d.published ? !want_published : !want_working)) continue;
    if ((share_code && d.share_type != *share_code) || (format_code && d.format != *format_code) ||
        (frequency_code && d.frequency != *frequency_code) || (subject_code && d.subject != *subject_code) ||
        (level_code && d.level != *level_code) ||
        (query.provider_department_id && d.provider != *query.provider_department_id)) {
      continue;
    }
    if (d.published) {
      if (d.state == VersionState::kWithdrawn && !query.include_withdrawn) continue;
    } else if (query.working_state && (!working_state || d.state != *working_state)) {
      continue;
    }
    const Entry& e = d.entry->entry;
    if (query.region_ids && !query.region_ids->count(e.region_id)) continue;
    const Version& v = d.published ? *d.entry->published : *d.entry->working;
    const auto& c = v.content;
    if (query.database && std::find(c.databases.begin(), c.databases.end(), *query.database) == c.databases.end()) {
      continue;
    }
    if (!d.published && !can_see_working(e)) continue;
    int score = 1;
    if (!terms.empty()) {
      bool all = true;
      bool in_name = true;
      for (const auto& t : terms) {
        if (!single_char && d.text.find(t) == std::string::npos) {
          all = false;
          break;
        }
        if (d.name_text.find(t) == std::string::npos) in_name = false;
      }
      if (!all) continue;
      if (in_name) score = d.name_text.size() == terms.front().size() && terms.size() == 1 ? 3 : 2;
    }
    matches.push_back({slot, score});
    if (++counts.provider[e.provider_department_id] == 1) provider_names[e.provider_department_id] = e.provider_name;
    ++counts.region[e.region_id];
    if (!c.share_type.empty()) ++counts.share_type[c.share_type];
    if (c.security_level) ++counts.level[LevelName(*c.security_level)];
    for (const auto& db : c.databases) ++counts.database[db];
    if (!c.format.empty()) ++counts.format[c.format];
    if (!c.update_frequency.empty()) ++counts.frequency[c.update_frequency];
    if (!c.subject.empty()) ++counts.subject[c.subject];
    ++counts.state[VersionStateName(v.state)];
  }
  auto& facets = result.facets;
  for (const auto& [id, count] : counts.provider) facets["provider"][std::to_string(id)] = count;
  for (const auto& [id, name] : provider_names) result.provider_names[id] = std::string(name);
  const std::pair<const char*, const std::unordered_map<std::string_view, int>*> named[] = {
      {"region", &counts.region},        {"share_type", &counts.share_type},
      {"security_level", &counts.level}, {"database", &counts.database},
      {"format", &counts.format},        {"update_frequency", &counts.frequency},
      {"subject", &counts.subject},      {"state", &counts.state}};
  for (const auto& [name, map] : named) {
    for (const auto& [value, count] : *map) facets[name][std::string(value)] = count;
  }
  result.total = static_cast<int>(matches.size());
  const bool by_update = query.order == SearchQuery::Order::kUpdatedAt;
  const bool newest_first = !by_update || query.descending;
  const auto order = [this, by_update, newest_first](const Match& a, const Match& b) {
    if (!by_update && a.score != b.score) return a.score > b.score;
    const auto& ea = docs_[a.slot].entry->entry;
    const auto& eb = docs_[b.slot].entry->entry;
    if (ea.updated_at != eb.updated_at) return newest_first == (ea.updated_at > eb.updated_at);
    if (ea.id != eb.id) return newest_first == (ea.id > eb.id);
    return docs_[a.slot].published && !docs_[b.slot].published;
  };
  const auto end = static_cast<std::size_t>(std::max(0, query.offset + query.limit));
  const auto upto = std::min(end, matches.size());
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(upto), matches.end(), order);
  for (auto i = static_cast<std::size_t>(std::max(0, query.offset)); i < upto; ++i) {
    result.hits.push_back({docs_[matches[i].slot].entry, docs_[matches[i].slot].published});
  }
  return result;
}

}  // namespace govshare::catalog
