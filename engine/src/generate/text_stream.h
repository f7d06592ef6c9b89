// Turns the bytes of generated tokens into text pieces for the caller: never splits a UTF-8
// character, holds back text that might be the start of a stop string, and never emits a stop
// string itself.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine {

class TextStream {
public:
    TextStream(std::vector<std::string> stop_strings, std::function<void(std::string_view)> sink);

    // Appends a token's bytes; emits what is safe. Returns true when a stop string completed
    // (the text before it has been emitted; nothing after it will be).
    bool push(std::string_view bytes);

    // Emits whatever is held back (an incomplete UTF-8 sequence at the very end becomes U+FFFD).
    void finish();

    // Bytes of a complete prefix: `text` without an incomplete UTF-8 sequence at its end.
    static std::size_t complete_utf8_prefix(std::string_view text);

private:
    void emit(std::string_view text);

    std::vector<std::string> stops_;
    std::function<void(std::string_view)> sink_;
    std::string pending_;
    bool stopped_ = false;
};

} // namespace tern::engine
