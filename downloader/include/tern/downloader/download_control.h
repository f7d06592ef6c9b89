// Pause / resume / cancel for a running download, safe to call from any thread (the GUI thread
// while a worker thread downloads). Pausing ends the current HTTP transfer and keeps the .part
// file; resuming continues from the bytes on disk with a Range request, so a pause can last any
// time without the server closing an idle connection under us.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tern::downloader {

class DownloadControl {
public:
    void pause();
    void resume();
    void cancel(); // also ends a pause; the download throws HubError(Cancelled), .part files stay
    bool is_paused() const noexcept { return paused_.load(); }
    bool is_cancelled() const noexcept { return cancelled_.load(); }

    // For the downloader: blocks while paused; returns false when cancelled.
    bool wait_while_paused();
    // For the downloader: sleeps `delay` (a backoff) unless cancelled first; false when cancelled.
    bool sleep_unless_cancelled(std::chrono::milliseconds delay);

private:
    std::atomic<bool> paused_{false};
    std::atomic<bool> cancelled_{false};
    std::mutex mutex_;
    std::condition_variable changed_;
};

} // namespace tern::downloader
