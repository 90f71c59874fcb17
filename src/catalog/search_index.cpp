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

}  // namespace

void CatalogIndex::AddDoc(const std::shared_ptr<const IndexedEntry>& e, bool published) {
  const Version& v = published ? *e->published : *e->working;
  Doc doc;
  doc.entry = e;
  doc.published = published;
  doc.text = DocText(e->entry, v.content);
  doc.name_text = SearchFold(v.content.name);
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
  for (const auto& [id, e] : entries_) {
    if (e->entry.provider_department_id != provider_department_id || e->entry.withdrawn) continue;
    if ((e->published && e->published->content.name == name) || (e->working && e->working->content.name == name)) {
      return id;
    }
  }
  return std::nullopt;
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
  auto& facets = result.facets;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t slot = candidates ? (*candidates)[k] : static_cast<std::uint32_t>(k);
    const Doc& d = docs_[slot];
    if (!d.alive) continue;
    const Entry& e = d.entry->entry;
    const Version& v = d.published ? *d.entry->published : *d.entry->working;
    if (d.published) {
      if (query.scope == "working") continue;
      if (v.state == VersionState::kWithdrawn && !query.include_withdrawn) continue;
    } else {
      if (query.scope == "published") continue;
      if (query.working_state && *query.working_state != VersionStateName(v.state)) continue;
      if (!can_see_working(e)) continue;
    }
    const auto& c = v.content;
    if (query.provider_department_id && e.provider_department_id != *query.provider_department_id) continue;
    if (query.region_ids && !query.region_ids->count(e.region_id)) continue;
    if (query.share_type && c.share_type != *query.share_type) continue;
    if (query.security_level && (!c.security_level || LevelName(*c.security_level) != *query.security_level)) continue;
    if (query.database && std::find(c.databases.begin(), c.databases.end(), *query.database) == c.databases.end()) {
      continue;
    }
    if (query.format && c.format != *query.format) continue;
    if (query.update_frequency && c.update_frequency != *query.update_frequency) continue;
    if (query.subject && c.subject != *query.subject) continue;
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
    ++facets["provider"][std::to_string(e.provider_department_id)];
    ++facets["region"][e.region_id];
    if (!c.share_type.empty()) ++facets["share_type"][c.share_type];
    if (c.security_level) ++facets["security_level"][std::string(LevelName(*c.security_level))];
    for (const auto& db : c.databases) ++facets["database"][db];
    if (!c.format.empty()) ++facets["format"][c.format];
    if (!c.update_frequency.empty()) ++facets["update_frequency"][c.update_frequency];
    if (!c.subject.empty()) ++facets["subject"][c.subject];
    ++facets["state"][std::string(VersionStateName(v.state))];
  }
  result.total = static_cast<int>(matches.size());
  const auto order = [this](const Match& a, const Match& b) {
    if (a.score != b.score) return a.score > b.score;
    const auto& ea = docs_[a.slot].entry->entry;
    const auto& eb = docs_[b.slot].entry->entry;
    if (ea.updated_at != eb.updated_at) return ea.updated_at > eb.updated_at;
    if (ea.id != eb.id) return ea.id > eb.id;
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
