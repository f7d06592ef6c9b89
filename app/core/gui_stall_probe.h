// A timer-drift probe: a 10 ms timer on the thread it lives on (the GUI thread) records how
// late each tick fires. A late tick means the event loop was busy that long, so the worst
// lateness is the longest the window could not react. Used by the end-to-end test and the
// --measure option of tern.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace tern::app {

class GuiStallProbe : public QObject {
    Q_OBJECT
    Q_PROPERTY(double worstStallMs READ worstStallMs NOTIFY updated)
public:
    explicit GuiStallProbe(QObject* parent = nullptr);
    void start();
    void stop();
    void reset();
    double worstStallMs() const { return worstMs_; }
    qint64 ticks() const { return ticks_; }

signals:
    void updated();

private:
    void tick();

    static constexpr int kIntervalMs = 10;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 lastNs_ = 0;
    double worstMs_ = 0;
    qint64 ticks_ = 0;
};

} // namespace tern::app
