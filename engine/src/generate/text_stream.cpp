#include "text_stream.h"

#include <algorithm>

namespace tern::engine {

TextStream::TextStream(std::vector<std::string> stop_strings, std::function<void(std::string_view)> sink)
    : sink_(std::move(sink)) {
    for (auto& s : stop_strings) {
        if (!s.empty()) {
            stops_.push_back(std::move(s));
        }
    }
}

std::size_t TextStream::complete_utf8_prefix(std::string_view text) {
    // Look at most 3 bytes back for the lead byte of the last character.
    const std::size_t n = text.size();
    for (std::size_t back = 1; back <= std::min<std::size_t>(4, n); ++back) {
        const auto c = static_cast<unsigned char>(text[n - back]);
        if ((c & 0xC0) == 0x80) {
            continue; // continuation byte: keep looking for the lead
        }
        std::size_t need = 1;
        if ((c & 0xE0) == 0xC0) {
            need = 2;
        } else if ((c & 0xF0) == 0xE0) {
            need = 3;
        } else if ((c & 0xF8) == 0xF0) {
            need = 4;
        }
        return back < need ? n - back : n;
    }
    return n; // only continuation bytes (invalid text): nothing to wait for
}

void TextStream::emit(std::string_view text) {
    if (!text.empty() && sink_) {
        sink_(text);
    }
}

bool TextStream::push(std::string_view bytes) {
    if (stopped_) {
        return true;
    }
    pending_.append(bytes);
    // A completed stop string: emit what precedes the earliest one and stop.
    std::size_t earliest = std::string::npos;
    for (const auto& stop : stops_) {
        earliest = std::min(earliest, pending_.find(stop));
    }
    if (earliest != std::string::npos) {
        emit(std::string_view(pending_).substr(0, earliest));
        pending_.clear();
        stopped_ = true;
        return true;
    }
    // Hold back the longest tail that is a prefix of some stop string.
    std::size_t hold = 0;
    for (const auto& stop : stops_) {
        for (std::size_t len = std::min(stop.size() - 1, pending_.size()); len > hold; --len) {
            if (pending_.compare(pending_.size() - len, len, stop, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    std::size_t safe = complete_utf8_prefix(std::string_view(pending_).substr(0, pending_.size() - hold));
    // The held-back tail may start inside a character: never cut one.
    while (safe > 0 && safe < pending_.size() && (static_cast<unsigned char>(pending_[safe]) & 0xC0) == 0x80 &&
           pending_.size() - safe < pending_.size()) {
        --safe;
    }
    emit(std::string_view(pending_).substr(0, safe));
    pending_.erase(0, safe);
    return false;
}

void TextStream::finish() {
    if (stopped_) {
        return;
    }
    const std::size_t complete = complete_utf8_prefix(pending_);
    emit(std::string_view(pending_).substr(0, complete));
    if (complete < pending_.size()) {
        emit("\xEF\xBF\xBD");
    }
    pending_.clear();
}

} // namespace tern::engine
