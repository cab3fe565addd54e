#include "catalog/entity_edits.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/fqn_key.h"
#include "catalog/json_text.h"
#include "core/error.h"

namespace cairn::catalog {

void ValidateEdit(const Edit& edit) {
  bool is_list = edit.field == "tags" || edit.field == "owners";
  if (!is_list && edit.field != "description") {
    throw Error(
        ErrorCode::kInvalidArgument,
        fmt::format("cannot edit field '{}' (editable: description, tags, owners)", edit.field));
  }
  if (edit.value_json.empty()) return;
  nlohmann::json value = nlohmann::json::parse(edit.value_json, nullptr, false);
  bool ok = is_list ? value.is_array() && std::all_of(value.begin(), value.end(),
                                                      [](const auto& v) { return v.is_string(); })
                    : value.is_string();
  if (!ok) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("field '{}' must be {}", edit.field,
                            is_list ? "an array of strings" : "a string"));
  }
}

void LayEditsOver(EntityDetail& detail, std::vector<Edit> edits) {
  const std::string& fqn = detail.table ? detail.table->fqn : detail.node->fqn;
  detail.edits = std::move(edits);
  for (Edit& edit : detail.edits) {
    nlohmann::json value = nlohmann::json::parse(edit.value_json);
    // The fields the edit replaces: the entity's own (table and the node that
    // builds it), or one column's.
    std::string* description = nullptr;
    std::string* node_description = nullptr;
    std::vector<std::string>* tags = nullptr;
    std::vector<std::string>* node_tags = nullptr;
    std::vector<std::string>* owners = nullptr;
    std::vector<std::string>* node_owners = nullptr;
    if (FqnKey(edit.target_fqn) == FqnKey(fqn)) {
      if (detail.table) {
        description = &detail.table->description;
        tags = &detail.table->tags;
        owners = &detail.table->owners;
      }
      if (detail.node) {
        node_description = &detail.node->description;
        node_tags = &detail.node->tags;
        node_owners = &detail.node->owners;
      }
    } else if (detail.table) {
      std::string column_key = FqnKey(std::string_view(edit.target_fqn).substr(fqn.size() + 1));
      for (Column& column : detail.table->columns) {
        if (FqnKey(column.name) != column_key) continue;
        description = &column.description;
        tags = &column.tags;
      }
    }
    if (edit.field == "description") {
      std::string* ingested = description != nullptr ? description : node_description;
      if (ingested != nullptr) edit.ingested_json = nlohmann::json(*ingested).dump();
      for (std::string* field : {description, node_description}) {
        if (field != nullptr) *field = value.get<std::string>();
      }
    } else {
      bool is_tags = edit.field == "tags";
      std::vector<std::string>* own = is_tags ? tags : owners;
      std::vector<std::string>* node_own = is_tags ? node_tags : node_owners;
      std::vector<std::string>* ingested = own != nullptr ? own : node_own;
      if (ingested != nullptr) edit.ingested_json = ToJsonArray(*ingested);
      for (std::vector<std::string>* field : {own, node_own}) {
        if (field != nullptr) *field = value.get<std::vector<std::string>>();
      }
    }
  }
}

}  // namespace cairn::catalog
