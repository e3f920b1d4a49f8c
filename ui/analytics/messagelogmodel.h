// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/logrecord.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QSet>

#include <algorithm>

namespace Gatehouse {

namespace Analytics {
class LogQuery;
}

// The message log as a table that stays smooth over millions of rows: it knows how
// many rows the filter selects and reads them in pages of PageRows, off the window's
// thread, when the view shows them (rows not read yet say so until they are). A
// refresh counts again; new rows at the end are inserted, for a live tail.
//
// It shows at most windowRows() of them at a time, the newest first
// (showWindowAt() moves to others): a table view keeps an entry per row in its row
// header, which at 10,000,000 rows stalled the window for a quarter of a second.
// Rows are numbered within the window; the window's first row is windowStart() of
// all the filter selects (totalRows()). A live tail slides the window at its end.
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
    static constexpr int DefaultWindowRows = 1'000'000;

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
    bool isRead(int row) const;
    QString lastError() const { return m_error; }

    // All the rows the filter selects, and the window shown of them.
    qint64 totalRows() const { return m_count; }
    qint64 windowStart() const { return m_first; }
    int windowRows() const { return m_windowRows; }
    void setWindowRows(int rows); // (tests use small windows)
    // Shows the window that starts at `first` of all the rows (clamped so that the
    // window is full where there are rows enough); windowMoved() follows.
    void showWindowAt(qint64 first);
    bool windowAtEnd() const { return m_first + rowCount() >= m_count; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString summary(const Analytics::LogRecord &r);

Q_SIGNALS:
    void counted(qint64 rows); // all the rows the filter selects
    void windowMoved(qint64 first);
    void pageLoaded(qint64 firstRow);
    void failed(const QString &error);

private:
    void handleCounted(quint64 generation, qint64 count, const QString &error);
    void handleFetched(quint64 generation, qint64 offset, const QList<Analytics::LogRecord> &rows,
                       const QString &error);
    void requestPage(qint64 page) const;
    qint64 lastWindowStart(qint64 count) const { return std::max<qint64>(0, count - m_windowRows); }

    Analytics::LogQuery *m_query;
    Analytics::LogFilter m_filter;
    quint64 m_generation = 1;
    qint64 m_count = 0;
    qint64 m_first = 0; // of the window, within the m_count rows
    int m_windowRows = DefaultWindowRows;
    bool m_reset = true; // the next count replaces the rows, not appends
    mutable QHash<qint64, QList<Analytics::LogRecord>> m_pages;
    mutable QList<qint64> m_pageOrder; // least recently read first
    mutable QSet<qint64> m_requested;
    QString m_error;
};

} // namespace Gatehouse
