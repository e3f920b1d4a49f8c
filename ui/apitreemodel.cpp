// SPDX-License-Identifier: GPL-3.0-or-later
#include "apitreemodel.h"

#include "uiicons.h"

#include <QThreadPool>

namespace Gatehouse {

namespace {

// The first non-empty line of `text`, shortened for a one-line summary column.
QString oneLine(const QString &text)
{
    // (made for every channel of the tree on every read: no list of lines, and the
    // text itself shared when it is one line already)
    constexpr qsizetype MaxLength = 160;
    const QStringView all(text);
    for (qsizetype start = 0; start < all.size();) {
        qsizetype end = all.indexOf(u'\n', start);
        if (end < 0)
            end = all.size();
        const QStringView line = all.sliced(start, end - start).trimmed();
        if (!line.isEmpty()) {
            if (line.size() > MaxLength)
                return line.left(MaxLength - 1).toString() + QChar(0x2026);
            return line.size() == all.size() ? text : line.toString();
        }
        start = end + 1;
    }
    return {};
}

QString firstOf(std::initializer_list<QString> candidates)
{
    for (const QString &c : candidates) {
        const QString line = oneLine(c);
        if (!line.isEmpty())
            return line;
    }
    return {};
}

QString countText(qsizetype n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(n);
}

// A short text for a JSON value in the summary column.
QString jsonSummary(const Json &value)
{
    if (value.is_string())
        return oneLine(toQString(value.get<std::string>()));
    if (value.is_array())
        return countText(qsizetype(value.size()), ApiTreeModel::tr("1 item"),
                         ApiTreeModel::tr("%1 items"));
    if (value.is_object())
        return countText(qsizetype(value.size()), ApiTreeModel::tr("1 key"),
                         ApiTreeModel::tr("%1 keys"));
    return toQString(value.dump());
}

QString serverUrl(const Server &server)
{
    QString url = server.host + server.pathname;
    if (!server.protocol.isEmpty())
        url = server.protocol + QStringLiteral("://") + url;
    return url;
}

QString schemeSummary(const SecurityScheme &scheme)
{
    QStringList parts {scheme.type};
    if (!scheme.scheme.isEmpty())
        parts << scheme.scheme;
    if (!scheme.name.isEmpty())
        parts << ApiTreeModel::tr("%1 in %2").arg(scheme.name, scheme.in);
    else if (!scheme.in.isEmpty())
        parts << ApiTreeModel::tr("in %1").arg(scheme.in);
    return parts.join(QLatin1Char(' '));
}

} // namespace

ApiTreeModel::Node *ApiTreeModel::Node::add(Kind kind, const QString &label, const QString &summary)
{
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->label = label;
    node->summary = summary;
    node->parent = this;
    node->row = int(children.size());
    children.push_back(std::move(node));
    return children.back().get();
}

ApiTreeModel::ApiTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{ }

ApiTreeModel::~ApiTreeModel() = default;

QString ApiTreeModel::actionName(Operation::Action action)
{
    return action == Operation::Action::Send ? QStringLiteral("send") : QStringLiteral("receive");
}

void ApiTreeModel::setApi(std::shared_ptr<const Api> api)
{
    beginResetModel();
    // the rows of a large API are freed on a pool thread (tens of milliseconds here)
    const bool large = m_api && m_api->channels.size() > 256;
    std::unique_ptr<Node> old = std::exchange(m_root, std::make_unique<Node>());
    std::shared_ptr<const Api> oldApi = std::exchange(m_api, std::move(api));
    if (m_api)
        build();
    endResetModel();
    QThreadPool *pool = QThreadPool::globalInstance(); // (none once the app ended)
    if (large && pool)
        pool->start([rows = std::shared_ptr<Node>(std::move(old)), oldApi = std::move(oldApi)] {});
}

void ApiTreeModel::build()
{
    const Api &api = *m_api;
    // Indexes, so that large APIs (thousands of channels) build in linear time.
    m_operationsByChannel.clear();
    m_messagesById.clear();
    for (const Operation &operation : api.operations)
        m_operationsByChannel[operation.channelId].append(&operation);
    for (const Message &message : api.messages)
        m_messagesById.insert(message.id, &message);
    m_channelsByAddress.clear();
    for (const Channel &channel : api.channels)
        ++m_channelsByAddress[channel.address];
    const QString title = api.title.isEmpty() ? tr("Untitled API") : api.title;
    Node *root = m_root->add(
        Kind::Api, api.version.isEmpty() ? title : tr("%1 %2").arg(title, api.version),
        api.asyncapiVersion.isEmpty() ? QString() : tr("AsyncAPI %1").arg(api.asyncapiVersion));
    root->toolTip = oneLine(api.description);

    if (!api.servers.isEmpty()) {
        Node *group = root->add(Kind::ServerGroup, tr("Servers"),
                                countText(api.servers.size(), tr("1 server"), tr("%1 servers")));
        for (const Server &server : api.servers) {
            Node *node = group->add(Kind::Server, server.id, serverUrl(server));
            node->id = server.id;
            node->toolTip = firstOf({server.title, server.summary, server.description});
        }
    }

    Node *channels = root->add(Kind::ChannelGroup, tr("Channels"),
                               countText(api.channels.size(), tr("1 channel"), tr("%1 channels")));
    for (const Channel &channel : api.channels)
        addChannel(channels, channel);

    if (!api.messages.isEmpty()) {
        Node *group = root->add(Kind::MessageGroup, tr("Messages"),
                                countText(api.messages.size(), tr("1 message"), tr("%1 messages")));
        for (const Message &message : api.messages) {
            Node *node = group->add(Kind::Message, message.id,
                                    firstOf({message.title, message.summary, message.description}));
            node->id = message.id;
            node->toolTip = firstOf({message.summary, message.description});
        }
    }

    if (!api.securitySchemes.isEmpty()) {
        Node *group
            = root->add(Kind::SecuritySchemeGroup, tr("Security schemes"),
                        countText(api.securitySchemes.size(), tr("1 scheme"), tr("%1 schemes")));
        for (const SecurityScheme &scheme : api.securitySchemes) {
            Node *node = group->add(Kind::SecurityScheme, scheme.id, schemeSummary(scheme));
            node->id = scheme.id;
            node->toolTip = oneLine(scheme.description);
        }
    }

    if (api.gatehouse.raw.is_object()) {
        const QString summary = api.gatehouse.endpoint.isEmpty()
            ? tr("x-gatehouse")
            : tr("backend %1").arg(api.gatehouse.endpoint);
        Node *group = root->add(Kind::Gateway, tr("Gateway settings"), summary);
        for (auto it = api.gatehouse.raw.begin(); it != api.gatehouse.raw.end(); ++it) {
            const QString key = toQString(it.key());
            Node *node = group->add(Kind::GatewayEntry, key, jsonSummary(it.value()));
            node->id = key;
        }
    }
}

void ApiTreeModel::addChannel(Node *group, const Channel &channel)
{
    QString label = channel.address.isEmpty() ? channel.id : channel.address;
    // Channels that share an address (3.x allows it) are told apart by their ids.
    if (label != channel.id && m_channelsByAddress.value(channel.address) > 1)
        label = tr("%1 (%2)").arg(label, channel.id);
    Node *node = group->add(Kind::Channel, label,
                            firstOf({channel.title, channel.summary, channel.description}));
    node->id = channel.id;
    node->channelId = channel.id;
    node->toolTip
        = channel.id == label ? oneLine(channel.description) : tr("Channel id: %1").arg(channel.id);
    node->unbuilt = &channel; // (m_api holds it)
}

void ApiTreeModel::buildChannel(Node *node)
{
    const Channel &channel = *std::exchange(node->unbuilt, nullptr);
    for (const Operation *operation : m_operationsByChannel.value(channel.id)) {
        const QString action = actionName(operation->action);
        Node *op
            = node->add(Kind::Operation, tr("%1 \u00b7 %2").arg(action, operation->id),
                        firstOf({operation->title, operation->summary, operation->description}));
        op->id = operation->id;
        op->channelId = channel.id;
        op->action = action;
        op->toolTip = operation->action == Operation::Action::Send
            ? tr("The application sends these messages to the channel")
            : tr("The application receives these messages from the channel");
        const QStringList messageIds
            = operation->messageIds.isEmpty() ? channel.messageIds : operation->messageIds;
        for (const QString &messageId : messageIds)
            addMessageRef(op, messageId, channel.id);
    }

    if (!channel.parameters.isEmpty()) {
        Node *params = node->add(
            Kind::ParameterGroup, tr("Parameters"),
            countText(channel.parameters.size(), tr("1 parameter"), tr("%1 parameters")));
        params->channelId = channel.id;
        for (const ChannelParameter &parameter : channel.parameters) {
            Node *p = params->add(Kind::Parameter, parameter.name, oneLine(parameter.description));
            p->id = parameter.name;
            p->channelId = channel.id;
        }
    }

    if (!channel.messageIds.isEmpty()) {
        Node *messages
            = node->add(Kind::ChannelMessageGroup, tr("Messages"),
                        countText(channel.messageIds.size(), tr("1 message"), tr("%1 messages")));
        messages->channelId = channel.id;
        for (const QString &messageId : channel.messageIds)
            addMessageRef(messages, messageId, channel.id);
    }
}

void ApiTreeModel::addMessageRef(Node *parent, const QString &messageId, const QString &channelId)
{
    const Message *message = m_messagesById.value(messageId);
    Node *node
        = parent->add(Kind::Message, messageId,
                      message ? firstOf({message->title, message->summary, message->description})
                              : tr("(not defined in this document)"));
    node->id = messageId;
    node->channelId = channelId;
    if (message)
        node->toolTip = firstOf({message->summary, message->description});
}

ApiTreeModel::Node *ApiTreeModel::nodeFor(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    return static_cast<Node *>(index.internalPointer());
}

QModelIndex ApiTreeModel::indexFor(const Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node *>(node));
}

const ApiTreeModel::Node *ApiTreeModel::withChildren(const QModelIndex &index) const
{
    Node *node = nodeFor(index);
    if (node->unbuilt) // what the model says does not change: it is only made now
        const_cast<ApiTreeModel *>(this)->buildChannel(node);
    return node;
}

QModelIndex ApiTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const Node *node = withChildren(parent);
    return createIndex(row, column, node->children[size_t(row)].get());
}

bool ApiTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node *node = nodeFor(parent);
    if (const Channel *c = node->unbuilt) // (without making them)
        return m_operationsByChannel.contains(c->id) || !c->parameters.isEmpty()
            || !c->messageIds.isEmpty();
    return !node->children.empty();
}

QModelIndex ApiTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int ApiTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(withChildren(parent)->children.size());
}

int ApiTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ApiTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *node = nodeFor(index);
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? node->label : node->summary;
    case Qt::ToolTipRole:
        return node->toolTip.isEmpty() ? QVariant() : QVariant(node->toolTip);
    case Qt::DecorationRole:
        if (index.column() != NameColumn)
            return {};
        if (node->kind == Kind::Operation)
            return UiIcons::icon(node->action == QLatin1String("send") ? UiIcons::Send
                                                                       : UiIcons::Receive);
        switch (node->kind) {
        case Kind::Api:
            return UiIcons::icon(UiIcons::Api);
        case Kind::Server:
            return UiIcons::icon(UiIcons::Server);
        case Kind::Channel:
            return UiIcons::icon(UiIcons::Channel);
        case Kind::Parameter:
            return UiIcons::icon(UiIcons::Parameter);
        case Kind::Message:
            return UiIcons::icon(UiIcons::Message);
        case Kind::SecurityScheme:
            return UiIcons::icon(UiIcons::Security);
        case Kind::Gateway:
            return UiIcons::icon(UiIcons::Gateway);
        case Kind::GatewayEntry:
            return UiIcons::icon(UiIcons::Setting);
        default:
            return UiIcons::icon(UiIcons::Folder);
        }
    case KindRole:
        return int(node->kind);
    case IdRole:
        return node->id;
    case ChannelIdRole:
        return node->channelId;
    case ActionRole:
        return node->action;
    default:
        return {};
    }
}

QVariant ApiTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SummaryColumn:
        return tr("Summary");
    default:
        return {};
    }
}

const ApiTreeModel::Node *ApiTreeModel::findNode(const Node *node, Kind kind,
                                                 const QString &id) const
{
    if (node != m_root.get() && node->kind == kind && node->id == id)
        return node;
    if (node->kind == Kind::Channel) {
        if (kind != Kind::Operation && kind != Kind::ParameterGroup && kind != Kind::Parameter
            && kind != Kind::ChannelMessageGroup && kind != Kind::Message)
            return nullptr; // (not found inside a channel)
        if (node->unbuilt)
            const_cast<ApiTreeModel *>(this)->buildChannel(const_cast<Node *>(node));
    }
    for (const auto &child : node->children)
        if (const Node *found = findNode(child.get(), kind, id))
            return found;
    return nullptr;
}

QModelIndex ApiTreeModel::find(Kind kind, const QString &id) const
{
    return indexFor(findNode(m_root.get(), kind, id));
}

} // namespace Gatehouse
