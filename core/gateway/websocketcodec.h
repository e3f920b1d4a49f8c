// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace Gatehouse::Gateway {

// RFC 6455 framing as the relay needs it: parses frames from a byte buffer with
// the checks a conforming endpoint makes (masking by role, reserved bits, opcodes,
// control frame rules, length limits) and encodes frames, masking them when the
// gateway is the client (backend leg). Message reassembly and UTF-8 checks are the
// caller's (RelayLeg).
class WebSocketCodec
{
public:
    enum class Role {
        Server, // we accepted the connection: peer frames must be masked, ours are not
        Client, // we opened the connection: peer frames must not be masked, ours are
    };
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };
    enum class Result { Frame, NeedMore, Error };

    struct Frame
    {
        quint8 opcode = 0;
        bool fin = true;
        QByteArray payload; // unmasked
        bool ascii = false; // parseInPlace(): known to be ASCII (found while unmasking)
    };

    explicit WebSocketCodec(Role role)
        : m_role(role)
    { }

    Role role() const { return m_role; }

    // Parses the frame that starts at `*offset` of `data`. On Frame, advances
    // `*offset` past it. `maxPayload` bounds a data frame's payload (the rest of the
    // message size limit); a longer frame is an Error with code 1009.
    Result parse(const QByteArray &data, qsizetype *offset, qint64 maxPayload, Frame *frame);
    // The same, without a copy: the payload is unmasked where it lies in `data` and
    // `frame->payload` points there (QByteArray::fromRawData), so it is valid only
    // until `data` changes; a holder that keeps it longer must detach it.
    Result parseInPlace(char *data, qsizetype size, qsizetype *offset, qint64 maxPayload,
                        Frame *frame);

    // After Error: the close code to send (1002, 1009) and why.
    quint16 errorCode() const { return m_errorCode; }
    QString errorString() const { return m_errorString; }

    // One complete frame, masked in the Client role.
    QByteArray encode(quint8 opcode, QByteArrayView payload, bool fin = true) const;
    // The same frame appended to `out` (no buffer of its own).
    void encodeTo(QByteArray &out, quint8 opcode, QByteArrayView payload, bool fin = true) const;

    // Close frame payload: code (network order) + UTF-8 reason (truncated to fit 125
    // bytes). Code 1005 (none) gives an empty payload.
    static QByteArray closePayload(quint16 code, const QString &reason);
    // Codes a peer may send in a close frame (RFC 6455 7.4, IANA registry).
    static bool isValidCloseCode(quint16 code);
    // Sec-WebSocket-Accept for a Sec-WebSocket-Key.
    static QByteArray acceptKey(QByteArrayView key);
    // XORs `data` with the 4-byte masking key, in place. True when every byte is
    // ASCII afterwards (below 0x80).
    static bool applyMask(char *data, qsizetype size, const uchar key[4]);
    // Writes `size` bytes of `from`, masked with `key`, to `to` (`from` itself, or
    // memory that does not overlap it).
    // True when every byte written is ASCII.
    static bool copyMasked(char *to, const char *from, qsizetype size, const uchar key[4]);

private:
    struct Header
    {
        quint8 opcode = 0;
        bool fin = true;
        bool masked = false;
        uchar key[4] = {0, 0, 0, 0};
        qsizetype size = 0; // header bytes, masking key included
        qsizetype length = 0; // payload bytes
    };
    // The header at `data` when the whole frame is there (Frame), else NeedMore/Error.
    Result parseHeader(const char *data, qsizetype size, qint64 maxPayload, Header *header);
    Result fail(quint16 code, const QString &why);

    Role m_role;
    quint16 m_errorCode = 0;
    QString m_errorString;
};

} // namespace Gatehouse::Gateway
