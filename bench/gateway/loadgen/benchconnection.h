// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

class QTcpSocket;

namespace Bench {

// One client WebSocket connection of the load generator: raw socket, our own
// handshake and framing, so that the generator costs little per message. Every
// payload starts with the send time (steady clock, ns) for round-trip times.
class BenchConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BenchConnection)

public:
    explicit BenchConnection(QObject *parent = nullptr);

    void open(const QString &host, quint16 port, const QByteArray &path,
              const QList<QPair<QByteArray, QByteArray>> &headers);
    void send(int size);
    void closeNow();
    bool isOpen() const { return m_open; }
    qint64 bytesToWrite() const;

    static qint64 nowNs();

signals:
    void opened();
    void echoed(qint64 roundTripNs);
    void failed(const QByteArray &why);
    void closed();

private:
    void handleReadyRead();

    QTcpSocket *m_socket = nullptr;
    QByteArray m_request;
    QByteArray m_in;
    bool m_open = false;
    bool m_done = false;
};

} // namespace Bench
