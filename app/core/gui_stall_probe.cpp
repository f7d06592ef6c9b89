#include "gui_stall_probe.h"

#include <algorithm>

namespace tern::app {

GuiStallProbe::GuiStallProbe(QObject* parent) : QObject(parent) {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &GuiStallProbe::tick);
}

void GuiStallProbe::start() {
    reset();
    timer_.start();
}

void GuiStallProbe::stop() {
    timer_.stop();
}

void GuiStallProbe::reset() {
    clock_.start();
    lastNs_ = 0;
    worstMs_ = 0;
    ticks_ = 0;
}

void GuiStallProbe::tick() {
    const qint64 now = clock_.nsecsElapsed();
    if (ticks_ > 0) {
        // The stall is the gap beyond the interval the timer asked for.
        const double lateMs = static_cast<double>(now - lastNs_) / 1e6 - kIntervalMs;
        if (lateMs > worstMs_) {
            worstMs_ = lateMs;
            emit updated();
        }
    }
    lastNs_ = now;
    ++ticks_;
}

} // namespace tern::app
