// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QTcpServer>

class QThread;

namespace Bench {

// The echo backend every benchmarked setup relays to: accepts WebSocket upgrades on
// any path and sends every data message back, on `threads` worker threads.
class EchoServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EchoServer)

public:
    explicit EchoServer(int threads, QObject *parent = nullptr);
    ~EchoServer() override;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<QThread *> m_threads;
    QList<QObject *> m_workers;
    int m_next = 0;
};

} // namespace Bench
