// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>

#include <functional>

class QThread;

namespace Gatehouse {
class ClientTab;
namespace Bench {

class FloodServer;

// One measurement of the client tab benchmark: a ClientTab connected to a FloodServer
// (in a thread of its own) receives `messages` messages of `size` bytes; measured are
// the wall time until the tab's counter shows them all, the longest gap between two
// ticks of a 5 ms timer in the GUI thread, and the process's resident memory.
class FloodRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FloodRun)

public:
    struct Settings
    {
        qint64 messages = 100000;
        int size = 64;
        qsizetype historyLimit = 0; // events the tab keeps; 0: the tab's default
    };
    struct Result
    {
        bool ok = false;
        QString error;
        qint64 received = 0;
        double wallMs = 0;
        double messagesPerSecond = 0;
        double longestGapMs = 0; // between two ticks of the 5 ms timer, while flooded
        int gapsOver50Ms = 0;
        // The most CPU time the GUI thread spent between two ticks: the gap without the
        // time the thread waited for a CPU (the server and the connection's thread
        // share the machine's).
        double longestBusyMs = 0;
        qint64 rssBeforeKiB = 0; // connected, before the flood
        qint64 rssPeakKiB = 0; // VmHWM: the highest resident memory
        qint64 rssAfterKiB = 0; // one second after the last message was counted
        int keptEvents = 0; // rows of the tab's message model at the end
    };

    explicit FloodRun(const Settings &settings, QObject *parent = nullptr);
    ~FloodRun() override;

    Result run();

private:
    // Runs the event loop until `done` says so (checked every millisecond) or
    // `timeoutMs` passed; false on time-out.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);
    qint64 countedMessages() const;
    void handleTick();

    Settings m_settings;
    QThread *m_thread;
    FloodServer *m_server; // lives in m_thread
    ClientTab *m_tab = nullptr;
    QElapsedTimer m_sinceTick;
    double m_longestGapMs = 0;
    double m_longestBusyMs = 0;
    qint64 m_threadCpuNs = 0;
    int m_gapsOver50Ms = 0;
};

} // namespace Bench
} // namespace Gatehouse
