#pragma once
// Crash-safe file output: readers see the old file or the complete new one, never a half.
#include <string>
#include <string_view>

namespace fabricperf {

// Writes `content` to a temporary file next to `path`, fsyncs it, renames it over `path`
// and fsyncs the directory. Throws Error naming the path on failure (the old file stays).
// The temporary file is ".NAME.tmp.HOST.PID.XXXXXX"; before writing, leftovers of earlier
// writes to the same target by processes of this host that no longer exist (a writer killed
// by SIGKILL) are removed.
void write_file_atomically(const std::string& path, std::string_view content);

// Whether `path` can take an output file, checked before a tool measures anything: "" when it
// can, else the problem ("empty file name", "/tmp is a directory", "directory /x does not
// exist", "cannot write in directory /y: Permission denied", "/dev/null is not a regular file").
// "-" (stdout) is fine.
[[nodiscard]] std::string output_path_problem(const std::string& path);

}  // namespace fabricperf
