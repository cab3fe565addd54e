#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "auth/principal.h"

namespace cairn::auth {

// dbt Cloud's permission sets (its OpenAPI enum PredefinedPermissionSet) and
// what each lets a Cairn token do:
//
//   kAdmin   account_admin, admin, owner, security_admin
//   kIngest  job_admin, job_runner, job_creator, developer, database_admin,
//            analyst, project_creator, git_admin, team_admin
//   kRead    metadata_only, readonly, account_viewer, job_viewer, analyst_read,
//            stakeholder, member, semantic_layer_only, fusion_admin,
//            manage_marketplace_apps, notification_manager
//   kNone    billing_admin, cost_insights_*, cost_management_*, scim_only,
//            webhooks_only
//
// project_id and writable_environment_categories are kept and returned but
// do not narrow access: Cairn has no projects yet.
//
// nullopt: not a dbt Cloud permission set.
std::optional<Access> AccessOfPermissionSet(std::string_view permission_set);

// "none", "read", "ingest" or "admin", as the session API reports a level.
std::string_view AccessName(Access access);

// Every valid permission set, in the enum's order (for error messages).
const std::vector<std::string_view>& PermissionSets();

}  // namespace cairn::auth
