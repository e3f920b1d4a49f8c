// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class QWebSocket;
class QWebSocketServer;

namespace Gatehouse::Bench {

// The client tab benchmark's server, meant to live in a thread of its own: it answers
// a text message "flood N SIZE" with N text messages of SIZE bytes, as fast as the
// connection takes them. At most a few MiB wait in the socket at a time, so that the
// server's own buffers barely count in the memory the benchmark measures (it runs in
// the same process as the tab).
class FloodServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FloodServer)

public:
    explicit FloodServer(QObject *parent = nullptr);
    ~FloodServer() override;

    // Listens on 127.0.0.1, port 0; the port, or 0. Call in the server's thread.
    quint16 listen();

private:
    void handleNewConnection();
    void handleCommand(QWebSocket *socket, const QString &command);
    void pump();

    QWebSocketServer *m_server;
    QPointer<QWebSocket> m_flooded;
    QString m_payload;
    qint64 m_left = 0;
};

} // namespace Gatehouse::Bench
