// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientmessagemodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QLocale>
#include <QPalette>

namespace Gatehouse {

using Client::ClientEvent;
using Kind = ClientEvent::Kind;

ClientMessageModel::ClientMessageModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void ClientMessageModel::setHistory(std::shared_ptr<Client::ClientHistory> history)
{
    beginResetModel();
    m_history = std::move(history);
    m_events.clear();
    m_bytes = 0;
    m_lastSequence = 0;
    m_firstTimeMs = 0;
    endResetModel();
    refresh();
}

bool ClientMessageModel::refresh(qsizetype maxCount)
{
    if (!m_history)
        return false;
    const QList<ClientEvent> added = m_history->since(m_lastSequence, nullptr, maxCount);
    if (added.isEmpty())
        return false;
    m_lastSequence = added.constLast().sequence;
    if (!m_firstTimeMs)
        m_firstTimeMs = added.constFirst().timeMs;
    // keep within the history's limits (events and payload bytes), oldest first
    const qsizetype maxEvents = m_history->maxEvents();
    const qint64 maxBytes = m_history->maxBytes();
    qint64 addedBytes = 0;
    for (const ClientEvent &e : added)
        addedBytes += e.data.size();
    int drop = 0;
    qint64 bytes = m_bytes + addedBytes;
    qsizetype count = m_events.size() + added.size();
    while (drop < m_events.size() && (count > maxEvents || bytes > maxBytes)) {
        bytes -= m_events.at(drop).data.size();
        --count;
        ++drop;
    }
    if (drop > 0) {
        beginRemoveRows({}, 0, drop - 1);
        m_events.remove(0, drop);
        endRemoveRows();
        m_bytes = bytes - addedBytes;
    }
    const qsizetype skip = std::max<qsizetype>(0, added.size() - maxEvents);
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(added.size() - skip) - 1);
    for (qsizetype i = skip; i < added.size(); ++i) {
        m_bytes += added.at(i).data.size();
        m_events.append(added.at(i));
    }
    endInsertRows();
    return maxCount > 0 && added.size() == maxCount; // perhaps more to take
}

void ClientMessageModel::clear()
{
    beginResetModel();
    m_events.clear();
    m_bytes = 0;
    if (m_history) {
        m_history->clear();
        m_lastSequence = m_history->lastSequence();
    }
    m_firstTimeMs = 0;
    endResetModel();
}

void ClientMessageModel::setRelativeTimes(bool relative)
{
    if (m_relative == relative)
        return;
    m_relative = relative;
    if (!m_events.isEmpty())
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

int ClientMessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int ClientMessageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ClientMessageModel::readable(const ClientEvent &e)
{
    if (e.kind == Kind::Request) {
        QString text = e.text + u'\n';
        for (const auto &[name, value] : e.headers)
            text += QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromLatin1(value)
                + u'\n';
        return text;
    }
    if (e.kind == Kind::Response) {
        QString text = QStringLiteral("HTTP %1 %2\n").arg(e.status).arg(e.text);
        for (const auto &[name, value] : e.headers)
            text += QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromLatin1(value)
                + u'\n';
        if (!e.data.isEmpty())
            text += u'\n' + QString::fromUtf8(e.data);
        return text;
    }
    if (e.kind == Kind::Closed)
        return QStringLiteral("%1\n%2").arg(ClientEvent::closeCodeMeaning(e.closeCode), e.text);
    if (e.data.isEmpty())
        return e.text;
    if (e.opcode == ClientEvent::Binary || !QUtf8StringView(e.data).isValidUtf8()) {
        QString format;
        QString undecoded;
        const QString json = ClientEvent::binaryAsJson(e.data, &format, &undecoded);
        if (!json.isEmpty())
            return tr("%1, shown as JSON:\n%2").arg(format, json);
        QString hex = undecoded.isEmpty() ? QString() : tr("%1; shown as bytes:\n").arg(undecoded);
        for (qsizetype i = 0; i < e.data.size() && i < 64 * 1024; i += 16) {
            const QByteArray row = e.data.mid(i, 16);
            hex += QStringLiteral("%1  %2\n")
                       .arg(i, 8, 16, QChar(u'0'))
                       .arg(QString::fromLatin1(row.toHex(' ')));
        }
        return hex;
    }
    const QByteArray trimmed = e.data.trimmed();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(e.data, &error);
        if (error.error == QJsonParseError::NoError)
            return QString::fromUtf8(json.toJson(QJsonDocument::Indented));
    }
    return QString::fromUtf8(e.data);
}

QString ClientMessageModel::preview(const ClientEvent &e)
{
    switch (e.kind) {
    case Kind::Response: {
        QString text = QStringLiteral("HTTP %1 %2").arg(e.status).arg(e.text);
        if (!e.data.isEmpty())
            text += QStringLiteral(" – ") + QString::fromUtf8(e.data.left(200)).simplified();
        return text;
    }
    case Kind::Closed:
        return ClientEvent::closeCodeMeaning(e.closeCode)
            + (e.text.isEmpty() ? QString() : QStringLiteral(": ") + e.text)
            + (e.outgoing ? QStringLiteral(" (closed by this tab)")
                          : QStringLiteral(" (closed by the server)"));
    case Kind::Pong:
        if (e.roundTripUs >= 0)
            return QStringLiteral("%1  (round trip %2 ms)")
                .arg(QString::fromUtf8(e.data.left(125)))
                .arg(double(e.roundTripUs) / 1000.0, 0, 'f', 2);
        break;
    default:
        break;
    }
    if (e.data.isEmpty())
        return e.text;
    if (e.opcode == ClientEvent::Binary || !QUtf8StringView(e.data).isValidUtf8()) {
        QString format;
        const QString json = ClientEvent::binaryAsJson(e.data, &format);
        if (!json.isEmpty())
            return QStringLiteral("%1 %2").arg(format, json.simplified().left(400));
        return QString::fromLatin1(e.data.left(48).toHex(' '))
            + (e.data.size() > 48 ? QStringLiteral(" …") : QString());
    }
    QString text = QString::fromUtf8(e.data.left(400));
    text.replace(u'\n', u' ');
    return text;
}

QVariant ClientMessageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return {};
    const ClientEvent &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            if (m_relative)
                return QStringLiteral("+%1 s").arg(double(e.timeMs - m_firstTimeMs) / 1000.0, 0,
                                                   'f', 3);
            return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(
                QStringLiteral("HH:mm:ss.zzz"));
        case DirectionColumn:
            if (e.kind == Kind::Sent || e.kind == Kind::Received || e.kind == Kind::Ping
                || e.kind == Kind::Pong || e.kind == Kind::Closed || e.kind == Kind::Request)
                return e.outgoing ? QStringLiteral("↑ out") : QStringLiteral("↓ in");
            return QString();
        case KindColumn:
            if (e.kind == Kind::Sent || e.kind == Kind::Received)
                return e.opcode == ClientEvent::Binary ? tr("binary") : tr("text");
            return ClientEvent::kindName(e.kind);
        case SizeColumn:
            return e.data.isEmpty() ? QString() : QLocale().formattedDataSize(e.data.size());
        case DataColumn:
            return preview(e);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == DataColumn)
            return readable(e).left(4000);
        return {};
    case Qt::ForegroundRole: {
        const QPalette palette = QGuiApplication::palette();
        const bool dark = palette.color(QPalette::Base).lightness() < 128;
        switch (e.kind) {
        case Kind::Error:
            return QBrush(dark ? QColor(0xff, 0x80, 0x80) : QColor(0xb0, 0x00, 0x20));
        case Kind::Warning:
            return QBrush(dark ? QColor(0xff, 0xc0, 0x60) : QColor(0x9a, 0x5b, 0x00));
        case Kind::Sent:
            return QBrush(dark ? QColor(0x8a, 0xb4, 0xff) : QColor(0x1a, 0x4f, 0xa8));
        case Kind::Received:
            return QBrush(dark ? QColor(0x8f, 0xd6, 0x9a) : QColor(0x1d, 0x6b, 0x2c));
        case Kind::Ping:
        case Kind::Pong:
        case Kind::Connecting:
        case Kind::Request:
        case Kind::Reconnecting:
            return palette.brush(QPalette::Disabled, QPalette::Text);
        default:
            return {};
        }
    }
    case EventKindRole:
        return int(e.kind);
    case OutgoingRole:
        return e.outgoing;
    case PayloadRole:
        return e.data;
    case TimeMsRole:
        return e.timeMs;
    case SearchTextRole:
        return e.data.isEmpty() ? e.text : QString::fromUtf8(e.data.left(64 * 1024));
    }
    return {};
}

QVariant ClientMessageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case DirectionColumn:
        return tr("Direction");
    case KindColumn:
        return tr("Kind");
    case SizeColumn:
        return tr("Size");
    case DataColumn:
        return tr("Data");
    }
    return {};
}

} // namespace Gatehouse
