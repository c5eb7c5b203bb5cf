#pragma once
// `parley migrate`: copies every record of the embedded SQLite store (store.data-dir) into the
// MongoDB store (mongo.uri, mongo.database), then reads each one back from MongoDB to prove it
// arrived. Idempotent: running it again writes nothing new and verifies again.
#include "core/config.h"

namespace parley {

// Prints one summary line per kind of record to stdout. Returns 0 when every row was verified,
// 1 on a mismatch or a failed read or write, 2 when mongo.uri is not set. Throws
// std::runtime_error when a store cannot be opened.
int runMigrate(const Config& config);

}  // namespace parley
