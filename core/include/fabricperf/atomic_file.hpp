#pragma once
// Crash-safe file output: readers see the old file or the complete new one, never a half.
#include <string>
#include <string_view>

namespace fabricperf {

// Writes `content` to a temporary file next to `path`, fsyncs it, renames it over `path`
// and fsyncs the directory. Throws Error naming the path on failure (the old file stays).
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace fabricperf
