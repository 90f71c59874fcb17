#include "exchange/demo_population.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <memory>

#include "common/validate.hpp"

namespace govshare::exchange {
namespace {

constexpr std::array<const char*, 60> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
    "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
    "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜"};
constexpr std::array<const char*, 48> kGiven = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                                                "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
                                                "玉", "兰", "建", "国", "志", "文", "海", "红", "晓", "鹏", "辉", "宇",
                                                "浩", "婷", "雪", "琳", "欣", "博", "佳", "子", "梓", "涵", "睿", "瑶"};
constexpr std::array<const char*, 24> kStreets = {"中山路", "建设大街", "和平路",   "裕华路", "胜利街",   "人民路",
                                                  "解放路", "新华路",   "光明街",   "育才街", "友谊大街", "民主街",
                                                  "东风路", "长江道",   "燕赵大街", "迎宾路", "朝阳路",   "文化路",
                                                  "振兴街", "平安大街", "红旗路",   "槐安路", "体育街",   "青年路"};
constexpr std::array<const char*, 12> kTrades = {"商贸",     "科技", "建筑工程", "农业开发", "食品",     "物流",
                                                 "机械制造", "医药", "文化传媒", "新材料",   "餐饮管理", "信息技术"};
constexpr std::array<const char*, 12> kScopes = {"日用百货销售",     "技术开发、技术咨询、技术服务",
                                                 "房屋建筑工程施工", "农作物种植、销售",
                                                 "食品生产、销售",   "普通货物道路运输",
                                                 "通用设备制造",     "药品零售",
                                                 "广告设计、制作",   "新型建筑材料研发",
                                                 "餐饮服务",         "软件开发、信息系统集成"};
// Ethnic groups of GB/T 3304 common in Hebei: 汉 01 most, then 满 08, 回 03, 蒙古 02, 朝鲜 10, 壮 07.
constexpr std::array<const char*, 6> kMinorities = {"08", "03", "02", "10", "07", "04"};
constexpr std::array<const char*, 10> kMobilePrefixes = {"130", "131", "135", "138", "150",
                                                         "151", "157", "180", "186", "189"};
constexpr std::array<const char*, 6> kEnterpriseTypes = {"1100", "1200", "1130", "2100", "4100", "9100"};
constexpr const char* kUpdatedAt = "2026-01-05T08:00:00+08:00";
constexpr int kFirstBirthYear = 1940;
constexpr int kBirthYears = 84;  // 1940-2023
constexpr int kDaysPerYear = 366;
constexpr std::size_t kChunkRows = 4096;

/// SplitMix64: a small, fast, well-mixed deterministic generator.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(Next() % n); }

 private:
  std::uint64_t state_;
};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && IsLeap(y) ? 1 : 0);
}

std::string IdCheck(const std::string& first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

std::string Name(Rng& rng) {
  std::string name = kSurnames[rng.Below(kSurnames.size())];
  name += kGiven[rng.Below(kGiven.size())];
  if (rng.Below(3) != 0) name += kGiven[rng.Below(kGiven.size())];
  return name;
}

std::string Address(Rng& rng, const DemoCounty& c) {
  return fmt::format("河北省{}{}{}{}号", c.city, c.name, kStreets[rng.Below(kStreets.size())], 1 + rng.Below(399));
}

/// A streaming generator: writes rows in chunks into a buffer the ByteSource hands out.
class Generator {
 public:
  using RowFn = std::function<void(std::int64_t i, std::string& out)>;
  Generator(const std::vector<std::string>& header, std::int64_t rows, RowFn row) : rows_(rows), row_(std::move(row)) {
    common::AppendCsvRow(buffer_, header);
  }
  std::size_t Read(char* out, std::size_t capacity) {
    while (pos_ == buffer_.size()) {
      if (next_ >= rows_) return 0;
      buffer_.clear();
      pos_ = 0;
      for (std::size_t k = 0; k < kChunkRows && next_ < rows_; ++k) row_(next_++, buffer_);
    }
    const std::size_t n = std::min(capacity, buffer_.size() - pos_);
    std::memcpy(out, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::int64_t rows_;
  std::int64_t next_ = 0;
  RowFn row_;
  std::string buffer_;
  std::size_t pos_ = 0;
};

common::ByteSource SourceOf(std::shared_ptr<Generator> g) {
  return [g](char* out, std::size_t capacity) { return g->Read(out, capacity); };
}

}  // namespace

const std::vector<std::string>& PopulationHeader() {
  static const std::vector<std::string> header = {"公民身份号码", "姓名",   "性别",     "出生日期",     "民族",
                                                  "户籍地址",     "现住址", "联系电话", "行政区划代码", "数据更新时间"};
  return header;
}

const std::vector<std::string>& LegalPersonHeader() {
  static const std::vector<std::string> header = {"统一社会信用代码", "机构名称",     "法定代表人",
                                                  "登记日期",         "经营范围",     "注册资本",
                                                  "企业类型",         "行政区划代码", "数据更新时间"};
  return header;
}

common::ByteSource PopulationCsv(std::vector<DemoCounty> counties, std::int64_t people, std::uint64_t seed) {
  struct State {
    std::vector<DemoCounty> counties;
    std::vector<std::uint16_t> used;  // per (county, birth day): how many sequence numbers of each sex are taken
    Rng rng;
  };
  auto st = std::make_shared<State>(State{std::move(counties), {}, Rng(seed)});
  st->used.assign(st->counties.size() * kBirthYears * kDaysPerYear * 2, 0);
  return SourceOf(std::make_shared<Generator>(PopulationHeader(), people, [st](std::int64_t, std::string& out) {
    Rng& rng = st->rng;
    std::size_t county = 0;
    int year = 0, month = 0, day = 0;
    int male = 0;
    std::uint16_t* slot = nullptr;
    do {  // a (county, birth day, sex) with a free sequence number: 500 per sex and day (3 digits, parity = sex)
      county = rng.Below(static_cast<std::uint32_t>(st->counties.size()));
      year = kFirstBirthYear + static_cast<int>(rng.Below(kBirthYears));
      month = 1 + static_cast<int>(rng.Below(12));
      day = 1 + static_cast<int>(rng.Below(static_cast<std::uint32_t>(DaysIn(year, month))));
      male = static_cast<int>(rng.Below(2));
      const std::size_t day_index =
          static_cast<std::size_t>((year - kFirstBirthYear) * kDaysPerYear + (month - 1) * 31 + day - 1);
      slot = &st->used[((county * kBirthYears * kDaysPerYear) + day_index) * 2 + static_cast<std::size_t>(male)];
    } while (*slot >= 500);
    const int sequence = (*slot)++ * 2 + male;  // odd: male, even: female (GB 11643)
    const DemoCounty& c = st->counties[county];
    const std::string id = IdCheck(fmt::format("{}{:04}{:02}{:02}{:03}", c.code, year, month, day, sequence));
    const char* nation = rng.Below(100) < 95 ? "01" : kMinorities[rng.Below(kMinorities.size())];
    const std::string mobile =
        fmt::format("{}{:08}", kMobilePrefixes[rng.Below(kMobilePrefixes.size())], rng.Below(100000000));
    const std::string huji = Address(rng, c);
    const std::string current =
        rng.Below(4) == 0 ? Address(rng, st->counties[rng.Below(static_cast<std::uint32_t>(st->counties.size()))])
                          : huji;
    fmt::format_to(std::back_inserter(out), "{},{},{},{:04}-{:02}-{:02},{},{},{},{},{},{}\r\n", id, Name(rng),
                   male ? "1" : "2", year, month, day, nation, huji, current, mobile, c.code, kUpdatedAt);
  }));
}

common::ByteSource LegalPersonCsv(std::vector<DemoCounty> counties, std::int64_t count, std::uint64_t seed) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  struct State {
    std::vector<DemoCounty> counties;
    Rng rng;
  };
  auto st = std::make_shared<State>(State{std::move(counties), Rng(seed ^ 0x5EEDULL)});
  return SourceOf(std::make_shared<Generator>(LegalPersonHeader(), count, [st](std::int64_t i, std::string& out) {
    Rng& rng = st->rng;
    const DemoCounty& c = st->counties[rng.Below(static_cast<std::uint32_t>(st->counties.size()))];
    // Organisation code: MA + the row number in base 31 (7 characters): unique across the file.
    std::string org = "MA";
    std::string digits(7, '0');
    auto n = static_cast<std::uint64_t>(i);
    for (int k = 6; k >= 0; --k) {
      digits[static_cast<std::size_t>(k)] = kAlphabet[n % 31];
      n /= 31;
    }
    org += digits;
    const std::string first17 = "91" + c.code + org;
    const std::string code = first17 + common::CreditCodeCheckChar(first17);
    const std::size_t trade = rng.Below(kTrades.size());
    const int year = 1995 + static_cast<int>(rng.Below(31));
    const int month = 1 + static_cast<int>(rng.Below(12));
    const int day = 1 + static_cast<int>(rng.Below(static_cast<std::uint32_t>(DaysIn(year, month))));
    fmt::format_to(std::back_inserter(out), "{},{}{}{}有限公司,{},{:04}-{:02}-{:02},{},{}.00,{},{},{}\r\n", code,
                   c.name.substr(0, c.name.size() - 3), kSurnames[rng.Below(kSurnames.size())] + std::string("氏"),
                   kTrades[trade], Name(rng), year, month, day, kScopes[trade], 10 * (1 + rng.Below(1000)),
                   kEnterpriseTypes[rng.Below(kEnterpriseTypes.size())], c.code, kUpdatedAt);
  }));
}

}  // namespace govshare::exchange
