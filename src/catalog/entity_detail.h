#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

// Store::Get, whatever the backend: which stored rows make up an entity's
// detail, and in what order they are looked for.
namespace cairn::catalog {

// The reads Get is made of; FQNs compare case-insensitively.
class EntityRows {
 public:
  virtual ~EntityRows() = default;
  // The table under `fqn` with its columns, and its service's name.
  virtual std::optional<Table> TableRow(std::string_view fqn, std::string& service) = 0;
  // The dbt node whose fqn is `fqn` and which builds that table (first stored).
  virtual std::optional<DbtNode> BuilderNode(std::string_view fqn) = 0;
  // A dbt node by fqn (first stored), or by unique_id (first service by name).
  virtual std::optional<DbtNode> NodeByFqn(std::string_view fqn, std::string& service) = 0;
  virtual std::optional<DbtNode> NodeByUniqueId(std::string_view unique_id,
                                                std::string& service) = 0;
  // The tests on a table or node (table_fqn), by name, without history.
  virtual std::vector<TestSummary> TestsOn(std::string_view fqn) = 0;
  // Store::RunHistory.
  virtual std::vector<NodeRun> Runs(std::string_view unique_id, int limit) = 0;
  // The edits of an entity and of its columns ("fqn.column").
  virtual std::vector<Edit> EditsOf(std::string_view fqn) = 0;
};

// A table by FQN, or a dbt resource by FQN or unique_id, as Store::Get
// describes it; a model, seed, snapshot or source found by unique_id is
// shown as the table it builds.
std::optional<EntityDetail> ReadEntityDetail(EntityRows& rows, std::string_view fqn_or_unique_id);

}  // namespace cairn::catalog
