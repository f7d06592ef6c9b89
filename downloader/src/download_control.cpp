#include "tern/downloader/download_control.h"

namespace tern::downloader {

void DownloadControl::pause() {
    std::lock_guard lock(mutex_);
    paused_ = true;
    changed_.notify_all();
}

void DownloadControl::resume() {
    std::lock_guard lock(mutex_);
    paused_ = false;
    changed_.notify_all();
}

void DownloadControl::cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
}

bool DownloadControl::wait_while_paused() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !paused_ || cancelled_; });
    return !cancelled_;
}

bool DownloadControl::sleep_unless_cancelled(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, delay, [this] { return cancelled_.load(); });
    return !cancelled_;
}

} // namespace tern::downloader
