// SPDX-License-Identifier: GPL-3.0-or-later
#include "gatewaysettingsdialog.h"

#include "gateway/gatewayoptions.h"
#include "policy/policyconfig.h"
#include "problemlabel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <algorithm>

namespace Gatehouse {

namespace {

constexpr auto BufferKey = "gateway/outgoingBuffer";
constexpr auto SocketBuffersKey = "gateway/socketBuffers";
constexpr auto IdleKey = "gateway/idleTimeoutMs";
constexpr auto PingsKey = "gateway/forwardPings";
constexpr auto PerApplicationKey = "gateway/metricsPerApplication";
constexpr qint64 MinBuffer = 4096;
constexpr qint64 MaxSocketBuffers = 64 * 1024 * 1024;

QString sizeText(qint64 bytes)
{
    if (bytes % (1024 * 1024) == 0)
        return QString::number(bytes / (1024 * 1024)) + QStringLiteral("MiB");
    if (bytes % 1024 == 0)
        return QString::number(bytes / 1024) + QStringLiteral("KiB");
    return QString::number(bytes);
}

QString durationText(qint64 ms)
{
    if (ms <= 0)
        return QString();
    if (ms % 60000 == 0)
        return QString::number(ms / 60000) + u'm';
    if (ms % 1000 == 0)
        return QString::number(ms / 1000) + u's';
    return QString::number(ms) + QStringLiteral("ms");
}

} // namespace

GatewayRunOptions GatewayRunOptions::load()
{
    const QSettings settings;
    GatewayRunOptions options;
    options.outgoingBuffer = std::max(
        MinBuffer, settings.value(QLatin1String(BufferKey), options.outgoingBuffer).toLongLong());
    options.socketBuffers = std::clamp<qint64>(
        settings.value(QLatin1String(SocketBuffersKey), 0).toLongLong(), 0, MaxSocketBuffers);
    if (options.socketBuffers > 0 && options.socketBuffers < MinBuffer)
        options.socketBuffers = MinBuffer;
    options.idleTimeoutMs
        = std::max<qint64>(0, settings.value(QLatin1String(IdleKey), 0).toLongLong());
    options.forwardPings = settings.value(QLatin1String(PingsKey), false).toBool();
    options.metricsPerApplication
        = settings.value(QLatin1String(PerApplicationKey), false).toBool();
    return options;
}

void GatewayRunOptions::save() const
{
    QSettings settings;
    settings.setValue(QLatin1String(BufferKey), outgoingBuffer);
    settings.setValue(QLatin1String(SocketBuffersKey), socketBuffers);
    settings.setValue(QLatin1String(IdleKey), idleTimeoutMs);
    settings.setValue(QLatin1String(PingsKey), forwardPings);
    settings.setValue(QLatin1String(PerApplicationKey), metricsPerApplication);
}

void GatewayRunOptions::applyTo(Gateway::GatewayOptions &options) const
{
    options.highWaterBytes = outgoingBuffer;
    options.lowWaterBytes = outgoingBuffer / 2;
    options.socketBufferBytes = int(socketBuffers);
    options.idleTimeoutMs = int(std::min<qint64>(idleTimeoutMs, std::numeric_limits<int>::max()));
    options.forwardPings = forwardPings;
}

GatewaySettingsDialog::GatewaySettingsDialog(const GatewayRunOptions &options, QWidget *parent)
    : QDialog(parent)
    , m_buffer(new QLineEdit(sizeText(options.outgoingBuffer)))
    , m_socketBuffers(
          new QLineEdit(options.socketBuffers > 0 ? sizeText(options.socketBuffers) : QString()))
    , m_idle(new QLineEdit(durationText(options.idleTimeoutMs)))
    , m_pings(new QCheckBox(tr("&Forward pings to the other side")))
    , m_perApplication(new QCheckBox(tr("Keep metrics per &application")))
    , m_problem(makeProblemLabel(tr("Problem with the gateway settings")))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Gateway Settings"));
    m_buffer->setAccessibleName(tr("Outgoing buffer per connection"));
    m_buffer->setPlaceholderText(tr("default: 64KiB"));
    m_buffer->setToolTip(
        tr("When more than this waits to be written to one side of a connection (a client "
           "that reads slower than its backend sends), the gateway stops reading from the "
           "other side until half of it is written. Smaller: less memory per slow client; "
           "larger: fewer pauses for bursts. At least 4KiB. Default: 64KiB (serve "
           "--outgoing-buffer)."));
    m_socketBuffers->setAccessibleName(tr("Socket buffers"));
    m_socketBuffers->setPlaceholderText(tr("the kernel's; e.g. 64KiB"));
    m_socketBuffers->setToolTip(
        tr("Fixes the kernel's send and receive buffers of every socket of a connection, "
           "the client's and the backend's. Empty: the kernel's own, which grow to megabytes "
           "for a client that does not read. A fixed size bounds that memory but caps a "
           "connection's throughput at about the size per round trip. 4KiB to 64MiB (serve "
           "--socket-buffers)."));
    m_idle->setAccessibleName(tr("Idle timeout"));
    m_idle->setPlaceholderText(tr("none; e.g. 30s"));
    m_idle->setToolTip(tr("Ping a side of a connection after this long without traffic, and "
                          "close the connection with 1001 when it stays silent as long again. "
                          "Empty: never (serve --idle-timeout). A document's "
                          "x-gatehouse.idleTimeout applies to its API."));
    m_pings->setAccessibleName(tr("Forward pings"));
    m_pings->setChecked(options.forwardPings);
    m_pings->setToolTip(tr("Pings are always answered by the gateway; with this they are also "
                           "passed on to the other side (serve --forward-pings)."));
    m_perApplication->setAccessibleName(tr("Metrics per application"));
    m_perApplication->setChecked(options.metricsPerApplication);
    m_perApplication->setToolTip(
        tr("Every metric series, and the one-minute history the dashboard's 24 h and 30 d "
           "windows read, is kept per application too: more series and rows, one set per "
           "application id. The last hour is kept per application either way (serve "
           "--metrics-per-application)."));

    auto *intro = new QLabel(tr("How the gateway runs when you press Run. They apply from the "
                                "next Run."));
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    auto *bufferLabel = new QLabel(tr("&Outgoing buffer:"));
    bufferLabel->setBuddy(m_buffer);
    form->addRow(bufferLabel, m_buffer);
    auto *socketLabel = new QLabel(tr("&Socket buffers:"));
    socketLabel->setBuddy(m_socketBuffers);
    form->addRow(socketLabel, m_socketBuffers);
    auto *idleLabel = new QLabel(tr("&Idle timeout:"));
    idleLabel->setBuddy(m_idle);
    form->addRow(idleLabel, m_idle);
    form->addRow(QString(), m_pings);
    form->addRow(QString(), m_perApplication);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buffer, &QLineEdit::textChanged, this, &GatewaySettingsDialog::check);
    connect(m_socketBuffers, &QLineEdit::textChanged, this, &GatewaySettingsDialog::check);
    connect(m_idle, &QLineEdit::textChanged, this, &GatewaySettingsDialog::check);
    check();
}

std::optional<GatewayRunOptions> GatewaySettingsDialog::options(QString *problem) const
{
    GatewayRunOptions options;
    const QString buffer = m_buffer->text().trimmed();
    if (!buffer.isEmpty()) {
        const auto size = Policies::PolicyConfig::parseByteSize(buffer);
        if (!size || *size < MinBuffer) {
            if (problem)
                *problem = tr("Outgoing buffer: \"%1\" is not a size of at least 4KiB such as "
                              "64KiB or 1MiB")
                               .arg(buffer);
            return std::nullopt;
        }
        options.outgoingBuffer = *size;
    }
    const QString socketBuffers = m_socketBuffers->text().trimmed();
    if (!socketBuffers.isEmpty()) {
        const auto size = Policies::PolicyConfig::parseByteSize(socketBuffers);
        if (!size || *size < MinBuffer || *size > MaxSocketBuffers) {
            if (problem)
                *problem = tr("Socket buffers: \"%1\" is not a size from 4KiB to 64MiB such "
                              "as 64KiB")
                               .arg(socketBuffers);
            return std::nullopt;
        }
        options.socketBuffers = *size;
    }
    const QString idle = m_idle->text().trimmed();
    if (!idle.isEmpty()) {
        const auto duration = Policies::PolicyConfig::parseDuration(idle);
        if (!duration) {
            if (problem)
                *problem = tr("Idle timeout: \"%1\" is not a duration such as 30s, 500ms or 5m")
                               .arg(idle);
            return std::nullopt;
        }
        options.idleTimeoutMs = duration->count();
    }
    options.forwardPings = m_pings->isChecked();
    options.metricsPerApplication = m_perApplication->isChecked();
    return options;
}

QString GatewaySettingsDialog::problem() const
{
    return m_problem->text();
}

bool GatewaySettingsDialog::canAccept() const
{
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

void GatewaySettingsDialog::check()
{
    QString problem;
    const bool ok = options(&problem).has_value();
    m_problem->setText(ok ? QString() : problem);
    m_problem->setVisible(!ok);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace Gatehouse
