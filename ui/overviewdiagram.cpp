// SPDX-License-Identifier: GPL-3.0-or-later
#include "overviewdiagram.h"

#include "api/api.h"
#include "gateway/router.h"

#include <QFontMetrics>
#include <QHash>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QToolTip>

#include <algorithm>

namespace Gatehouse {

namespace {

constexpr int MaxMessagesShown = 4; // more are counted ("and 3 more")

QString messageList(const QStringList &ids)
{
    if (ids.size() <= MaxMessagesShown)
        return ids.join(QStringLiteral(", "));
    return OverviewDiagram::tr("%1 and %n more", nullptr, int(ids.size() - MaxMessagesShown + 1))
        .arg(ids.first(MaxMessagesShown - 1).join(QStringLiteral(", ")));
}

// An arrow from `from` to `to` (horizontal), its head at `to`.
void drawArrow(QPainter &p, QPointF from, QPointF to, qreal head)
{
    p.drawLine(from, to);
    const qreal dir = to.x() > from.x() ? -1 : 1;
    QPainterPath path;
    path.moveTo(to);
    path.lineTo(to.x() + dir * head, to.y() - head / 2);
    path.lineTo(to.x() + dir * head, to.y() + head / 2);
    path.closeSubpath();
    p.fillPath(path, p.pen().color());
}

} // namespace

OverviewDiagram::OverviewDiagram(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("overviewDiagram"));
    setAccessibleName(tr("API overview"));
    setFocusPolicy(Qt::StrongFocus);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
    updateLayout();
}

OverviewDiagram::~OverviewDiagram() = default;

void OverviewDiagram::setApi(std::shared_ptr<const Api> api)
{
    m_api = std::move(api);
    m_stale = true;
    if (isVisible())
        build();
}

const OverviewDiagram &OverviewDiagram::built() const
{
    if (m_stale)
        const_cast<OverviewDiagram *>(this)->build();
    return *this;
}

void OverviewDiagram::showEvent(QShowEvent *event)
{
    built();
    QWidget::showEvent(event);
}

void OverviewDiagram::build()
{
    m_stale = false;
    const QString current
        = m_current >= 0 && m_current < m_rows.size() ? m_rows.at(m_current).channelId : QString();
    m_rows.clear();
    m_gateway.clear();
    m_backend.clear();
    if (m_api) {
        const Api &a = *m_api;
        const QString listen
            = a.gatehouse.listen.isEmpty() ? QStringLiteral("127.0.0.1:9099") : a.gatehouse.listen;
        m_gateway = tr("Gateway  ws://%1%2").arg(listen, Gateway::Router::apiPath(a));
        QString endpoint = a.gatehouse.endpoint;
        while (endpoint.endsWith(u'/'))
            endpoint.chop(1);
        m_backend = endpoint.isEmpty() ? tr("Backend  (no x-gatehouse.endpoint)")
                                       : tr("Backend  %1").arg(endpoint);
        bool secured = false;
        for (const Server &server : a.servers)
            secured = secured || (server.security.is_array() && !server.security.empty());
        // each channel's operations, found in one pass (Api::operationsOn scans them all)
        QHash<QString, QList<const Operation *>> operationsOn;
        for (const Operation &op : a.operations)
            operationsOn[op.channelId].append(&op);
        for (const Channel &channel : a.channels) {
            Row row;
            row.channelId = channel.id;
            row.address = channel.address.isEmpty() ? channel.id : channel.address;
            QString mapping;
            QStringList scopes;
            bool open = channel.authType.compare(u"None", Qt::CaseInsensitive) == 0;
            for (const Operation *op : operationsOn.value(channel.id)) {
                const QStringList messages
                    = op->messageIds.isEmpty() ? channel.messageIds : op->messageIds;
                // the model's operations are the backend's: what it receives, clients send
                QStringList &list
                    = op->action == Operation::Action::Receive ? row.toBackend : row.toClients;
                for (const QString &m : messages)
                    if (!list.contains(m))
                        list.append(m);
                if (mapping.isEmpty())
                    mapping = op->uriMapping;
                for (const QString &s : op->scopes)
                    if (!scopes.contains(s))
                        scopes.append(s);
                open = open || op->authType.compare(u"None", Qt::CaseInsensitive) == 0;
            }
            if (open || !secured)
                row.auth = tr("open: no credential");
            else if (!scopes.isEmpty())
                row.auth = tr("credential with scope %1").arg(scopes.join(QStringLiteral(", ")));
            else
                row.auth = tr("credential required");
            QString path = mapping.isEmpty() ? row.address : mapping;
            path.replace(QStringLiteral("{uri.var."), QStringLiteral("{"));
            if (!path.startsWith(u'/'))
                path.prepend(u'/');
            row.backend = endpoint + path;
            m_rows.append(row);
        }
    }
    m_current = -1;
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).channelId == current)
            m_current = i;
    if (m_current < 0 && !m_rows.isEmpty())
        m_current = 0;
    setAccessibleDescription(summaryText(DescribedChannels));
    updateLayout();
}

void OverviewDiagram::setCurrentRow(int row)
{
    built();
    if (row < 0 || row >= m_rows.size() || row == m_current)
        return;
    m_current = row;
    update();
    // keep it in sight when the diagram is in a scroll area
    if (QWidget *viewport = parentWidget())
        if (auto *area = qobject_cast<QScrollArea *>(viewport->parentWidget()))
            area->ensureVisible(width() / 2, channelRect(row).center().y(), 0, rowHeight({}));
}

QString OverviewDiagram::summaryText(qsizetype channels) const
{
    built();
    if (!m_api)
        return tr("No API open.");
    if (m_rows.isEmpty())
        return tr("%1. No channels yet.").arg(m_gateway);
    QStringList lines {m_gateway, m_backend};
    const qsizetype shown = channels < 0 ? m_rows.size() : std::min(channels, m_rows.size());
    for (const Row &row : m_rows.first(shown)) {
        QString line = tr("Channel %1 (%2)").arg(row.address, row.auth);
        if (!row.toBackend.isEmpty())
            line += tr("; clients send %1").arg(row.toBackend.join(QStringLiteral(", ")));
        if (!row.toClients.isEmpty())
            line += tr("; clients receive %1").arg(row.toClients.join(QStringLiteral(", ")));
        line += tr("; backend %1").arg(row.backend);
        lines.append(line);
    }
    if (shown < m_rows.size())
        lines.append(tr("And %n more channel(s).", nullptr, int(m_rows.size() - shown)));
    return lines.join(u'\n');
}

void OverviewDiagram::updateLayout()
{
    const QFontMetrics fm(font());
    Geometry &g = m_geometry;
    g.lineHeight = fm.height();
    g.margin = fm.height();
    g.columnGap = fm.averageCharWidth() * 44; // room for the message names on the arrows
    g.clientWidth = fm.averageCharWidth() * 12;
    int channel = fm.averageCharWidth() * 24;
    int backend = fm.averageCharWidth() * 30;
    // measured on the first rows only: longer texts are elided, and a document may
    // have thousands
    for (const Row &row : m_rows.first(std::min<qsizetype>(m_rows.size(), 500))) {
        channel = std::max(channel, fm.horizontalAdvance(row.address) + 2 * g.lineHeight);
        channel = std::max(channel, fm.horizontalAdvance(row.auth) + 2 * g.lineHeight);
        backend = std::max(backend, fm.horizontalAdvance(row.backend) + 2 * g.lineHeight);
    }
    g.channelWidth = std::min(channel, fm.averageCharWidth() * 60);
    g.backendWidth = std::min(backend, fm.averageCharWidth() * 70);
    g.headerHeight = 3 * g.lineHeight;
    updateGeometry();
    update();
}

void OverviewDiagram::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        updateLayout();
    QWidget::changeEvent(event);
}

int OverviewDiagram::rowHeight(const Row &) const
{
    return 4 * m_geometry.lineHeight;
}

int OverviewDiagram::rowTop(int row) const
{
    const Geometry &g = m_geometry;
    return g.margin + g.headerHeight + row * (rowHeight({}) + g.lineHeight);
}

QRect OverviewDiagram::channelRect(int row) const
{
    const Geometry &g = m_geometry;
    const int x = g.margin + g.clientWidth + g.columnGap;
    return QRect(x, rowTop(row), g.channelWidth, rowHeight(m_rows.at(row)));
}

int OverviewDiagram::rowAt(const QPoint &pos) const
{
    built();
    const int pitch = rowHeight({}) + m_geometry.lineHeight;
    const int y = pos.y() - rowTop(0);
    if (y < 0 || pitch <= 0)
        return -1;
    const int row = y / pitch;
    return row < m_rows.size() && y - row * pitch < rowHeight({}) ? row : -1;
}

QSize OverviewDiagram::sizeHint() const
{
    const Geometry &g = m_geometry;
    const int w = 2 * g.margin + g.clientWidth + g.channelWidth + g.backendWidth + 2 * g.columnGap;
    const int h = rowTop(int(m_rows.size())) + g.margin;
    return {w, std::max<int>(h, 8 * g.lineHeight)};
}

QSize OverviewDiagram::minimumSizeHint() const
{
    return sizeHint();
}

void OverviewDiagram::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const Geometry &g = m_geometry;
    const QFontMetrics fm(font());
    QFont bold = font();
    bold.setBold(true);

    if (!m_api) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("Open an AsyncAPI document to see its overview."));
        return;
    }
    const int clientX = g.margin;
    const int channelX = clientX + g.clientWidth + g.columnGap;
    const int backendX = channelX + g.channelWidth + g.columnGap;

    // column headings
    p.setFont(bold);
    p.setPen(pal.color(QPalette::Text));
    const QRect heading(0, g.margin, 0, g.lineHeight);
    p.drawText(QRect(clientX, heading.y(), g.clientWidth, g.lineHeight), Qt::AlignLeft,
               tr("Clients"));
    p.drawText(
        QRect(channelX, heading.y(), g.channelWidth + g.columnGap, g.lineHeight), Qt::AlignLeft,
        fm.elidedText(m_gateway, Qt::ElideMiddle, g.channelWidth + g.columnGap - g.lineHeight));
    p.drawText(QRect(backendX, heading.y(), g.backendWidth, g.lineHeight), Qt::AlignLeft,
               fm.elidedText(m_backend, Qt::ElideMiddle, g.backendWidth));
    p.setFont(font());

    if (m_rows.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(channelX, rowTop(0), g.channelWidth * 2, 3 * g.lineHeight),
                   Qt::AlignLeft | Qt::TextWordWrap,
                   tr("No channels yet. Add one in the Design tab."));
        return;
    }

    const QColor toBackend = pal.color(QPalette::Link);
    // green for what reaches clients, in either palette
    const bool dark = pal.color(QPalette::Base).lightness() <= 128;
    const QColor toClients = dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
    const qreal head = g.lineHeight * 0.5;
    // only the rows in the exposed part: a document may have thousands
    const int pitch = rowHeight({}) + g.lineHeight;
    const int first = std::max(0, (event->rect().top() - rowTop(0)) / pitch);
    const int last
        = std::min<int>(int(m_rows.size()) - 1, (event->rect().bottom() - rowTop(0)) / pitch + 1);
    for (int i = first; i <= last; ++i) {
        const Row &row = m_rows.at(i);
        const QRect box = channelRect(i);
        const bool current = i == m_current;

        // the client, a small box per row
        const QRect client(clientX, box.y() + g.lineHeight / 2, g.clientWidth,
                           box.height() - g.lineHeight);
        p.setPen(QPen(pal.color(QPalette::Mid), 1));
        p.setBrush(pal.color(QPalette::AlternateBase));
        p.drawRoundedRect(client, 4, 4);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(client, Qt::AlignCenter, tr("client"));

        // the channel
        p.setPen(
            QPen(current && hasFocus() ? pal.color(QPalette::Highlight) : pal.color(QPalette::Dark),
                 current ? 2 : 1));
        p.setBrush(current ? pal.color(QPalette::Highlight).lighter(190)
                           : pal.color(QPalette::Button));
        if (current && dark)
            p.setBrush(pal.color(QPalette::Highlight).darker(200));
        p.drawRoundedRect(box, 6, 6);
        p.setPen(pal.color(QPalette::ButtonText));
        p.setFont(bold);
        const QRect inner = box.adjusted(g.lineHeight / 2, g.lineHeight / 2, -g.lineHeight / 2, 0);
        p.drawText(QRect(inner.x(), inner.y(), inner.width(), g.lineHeight), Qt::AlignLeft,
                   fm.elidedText(row.address, Qt::ElideMiddle, inner.width()));
        p.setFont(font());
        p.drawText(QRect(inner.x(), inner.y() + g.lineHeight, inner.width(), g.lineHeight),
                   Qt::AlignLeft, fm.elidedText(row.auth, Qt::ElideRight, inner.width()));

        // messages: clients -> channel above, channel -> clients below
        const int arrowLeft = client.right() + g.lineHeight / 2;
        const int arrowRight = box.left() - g.lineHeight / 2;
        const int labelWidth = arrowRight - arrowLeft;
        const int upperY = box.y() + box.height() / 3;
        const int lowerY = box.y() + 2 * box.height() / 3 + g.lineHeight / 3;
        if (!row.toBackend.isEmpty()) {
            p.setPen(QPen(toBackend, 2));
            drawArrow(p, QPointF(arrowLeft, upperY), QPointF(arrowRight, upperY), head);
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QRect(arrowLeft, upperY - g.lineHeight - 2, labelWidth, g.lineHeight),
                       Qt::AlignHCenter,
                       fm.elidedText(tr("sends %1").arg(messageList(row.toBackend)), Qt::ElideRight,
                                     labelWidth));
        }
        if (!row.toClients.isEmpty()) {
            p.setPen(QPen(toClients, 2));
            drawArrow(p, QPointF(arrowRight, lowerY), QPointF(arrowLeft, lowerY), head);
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QRect(arrowLeft, lowerY + 2, labelWidth, g.lineHeight), Qt::AlignHCenter,
                       fm.elidedText(tr("receives %1").arg(messageList(row.toClients)),
                                     Qt::ElideRight, labelWidth));
        }
        if (row.toBackend.isEmpty() && row.toClients.isEmpty()) {
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QRect(arrowLeft, box.y(), labelWidth, box.height()), Qt::AlignCenter,
                       tr("no operations"));
        }

        // the backend connection this channel is mapped to
        const int midY = box.center().y();
        p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
        drawArrow(p, QPointF(box.right() + g.lineHeight / 2, midY),
                  QPointF(backendX - g.lineHeight / 2, midY), head);
        const QRect backend(backendX, box.y() + g.lineHeight / 2, g.backendWidth,
                            box.height() - g.lineHeight);
        p.setPen(QPen(pal.color(QPalette::Mid), 1));
        p.setBrush(pal.color(QPalette::AlternateBase));
        p.drawRoundedRect(backend, 4, 4);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(backend.adjusted(g.lineHeight / 2, 0, -g.lineHeight / 2, 0),
                   Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(row.backend, Qt::ElideMiddle, backend.width() - g.lineHeight));
    }
}

void OverviewDiagram::mousePressEvent(QMouseEvent *event)
{
    const int row = rowAt(event->position().toPoint());
    if (row >= 0 && event->button() == Qt::LeftButton) {
        setCurrentRow(row);
        emit channelActivated(m_rows.at(row).channelId);
    }
    QWidget::mousePressEvent(event);
}

void OverviewDiagram::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Up:
        setCurrentRow(m_current - 1);
        return;
    case Qt::Key_Down:
        setCurrentRow(m_current + 1);
        return;
    case Qt::Key_Home:
        setCurrentRow(0);
        return;
    case Qt::Key_End:
        setCurrentRow(int(m_rows.size()) - 1);
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_current >= 0 && m_current < m_rows.size())
            emit channelActivated(m_rows.at(m_current).channelId);
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

bool OverviewDiagram::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAt(help->pos());
        if (row >= 0 && m_api) {
            const Row &r = m_rows.at(row);
            QString tip = u"<b>" + r.address.toHtmlEscaped() + u"</b>";
            if (const Channel *c = m_api->channel(r.channelId); c && !c->description.isEmpty())
                tip += u"<br>" + c->description.toHtmlEscaped();
            if (!r.toBackend.isEmpty())
                tip += u"<br>"
                    + tr("Clients send: %1").arg(r.toBackend.join(u", ")).toHtmlEscaped();
            if (!r.toClients.isEmpty())
                tip += u"<br>"
                    + tr("Clients receive: %1").arg(r.toClients.join(u", ")).toHtmlEscaped();
            tip += u"<br>" + tr("Backend: %1").arg(r.backend).toHtmlEscaped();
            QToolTip::showText(help->globalPos(), tip, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    if (event->type() == QEvent::FocusIn || event->type() == QEvent::FocusOut)
        update();
    return QWidget::event(event);
}

} // namespace Gatehouse
