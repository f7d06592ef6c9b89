// Adds up the bytes of all files of one download (several threads write at once) and turns them
// into the throttled, serialized DownloadProgress callbacks the public API promises.
#pragma once

#include "tern/downloader/hub_client.h"

#include <chrono>
#include <deque>
#include <mutex>

namespace tern::downloader::detail {

class ProgressTracker {
public:
    ProgressTracker(ProgressCallback callback, std::chrono::milliseconds interval,
                    std::uint64_t bytes_total, int files_total, const DownloadControl* control);

    void add_existing(std::uint64_t bytes);                      // already on disk, not transferred
    void add_transferred(const std::string& file, std::uint64_t bytes);
    void remove(std::uint64_t bytes);                            // discarded (restart from zero)
    void file_finished(const std::string& file);
    void finish();                                               // the final callback
    std::uint64_t bytes_transferred() const;

private:
    void emit_locked(bool force);

    ProgressCallback callback_;
    std::chrono::milliseconds interval_;
    const DownloadControl* control_;
    mutable std::mutex mutex_;
    DownloadProgress progress_;
    std::uint64_t transferred_ = 0;
    std::chrono::steady_clock::time_point last_emit_{};
    // (time, transferred) samples of the last few seconds, for the rate.
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> samples_;
};

} // namespace tern::downloader::detail
