#pragma once

#include <string>
#include <string_view>

namespace cairn::catalog {

// The form under which FQNs compare: ASCII letters folded to lower case, as
// SQLite's NOCASE collation does, so in-memory maps agree with the store.
std::string FqnKey(std::string_view fqn);

// The last dotted part of an FQN: the name shown for a lineage vertex the
// catalog knows nothing about.
std::string LastFqnPart(std::string_view fqn);

}  // namespace cairn::catalog
