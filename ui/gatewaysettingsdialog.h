// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

#include <optional>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Gatehouse {

namespace Gateway {
struct GatewayOptions;
}

// How the window's gateway runs, beyond what the document says: what `gatehouse-cli
// serve` takes as --outgoing-buffer, --socket-buffers, --idle-timeout,
// --forward-pings and --metrics-per-application. Kept in the user's settings; Run uses them.
struct GatewayRunOptions
{
    qint64 outgoingBuffer = 64 * 1024; // bytes waiting for one side before reading pauses
    qint64 socketBuffers = 0; // kernel buffers of each socket; 0: the kernel's
    qint64 idleTimeoutMs = 0; // 0: none
    bool forwardPings = false;
    // the metrics' series and their minutes in the history are kept per application
    bool metricsPerApplication = false;

    static GatewayRunOptions load();
    void save() const;
    void applyTo(Gateway::GatewayOptions &options) const;
    friend bool operator==(const GatewayRunOptions &, const GatewayRunOptions &) = default;
};

// Run → Gateway Settings…: the GatewayRunOptions, each field checked as typed (a
// one-line reason, and OK stays off, when it cannot be used).
class GatewaySettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewaySettingsDialog)

public:
    explicit GatewaySettingsDialog(const GatewayRunOptions &options, QWidget *parent = nullptr);

    // What the fields say; the reason in `problem` when they cannot be used.
    std::optional<GatewayRunOptions> options(QString *problem = nullptr) const;
    QLineEdit *bufferField() const { return m_buffer; }
    QLineEdit *socketBuffersField() const { return m_socketBuffers; }
    QLineEdit *idleField() const { return m_idle; }
    QCheckBox *pingsBox() const { return m_pings; }
    QCheckBox *perApplicationBox() const { return m_perApplication; }
    QString problem() const;
    bool canAccept() const;

private:
    void check();

    QLineEdit *m_buffer;
    QLineEdit *m_socketBuffers;
    QLineEdit *m_idle;
    QCheckBox *m_pings;
    QCheckBox *m_perApplication;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Gatehouse
