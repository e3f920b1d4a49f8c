// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gateway.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace Gatehouse {

// The gateway's open connections, one row each, from the snapshots the runtime
// lists a few times a second. setConnections() updates the rows in place (rows that
// closed are removed, new ones inserted in one batch, the rest changed with one
// dataChanged), so selection and sorting survive every refresh. Last activity is
// when a connection's message counts last moved.
class ConnectionListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionListModel)

public:
    enum Column {
        ApplicationColumn,
        ApiColumn,
        ChannelColumn,
        PathColumn,
        ClientColumn,
        OpenedColumn,
        MessagesInColumn,
        MessagesOutColumn,
        BytesInColumn,
        BytesOutColumn,
        LastActivityColumn,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole + 1,
        SortRole,
        ApiKeyRole, // "/chats/1.0.0", in every column
        ChannelRole, // the channel's address template, in every column
        ApplicationIdRole, // empty when anonymous, in every column
    };

    explicit ConnectionListModel(QObject *parent = nullptr);

    // `nowMs`: the time of the snapshot (tests pass their own).
    void setConnections(const QList<Gateway::ConnectionSnapshot> &connections, qint64 nowMs = -1);
    void clear();
    quint64 idAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        Gateway::ConnectionSnapshot connection;
        qint64 lastActivityMs = 0;
    };
    QList<Row> m_rows;
    qint64 m_nowMs = 0;
};

} // namespace Gatehouse
