#pragma once

#include <vector>

#include "catalog/model.h"

// People's edits (Store::SaveEdits) as every backend checks and reads them.
namespace cairn::catalog {

// Checks an edit's value against its field: a string for description, an
// array of strings for tags and owners (an empty value removes the edit).
// Throws kInvalidArgument otherwise.
void ValidateEdit(const Edit& edit);

// Lays `edits` (the entity's own and its columns', as stored) over `detail`
// and keeps them in detail.edits, each with what ingestion had set.
void LayEditsOver(EntityDetail& detail, std::vector<Edit> edits);

}  // namespace cairn::catalog
