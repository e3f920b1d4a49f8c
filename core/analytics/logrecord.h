// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <limits>

namespace Gatehouse::Analytics {

// One row of the message log as the reader returns it: a handshake, a message
// (relayed, dropped or throttled) or a close. Fields that do not apply stay empty.
struct LogRecord
{
    enum class Kind { Handshake = 0, Message = 1, Close = 2 };

    Kind kind = Kind::Message;
    qint64 id = 0; // unique within its kind: the row id (handshakes, closes, messages of
                   // a legacy log_messages table) or block id * 4096 + index in the block
    qint64 timeMs = 0;
    quint64 connectionId = 0;
    QString api;
    QString channel;
    QString application;
    QString reason; // handshake: rejection reason; message: why dropped; close: close reason
    QStringList flags;
    // Handshake
    bool accepted = false;
    int status = 0;
    QString path;
    QString clientAddress;
    QString backendUrl;
    // Message
    QString direction; // "in" (client -> backend) or "out"
    QString action; // "relayed", "dropped", "throttled"
    qint64 size = 0;
    QString opcode; // "text", "binary", or "ping" (a forwarded ping)
    bool binary = false;
    qint64 latencyUs = 0;
    QByteArray payload;
    bool payloadTruncated = false;
    // Close
    int closeCode = 0;
    QString closedBy; // "client", "backend", "gateway"
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 durationMs = 0;
};

// Which rows a query returns: time range [fromMs, toMs), a text that must appear
// in a reason, channel, application, path, address or payload (case-insensitive),
// one connection, some kinds, labels, and what only one kind has (a message's
// direction, a handshake's status, a close's code: asking for one selects that
// kind only). Which handshakes (accepted or rejected) and which messages (by
// action) pass narrows those kinds and leaves the others as `kinds` says, so that
// "rejected handshakes and throttled messages" is one filter (selectKinds() in
// logrecordjson.h sets all three from kind names). The reader selects by all of
// them in SQL (or while unpacking a block of messages); `gatehouse-cli log` and
// the window fill the same struct.
struct LogFilter
{
    qint64 fromMs = std::numeric_limits<qint64>::min();
    qint64 toMs = std::numeric_limits<qint64>::max();
    QString text;
    quint64 connectionId = 0; // 0 = every connection
    QList<LogRecord::Kind> kinds; // empty = every kind
    QString api; // contained in the API (case-insensitive); empty = any
    QString channel; // contained in the channel template (case-insensitive); empty = any
    QString application; // exactly this application id; empty = any
    QString direction; // "in" or "out": messages that went this way only; empty = any
    int status = 0; // handshakes answered with this HTTP status only; 0 = any
    int closeCode = 0; // closes with this close code only; 0 = any
    enum class Handshakes { Any, Accepted, Rejected };
    Handshakes handshakes = Handshakes::Any; // which handshakes pass
    QStringList actions; // messages with one of these actions only ("relayed", "dropped",
                         // "throttled"); empty = any

    // Whether rows of `kind` can pass (kinds, direction, status and code).
    bool admits(LogRecord::Kind kind) const
    {
        if (!kinds.isEmpty() && !kinds.contains(kind))
            return false;
        if (!direction.isEmpty() && kind != LogRecord::Kind::Message)
            return false;
        if (status != 0 && kind != LogRecord::Kind::Handshake)
            return false;
        return closeCode == 0 || kind == LogRecord::Kind::Close;
    }
};

// Who did the most in a time range: one row per application, channel or client
// address, from the log's handshakes and closes.
struct Talker
{
    QString name; // the application id, channel template or client address ("" for none)
    qint64 attempts = 0; // upgrade requests
    qint64 rejected = 0; // of them answered with an HTTP error
    qint64 messages = 0; // both ways, of their connections that closed in the range
};

} // namespace Gatehouse::Analytics

Q_DECLARE_METATYPE(Gatehouse::Analytics::LogFilter)
