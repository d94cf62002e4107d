#pragma once
/// @file
/// The analyses as one service for every front end (command line, web API): parameters by
/// name checked with errors that name them, the run audited with its reason, the report as JSON
/// and as CSV. docs/analysis.md describes each analysis, its parameters and its limits.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "anpr/receiver/analysis/clones.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

/// Parameters by name, as command-line options and web query strings give them (see
/// docs/analysis.md): from, to (ISO 8601 UTC; default the last 7 days), and per analysis
/// section, plate, site, baseline_from, baseline_to, bucket, ceiling_mph, ...
using Params = std::map<std::string, std::string>;

// clang-tidy 14 takes the aggregate's implicit members for throwing ones.
struct AnalysisOutput {  // NOLINT(bugprone-exception-escape)
  nlohmann::json json;
  std::string csv;
};

/// "clones", "speed", "convoy", "hotspots", "first-seen".
[[nodiscard]] const std::vector<std::string>& analysis_kinds();

/// Who asks and why: every run is audited (action "analysis-<kind>") before it runs.
struct AnalysisCaller {
  std::string user;
  std::string reason;  ///< required
  TimestampMs now = 0;
};

/// Runs one analysis. Throws anpr::Error (kInput) naming the parameter when one is missing or
/// wrong, or when the reason is missing; nothing is audited then. It takes the whole Store: the
/// analyses between them read the analysis queries, the cameras and a plate's movements, and the
/// run is audited.
[[nodiscard]] AnalysisOutput run_analysis(Store& store, const std::string& kind, const Params& params,
                                          const AnalysisCaller& caller,
                                          const CloneSettings& clone_defaults = {});

/// The registered speed sections (the roads average speed is measured on).
[[nodiscard]] std::vector<SpeedSection> speed_sections(AnalysisStore& store);

/// Registers (adds or replaces) the sections read from `file`, all or none, audited as
/// "sections-register" with the number of sections as the reason, in one transaction (so the Store).
void register_sections(Store& store, const std::vector<SpeedSection>& sections, const std::string& file,
                       const AnalysisCaller& caller);

}  // namespace anpr::receiver::analysis
