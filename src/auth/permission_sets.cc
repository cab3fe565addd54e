#include "auth/permission_sets.h"

#include <utility>

namespace cairn::auth {
namespace {

const std::vector<std::pair<std::string_view, Access>>& Table() {
  static const std::vector<std::pair<std::string_view, Access>> kTable = {
      {"account_admin", Access::kAdmin},
      {"account_viewer", Access::kRead},
      {"admin", Access::kAdmin},
      {"analyst", Access::kIngest},
      {"analyst_read", Access::kRead},
      {"billing_admin", Access::kNone},
      {"cost_insights_admin", Access::kNone},
      {"cost_insights_viewer", Access::kNone},
      {"cost_management_admin", Access::kNone},
      {"cost_management_viewer", Access::kNone},
      {"database_admin", Access::kIngest},
      {"developer", Access::kIngest},
      {"fusion_admin", Access::kRead},
      {"git_admin", Access::kIngest},
      {"job_admin", Access::kIngest},
      {"job_creator", Access::kIngest},
      {"job_runner", Access::kIngest},
      {"job_viewer", Access::kRead},
      {"manage_marketplace_apps", Access::kRead},
      {"member", Access::kRead},
      {"metadata_only", Access::kRead},
      {"notification_manager", Access::kRead},
      {"owner", Access::kAdmin},
      {"project_creator", Access::kIngest},
      {"readonly", Access::kRead},
      {"scim_only", Access::kNone},
      {"security_admin", Access::kAdmin},
      {"semantic_layer_only", Access::kRead},
      {"stakeholder", Access::kRead},
      {"team_admin", Access::kIngest},
      {"webhooks_only", Access::kNone},
  };
  return kTable;
}

}  // namespace

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kNone:
      return "none";
    case Access::kRead:
      return "read";
    case Access::kIngest:
      return "ingest";
    case Access::kAdmin:
      return "admin";
  }
  return "none";
}

std::optional<Access> AccessOfPermissionSet(std::string_view permission_set) {
  for (const auto& [name, access] : Table()) {
    if (name == permission_set) return access;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& PermissionSets() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    for (const auto& [name, access] : Table()) names.push_back(name);
    return names;
  }();
  return kNames;
}

}  // namespace cairn::auth
