#pragma once
// Bounded input: every file and JSON text that comes from outside the process (topology exports,
// result documents, model configs, plans, peer messages) is read through these, so that size,
// file kind and nesting depth are checked before anything else looks at the content.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fabricperf {

// Default caps. Real inputs are far below them: the largest hwloc export in the tree is ~1 MB,
// the largest result document of a 2,048-node dry run ~30 MB.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{256} << 20;  // 256 MiB
inline constexpr std::size_t kMaxJsonDepth = 64;

// Reads a whole regular file of at most `max_bytes` bytes. Refuses, with a UsageError naming
// `what` and `path`: an empty path, a missing or unreadable file, a directory, a FIFO, a device
// or socket (never blocks on them), and a file larger than `max_bytes`.
// e.g. "hwloc XML /dev/zero: not a regular file (character device)".
[[nodiscard]] std::string read_input_file(const std::string& path, std::string_view what,
                                          std::size_t max_bytes = kMaxInputFileBytes);

// Parses JSON text, refusing (UsageError naming `what`) nesting deeper than `max_depth`
// arrays/objects, malformed text, numbers outside double's range (1e400) and trailing garbage.
// Never recurses in our code and never lets a nlohmann exception escape.
[[nodiscard]] nlohmann::json parse_json_bounded(std::string_view text, std::string_view what,
                                                std::size_t max_depth = kMaxJsonDepth);

// read_input_file + parse_json_bounded.
[[nodiscard]] nlohmann::json read_json_file(const std::string& path, std::string_view what,
                                            std::size_t max_bytes = kMaxInputFileBytes,
                                            std::size_t max_depth = kMaxJsonDepth);

// Depth of the deepest array/object in `value`, computed without recursion (for JSON that was
// built in memory from outside data, e.g. a peer's message, before it is stored or dumped).
[[nodiscard]] std::size_t json_depth(const nlohmann::json& value);

// The names in directory `dir`, sorted (sysfs listings: devices, ports, netdevs); empty when the
// directory is missing or unreadable, as a sysfs tree without that part is.
[[nodiscard]] std::vector<std::string> sorted_directory_entries(const std::string& dir);

}  // namespace fabricperf
