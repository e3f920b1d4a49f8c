// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QRegularExpression>
#include <QSortFilterProxyModel>

#include "client/jsonpathfilter.h"

#include <optional>

namespace Gatehouse {

// What a client tab's message list shows: a direction (all, received, sent), text or a
// regular expression found in the payload, and pings and pongs shown or folded away
// (a heartbeat every second must not bury the messages).
class ClientFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientFilterModel)
public:
    enum class Direction { All, Incoming, Outgoing };

    explicit ClientFilterModel(QObject *parent = nullptr);

    void setDirection(Direction direction);
    // Plain text (case-insensitive) or, with `regex`, a regular expression; false when
    // the expression is not valid (the filter is left as it was).
    // Text starting with "$" is a JSON path filter ($.type == join); false, with
    // `*error` set, when it cannot be read.
    bool setText(const QString &text, bool regex, QString *error = nullptr);
    void setPingsShown(bool shown);
    bool pingsShown() const { return m_pings; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Direction m_direction = Direction::All;
    QString m_text;
    QRegularExpression m_regex;
    bool m_useRegex = false;
    std::optional<Client::JsonPathFilter> m_path;
    bool m_pings = false;
};

} // namespace Gatehouse
