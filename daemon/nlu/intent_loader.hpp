// Intent loader: intent files (YAML) → IntentCatalog, with file:line:col
// diagnostics for everything the schema (docs/intents.md) forbids.
//
// It checks structure and names only; regular expressions are compiled by
// IntentSet::build and reply templates by the engine, each reporting at the
// place recorded here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/common/diagnostic.hpp"
#include "daemon/nlu/intent.hpp"
#include "daemon/nlu/normalizer.hpp"

namespace xiaoer::nlu {

struct LoadedCatalog {
  IntentCatalog catalog;
  common::Diagnostics diagnostics;
};

// Loads every *.yaml and *.yml file of `dir`, in name order. Keywords are
// normalised with `normalizer`. Exceptions never escape.
LoadedCatalog load_intent_dir(const std::filesystem::path& dir, const Normalizer& normalizer);

// Adds the intents (or the fallback) of one file's `text` to `loaded`;
// `file_name` is used in diagnostics.
void load_intent_source(const std::string& file_name, std::string_view text,
                        const Normalizer& normalizer, LoadedCatalog& loaded);

}  // namespace xiaoer::nlu
