// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/logrecord.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QSet>

namespace Gatehouse {

namespace Analytics {
class LogQuery;
}

// The message log as a table that stays smooth over millions of rows: it knows how
// many rows the filter selects and reads them in pages of PageRows, off the window's
// thread, when the view shows them (rows not read yet say so until they are). A
// refresh counts again; new rows at the end are inserted, for a live tail.
class MessageLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageLogModel)
public:
    enum Column {
        TimeColumn,
        ConnectionColumn,
        KindColumn,
        WhatColumn,
        ChannelColumn,
        ApplicationColumn,
        SizeColumn,
        SummaryColumn,
        ColumnCount
    };
    // A row's colour by what it is: opened, rejected, message in, message out,
    // throttled or dropped, closed; darker shades on a light base, lighter ones on a
    // dark base, so either palette reads (ForegroundRole).
    enum class Shade { Opened, Rejected, In, Out, Throttled, Dropped, Closed };
    static Shade shadeOf(const Analytics::LogRecord &record);
    static QColor colour(Shade shade, bool darkBase);
    static bool darkPalette(); // the application's base colour is dark

    static constexpr qint64 PageRows = 500;
    static constexpr int CachedPages = 40;

    explicit MessageLogModel(QObject *parent = nullptr);
    ~MessageLogModel() override;

    void setDatabase(const QString &path);
    void setFilter(const Analytics::LogFilter &filter);
    const Analytics::LogFilter &filter() const { return m_filter; }
    // Counts again: rows added at the end appear (the pages near the end are read anew).
    void refresh();
    // The row when its page is read; nullptr until then (its read is asked for).
    const Analytics::LogRecord *record(int row) const;
    // Whether the row's page is read (without asking for it).
    bool isRead(int row) const { return m_pages.contains(row / PageRows); }
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString summary(const Analytics::LogRecord &r);

Q_SIGNALS:
    void counted(qint64 rows);
    void pageLoaded(qint64 firstRow);
    void failed(const QString &error);

private:
    void handleCounted(quint64 generation, qint64 count, const QString &error);
    void handleFetched(quint64 generation, qint64 offset, const QList<Analytics::LogRecord> &rows,
                       const QString &error);
    void requestPage(qint64 page) const;

    Analytics::LogQuery *m_query;
    Analytics::LogFilter m_filter;
    quint64 m_generation = 1;
    qint64 m_count = 0;
    bool m_reset = true; // the next count replaces the rows, not appends
    mutable QHash<qint64, QList<Analytics::LogRecord>> m_pages;
    mutable QList<qint64> m_pageOrder; // least recently read first
    mutable QSet<qint64> m_requested;
    QString m_error;
};

} // namespace Gatehouse
