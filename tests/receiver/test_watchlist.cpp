#include <catch2/catch.hpp>

#include <memory>

#include "anpr/common/encoding.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"
#include "anpr/receiver/watchlist/watchlist_csv.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

std::unique_ptr<WatchlistMatcher> make_matcher(int max_subs = 1) {
  std::vector<WatchlistInfo> lists = {{"Stolen", "stolen-vehicle", 0, "#f00", "Stop and check"},
                                      {"Insurance", "no-insurance", 3, "#fa0", "Log"},
                                      {"Intel", "local-intelligence", 5, "#00f", "Note"}};
  std::vector<WatchlistEntry> entries = {{"Stolen", "AB12CDE", "stolen 1 Nov", "pc1", 0, std::nullopt},
                                         {"Insurance", "AB12CDE", "no insurance", "pc2", 0, std::nullopt},
                                         {"Intel", "SO51ABC", "seen at burglary", "pc3", 0, std::nullopt},
                                         {"Intel", "XY1?ZZZ", "witness partial", "pc3", 0, std::nullopt},
                                         {"Stolen", "K*9", "partial", "pc1", 0, std::nullopt},
                                         {"Stolen", "EXP1RED", "expired", "pc1", 0, 1000},
                                         {"Deleted", "AB12CDE", "list gone", "pc1", 0, std::nullopt}};
  return std::make_unique<WatchlistMatcher>(lists, entries, MatcherSettings{max_subs});
}

}  // namespace

TEST_CASE("wildcards: ? is one character, * any run", "[watchlist]") {
  CHECK(wildcard_match("AB12CDE", "AB12CDE"));
  CHECK(wildcard_match("AB1?CDE", "AB12CDE"));
  CHECK_FALSE(wildcard_match("AB1?CDE", "AB1CDE"));
  CHECK(wildcard_match("AB*", "AB12CDE"));
  CHECK(wildcard_match("*CDE", "AB12CDE"));
  CHECK(wildcard_match("A*2*E", "AB12CDE"));
  CHECK(wildcard_match("AB12CDE*", "AB12CDE"));
  CHECK_FALSE(wildcard_match("AB*X", "AB12CDE"));
  CHECK_FALSE(wildcard_match("AB12CD", "AB12CDE"));
}

TEST_CASE("patterns need two known characters and plate characters only", "[watchlist]") {
  CHECK_FALSE(pattern_error("AB1?CDE"));
  CHECK(pattern_error("*"));
  CHECK(pattern_error("A*"));
  CHECK(pattern_error("AB-1*"));
  CHECK(pattern_error(""));
}

TEST_CASE("exact matches on several lists are all raised, highest priority first", "[watchlist]") {
  const auto matcher = make_matcher();
  const auto m = matcher->match("AB12CDE", 5000);
  REQUIRE(m.size() == 2);
  CHECK(m[0].list->name == "Stolen");
  CHECK(m[0].kind == MatchKind::kExact);
  CHECK(m[1].list->name == "Insurance");
}

TEST_CASE("OCR-equivalent reads are possible hits, within the substitution limit", "[watchlist]") {
  const auto matcher = make_matcher();
  auto m = matcher->match("S051ABC", 5000);  // O read as 0
  REQUIRE(m.size() == 1);
  CHECK(m[0].kind == MatchKind::kEquivalent);
  CHECK(m[0].substitutions == 1);
  CHECK(m[0].score < 1.0);
  CHECK(make_matcher()->match("5051A8C", 5000).empty());       // three substitutions: too many
  CHECK(make_matcher(3)->match("5051A8C", 5000).size() == 1);  // unless allowed
  CHECK(make_matcher(0)->match("S051ABC", 5000).empty());
}

TEST_CASE("wildcard entries match partial plates from witnesses", "[watchlist]") {
  const auto matcher = make_matcher();
  auto m = matcher->match("XY17ZZZ", 5000);
  REQUIRE(m.size() == 1);
  CHECK(m[0].kind == MatchKind::kWildcard);
  CHECK(m[0].entry->plate == "XY1?ZZZ");
  CHECK(make_matcher()->match("KL09", 5000).size() == 1);
}

TEST_CASE("expired entries and unknown lists never match", "[watchlist]") {
  CHECK(make_matcher()->match("EXP1RED", 500).size() == 1);
  CHECK(make_matcher()->match("EXP1RED", 5000).empty());
  const auto matcher = make_matcher();
  for (const auto& m : matcher->match("AB12CDE", 5000)) CHECK(m.list->name != "Deleted");
}

TEST_CASE("CSV import: valid rows, header, quotes, expiry", "[watchlist][csv]") {
  const auto p = parse_watchlist_csv(
      "plate,reason,expires_at\nab12 cde,\"stolen, red Ford\",2027-01-01T00:00:00Z\nXY1?ZZZ,partial\n",
      "Stolen", "sup1", 42);
  REQUIRE(p.errors.empty());
  REQUIRE(p.entries.size() == 2);
  CHECK(p.entries[0].plate == "AB12CDE");
  CHECK(p.entries[0].reason == "stolen, red Ford");
  CHECK(p.entries[0].expires_at == parse_iso8601("2027-01-01T00:00:00Z"));
  CHECK(p.entries[1].is_pattern());
  CHECK(p.entries[1].added_by == "sup1");
}

TEST_CASE("CSV import reports every bad row with its line number", "[watchlist][csv][rejects]") {
  const auto p = parse_watchlist_csv(
      "AB12CDE,stolen car\nAB-12?!,bad chars\n*,too wide\nAB12CDE,twice\nCD34EFG\n"
      "EF56GHJ,burglary,yesterday\n\"unterminated,x\n",
      "Stolen", "sup1", 42);
  REQUIRE(p.errors.size() == 6);
  CHECK(p.errors[0].line == 2);
  CHECK(p.errors[1].line == 3);
  CHECK_THAT(p.errors[1].message, Catch::Contains("two known characters"));
  CHECK(p.errors[2].line == 4);
  CHECK_THAT(p.errors[2].message, Catch::Contains("listed twice"));
  CHECK(p.errors[3].line == 5);
  CHECK_THAT(p.errors[3].message, Catch::Contains("found 1 fields"));
  CHECK(p.errors[4].line == 6);
  CHECK_THAT(p.errors[4].message, Catch::Contains("ISO 8601"));
  CHECK(p.errors[5].line == 7);
  CHECK_THAT(parse_watchlist_csv("AB12CDE,\xC3\x28", "L", "u", 0).errors.at(0).message,
             Catch::Contains("UTF-8"));
}

TEST_CASE("CSV import refuses a row without a real reason, as an entry added by hand",
          "[watchlist][csv][rejects]") {
  const auto p = parse_watchlist_csv("AB12CDE,   \nCD34EFG,\nEF56GHJ,--!\nGH78JKL,  seen at a burglary  \n",
                                     "L", "u", 0);
  REQUIRE(p.errors.size() == 3);
  CHECK(p.errors[0].line == 1);
  CHECK(p.errors[1].line == 2);
  CHECK(p.errors[2].line == 3);
  CHECK_THAT(p.errors[0].message, Catch::Contains("at least 3 letters"));
  CHECK(p.entries.empty());
  const auto good = parse_watchlist_csv("GH78JKL,  seen at a burglary  \n", "L", "u", 0);
  REQUIRE(good.entries.size() == 1);
  CHECK(good.entries[0].reason == "seen at a burglary");  // trimmed, as audited
}

TEST_CASE("a file of many bad rows lists the first hundred, counts the rest and keeps no entries",
          "[watchlist][csv][rejects]") {
  std::string csv = "AB12CDE,good\n";
  for (int i = 0; i < 250; ++i) csv += "BAD!" + std::to_string(i) + ",x\n";
  // A long field is cut in the message, at a character (each \u00e9 is two bytes).
  std::string long_plate;
  for (int i = 0; i < 500; ++i) long_plate += "\xC3\xA9";
  const auto p = parse_watchlist_csv(long_plate + ",x\n" + csv, "L", "u", 0);
  CHECK(p.errors.size() == 251);
  CHECK(p.errors.unlisted() == 151);
  CHECK(std::distance(p.errors.begin(), p.errors.end()) == 100);
  CHECK(p.errors[0].line == 1);
  CHECK(p.errors[0].message.size() <= CsvErrors::kMaxMessage + 3);
  CHECK(is_valid_utf8(p.errors[0].message));
  CHECK(p.errors[99].line == 101);
  CHECK(p.entries.empty());  // the file is rejected: nothing to import is kept
}

TEST_CASE("wildcard index finds prefix, suffix and unanchored patterns", "[watchlist]") {
  const std::vector<WatchlistInfo> lists = {{"Intel", "local-intelligence", 5, "#00f", "Note"}};
  const std::vector<WatchlistEntry> entries = {{"Intel", "*CDE", "suffix", "u", 0, std::nullopt},
                                               {"Intel", "?Y17ZZZ", "suffix after ?", "u", 0, std::nullopt},
                                               {"Intel", "*12C*", "unanchored", "u", 0, std::nullopt},
                                               {"Intel", "AB*", "prefix", "u", 0, std::nullopt}};
  const WatchlistMatcher matcher(lists, entries, MatcherSettings{0});
  CHECK(matcher.match("AB12CDE", 0).size() == 3);  // *CDE, *12C*, AB*
  CHECK(matcher.match("XY17ZZZ", 0).size() == 1);
  CHECK(matcher.match("ZZ12CAA", 0).size() == 1);
  CHECK(matcher.match("QQ99QQQ", 0).empty());
}
