// Reading a whole (small) file, with errors that name it.
#pragma once

#include <string>

namespace tern::engine::tokenizer_detail {

// Throws Error("<path>: cannot open ...") when the file cannot be read.
std::string read_file_bytes(const std::string& path);

} // namespace tern::engine::tokenizer_detail
