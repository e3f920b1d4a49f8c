// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clienthistory.h"
#include "client/clientoptions.h"
#include "gateway/websocketcodec.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

class QSslSocket;
class QTimer;

namespace Gatehouse::Client {

// One WebSocket client connection (RFC 6455), as wscat or a client tab opens it: the
// upgrade request with the options' headers, subprotocols, origin, credentials, TLS and
// proxy; every step kept in a bounded history (the handshake answer with its headers,
// and the body of a refusal such as 401; messages with their opcode and time; pings,
// pongs and round trips; the close with who started it). Reconnects with backoff when
// asked, and sends the on-open messages after every (re)open.
//
// Framed here with core's RFC 6455 codec over QSslSocket rather than QWebSocket:
// Qt 6.4's QWebSocket gives neither the handshake answer's headers nor a refusal's
// status and body, and always answers pings itself.
//
// Lives in the thread that created it (or was moved to); never blocks it. Views on
// other threads read history() after eventsAdded().
class ClientConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)
public:
    enum class State { Idle, Connecting, Open, Closing, Closed, WaitingToReconnect };
    Q_ENUM(State)

    explicit ClientConnection(QObject *parent = nullptr);
    ~ClientConnection() override;

    void setOptions(const ClientOptions &options);
    const ClientOptions &options() const { return m_options; }
    std::shared_ptr<ClientHistory> history() const { return m_history; }
    State state() const { return m_state; }

    // Connects. False, with an Error event, when the options cannot be used.
    bool open();
    // Sends a message; false (nothing sent) unless open.
    bool sendText(const QByteArray &utf8) { return send(ClientEvent::Text, utf8); }
    bool sendBinary(const QByteArray &data) { return send(ClientEvent::Binary, data); }
    bool send(quint8 opcode, const QByteArray &payload);
    // Sends a ping (payload up to 125 bytes); its pong gives a round trip.
    bool ping(const QByteArray &payload = {});
    // Unsolicited pong (the server sees a heartbeat).
    bool pong(const QByteArray &payload = {});
    // Starts the closing handshake (or stops a pending reconnect); no reconnect follows.
    void close(quint16 code = 1000, const QString &reason = {});
    // Drops the connection without a close frame (a client that vanishes).
    void abort();
    // Adds an Error or Warning of the caller's to the history (a file that could not
    // be sent, ...).
    void note(ClientEvent::Kind kind, const QString &text);

    // What the last handshake answered: HTTP status (0: none yet), headers, body.
    int responseStatus() const { return m_responseStatus; }
    QString responseReason() const { return m_responseReason; }
    HeaderList responseHeaders() const { return m_responseHeaders; }
    QByteArray responseBody() const { return m_responseBody; }
    HeaderList requestHeaders() const { return m_requestHeaders; }
    QString subprotocol() const { return m_subprotocol; }
    // The close that ended the connection: code (1006 when no close frame came),
    // reason, and whether we started it.
    quint16 closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    bool closedByUs() const { return m_closedByUs; }
    // The last error (refused handshake, unreachable host, TLS, protocol), one line.
    QString errorString() const { return m_error; }
    // The socket's error behind it (UnknownSocketError when none).
    QAbstractSocket::SocketError socketError() const { return m_socketError; }
    // The current URL (after redirects).
    QUrl url() const { return m_url; }

Q_SIGNALS:
    void stateChanged(Gatehouse::Client::ClientConnection::State state);
    // New events are in history(); at most once per event-loop turn.
    void eventsAdded();
    // Connected and open (after every reconnect).
    void opened();
    // Closed or failed, and no reconnect follows.
    void finished();

private:
    void connectSocket();
    void handleConnected();
    void handleEncrypted();
    void handleReadyRead();
    void handleDisconnected();
    void handleSocketError();
    void handleHandshakeTimeout();
    bool readHandshake(); // false while the answer is incomplete
    void finishRefusal();
    void readFrames();
    void handleFrame(const Gateway::WebSocketCodec::Frame &frame);
    void deliverMessage(quint8 opcode, QByteArray payload);
    void failConnection(quint16 code, const QString &why); // protocol error: close and drop
    void sendClose(quint16 code, const QString &reason);
    void writeFrame(quint8 opcode, QByteArrayView payload);
    bool sendControl(quint8 opcode, const QByteArray &payload); // a ping or pong of ours
    void dropSocket();
    void connectionEnded(); // after the socket is gone: reconnect or finish
    void sendKeepAlivePing();
    void setState(State state);
    void record(ClientEvent event);
    void fail(const QString &error);

    ClientOptions m_options;
    std::shared_ptr<ClientHistory> m_history;
    State m_state = State::Idle;
    QPointer<QSslSocket> m_socket;
    QTimer *m_handshakeTimer;
    QTimer *m_pingTimer;
    QTimer *m_reconnectTimer;
    QTimer *m_closeTimer; // waits for the server's answer to our close
    QTimer *m_bodyTimer; // waits for the rest of a refusal's body
    Gateway::WebSocketCodec m_codec {Gateway::WebSocketCodec::Role::Client};

    QUrl m_url;
    QByteArray m_key;
    QByteArray m_in;
    bool m_handshakeDone = false;
    int m_redirects = 0;
    int m_attempt = 0; // reconnect attempts since the last open
    bool m_userClosed = false;
    bool m_closeSent = false;
    bool m_closeRecorded = false;
    bool m_failing = false; // a protocol error: closing, input ignored
    bool m_refused = false; // a non-101 answer is being read
    qint64 m_bodyExpected = -1;

    quint8 m_fragmentOpcode = 0;
    QByteArray m_fragments;

    int m_responseStatus = 0;
    QString m_responseReason;
    HeaderList m_responseHeaders;
    HeaderList m_requestHeaders;
    QByteArray m_responseBody;
    QString m_subprotocol;
    quint16 m_closeCode = 0;
    QString m_closeReason;
    bool m_closedByUs = false;
    QString m_error;
    QAbstractSocket::SocketError m_socketError = QAbstractSocket::UnknownSocketError;

    QElapsedTimer m_clock;
    QHash<QByteArray, qint64> m_pings; // payload -> sent at (µs on m_clock)
    quint64 m_pingCounter = 0;
    qint64 m_lastSentUs = -1; // for the request/reply latency of the next message
    bool m_notifyPending = false;
};

} // namespace Gatehouse::Client
