// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogmodel.h"

#include "analytics/logquery.h"
#include "analytics/logrecordjson.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace Gatehouse {

using Analytics::LogRecord;

MessageLogModel::MessageLogModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_query(new Analytics::LogQuery(this))
{
    connect(m_query, &Analytics::LogQuery::counted, this, &MessageLogModel::handleCounted);
    connect(m_query, &Analytics::LogQuery::fetched, this, &MessageLogModel::handleFetched);
    // a page dropped unread is asked for again when a view shows it
    connect(m_query, &Analytics::LogQuery::fetchDropped, this,
            [this](quint64 generation, qint64 offset) {
                if (generation == m_generation)
                    m_requested.remove(offset / PageRows);
            });
}

MessageLogModel::~MessageLogModel() = default;

void MessageLogModel::setDatabase(const QString &path)
{
    m_query->setDatabase(path);
    setFilter(m_filter);
}

void MessageLogModel::setFilter(const Analytics::LogFilter &filter)
{
    m_filter = filter;
    ++m_generation; // answers to the old filter are dropped
    m_reset = true;
    m_query->count(m_generation, m_filter);
}

void MessageLogModel::refresh()
{
    m_query->count(m_generation, m_filter);
}

void MessageLogModel::handleCounted(quint64 generation, qint64 count, const QString &error)
{
    if (generation != m_generation)
        return;
    m_error = error;
    if (!error.isEmpty())
        Q_EMIT failed(error);
    const qint64 firstBefore = m_first;
    if (m_reset || count < m_count) {
        // a new filter (or fewer rows): the newest window
        beginResetModel();
        m_count = count;
        m_first = lastWindowStart(count);
        m_pages.clear();
        m_pageOrder.clear();
        m_requested.clear();
        m_reset = false;
        endResetModel();
    } else if (count > m_count) {
        // rows come in time order but not always last (messages are written in
        // blocks): the last pages are read again
        const qint64 from = std::max<qint64>(0, m_count - PageRows) / PageRows;
        for (qint64 page = from; page <= m_count / PageRows; ++page) {
            m_pages.remove(page);
            m_pageOrder.removeAll(page);
        }
        if (!windowAtEnd()) {
            m_count = count; // a window of older rows stays as it is
        } else {
            // the window at the end takes the new rows, and lets go of as many of its
            // oldest as it must to stay within its size
            const qint64 shown = m_count - m_first;
            const qint64 overflow = shown + (count - m_count) - m_windowRows;
            if (overflow > 0) {
                const qint64 dropped = std::min(overflow, shown);
                if (dropped > 0) {
                    beginRemoveRows({}, 0, int(dropped - 1));
                    m_first += dropped;
                    endRemoveRows();
                }
                m_first = std::max(m_first, lastWindowStart(count));
            }
            const int rowsBefore = rowCount(); // (0 when a burst passed them all)
            const int rowsAfter = int(std::min<qint64>(count - m_first, m_windowRows));
            if (rowsAfter > rowsBefore) {
                beginInsertRows({}, rowsBefore, rowsAfter - 1);
                m_count = count;
                endInsertRows();
            } else {
                m_count = count;
            }
            const qint64 changedFrom = std::max(from * PageRows, m_first);
            const qint64 changedTo = std::min(m_count, (from + 2) * PageRows) - 1;
            if (changedTo >= changedFrom)
                Q_EMIT dataChanged(index(int(changedFrom - m_first), 0),
                                   index(int(changedTo - m_first), ColumnCount - 1));
        }
    }
    Q_EMIT counted(m_count);
    if (m_first != firstBefore)
        Q_EMIT windowMoved(m_first);
}

void MessageLogModel::setWindowRows(int rows)
{
    m_windowRows = std::max(1, rows);
    beginResetModel();
    m_first = lastWindowStart(m_count);
    endResetModel();
    Q_EMIT windowMoved(m_first);
}

void MessageLogModel::showWindowAt(qint64 first)
{
    const qint64 start = std::clamp<qint64>(first, 0, lastWindowStart(m_count));
    if (start == m_first)
        return;
    beginResetModel();
    m_first = start; // the pages read stay: they are numbered over all the rows
    endResetModel();
    Q_EMIT windowMoved(m_first);
}

void MessageLogModel::requestPage(qint64 page) const
{
    if (m_requested.contains(page))
        return;
    m_requested.insert(page);
    m_query->fetch(m_generation, m_filter, page * PageRows, PageRows);
}

void MessageLogModel::handleFetched(quint64 generation, qint64 offset, const QList<LogRecord> &rows,
                                    const QString &error)
{
    if (generation != m_generation)
        return;
    const qint64 page = offset / PageRows;
    m_requested.remove(page);
    if (!error.isEmpty()) {
        m_error = error;
        Q_EMIT failed(error);
        return;
    }
    m_pages.insert(page, rows);
    m_pageOrder.removeAll(page);
    m_pageOrder.append(page);
    while (m_pageOrder.size() > CachedPages)
        m_pages.remove(m_pageOrder.takeFirst());
    // the rows of the page that are in the window
    const qint64 first = std::max(offset, m_first);
    const qint64 last = std::min<qint64>({m_count, offset + rows.size(), m_first + rowCount()}) - 1;
    if (last >= first)
        Q_EMIT dataChanged(index(int(first - m_first), 0),
                           index(int(last - m_first), ColumnCount - 1));
    Q_EMIT pageLoaded(offset);
}

const LogRecord *MessageLogModel::record(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const qint64 absolute = m_first + row;
    const qint64 page = absolute / PageRows;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        requestPage(page);
        return nullptr;
    }
    const qint64 at = absolute - page * PageRows;
    return at < it->size() ? &it->at(at) : nullptr;
}

bool MessageLogModel::isRead(int row) const
{
    return m_pages.contains((m_first + row) / PageRows);
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::clamp<qint64>(m_count - m_first, 0, m_windowRows));
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString MessageLogModel::summary(const LogRecord &r)
{
    switch (r.kind) {
    case LogRecord::Kind::Handshake:
        return r.reason.isEmpty()
            ? r.path + (r.clientAddress.isEmpty() ? QString() : tr(" from ") + r.clientAddress)
            : r.reason;
    case LogRecord::Kind::Message: {
        if (!r.reason.isEmpty())
            return r.reason;
        if (r.payload.isEmpty())
            return {};
        if (r.binary || !QUtf8StringView(r.payload).isValidUtf8())
            return QString::fromLatin1(r.payload.left(24).toHex(' '));
        QString text = QString::fromUtf8(r.payload.left(300));
        text.replace(u'\n', u' ');
        return text;
    }
    case LogRecord::Kind::Close:
        break;
    }
    return tr("by %1 after %2 s (in %3, out %4)%5")
        .arg(r.closedBy)
        .arg(double(r.durationMs) / 1000.0, 0, 'f', 1)
        .arg(r.messagesIn)
        .arg(r.messagesOut)
        .arg(r.reason.isEmpty() ? QString() : QStringLiteral(": ") + r.reason);
}

MessageLogModel::Shade MessageLogModel::shadeOf(const LogRecord &r)
{
    switch (r.kind) {
    case LogRecord::Kind::Handshake:
        return r.accepted ? Shade::Opened : Shade::Rejected;
    case LogRecord::Kind::Close:
        return Shade::Closed;
    case LogRecord::Kind::Message:
        break;
    }
    if (r.action == u"throttled")
        return Shade::Throttled;
    if (r.action != u"relayed")
        return Shade::Dropped;
    return r.direction == u"in" ? Shade::In : Shade::Out;
}

QColor MessageLogModel::colour(Shade shade, bool darkBase)
{
    // as in the client tabs and the dashboard: in blue, out green, refusals red; each
    // pair keeps a contrast of 4.5:1 or more against white and near-black bases
    struct Pair
    {
        QRgb light;
        QRgb dark;
    };
    static const Pair pairs[] = {
        {0x00695c, 0x80cbc4}, // opened: teal
        {0xb00020, 0xff8a80}, // rejected: red
        {0x1a4f9c, 0x90caf9}, // in: blue
        {0x1d6b2c, 0xa5d6a7}, // out: green
        {0x9a4600, 0xffcc80}, // throttled: orange
        {0xb00020, 0xff8a80}, // dropped: red
        {0x5f5f5f, 0xbdbdbd}, // closed: grey
    };
    const Pair &p = pairs[int(shade)];
    return QColor::fromRgb(darkBase ? p.dark : p.light);
}

bool MessageLogModel::darkPalette()
{
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const LogRecord *r = record(index.row());
    if (!r)
        return role == Qt::DisplayRole && index.column() == 0 ? tr("reading…") : QVariant();
    if (role == Qt::ForegroundRole)
        return QBrush(colour(shadeOf(*r), darkPalette()));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(r->timeMs).toString(
            QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
    case ConnectionColumn:
        return QString::number(r->connectionId);
    case KindColumn:
        return Analytics::kindName(*r);
    case WhatColumn:
        switch (r->kind) {
        case LogRecord::Kind::Handshake:
            return QString::number(r->status);
        case LogRecord::Kind::Message:
            return r->direction == u"in" ? tr("↑ in") : tr("↓ out");
        case LogRecord::Kind::Close:
            return QString::number(r->closeCode);
        }
        return {};
    case ChannelColumn:
        return r->channel;
    case ApplicationColumn:
        return r->application;
    case SizeColumn:
        return r->kind == LogRecord::Kind::Message ? QString::number(r->size) : QString();
    case SummaryColumn:
        return summary(*r);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case ConnectionColumn:
        return tr("Connection");
    case KindColumn:
        return tr("Kind");
    case WhatColumn:
        return tr("Status / way");
    case ChannelColumn:
        return tr("Channel");
    case ApplicationColumn:
        return tr("Application");
    case SizeColumn:
        return tr("Size");
    case SummaryColumn:
        return tr("Summary");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace Gatehouse
