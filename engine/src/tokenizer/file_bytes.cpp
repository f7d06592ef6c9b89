#include "file_bytes.h"

#include "tern/engine/engine.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tern::engine::tokenizer_detail {

std::string read_file_bytes(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) throw Error(path + ": read error");
    return std::move(contents).str();
}

} // namespace tern::engine::tokenizer_detail
