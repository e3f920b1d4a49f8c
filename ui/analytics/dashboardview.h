// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/gatewaymetrics.h"
#include "analytics/logrecord.h"

#include <QList>
#include <QPointF>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTimer;
class QTreeView;

QT_BEGIN_NAMESPACE
class QChartView;
class QLineSeries;
class QScatterSeries;
class QDateTimeAxis;
class QValueAxis;
QT_END_NAMESPACE

namespace Gatehouse {

namespace Analytics {
class GatewayMetrics;
class LogQuery;
struct Talker;
} // namespace Analytics

// Live charts of the gateway: connections open, messages per second both ways,
// handshake rejections by status and throttling, connection attempts, and the handshake and
// relay times (p50 and p99), over the last minute, 15 minutes or hour, updated about
// once a second while shown, or over the last 24 hours or 30 days from the metrics'
// one-minute history in the database (MetricsHistory, read in the background), which
// also fills any part of a short window from before the app started. Figures above the charts say
// the same at a glance. Hover a line to read a value; pause to look at a moment; export a chart as
// PNG or the figures as CSV. The API, channel and application boxes narrow everything,
// the top talkers included, to the traffic they name. A point
// clicked (or a top talker activated) opens the message log of its moment, API and
// cause.
class DashboardView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardView)
public:
    explicit DashboardView(QWidget *parent = nullptr);
    ~DashboardView() override;

    void setMetrics(std::shared_ptr<Analytics::GatewayMetrics> metrics);
    // The message log the top talkers are read from (in the background).
    void setDatabase(const QString &path);
    // Reads the top talkers of the window shown up to `nowMs` again.
    void refreshTalkers(qint64 nowMs);
    QStandardItemModel *talkersModel() const { return m_talkers; }
    QComboBox *talkerKindBox() const { return m_talkerKind; }
    // The window shown: 60, 900, 3600, 86400 or 2592000 seconds.
    void setWindowSeconds(int seconds);
    int windowSeconds() const;
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // Reads the metrics up to `nowMs` and redraws (the timer does this each second).
    void refresh(qint64 nowMs);
    // An alert of `api` raised (or cleared) at `timeMs`: a red (green) marker at the
    // foot of the chart of its measure (an AlertMonitor::Measure; -1: every chart),
    // hover it for `text`, while its moment is in the window and the API box shows
    // every API or that one.
    void addAlertMarker(qint64 timeMs, const QString &text, bool raised = true,
                        const QString &api = QString(), int measure = -1);
    // The times of the raised (or cleared) markers drawn now on chart `chart` (-1:
    // on any), for tests.
    QList<qint64> alertMarkers(int chart = -1, bool raised = true) const;
    // History answers received (tests wait for it).
    int historyAnswers() const { return m_historyAnswers; }

    // Whether a chart whose value axis goes up to `axisMax` keeps it for values up to
    // `highest`: while they fit and fill more than a third of it, so that the scale
    // does not move (and the chart is not laid out again) every second.
    static bool keepsAxis(double axisMax, double highest)
    {
        return highest <= axisMax && highest * 3 > axisMax;
    }

    // For tests and exports: the charts in order, a line's points, the figures.
    QStringList chartTitles() const;
    QChartView *chartView(int index) const;
    QList<QPointF> points(const QString &seriesName) const;
    QString figure(const QString &name) const; // "open", "in", "out", "rejected", ...
    // Writes the shown window's figures as CSV, or a chart as PNG; the error, or empty.
    QString exportCsv(const QString &path) const;
    QString exportPng(int chart, const QString &path) const;
    // What a click on a point of `series` at `x` (its step's end) asks the log for.
    void clickPoint(const QString &series, qint64 x);
    // The rows of the log a line counts in [fromMs, toMs): its kinds, direction or
    // status, and the API shown ("" for Show in Log: every row).
    Analytics::LogFilter logFilterFor(const QString &series, qint64 fromMs, qint64 toMs) const;
    // The API shown (its key, context/version; empty for requests that matched no
    // API), or every API.
    void setApi(const std::optional<QString> &api);
    std::optional<QString> api() const;
    QComboBox *apiBox() const { return m_api; }
    // What is shown: the API, channel and application boxes (each unset for every
    // one). Setting a scope offers its channel and application even before traffic of
    // them was seen.
    void setScope(const Analytics::MetricsScope &scope);
    Analytics::MetricsScope scope() const;
    QComboBox *channelBox() const { return m_channel; }
    QComboBox *applicationBox() const { return m_application; }

Q_SIGNALS:
    // The message log is asked for: a point was clicked (its step, API and what its
    // line counts), Show in Log (the whole window), or a top talker activated.
    void logRequested(const Gatehouse::Analytics::LogFilter &filter);

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override; // follows the palette, light or dark
    void hideEvent(QHideEvent *event) override;

private:
    struct Chart;
    void addChart(const QString &title, const QString &unit, const QStringList &series);
    // The charts in the palette's colours: its base and text, the lines' colours made
    // readable on that base.
    void applyPalette();
    void refreshNow();
    void askHistory(qint64 fromMs, qint64 toMs, qint64 stepMs, qint64 nowMs, qint64 coveredToMs);
    // The steps of a window read from the history, from fromMs up to endMs: the
    // history's as far as it was read, the seconds in memory after that.
    QList<Analytics::GatewayMetrics::Point> longWindow(qint64 fromMs, qint64 stepMs,
                                                       qint64 endMs) const;
    void ensureQuery();
    void updateScopes();
    void scopeChanged();

    std::shared_ptr<Analytics::GatewayMetrics> m_metrics;
    QList<Chart *> m_charts;
    QComboBox *m_window;
    QComboBox *m_api;
    QComboBox *m_channel;
    QComboBox *m_application;
    QPushButton *m_pause;
    QPushButton *m_export;
    QPushButton *m_showInLog;
    QLabel *m_state;
    QList<QLabel *> m_figures;
    QTimer *m_timer;
    bool m_paused = false;
    qint64 m_shownUntilMs = 0;
    qint64 m_stepMs = 1000;
    qint64 m_firstMs = 0; // where the first step of the shown window starts
    Analytics::LogQuery *m_query = nullptr;
    quint64 m_talkerGeneration = 0;
    QComboBox *m_talkerKind;
    QStandardItemModel *m_talkers;
    QTreeView *m_talkerList;
    int m_ticks = 0;
    // the history last read, for the window m_historyWindow, asked for at m_historyAskedMs
    QList<Analytics::GatewayMetrics::Point> m_history;
    quint64 m_historyGeneration = 0;
    quint64 m_alertsGeneration = 0;
    int m_historyWindow = -1;
    qint64 m_historyAskedMs = 0;
    qint64 m_historyStepMs = 60000;
    qint64 m_historyCoveredToMs = -1; // m_history was read up to here (-1: to its end)
    qint64 m_askedCoveredToMs = -1;
    qint64 m_lastRefreshMs = 0;
    int m_historyAnswers = 0;
    struct Marker
    {
        qint64 timeMs;
        QString text;
        QString api;
        int measure = -1;
        bool raised = true;
    };
    QList<Marker> m_markers; // oldest first
    void addMarker(const Marker &marker); // in time order, once
};

} // namespace Gatehouse
