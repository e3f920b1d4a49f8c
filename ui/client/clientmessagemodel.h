// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clienthistory.h"

#include <QAbstractTableModel>

#include <memory>

namespace Gatehouse {

// A client tab's history as a table: one row per event, newest last. Takes what the
// connection added in batches (one beginInsertRows per batch) and lets go of the
// oldest rows when the history's limit makes it forget them, so memory stays bounded
// however long the tab runs.
class ClientMessageModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientMessageModel)
public:
    enum Column { TimeColumn, DirectionColumn, KindColumn, SizeColumn, DataColumn, ColumnCount };
    enum Role {
        EventKindRole = Qt::UserRole + 1, // int(ClientEvent::Kind)
        OutgoingRole, // bool
        PayloadRole, // QByteArray
        SearchTextRole, // the text a filter looks in
        TimeMsRole, // qint64
    };

    explicit ClientMessageModel(QObject *parent = nullptr);

    void setHistory(std::shared_ptr<Client::ClientHistory> history);
    // Takes the events added since the last call, at most `maxCount` when above 0 (a
    // batch); true when there may be more to take.
    bool refresh(qsizetype maxCount = 0);
    void clear(); // forgets the rows and the history's events
    void setRelativeTimes(bool relative);
    bool relativeTimes() const { return m_relative; }

    const Client::ClientEvent &event(int row) const { return m_events.at(row); }
    int eventCount() const { return int(m_events.size()); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // A payload for reading: JSON pretty-printed, binary as hex, else the text.
    static QString readable(const Client::ClientEvent &event);
    // One line of it, for the table.
    static QString preview(const Client::ClientEvent &event);

private:
    std::shared_ptr<Client::ClientHistory> m_history;
    QList<Client::ClientEvent> m_events;
    quint64 m_lastSequence = 0;
    qint64 m_bytes = 0; // payload bytes of m_events
    qint64 m_firstTimeMs = 0;
    bool m_relative = false;
};

} // namespace Gatehouse
