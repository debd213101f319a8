// Writing output files whole or not at all, the counterpart of input_file.h: every command and
// library that writes a result file goes through these, so a reader never sees half a file and a
// device named as the output is written, never replaced.
#pragma once

#include <string>

namespace mpsim {

// Refuses an output path before any work is done: a folder, or a file in a folder that does not
// exist or cannot be written. Throws UserError naming the path and the option.
void check_output_path(const std::string& path, const std::string& option = "-o");

// Writes `content` to `path`. A regular file (or a new one) is written through a temporary file
// in its folder and a rename, so a reader never sees half a file; a symbolic link's target is
// replaced, not the link. A special file (a device such as /dev/null, a FIFO) is written
// directly, never replaced. Every write is checked. Throws UserError naming the path when it
// cannot.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace mpsim
