// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientfiltermodel.h"

#include "client/clientevent.h"
#include "client/clientmessagemodel.h"

namespace Gatehouse {

using Kind = Client::ClientEvent::Kind;

ClientFilterModel::ClientFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void ClientFilterModel::setDirection(Direction direction)
{
    if (m_direction == direction)
        return;
    m_direction = direction;
    invalidateFilter();
}

bool ClientFilterModel::setText(const QString &text, bool regex, QString *error)
{
    if (!regex && Client::JsonPathFilter::looksLikePath(text)) {
        QString why;
        auto path = Client::JsonPathFilter::parse(text, &why);
        if (!path) {
            if (error)
                *error = why;
            return false;
        }
        m_path = std::move(path);
        m_text = text;
        invalidateFilter();
        return true;
    }
    m_path.reset();
    if (regex) {
        QRegularExpression re(text, QRegularExpression::CaseInsensitiveOption);
        if (!re.isValid()) {
            if (error)
                *error = re.errorString();
            return false;
        }
        m_regex = re;
    }
    m_useRegex = regex;
    m_text = text;
    invalidateFilter();
    return true;
}

void ClientFilterModel::setPingsShown(bool shown)
{
    if (m_pings == shown)
        return;
    m_pings = shown;
    invalidateFilter();
}

bool ClientFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto kind = Kind(index.data(ClientMessageModel::EventKindRole).toInt());
    if (!m_pings && (kind == Kind::Ping || kind == Kind::Pong))
        return false;
    if (m_direction != Direction::All) {
        if (kind != Kind::Sent && kind != Kind::Received)
            return false;
        const bool outgoing = index.data(ClientMessageModel::OutgoingRole).toBool();
        if (outgoing != (m_direction == Direction::Outgoing))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    if (m_path)
        return m_path->matches(index.data(ClientMessageModel::PayloadRole).toByteArray());
    const QString text = index.data(ClientMessageModel::SearchTextRole).toString();
    return m_useRegex ? m_regex.match(text).hasMatch() : text.contains(m_text, Qt::CaseInsensitive);
}

} // namespace Gatehouse
