# Writes a C++ file holding every schema under SCHEMAS_DIR, keyed by its path
# relative to that folder ("workflow.json", "connectors/dbt.json").
file(GLOB_RECURSE files RELATIVE ${SCHEMAS_DIR} ${SCHEMAS_DIR}/*.json)
list(SORT files)
set(body "")
foreach(name IN LISTS files)
  file(READ ${SCHEMAS_DIR}/${name} content)
  string(APPEND body "    {\"${name}\", R\"cairnschema(${content})cairnschema\"},\n")
endforeach()
file(WRITE ${OUTPUT}.new "// Generated from schemas/ by embed_schemas.cmake. Do not edit.
#include <string_view>
#include <utility>

namespace cairn::schemas {

struct EmbeddedSchema {
  std::string_view name;
  std::string_view text;
};

extern const EmbeddedSchema kEmbeddedSchemas[];
extern const std::size_t kEmbeddedSchemaCount;

const EmbeddedSchema kEmbeddedSchemas[] = {
${body}};
const std::size_t kEmbeddedSchemaCount = sizeof(kEmbeddedSchemas) / sizeof(kEmbeddedSchemas[0]);

}  // namespace cairn::schemas
")
file(COPY_FILE ${OUTPUT}.new ${OUTPUT} ONLY_IF_DIFFERENT)
