#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/source.h"

namespace cairn::connectors {

// Connectors by `source.type`. The built-in ones are added by
// RegisterBuiltinConnectors; adding a connector touches its own folder and
// one line there.
class Registry {
 public:
  void Register(Connector connector);

  // nullptr when no connector has that type.
  const Connector* Find(std::string_view type) const;

  std::vector<std::string> Types() const;

 private:
  std::vector<Connector> connectors_;
};

// The registry with every connector compiled into this binary.
const Registry& BuiltinConnectors();

}  // namespace cairn::connectors
