// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/dashboardview.h"

#include "analytics/alertmonitor.h"
#include "analytics/gatewaymetrics.h"
#include "analytics/logquery.h"
#include "analytics/logrecordjson.h"
#include "analytics/metricshistory.h"
#include "readablecolour.h"
#include "scrolling.h"
#include "uibuttons.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMenu>
#include <QPushButton>
#include <QSaveFile>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTimer>
#include <QToolTip>
#include <QTreeView>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace Gatehouse {

namespace {

struct WindowChoice
{
    const char *label;
    int seconds;
    int points;
};
// points per window: one per second for a minute, then 10 s and 30 s steps
constexpr WindowChoice Windows[] = {
    {QT_TRANSLATE_NOOP("Gatehouse::DashboardView", "Last minute"), 60, 60},
    {QT_TRANSLATE_NOOP("Gatehouse::DashboardView", "Last 15 minutes"), 900, 90},
    {QT_TRANSLATE_NOOP("Gatehouse::DashboardView", "Last hour"), 3600, 120},
    // from the history in the database: 10-minute and 4-hour steps
    {QT_TRANSLATE_NOOP("Gatehouse::DashboardView", "Last 24 hours"), 86400, 144},
    {QT_TRANSLATE_NOOP("Gatehouse::DashboardView", "Last 30 days"), 30 * 86400, 180},
};
constexpr int WindowCount = int(std::size(Windows));
constexpr int InMemorySeconds = 3600; // longer windows are read from the history
constexpr qint64 SettleMs = 500; // events reach the metrics within this after their second

// One step made of two parts of it, `a` over aSeconds and `b` over bSeconds: rates
// weighted by time, counts added, the most open, and the latencies of the longer
// part that has any.
Analytics::GatewayMetrics::Point merged(const Analytics::GatewayMetrics::Point &a, double aSeconds,
                                        const Analytics::GatewayMetrics::Point &b, double bSeconds)
{
    const double total = aSeconds + bSeconds;
    if (total <= 0)
        return a;
    auto rate = [&](double x, double y) { return (x * aSeconds + y * bSeconds) / total; };
    Analytics::GatewayMetrics::Point p;
    p.endMs = std::max(a.endMs, b.endMs);
    p.open = std::max(a.open, b.open);
    p.attemptsPerSecond = rate(a.attemptsPerSecond, b.attemptsPerSecond);
    p.messagesInPerSecond = rate(a.messagesInPerSecond, b.messagesInPerSecond);
    p.messagesOutPerSecond = rate(a.messagesOutPerSecond, b.messagesOutPerSecond);
    p.rejectedPerSecond = rate(a.rejectedPerSecond, b.rejectedPerSecond);
    p.throttledPerSecond = rate(a.throttledPerSecond, b.throttledPerSecond);
    for (size_t k = 0; k < p.rejectedByStatusPerSecond.size(); ++k)
        p.rejectedByStatusPerSecond[k]
            = rate(a.rejectedByStatusPerSecond[k], b.rejectedByStatusPerSecond[k]);
    p.rejected = a.rejected + b.rejected;
    p.throttled = a.throttled + b.throttled;
    const bool aHas = a.relayP99Us > 0 || a.handshakeP99Ms > 0;
    const bool bHas = b.relayP99Us > 0 || b.handshakeP99Ms > 0;
    const Analytics::GatewayMetrics::Point &latencies
        = aHas && (!bHas || aSeconds >= bSeconds) ? a : b;
    p.relayP50Us = latencies.relayP50Us;
    p.relayP99Us = latencies.relayP99Us;
    p.handshakeP50Ms = latencies.handshakeP50Ms;
    p.handshakeP99Ms = latencies.handshakeP99Ms;
    return p;
}

// A line's colour by its meaning: in blue, out green, refusals red, as in the lists.
QColor colourOf(const QString &series)
{
    if (series.startsWith(u"rejected ")) {
        // reds and purples, one per status
        static const QColor shades[]
            = {QColor(0xb0, 0x00, 0x20), QColor(0x7a, 0x00, 0x7a), QColor(0x6b, 0x4e, 0x00),
               QColor(0xe0, 0x40, 0x60), QColor(0x50, 0x00, 0x10), QColor(0xc0, 0x30, 0xc0),
               QColor(0x80, 0x20, 0x40), QColor(0x60, 0x60, 0x60)};
        const int status = series.mid(9).toInt();
        return shades[Analytics::GatewayMetrics::rejectionSlot(status)];
    }
    if (series.contains(u"in") || series.contains(u"p50"))
        return QColor(0x1a, 0x4f, 0x9c);
    if (series.contains(u"out") || series.contains(u"p99"))
        return QColor(0x1d, 0x6b, 0x2c);
    if (series.contains(u"rejected"))
        return QColor(0xb0, 0x00, 0x20);
    if (series.contains(u"throttled"))
        return QColor(0xa3, 0x4a, 0x00);
    return QColor(0x3b, 0x3b, 0x8f);
}

QString figureText(double v)
{
    if (v >= 100 || v == std::floor(v))
        return QString::number(qint64(std::llround(v)));
    return QString::number(v, 'f', v < 10 ? 2 : 1);
}

} // namespace

struct DashboardView::Chart
{
    QString title;
    QString unit;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
    QList<QLineSeries *> series;
    QScatterSeries *alerts = nullptr; // raised, red
    QScatterSeries *cleared = nullptr; // cleared, green
    QList<int> measures; // the AlertMonitor::Measure values marked on it
};

DashboardView::DashboardView(QWidget *parent)
    : QWidget(parent)
    , m_window(new QComboBox)
    , m_api(new QComboBox)
    , m_channel(new QComboBox)
    , m_application(new QComboBox)
    , m_pause(UiButtons::named(tr("&Pause"), QStringLiteral("dashboardPause"),
                               tr("Hold the charts still to read them; Resume goes live again")))
    , m_export(UiButtons::named(tr("E&xport"), QStringLiteral("dashboardExport"),
                                tr("Save a chart as PNG, or the figures of the window as CSV")))
    , m_showInLog(UiButtons::named(tr("Show in &Log"), QStringLiteral("dashboardShowInLog"),
                                   tr("Open the message log of the window shown (or click a "
                                      "point of a chart for its moment)")))
    , m_state(new QLabel)
    , m_timer(new QTimer(this))
    , m_talkerKind(new QComboBox)
    , m_talkers(new QStandardItemModel(0, 4, this))
    , m_talkerList(new QTreeView)
{
    m_window->setObjectName(QStringLiteral("dashboardWindow"));
    m_window->setAccessibleName(tr("Time window"));
    for (const WindowChoice &w : Windows)
        m_window->addItem(tr(w.label), w.seconds);
    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        refreshNow();
        refreshTalkers(QDateTime::currentMSecsSinceEpoch());
    });
    m_api->setObjectName(QStringLiteral("dashboardApi"));
    m_api->setAccessibleName(tr("API shown"));
    m_api->setToolTip(tr("Every API the gateway serves, or one of them"));
    m_api->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_api->setMinimumContentsLength(14); // long names show in full in the list
    m_api->addItem(tr("All APIs"), QVariant());
    m_channel->setObjectName(QStringLiteral("dashboardChannel"));
    m_channel->setAccessibleName(tr("Channel shown"));
    m_channel->setToolTip(tr("Every channel, or one channel template (of the API shown)"));
    m_channel->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_channel->setMinimumContentsLength(14); // long names show in full in the list
    m_channel->addItem(tr("All channels"), QVariant());
    m_application->setObjectName(QStringLiteral("dashboardApplication"));
    m_application->setAccessibleName(tr("Application shown"));
    m_application->setToolTip(
        tr("Every application, or the connections of one. The 24 h and 30 d windows know "
           "applications only when the gateway keeps metrics per application."));
    m_application->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_application->setMinimumContentsLength(14); // long names show in full in the list
    m_application->addItem(tr("All applications"), QVariant());
    connect(m_api, &QComboBox::currentIndexChanged, this, [this] {
        updateScopes(); // the channels of this API
        scopeChanged();
    });
    connect(m_channel, &QComboBox::currentIndexChanged, this, &DashboardView::scopeChanged);
    connect(m_application, &QComboBox::currentIndexChanged, this, &DashboardView::scopeChanged);
    connect(m_pause, &QPushButton::clicked, this, [this] { setPaused(!m_paused); });
    m_state->setObjectName(QStringLiteral("dashboardState"));
    m_state->setAccessibleName(tr("Dashboard state"));

    auto *top = new QHBoxLayout;
    // what is shown, on a row of its own: the dashboard stays narrow enough to share
    // the window with a client tab beside it
    auto *scopeRow = new QHBoxLayout;
    auto *windowLabel = new QLabel(tr("&Window:"));
    windowLabel->setBuddy(m_window);
    top->addWidget(windowLabel);
    top->addWidget(m_window);
    auto *apiLabel = new QLabel(tr("&API:"));
    apiLabel->setBuddy(m_api);
    scopeRow->addWidget(apiLabel);
    scopeRow->addWidget(m_api);
    auto *channelLabel = new QLabel(tr("C&hannel:"));
    channelLabel->setBuddy(m_channel);
    scopeRow->addWidget(channelLabel);
    scopeRow->addWidget(m_channel);
    auto *applicationLabel = new QLabel(tr("Appli&cation:"));
    applicationLabel->setBuddy(m_application);
    scopeRow->addWidget(applicationLabel);
    scopeRow->addWidget(m_application);
    top->addWidget(m_pause);
    top->addWidget(m_export);
    top->addWidget(m_showInLog);
    connect(m_showInLog, &QPushButton::clicked, this, [this] {
        const qint64 until = m_shownUntilMs - m_shownUntilMs % 1000 + 1000;
        Q_EMIT logRequested(logFilterFor(QString(), until - qint64(windowSeconds()) * 1000, until));
    });
    top->addWidget(m_state, 1);
    scopeRow->addStretch();
    // a long state ("Saved /a/long/path.csv") is cut rather than widening the window
    m_state->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    // the figures at a glance
    auto *figures = new QHBoxLayout;
    const QList<QPair<QString, QString>> names {
        {QStringLiteral("open"), tr("Connections open")},
        {QStringLiteral("in"), tr("Messages in /s")},
        {QStringLiteral("out"), tr("Messages out /s")},
        {QStringLiteral("rejected"), tr("Rejected in window")},
        {QStringLiteral("throttled"), tr("Throttled in window")},
        {QStringLiteral("handshake"), tr("Handshake p99")},
    };
    for (const auto &[name, label] : names) {
        auto *value = new QLabel(QStringLiteral("–"));
        value->setObjectName(QStringLiteral("figure_") + name);
        value->setAccessibleName(label);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.8);
        big.setBold(true);
        value->setFont(big);
        auto *caption = new QLabel(label);
        auto *box = new QVBoxLayout;
        box->addWidget(value);
        box->addWidget(caption);
        figures->addLayout(box);
        m_figures.append(value);
    }
    figures->addStretch();

    addChart(tr("Connections open"), QString(), {QStringLiteral("open")});
    addChart(tr("Messages per second"), QString(),
             {QStringLiteral("messages in"), QStringLiteral("messages out")});
    // a line per status, shown when it has rejections in the window
    QStringList refusals {QStringLiteral("throttled")};
    for (const int status : Analytics::GatewayMetrics::rejectionStatuses())
        refusals.append(QStringLiteral("rejected %1").arg(status));
    refusals.append(QStringLiteral("rejected other"));
    addChart(tr("Rejected or throttled per second"), QString(), refusals);
    addChart(tr("Connection attempts per second"), QString(), {QStringLiteral("attempts")});
    addChart(tr("Handshake time"), tr("ms"),
             {QStringLiteral("handshake p50"), QStringLiteral("handshake p99")});
    addChart(tr("Relay time"), tr("µs"),
             {QStringLiteral("relay p50"), QStringLiteral("relay p99")});
    // which chart marks which alert
    using Measure = Analytics::AlertMonitor::Measure;
    m_charts.at(0)->measures = {int(Measure::OpenConnections)};
    m_charts.at(2)->measures = {int(Measure::Rejections), int(Measure::Throttling)};
    m_charts.at(5)->measures = {int(Measure::RelayP99)};
    applyPalette();
    auto *grid = new QGridLayout;
    for (int i = 0; i < m_charts.size(); ++i)
        grid->addWidget(m_charts.at(i)->view, i / 3, i % 3);

    auto *exportMenu = new QMenu(m_export);
    for (int i = 0; i < m_charts.size(); ++i)
        exportMenu->addAction(tr("%1 as PNG…").arg(m_charts.at(i)->title), this, [this, i] {
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Save Chart"), m_charts.at(i)->title + QStringLiteral(".png"),
                tr("PNG images (*.png)"));
            if (!path.isEmpty()) {
                const QString error = exportPng(i, path);
                m_state->setText(error.isEmpty() ? tr("Saved %1").arg(path) : error);
            }
        });
    exportMenu->addSeparator();
    exportMenu->addAction(tr("Figures as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save Figures"), QStringLiteral("gateway.csv"), tr("CSV files (*.csv)"));
        if (!path.isEmpty()) {
            const QString error = exportCsv(path);
            m_state->setText(error.isEmpty() ? tr("Saved %1").arg(path) : error);
        }
    });
    m_export->setMenu(exportMenu);

    // who did the most in the window: from the message log
    m_talkerKind->setObjectName(QStringLiteral("dashboardTalkerKind"));
    m_talkerKind->setAccessibleName(tr("Top talkers by"));
    m_talkerKind->addItems({tr("Applications"), tr("Channels"), tr("Client addresses")});
    connect(m_talkerKind, &QComboBox::currentIndexChanged, this,
            [this] { refreshTalkers(QDateTime::currentMSecsSinceEpoch()); });
    m_talkers->setHorizontalHeaderLabels(
        {tr("Name"), tr("Messages"), tr("Connection attempts"), tr("Rejected")});
    m_talkerList->setObjectName(QStringLiteral("dashboardTalkers"));
    m_talkerList->setAccessibleName(tr("Top talkers"));
    m_talkerList->setModel(m_talkers);
    m_talkerList->setRootIsDecorated(false);
    m_talkerList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_talkerList->header()->resizeSection(0, 260);
    m_talkerList->header()->resizeSection(1, 110);
    m_talkerList->header()->resizeSection(2, 170);
    m_talkerList->setMaximumHeight(170);
    m_talkerList->setToolTip(tr("Activate a row to open its rows of the message log"));
    // a talker activated: its rows of the log in the window
    connect(m_talkerList, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString name = m_talkers->index(index.row(), 0).data(Qt::UserRole).toString();
        const qint64 until = m_shownUntilMs - m_shownUntilMs % 1000 + 1000;
        Analytics::LogFilter f
            = logFilterFor(QString(), until - qint64(windowSeconds()) * 1000, until);
        // ("(none)" has no label to select by)
        const int kind = m_talkerKind->currentIndex();
        if (!name.isEmpty() && kind == 0)
            f.application = name;
        else if (!name.isEmpty() && kind == 1)
            f.channel = name;
        else if (!name.isEmpty())
            f.text = name; // the address is in the handshakes' text
        Q_EMIT logRequested(f);
    });
    auto *talkersLabel = new QLabel(tr("&Top talkers in the window, by:"));
    talkersLabel->setBuddy(m_talkerKind);
    auto *talkersTop = new QHBoxLayout;
    talkersTop->addWidget(talkersLabel);
    talkersTop->addWidget(m_talkerKind);
    talkersTop->addStretch();

    // the controls stay in sight; the figures, charts and top talkers scroll when the
    // window is smaller than they want
    auto *contentLayout = new QVBoxLayout;
    contentLayout->addLayout(figures);
    contentLayout->addLayout(grid, 1);
    contentLayout->addLayout(talkersTop);
    contentLayout->addWidget(m_talkerList);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(scopeRow);
    layout->addWidget(UiLayout::scrolling(contentLayout, tr("Charts and top talkers")), 1);

    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DashboardView::refreshNow);
    setPaused(false);
}

DashboardView::~DashboardView()
{
    qDeleteAll(m_charts);
}

void DashboardView::addChart(const QString &title, const QString &unit, const QStringList &series)
{
    auto *c = new Chart;
    c->title = title;
    c->unit = unit;
    auto *chart = new QChart;
    chart->setTitle(unit.isEmpty() ? title : QStringLiteral("%1 (%2)").arg(title, unit));
    chart->setAnimationOptions(QChart::NoAnimation); // redrawn each second: no flicker
    chart->legend()->setVisible(series.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    c->x = new QDateTimeAxis;
    c->x->setFormat(QStringLiteral("hh:mm:ss"));
    c->x->setTickCount(3);
    c->y = new QValueAxis;
    c->y->setLabelFormat(QStringLiteral("%.1f"));
    // the axis keeps the room it made at first: wider numbers later are not cut to "..."
    c->y->setTruncateLabels(false);
    c->x->setTruncateLabels(false);
    c->y->setRange(0, 1);
    chart->addAxis(c->x, Qt::AlignBottom);
    chart->addAxis(c->y, Qt::AlignLeft);
    for (const QString &name : series) {
        auto *line = new QLineSeries;
        line->setName(name);
        line->setPen(QPen(colourOf(name), 2));
        chart->addSeries(line);
        line->attachAxis(c->x);
        line->attachAxis(c->y);
        // click a point: the log of its moment
        connect(line, &QLineSeries::clicked, this, [this, line](const QPointF &point) {
            clickPoint(line->name(), qint64(point.x()));
        });
        // hover to read a value
        connect(line, &QLineSeries::hovered, this,
                [this, line, unit](const QPointF &point, bool state) {
                    if (!state) {
                        QToolTip::hideText();
                        return;
                    }
                    QToolTip::showText(QCursor::pos(),
                                       QStringLiteral("%1 %2: %3%4")
                                           .arg(QDateTime::fromMSecsSinceEpoch(qint64(point.x()))
                                                    .toString(QStringLiteral("hh:mm:ss")),
                                                line->name(), figureText(point.y()),
                                                unit.isEmpty() ? QString() : u' ' + unit),
                                       this);
                });
        c->series.append(line);
    }
    // When every line's name starts with the same word ("handshake p50", "handshake
    // p99"), the legend leaves it out ("p50" under "Handshake time"), so that the
    // labels fit; the lines keep their whole names (tooltips, CSV).
    const QString word = series.constFirst().section(u' ', 0, 0) + u' ';
    if (series.size() > 1
        && std::all_of(series.cbegin(), series.cend(),
                       [&word](const QString &name) { return name.startsWith(word); }))
        for (QLineSeries *line : std::as_const(c->series))
            for (QLegendMarker *marker : chart->legend()->markers(line))
                marker->setLabel(line->name().sliced(word.size()));
    // alerts: red marks at the foot of the chart where one was raised, green where
    // it cleared; hover one for its line
    const auto marks = [&](const QString &name, const QColor &colour, bool raised) {
        auto *s = new QScatterSeries;
        s->setName(name);
        s->setMarkerSize(11);
        s->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        s->setColor(colour);
        s->setBorderColor(colour);
        chart->addSeries(s);
        s->attachAxis(c->x);
        s->attachAxis(c->y);
        for (QLegendMarker *m : chart->legend()->markers(s))
            m->setVisible(false);
        connect(s, &QScatterSeries::hovered, this,
                [this, raised](const QPointF &point, bool state) {
                    if (!state) {
                        QToolTip::hideText();
                        return;
                    }
                    for (const Marker &m : std::as_const(m_markers))
                        if (m.timeMs == qint64(point.x()) && m.raised == raised) {
                            QToolTip::showText(QCursor::pos(), m.text, this);
                            break;
                        }
                });
        return s;
    };
    c->alerts = marks(QStringLiteral("alerts"), QColor(0xd0, 0x10, 0x10), true);
    c->cleared = marks(QStringLiteral("alerts cleared"), QColor(0x2e, 0x8b, 0x3d), false);
    c->view = new QChartView(chart);
    c->view->setRenderHint(QPainter::Antialiasing);
    c->view->setObjectName(QStringLiteral("chart%1").arg(m_charts.size()));
    c->view->setAccessibleName(title);
    c->view->setAccessibleDescription(tr("Chart: %1").arg(series.join(QStringLiteral(", "))));
    c->view->setFocusPolicy(Qt::StrongFocus);
    c->view->setMinimumSize(200, 160); // three side by side in a narrow window
    m_charts.append(c);
}

void DashboardView::setMetrics(std::shared_ptr<Analytics::GatewayMetrics> metrics)
{
    m_metrics = std::move(metrics);
    refreshNow();
}

void DashboardView::setWindowSeconds(int seconds)
{
    const int index = m_window->findData(seconds);
    if (index >= 0)
        m_window->setCurrentIndex(index);
}

int DashboardView::windowSeconds() const
{
    return m_window->currentData().toInt();
}

void DashboardView::setPaused(bool paused)
{
    m_paused = paused;
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    m_state->setText(paused ? tr("Paused at %1")
                                  .arg(QDateTime::fromMSecsSinceEpoch(m_shownUntilMs)
                                           .toString(QStringLiteral("hh:mm:ss")))
                            : tr("Live, every second"));
    if (!paused && isVisible())
        m_timer->start();
    else
        m_timer->stop();
    if (!paused)
        refreshNow();
}

void DashboardView::applyPalette()
{
    const QPalette p = palette();
    const QColor base = p.color(QPalette::Base);
    const QColor text = p.color(QPalette::Text);
    const QColor lines = p.color(QPalette::Mid);
    for (Chart *c : std::as_const(m_charts)) {
        QChart *chart = c->view->chart();
        chart->setBackgroundBrush(base);
        chart->setTitleBrush(text);
        chart->legend()->setLabelColor(text);
        c->view->setBackgroundBrush(p.color(QPalette::Window));
        for (QAbstractAxis *axis :
             {static_cast<QAbstractAxis *>(c->x), static_cast<QAbstractAxis *>(c->y)}) {
            axis->setLabelsColor(text);
            axis->setLinePenColor(lines);
            axis->setGridLineColor(lines);
        }
        for (QLineSeries *line : std::as_const(c->series))
            line->setPen(QPen(ReadableColour::on(base, colourOf(line->name())), 2));
    }
}

void DashboardView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_charts.isEmpty())
        applyPalette();
}

void DashboardView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_paused) {
        refreshNow();
        m_timer->start();
    }
    refreshTalkers(QDateTime::currentMSecsSinceEpoch());
}

void DashboardView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop(); // nothing to draw for nobody
}

void DashboardView::refreshNow()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    refresh(now);
    if (m_ticks++ % 5 == 0) // the log is read less often than the metrics
        refreshTalkers(now);
}

void DashboardView::setDatabase(const QString &path)
{
    ensureQuery();
    m_query->setDatabase(path);
    m_historyWindow = -1; // read again
    // the alerts kept there mark the charts as the live ones do (the longest window)
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_query->alerts(++m_alertsGeneration,
                    now - qint64(Windows[WindowCount - 1].seconds) * 1000 - 60000, now);
}

void DashboardView::ensureQuery()
{
    if (!m_query) {
        m_query = new Analytics::LogQuery(this);
        connect(m_query, &Analytics::LogQuery::historyRead, this,
                [this](quint64 generation, const QList<Analytics::GatewayMetrics::Point> &points,
                       const QString &) {
                    if (generation != m_historyGeneration)
                        return;
                    ++m_historyAnswers;
                    m_history = points; // empty on an error: no log yet, nothing to draw
                    m_historyCoveredToMs = m_askedCoveredToMs;
                    refresh(m_lastRefreshMs);
                });
        connect(m_query, &Analytics::LogQuery::alertsRead, this,
                [this](quint64 generation,
                       const QList<Analytics::MetricsHistory::AlertMark> &alerts, const QString &) {
                    if (generation != m_alertsGeneration || alerts.isEmpty())
                        return; // (none kept, or no log yet)
                    for (const Analytics::MetricsHistory::AlertMark &a : alerts)
                        addMarker({a.timeMs, a.text, a.api, a.measure, a.raised});
                    refresh(m_lastRefreshMs > 0 ? m_lastRefreshMs
                                                : QDateTime::currentMSecsSinceEpoch());
                });
        connect(m_query, &Analytics::LogQuery::talkersFound, this,
                [this](quint64 generation, const QList<Analytics::Talker> &talkers,
                       const QString &error) {
                    if (generation != m_talkerGeneration)
                        return;
                    m_talkers->setRowCount(0);
                    if (!error.isEmpty())
                        return; // no log yet: nothing to rank
                    for (const Analytics::Talker &t : talkers) {
                        auto number = [](qint64 v) {
                            auto *item = new QStandardItem(QString::number(v));
                            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                            return item;
                        };
                        auto *name = new QStandardItem(t.name.isEmpty() ? tr("(none)") : t.name);
                        name->setData(t.name, Qt::UserRole);
                        m_talkers->appendRow(
                            {name, number(t.messages), number(t.attempts), number(t.rejected)});
                    }
                });
    }
}

void DashboardView::askHistory(qint64 fromMs, qint64 toMs, qint64 stepMs, qint64 nowMs,
                               qint64 coveredToMs)
{
    // once per window shown, then once a minute (the history grows by the minute)
    const int window = m_window->currentIndex();
    if (window == m_historyWindow && nowMs >= m_historyAskedMs && nowMs - m_historyAskedMs < 60000)
        return;
    if (window != m_historyWindow) {
        m_history.clear();
        m_historyCoveredToMs = -1;
    }
    m_historyWindow = window;
    m_historyAskedMs = nowMs;
    m_historyStepMs = stepMs;
    m_askedCoveredToMs = coveredToMs;
    Analytics::MetricsHistory::Query q;
    q.fromMs = fromMs;
    q.toMs = toMs;
    q.stepMs = stepMs;
    q.scope = scope();
    q.coveredToMs = coveredToMs;
    m_query->history(++m_historyGeneration, q);
}

void DashboardView::refreshTalkers(qint64 nowMs)
{
    if (!m_query)
        return;
    const qint64 until = nowMs - nowMs % 1000 + 1000;
    m_query->topTalkers(++m_talkerGeneration, m_talkerKind->currentIndex(),
                        until - qint64(windowSeconds()) * 1000, until, 10, scope());
}

QList<Analytics::GatewayMetrics::Point> DashboardView::longWindow(qint64 fromMs, qint64 stepMs,
                                                                  qint64 endMs) const
{
    using Point = Analytics::GatewayMetrics::Point;
    // the seconds in memory: since the metrics began, at most keepSeconds back
    const qint64 kept = m_metrics
        ? std::max(m_metrics->sinceMs(), endMs - qint64(m_metrics->options().keepSeconds) * 1000)
        : endMs;
    // where the history read ends and the seconds in memory take over (no answer
    // yet: nothing from the history)
    const qint64 coveredTo = std::max(kept, m_historyCoveredToMs);
    QList<Point> out;
    for (qint64 a = fromMs; a < endMs; a += stepMs) {
        const qint64 b = std::min(a + stepMs, endMs);
        Point p;
        double seconds = 0;
        // the history's part of [a, b): its step ends in (a, a + step]
        for (const Point &h : std::as_const(m_history)) {
            if (h.endMs > a && h.endMs <= a + stepMs) {
                p = h;
                seconds = double(std::min(h.endMs, b) - a) / 1000.0;
                break;
            }
        }
        // the memory's part: [max(a, coveredTo), b) in whole seconds
        const qint64 from = std::max(a, coveredTo);
        if (m_metrics && from < b) {
            const int memorySeconds = int((b - from + 999) / 1000);
            const Point m = m_metrics->timeline(b - 1, memorySeconds, 1, scope()).value(0);
            p = merged(p, seconds, m, memorySeconds);
        }
        p.endMs = b;
        out.append(p);
    }
    return out;
}

void DashboardView::refresh(qint64 nowMs)
{
    m_lastRefreshMs = nowMs;
    updateScopes();
    const WindowChoice &w = Windows[std::clamp(m_window->currentIndex(), 0, WindowCount - 1)];
    const qint64 stepMs = qint64(w.seconds) * 1000 / w.points;
    const bool fromHistory = w.seconds > InMemorySeconds;
    // the memory has the seconds since the metrics were made; before that, the history
    const qint64 since = m_metrics ? m_metrics->sinceMs() : nowMs + 1000;
    // The live lines end with the last second that is complete: its events have
    // reached the metrics (the workers and the metrics thread flush within SettleMs).
    // The second still counting would pull every line down at its end.
    const qint64 settledMs = nowMs - 1000 - SettleMs;
    const qint64 lastSecond = settledMs - settledMs % 1000;
    const qint64 windowStart = lastSecond - qint64(w.seconds - 1) * 1000;
    QList<Analytics::GatewayMetrics::Point> points;
    if (fromHistory) {
        // Steps on the minute, the last one with the current minute, drawn up to the
        // last complete second. The history is written a minute at a time and lacks
        // the last minute or two: it is read up to where the seconds in memory begin,
        // and the memory gives the rest (without metrics, the complete minutes).
        const qint64 until = nowMs - nowMs % 60000 + 60000;
        const qint64 windowFrom = until - qint64(w.seconds) * 1000;
        const qint64 liveEnd = lastSecond + 1000;
        qint64 coveredTo = nowMs - nowMs % 60000;
        if (m_metrics) {
            // (a history asked for up to a minute ago still ends where memory is kept)
            const qint64 kept
                = liveEnd - qint64(std::max(0, m_metrics->options().keepSeconds - 180)) * 1000;
            coveredTo = std::min(liveEnd, std::max(kept, since + (1000 - since % 1000) % 1000));
        }
        if (m_query)
            askHistory(windowFrom, until, stepMs, nowMs, coveredTo);
        points = longWindow(windowFrom, stepMs, m_metrics ? liveEnd : coveredTo);
    } else {
        if (m_metrics)
            points = m_metrics->timeline(settledMs, w.seconds, w.points, scope());
        if (m_query && windowStart < since) {
            askHistory(windowStart, std::min(since, lastSecond + 1000), stepMs, nowMs, -1);
            if (points.isEmpty()) {
                for (qint64 end = windowStart + stepMs; end <= lastSecond + 1000; end += stepMs) {
                    Analytics::GatewayMetrics::Point p;
                    p.endMs = end;
                    points.append(p);
                }
            }
            // the steps that ended before the metrics began, from the history
            for (Analytics::GatewayMetrics::Point &p : points) {
                if (p.endMs > since)
                    break;
                for (const Analytics::GatewayMetrics::Point &h : std::as_const(m_history))
                    if (h.endMs - m_historyStepMs < p.endMs && p.endMs <= h.endMs) {
                        const qint64 end = p.endMs;
                        p = h;
                        p.endMs = end;
                        break;
                    }
            }
        }
    }
    // the minutes in the database name applications only with the label on
    const QString noApplications = tr("The history of this window has no applications: "
                                      "the gateway keeps metrics per application off");
    if (fromHistory && scope().application && m_metrics && !m_metrics->options().applicationLabel)
        m_state->setText(noApplications);
    else if (m_state->text() == noApplications)
        m_state->setText(tr("Live, every second"));
    if (points.isEmpty())
        return;
    m_shownUntilMs = nowMs;
    m_stepMs = stepMs;
    m_firstMs = points.constFirst().endMs - m_stepMs;
    // one list of points per line, in the order the charts were made
    QList<QList<QPointF>> lines;
    qint64 rejected = 0;
    qint64 throttled = 0;
    double handshakeP99 = 0;
    for (const Analytics::GatewayMetrics::Point &p : points) {
        const double x = double(p.endMs);
        QList<double> values {p.open, p.messagesInPerSecond, p.messagesOutPerSecond,
                              p.throttledPerSecond};
        for (const double byStatus : p.rejectedByStatusPerSecond)
            values.append(byStatus);
        values << p.attemptsPerSecond << p.handshakeP50Ms << p.handshakeP99Ms << p.relayP50Us
               << p.relayP99Us;
        lines.resize(values.size());
        for (qsizetype i = 0; i < values.size(); ++i)
            lines[i].append(QPointF(x, values.at(i)));
        rejected += p.rejected;
        throttled += p.throttled;
        handshakeP99 = std::max(handshakeP99, p.handshakeP99Ms);
    }
    int line = 0;
    for (Chart *c : std::as_const(m_charts)) {
        double top = 0;
        for (QLineSeries *s : std::as_const(c->series)) {
            const QList<QPointF> &pts = lines.at(line++);
            s->replace(pts);
            double highest = 0;
            for (const QPointF &p : pts)
                highest = std::max(highest, p.y());
            top = std::max(top, highest);
            // a status with no rejection in the window stays out of the chart and legend
            if (s->name().startsWith(u"rejected ")) {
                s->setVisible(highest > 0);
                for (QLegendMarker *m : c->view->chart()->legend()->markers(s))
                    m->setVisible(highest > 0);
            }
        }
        c->x->setRange(QDateTime::fromMSecsSinceEpoch(points.constFirst().endMs
                                                      - (fromHistory ? stepMs : 1000)),
                       QDateTime::fromMSecsSinceEpoch(points.constLast().endMs));
        // a little room above the highest value, on round numbers; kept while the
        // values fit it well
        if (!keepsAxis(c->y->max(), top)) {
            const double ceiling = top <= 0 ? 1 : top * 1.1;
            c->y->setLabelFormat(ceiling >= 8 ? QStringLiteral("%.0f") : QStringLiteral("%.1f"));
            c->y->setRange(0, ceiling);
            c->y->applyNiceNumbers();
        }
        QList<QPointF> raised, cleared;
        const qint64 from = points.constFirst().endMs - (fromHistory ? stepMs : 1000);
        const std::optional<QString> api = scope().api;
        for (const Marker &m : std::as_const(m_markers)) {
            if (m.timeMs < from || m.timeMs > points.constLast().endMs)
                continue;
            if (m.measure >= 0 && !c->measures.contains(m.measure))
                continue; // another chart's
            if (api && !m.api.isEmpty() && m.api != *api)
                continue; // another API's
            (m.raised ? raised : cleared).append(QPointF(double(m.timeMs), 0));
        }
        c->alerts->replace(raised);
        c->cleared->replace(cleared);
        // the clock's time (the last minute's seconds with their hour, so that
        // 02:30 is never read as half past two), the date for longer windows
        c->x->setFormat(w.seconds <= 60          ? QStringLiteral("hh:mm:ss")
                            : w.seconds <= 86400 ? QStringLiteral("hh:mm")
                                                 : QStringLiteral("MMM d"));
    }
    const Analytics::GatewayMetrics::Point &last = points.constLast();
    // (a gauge: open now, not at the end of the last complete second)
    const double openNow = !fromHistory && m_metrics
        ? m_metrics->timeline(nowMs, 1, 1, scope()).value(0, last).open
        : last.open;
    m_figures.at(0)->setText(figureText(openNow));
    m_figures.at(1)->setText(figureText(last.messagesInPerSecond));
    m_figures.at(2)->setText(figureText(last.messagesOutPerSecond));
    m_figures.at(3)->setText(QString::number(rejected));
    m_figures.at(4)->setText(QString::number(throttled));
    m_figures.at(5)->setText(handshakeP99 > 0 ? tr("%1 ms").arg(figureText(handshakeP99))
                                              : QStringLiteral("–"));
}

void DashboardView::clickPoint(const QString &series, qint64 x)
{
    // the step the point's line is in: (end - step, end]
    const qint64 steps = std::max<qint64>(1, (x - m_firstMs + m_stepMs - 1) / m_stepMs);
    const qint64 end = m_firstMs + steps * m_stepMs;
    Q_EMIT logRequested(logFilterFor(series, end - m_stepMs, end));
}

Analytics::LogFilter DashboardView::logFilterFor(const QString &series, qint64 fromMs,
                                                 qint64 toMs) const
{
    Analytics::LogFilter f;
    f.fromMs = fromMs;
    f.toMs = toMs;
    // (contained in: a key names one API, a template one channel; rows without an
    // application cannot be asked for apart)
    const Analytics::MetricsScope shown = scope();
    f.api = shown.api.value_or(QString());
    f.channel = shown.channel.value_or(QString());
    f.application = shown.application.value_or(QString());
    QStringList kinds;
    if (series == u"open")
        kinds = {QStringLiteral("opened"), QStringLiteral("closed")};
    else if (series == u"attempts" || series.startsWith(u"handshake"))
        kinds = {QStringLiteral("opened"), QStringLiteral("rejected")};
    else if (series.startsWith(u"rejected")) {
        kinds = {QStringLiteral("rejected")};
        f.status = series.section(u' ', 1).toInt(); // 0 for "other": every status
    } else if (series == u"throttled")
        kinds = {QStringLiteral("throttled")};
    else if (series.startsWith(u"messages ")) {
        kinds = {QStringLiteral("message")};
        f.direction = series.section(u' ', 1);
    } else if (series.startsWith(u"relay"))
        kinds = {QStringLiteral("message")};
    Analytics::selectKinds(&f, kinds);
    return f;
}

namespace {

// The item of `box` holding `value` (added when missing, named by `name`), or the
// first ("All …") when unset.
void choose(QComboBox *box, const std::optional<QString> &value, const QString &name)
{
    int index = value ? box->findData(*value) : 0;
    if (index < 0) {
        box->addItem(name, *value);
        index = box->count() - 1;
    }
    box->setCurrentIndex(index);
}

// Adds `value` to `box` in order (after the first item, "All …"), unless there.
void addSorted(QComboBox *box, const QString &value, const QString &name)
{
    if (box->findData(value) >= 0)
        return;
    int i = 1;
    while (i < box->count() && box->itemData(i).toString() < value)
        ++i;
    box->insertItem(i, name, value);
}

std::optional<QString> chosen(const QComboBox *box)
{
    const QVariant data = box->currentData();
    if (!data.isValid())
        return std::nullopt;
    return data.toString();
}

} // namespace

void DashboardView::setApi(const std::optional<QString> &api)
{
    choose(m_api, api, api && api->isEmpty() ? tr("(no API matched)") : api.value_or(QString()));
}

std::optional<QString> DashboardView::api() const
{
    return chosen(m_api);
}

void DashboardView::setScope(const Analytics::MetricsScope &scope)
{
    // the boxes set quietly, then one refresh for all three
    const QSignalBlocker blockApi(m_api);
    const QSignalBlocker blockChannel(m_channel);
    const QSignalBlocker blockApplication(m_application);
    setApi(scope.api);
    updateScopes(); // the channels of that API
    choose(m_channel, scope.channel,
           scope.channel && scope.channel->isEmpty() ? tr("(no channel)")
                                                     : scope.channel.value_or(QString()));
    choose(m_application, scope.application,
           scope.application && scope.application->isEmpty()
               ? tr("(no application)")
               : scope.application.value_or(QString()));
    scopeChanged();
}

Analytics::MetricsScope DashboardView::scope() const
{
    return {chosen(m_api), chosen(m_channel), chosen(m_application)};
}

void DashboardView::scopeChanged()
{
    m_historyWindow = -1; // the history of other traffic
    refreshNow();
    refreshTalkers(QDateTime::currentMSecsSinceEpoch());
}

void DashboardView::updateScopes()
{
    if (!m_metrics)
        return;
    // what was seen is added as it comes; nothing is taken away while shown, but the
    // channels listed are those of the API chosen (and the one chosen)
    for (const QString &key : m_metrics->apis())
        addSorted(m_api, key, key.isEmpty() ? tr("(no API matched)") : key);
    const std::optional<QString> api = chosen(m_api);
    const QList<Analytics::MetricsScope> seen = m_metrics->scopesSeen();
    QStringList channels;
    for (const Analytics::MetricsScope &s : seen) {
        if ((!api || *s.api == *api) && !channels.contains(*s.channel))
            channels.append(*s.channel);
        addSorted(m_application, *s.application,
                  s.application->isEmpty() ? tr("(no application)") : *s.application);
    }
    const QSignalBlocker blockChannel(m_channel);
    for (int i = m_channel->count() - 1; i > 0; --i)
        if (i != m_channel->currentIndex() && !channels.contains(m_channel->itemData(i).toString()))
            m_channel->removeItem(i);
    for (const QString &c : std::as_const(channels))
        addSorted(m_channel, c, c.isEmpty() ? tr("(no channel)") : c);
}

void DashboardView::addAlertMarker(qint64 timeMs, const QString &text, bool raised,
                                   const QString &api, int measure)
{
    addMarker({timeMs, text, api, measure, raised});
    refresh(m_lastRefreshMs > 0 ? m_lastRefreshMs : QDateTime::currentMSecsSinceEpoch());
}

void DashboardView::addMarker(const Marker &marker)
{
    // after the last one at that time or earlier; the same alert (read back from the
    // log while it was also seen live) once
    auto at = m_markers.end();
    while (at != m_markers.begin() && std::prev(at)->timeMs > marker.timeMs)
        --at;
    for (auto it = at; it != m_markers.begin() && std::prev(it)->timeMs == marker.timeMs; --it) {
        const Marker &m = *std::prev(it);
        if (m.api == marker.api && m.measure == marker.measure && m.raised == marker.raised)
            return;
    }
    m_markers.insert(at, marker);
    if (m_markers.size() > 1000)
        m_markers.removeFirst();
}

QList<qint64> DashboardView::alertMarkers(int chart, bool raised) const
{
    QList<qint64> out;
    for (int i = 0; i < m_charts.size(); ++i)
        if (chart < 0 || chart == i)
            for (const QPointF &p :
                 (raised ? m_charts.at(i)->alerts : m_charts.at(i)->cleared)->points())
                if (!out.contains(qint64(p.x())))
                    out.append(qint64(p.x()));
    std::sort(out.begin(), out.end());
    return out;
}

QStringList DashboardView::chartTitles() const
{
    QStringList titles;
    for (const Chart *c : m_charts)
        titles.append(c->title);
    return titles;
}

QChartView *DashboardView::chartView(int index) const
{
    return index >= 0 && index < m_charts.size() ? m_charts.at(index)->view : nullptr;
}

QList<QPointF> DashboardView::points(const QString &seriesName) const
{
    for (const Chart *c : m_charts)
        for (const QLineSeries *s : c->series)
            if (s->name() == seriesName)
                return s->points();
    return {};
}

QString DashboardView::figure(const QString &name) const
{
    for (const QLabel *l : m_figures)
        if (l->objectName() == QStringLiteral("figure_") + name)
            return l->text();
    return {};
}

QString DashboardView::exportCsv(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("%1: %2").arg(path, file.errorString());
    QList<const QLineSeries *> all;
    QByteArray header = "time";
    for (const Chart *c : m_charts)
        for (const QLineSeries *s : c->series) {
            all.append(s);
            header += ',' + s->name().toUtf8().replace(' ', '_');
        }
    file.write(header + '\n');
    const qsizetype rows = all.isEmpty() ? 0 : all.constFirst()->count();
    for (qsizetype r = 0; r < rows; ++r) {
        QByteArray row
            = QDateTime::fromMSecsSinceEpoch(qint64(all.constFirst()->at(int(r)).x()), Qt::UTC)
                  .toString(Qt::ISODate)
                  .toUtf8();
        for (const QLineSeries *s : std::as_const(all))
            row += ',' + QByteArray::number(s->at(int(r)).y(), 'g', 10);
        file.write(row + '\n');
    }
    if (!file.commit())
        return tr("%1: %2").arg(path, file.errorString());
    return {};
}

QString DashboardView::exportPng(int chart, const QString &path) const
{
    QChartView *view = chartView(chart);
    if (!view)
        return tr("no chart %1").arg(chart);
    if (!view->grab().save(path, "PNG"))
        return tr("%1: cannot be written").arg(path);
    return {};
}

} // namespace Gatehouse
