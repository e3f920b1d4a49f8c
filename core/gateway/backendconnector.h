// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/descriptorwatch.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QStringList>

class QTcpSocket;

namespace Gatehouse::Gateway {

// Opens the backend leg of a connection: TCP (or TLS for wss), the WebSocket
// upgrade request, and the backend's answer, bounded in time. Reports success with
// the upgraded socket, or failure as the HTTP status the client should get:
// refused / unreachable / bad answer -> 502, no answer in time -> 504, an HTTP error
// from the backend -> that status.
//
// A ws:// endpoint whose host is an IP literal is connected on a bare descriptor
// (non-blocking connect, the request sent as soon as the kernel takes it, the answer
// read by one DescriptorWatch); afterwards takeWatch() hands the descriptor and its
// watch to the relay leg, so its epoll registration stays. Host names (which
// need a lookup) and wss:// go through QTcpSocket / QSslSocket.
class BackendConnector final
    : public QObject
    , private EpollEventDispatcher::Handler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackendConnector)

public:
    struct Request
    {
        QString host;
        quint16 port = 80;
        QByteArray hostHeader; // the Host header's value; empty: made from host and port
        bool secure = false;
        bool verifyPeer = true; // wss: check the backend's certificate
        QByteArray target; // path?query for the request line
        QList<QPair<QByteArray, QByteArray>>
            headers; // extra headers (Origin, X-Forwarded-For, ...)
        QStringList subprotocols; // offered in Sec-WebSocket-Protocol
        int timeoutMs = 10000;
        qsizetype maxResponseBytes = 16 * 1024;
        int socketBufferBytes = 0; // SO_SNDBUF and SO_RCVBUF; 0: the kernel's
    };

    // What the connector tells its owner, once: the last thing it does in the call
    // that ends it.
    class Listener
    {
    public:
        virtual void backendConnected() = 0;
        virtual void backendFailed(int status, const QString &reason) = 0;

    protected:
        ~Listener() = default;
    };

    // `listener` (may be null: the signals only) is told as well as the signals.
    explicit BackendConnector(Listener *listener = nullptr, QObject *parent = nullptr);
    ~BackendConnector() override;

    // The Host header's value for `host` and `port` ("[::1]:8080", "example.com").
    static QByteArray hostHeader(const QString &host, quint16 port, bool secure);

    void start(const Request &request);
    void abort();

    // After succeeded(): the upgraded connection (caller takes ownership), bytes that
    // followed the backend's response, and the subprotocol it chose (may be empty).
    // isBare(): the connection is a descriptor (takeWatch()), else a socket
    // object (takeSocket()).
    bool isBare() const { return m_fd >= 0; }
    QTcpSocket *takeSocket();
    // The descriptor's watch (the caller owns both from now on; it calls nobody until
    // given a handler of its own).
    DescriptorWatch takeWatch();
    QByteArray leftover() const { return m_leftover; }
    QString subprotocol() const { return m_subprotocol; }
    // After a failure: it was the gateway's own lack of descriptors (EMFILE, ENFILE),
    // not the backend's doing.
    bool outOfDescriptors() const { return m_outOfDescriptors; }

signals:
    void succeeded();
    void failed(int status, const QString &reason);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void descriptorReadable() override;
    void descriptorWritable() override;
    QByteArray upgradeRequest() const;
    bool startBare();
    void sendBare();
    void handleBareReadable();
    void failWithErrno(int error);
    void failLater(int status, const QString &reason);
    void closeBare();
    void handleConnected();
    void handleReadyRead();
    void processAnswer();
    void handleError();
    void fail(int status, const QString &reason);

    Listener *m_listener;
    Request m_request;
    QPointer<QTcpSocket> m_socket;
    int m_fd = -1; // bare path: the descriptor, owned
    DescriptorWatch m_watch; // of m_fd: read, and write while the request waits
    QByteArray m_out; // bare path: the upgrade request
    qsizetype m_sent = 0;
    QBasicTimer m_timer;
    QByteArray m_key;
    QByteArray m_buffer;
    QByteArray m_leftover;
    QString m_subprotocol;
    bool m_done = false;
    bool m_starting = false; // failures inside start() are reported from the event loop
    bool m_outOfDescriptors = false;
};

} // namespace Gatehouse::Gateway
