// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <memory>

namespace Gatehouse {

struct Api;

// A picture of the API: clients on the left, the gateway's channels in the middle
// with the messages each way (an arrow to the channel for what clients send, from it
// for what they receive), and on the right where the gateway connects each channel
// on the backend (the endpoint with the channel's x-uri-mapping). Drawn from the
// model in the palette's colours. A click, or Up/Down and Enter, picks a channel.
class OverviewDiagram final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewDiagram)

public:
    // One channel as the diagram shows it.
    struct Row
    {
        QString channelId;
        QString address;
        QString auth; // "open", "token or key", scopes
        QStringList toBackend; // messages clients send
        QStringList toClients; // messages clients receive
        QString backend; // the backend URL template, e.g. ws://localhost:8080/rooms?room={roomID}
    };

    explicit OverviewDiagram(QWidget *parent = nullptr);
    ~OverviewDiagram() override;

    void setApi(std::shared_ptr<const Api> api);
    // (A hidden diagram is drawn up when shown or asked: a large API's rows cost
    // tens of milliseconds, at every read of an edited document.)
    const QList<Row> &rows() const { return built().m_rows; }
    QString gatewayTitle() const { return built().m_gateway; }
    QString backendTitle() const { return built().m_backend; }
    int currentRow() const { return built().m_current; }
    void setCurrentRow(int row);
    // The row drawn at `pos`, or -1.
    int rowAt(const QPoint &pos) const;
    // The rows as text, one line per channel: what assistive technology reads (the
    // first `channels` of them, then how many more; -1: all).
    QString summaryText(qsizetype channels = -1) const;
    // How many channels the accessible description names (the tree has them all).
    static constexpr qsizetype DescribedChannels = 200;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // A channel was picked (a click, Enter or Space).
    void channelActivated(const QString &channelId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    const OverviewDiagram &built() const;
    void build();
    struct Geometry
    {
        int margin, columnGap, clientWidth, channelWidth, backendWidth, headerHeight;
        int lineHeight;
    };
    const Geometry &geometry() const { return m_geometry; }
    void updateLayout();
    int rowHeight(const Row &row) const;
    int rowTop(int row) const;
    QRect channelRect(int row) const;

    std::shared_ptr<const Api> m_api;
    QList<Row> m_rows;
    QString m_gateway;
    QString m_backend;
    int m_current = -1;
    bool m_stale = false; // m_api not drawn up yet
    Geometry m_geometry {};
};

} // namespace Gatehouse
