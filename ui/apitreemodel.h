// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>

#include <memory>
#include <vector>

namespace Gatehouse {

// A read-only tree of an Api: the API at the top, then its servers, channels (with
// their operations, parameters and messages), messages, security schemes and
// gateway settings (x-gatehouse). Column 0 names an item, column 1 summarises it.
class ApiTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiTreeModel)

public:
    enum class Kind {
        Api,
        ServerGroup,
        Server,
        ChannelGroup,
        Channel,
        Operation,
        ParameterGroup,
        Parameter,
        ChannelMessageGroup,
        Message,
        MessageGroup,
        SecuritySchemeGroup,
        SecurityScheme,
        Gateway,
        GatewayEntry,
    };
    Q_ENUM(Kind)

    enum Role {
        KindRole = Qt::UserRole + 1, // Kind, as int
        IdRole, // id of the server/channel/operation/message/scheme, parameter
                // name or x-gatehouse key; empty for groups
        ChannelIdRole, // the channel an operation/parameter/channel message belongs to
        ActionRole, // operations: "send" or "receive"
    };

    enum Column { NameColumn, SummaryColumn, ColumnCount };

    explicit ApiTreeModel(QObject *parent = nullptr);
    ~ApiTreeModel() override;

    // Shows `api`; nullptr empties the model.
    void setApi(std::shared_ptr<const Api> api);
    std::shared_ptr<const Api> api() const { return m_api; }

    // The first index whose KindRole and IdRole match, searching depth first.
    QModelIndex find(Kind kind, const QString &id) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString actionName(Operation::Action action);

private:
    struct Node
    {
        Kind kind = Kind::Api;
        QString id;
        QString channelId;
        QString label;
        QString summary;
        QString toolTip;
        QString action;
        Node *parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
        // A channel whose children (operations, parameters, messages) are made when
        // first asked for: thousands of channels make their rows only.
        const Channel *unbuilt = nullptr;

        Node *add(Kind kind, const QString &label, const QString &summary = {});
    };

    void build();
    void addChannel(Node *group, const Channel &channel);
    void addMessageRef(Node *parent, const QString &messageId, const QString &channelId);
    void buildChannel(Node *node);
    // The node of `index`, its children made.
    const Node *withChildren(const QModelIndex &index) const;
    Node *nodeFor(const QModelIndex &index) const;
    QModelIndex indexFor(const Node *node, int column = 0) const;
    const Node *findNode(const Node *node, Kind kind, const QString &id) const;

    std::shared_ptr<const Api> m_api;
    std::unique_ptr<Node> m_root; // invisible; its children are the top-level rows
    // Of m_api, for build() and the channels made later.
    QHash<QString, QList<const Operation *>> m_operationsByChannel;
    QHash<QString, const Message *> m_messagesById;
    QHash<QString, int> m_channelsByAddress;
};

} // namespace Gatehouse
