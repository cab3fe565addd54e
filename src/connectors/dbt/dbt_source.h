#pragma once

#include "connectors/source.h"
#include "dbt/project.h"

namespace cairn::connectors::dbt {

// `source.type: dbt`: reads a dbt project's artifacts as configured by
// sourceConfig.config.dbtConfigSource (schemas/connectors/dbt.json).
Connector DbtConnector();

// The artifact paths a dbtConfigSource of type local names.
cairn::dbt::ArtifactPaths LocalArtifactPaths(const nlohmann::json& dbt_config_source);

// The artifacts in a dbt target/ directory (or a project directory holding
// target/): manifest.json required, the others used when present.
cairn::dbt::ArtifactPaths ArtifactPathsInDirectory(const std::string& directory);

// What every fingerprint of a dbt source starts with: the readers' version
// and the options that change the snapshot made of the same artifacts.
std::string FingerprintPreamble(const std::string& service, bool include_tags);

// Reads, checks and maps the project. `service` empty means the default name
// (DefaultServiceName).
std::unique_ptr<Source> MakeDbtSource(cairn::dbt::ArtifactPaths paths, std::string service,
                                      bool include_tags);

}  // namespace cairn::connectors::dbt
