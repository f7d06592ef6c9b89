#include "progress_tracker.h"

namespace tern::downloader::detail {
namespace {
constexpr auto kRateWindow = std::chrono::seconds(5);
}

ProgressTracker::ProgressTracker(ProgressCallback callback, std::chrono::milliseconds interval,
                                 std::uint64_t bytes_total, int files_total,
                                 const DownloadControl* control)
    : callback_(std::move(callback)), interval_(interval), control_(control) {
    progress_.bytes_total = bytes_total;
    progress_.files_total = files_total;
    samples_.emplace_back(std::chrono::steady_clock::now(), 0);
}

void ProgressTracker::add_existing(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.bytes_done += bytes;
}

void ProgressTracker::add_transferred(const std::string& file, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.bytes_done += bytes;
    transferred_ += bytes;
    progress_.current_file = file;
    emit_locked(false);
}

void ProgressTracker::remove(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.bytes_done -= std::min(bytes, progress_.bytes_done);
}

void ProgressTracker::file_finished(const std::string& file) {
    std::lock_guard lock(mutex_);
    ++progress_.files_done;
    progress_.current_file = file;
    emit_locked(false);
}

void ProgressTracker::finish() {
    std::lock_guard lock(mutex_);
    emit_locked(true);
}

std::uint64_t ProgressTracker::bytes_transferred() const {
    std::lock_guard lock(mutex_);
    return transferred_;
}

void ProgressTracker::emit_locked(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_emit_ < interval_) {
        return;
    }
    last_emit_ = now;
    samples_.emplace_back(now, transferred_);
    while (samples_.size() > 2 && now - samples_[1].first > kRateWindow) {
        samples_.pop_front();
    }
    const double seconds =
        std::chrono::duration<double>(now - samples_.front().first).count();
    const auto bytes = static_cast<double>(transferred_ - samples_.front().second);
    progress_.bytes_per_second = seconds > 0.05 ? bytes / seconds : 0;
    const std::uint64_t left =
        progress_.bytes_total > progress_.bytes_done ? progress_.bytes_total - progress_.bytes_done : 0;
    progress_.eta_seconds = left == 0 ? 0
                            : progress_.bytes_per_second > 0
                                ? static_cast<double>(left) / progress_.bytes_per_second
                                : -1;
    progress_.paused = control_ && control_->is_paused();
    if (callback_) {
        // Under the lock on purpose: the callback never runs concurrently with itself.
        callback_(progress_);
    }
}

} // namespace tern::downloader::detail
