// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogmodel.h"

#include "analytics/logquery.h"
#include "analytics/logrecordjson.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>

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
    if (m_reset || count < m_count) {
        beginResetModel();
        m_count = count;
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
        beginInsertRows({}, int(m_count), int(count - 1));
        m_count = count;
        endInsertRows();
        if (m_count > 0)
            Q_EMIT dataChanged(
                index(int(from * PageRows), 0),
                index(int(std::min(m_count, (from + 2) * PageRows) - 1), ColumnCount - 1));
    }
    Q_EMIT counted(m_count);
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
    const qint64 last = std::min<qint64>(m_count, offset + rows.size()) - 1;
    if (last >= offset)
        Q_EMIT dataChanged(index(int(offset), 0), index(int(last), ColumnCount - 1));
    Q_EMIT pageLoaded(offset);
}

const LogRecord *MessageLogModel::record(int row) const
{
    if (row < 0 || row >= m_count)
        return nullptr;
    const qint64 page = row / PageRows;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        requestPage(page);
        return nullptr;
    }
    const qint64 at = row - page * PageRows;
    return at < it->size() ? &it->at(at) : nullptr;
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_count, std::numeric_limits<int>::max()));
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
