// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionlistmodel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace Gatehouse {

namespace {

QString ago(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms / 1000);
    if (s < 2)
        return ConnectionListModel::tr("now");
    if (s < 120)
        return ConnectionListModel::tr("%1 s ago").arg(s);
    if (s < 7200)
        return ConnectionListModel::tr("%1 min ago").arg(s / 60);
    return ConnectionListModel::tr("%1 h ago").arg(s / 3600);
}

} // namespace

ConnectionListModel::ConnectionListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void ConnectionListModel::setConnections(const QList<Gateway::ConnectionSnapshot> &connections,
                                         qint64 nowMs)
{
    m_nowMs = nowMs >= 0 ? nowMs : QDateTime::currentMSecsSinceEpoch();
    QHash<quint64, const Gateway::ConnectionSnapshot *> incoming;
    for (const Gateway::ConnectionSnapshot &c : connections)
        incoming.insert(c.id, &c);

    // rows whose connection closed, from the bottom so indexes stay valid
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (incoming.contains(m_rows.at(row).connection.id))
            continue;
        int first = row;
        while (first > 0 && !incoming.contains(m_rows.at(first - 1).connection.id))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.remove(first, row - first + 1);
        endRemoveRows();
        row = first;
    }
    // the rest changed in place
    for (Row &r : m_rows) {
        const Gateway::ConnectionSnapshot &now = *incoming.take(r.connection.id);
        if (now.messagesIn != r.connection.messagesIn
            || now.messagesOut != r.connection.messagesOut)
            r.lastActivityMs = m_nowMs;
        r.connection = now;
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
    // new ones at the end, in one insert, in the order of their ids
    if (!incoming.isEmpty()) {
        QList<const Gateway::ConnectionSnapshot *> added = incoming.values();
        std::sort(added.begin(), added.end(), [](auto *a, auto *b) { return a->id < b->id; });
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
        for (const Gateway::ConnectionSnapshot *c : added)
            m_rows.append({*c, c->messagesIn + c->messagesOut > 0 ? m_nowMs : c->openedAtMs});
        endInsertRows();
    }
}

void ConnectionListModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

quint64 ConnectionListModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).connection.id : 0;
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const Gateway::ConnectionSnapshot &c = r.connection;
    if (role == IdRole)
        return QVariant::fromValue<quint64>(c.id);
    if (role == ApiKeyRole)
        return c.api;
    if (role == ChannelRole)
        return c.channel;
    if (role == ApplicationIdRole)
        return c.application;
    if (role == Qt::TextAlignmentRole && index.column() >= MessagesInColumn
        && index.column() <= BytesOutColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == SortRole) {
        switch (index.column()) {
        case OpenedColumn:
            return c.openedAtMs;
        case MessagesInColumn:
            return c.messagesIn;
        case MessagesOutColumn:
            return c.messagesOut;
        case BytesInColumn:
            return c.bytesIn;
        case BytesOutColumn:
            return c.bytesOut;
        case LastActivityColumn:
            return r.lastActivityMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == ApplicationColumn && !c.application.isEmpty())
        return c.application;
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case ApplicationColumn:
        return c.application.isEmpty()
            ? tr("(anonymous)")
            : (c.applicationName.isEmpty() ? c.application : c.applicationName);
    case ApiColumn:
        return c.apiTitle.isEmpty() ? c.api : QStringLiteral("%1 (%2)").arg(c.apiTitle, c.api);
    case ChannelColumn:
        return c.channel;
    case PathColumn:
        return c.path;
    case ClientColumn:
        return c.clientAddress;
    case OpenedColumn:
        return QDateTime::fromMSecsSinceEpoch(c.openedAtMs).toString(QStringLiteral("HH:mm:ss"));
    case MessagesInColumn:
        return locale.toString(c.messagesIn);
    case MessagesOutColumn:
        return locale.toString(c.messagesOut);
    case BytesInColumn:
        return locale.formattedDataSize(c.bytesIn, 1, QLocale::DataSizeTraditionalFormat);
    case BytesOutColumn:
        return locale.formattedDataSize(c.bytesOut, 1, QLocale::DataSizeTraditionalFormat);
    case LastActivityColumn:
        return ago(m_nowMs - r.lastActivityMs);
    default:
        return {};
    }
}

QVariant ConnectionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ApplicationColumn:
        return tr("Application");
    case ApiColumn:
        return tr("API");
    case ChannelColumn:
        return tr("Channel");
    case PathColumn:
        return tr("Path");
    case ClientColumn:
        return tr("Client");
    case OpenedColumn:
        return tr("Opened");
    case MessagesInColumn:
        return tr("Msgs in");
    case MessagesOutColumn:
        return tr("Msgs out");
    case BytesInColumn:
        return tr("Bytes in");
    case BytesOutColumn:
        return tr("Bytes out");
    case LastActivityColumn:
        return tr("Last activity");
    default:
        return {};
    }
}

} // namespace Gatehouse
