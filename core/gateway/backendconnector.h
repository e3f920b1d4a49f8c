// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QStringList>

class QTcpSocket;
class QTimer;

namespace Gatehouse::Gateway {

// Opens the backend leg of a connection: TCP (or TLS for wss), the WebSocket
// upgrade request, and the backend's answer, bounded in time. Reports success with
// the upgraded socket, or failure as the HTTP status the client should get:
// refused / unreachable / bad answer -> 502, no answer in time -> 504, an HTTP error
// from the backend -> that status.
class BackendConnector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackendConnector)

public:
    struct Request
    {
        QString host;
        quint16 port = 80;
        bool secure = false;
        bool verifyPeer = true; // wss: check the backend's certificate
        QByteArray target; // path?query for the request line
        QList<QPair<QByteArray, QByteArray>>
            headers; // extra headers (Origin, X-Forwarded-For, ...)
        QStringList subprotocols; // offered in Sec-WebSocket-Protocol
        int timeoutMs = 10000;
        qsizetype maxResponseBytes = 16 * 1024;
    };

    explicit BackendConnector(QObject *parent = nullptr);
    ~BackendConnector() override;

    void start(const Request &request);
    void abort();

    // After succeeded(): the upgraded socket (caller takes ownership), bytes that
    // followed the backend's response, and the subprotocol it chose (may be empty).
    QTcpSocket *takeSocket();
    QByteArray leftover() const { return m_leftover; }
    QString subprotocol() const { return m_subprotocol; }

signals:
    void succeeded();
    void failed(int status, const QString &reason);

private:
    void handleConnected();
    void handleReadyRead();
    void handleError();
    void fail(int status, const QString &reason);

    Request m_request;
    QPointer<QTcpSocket> m_socket;
    QTimer *m_timer = nullptr;
    QByteArray m_key;
    QByteArray m_buffer;
    QByteArray m_leftover;
    QString m_subprotocol;
    bool m_done = false;
};

} // namespace Gatehouse::Gateway
