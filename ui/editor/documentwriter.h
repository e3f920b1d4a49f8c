// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapiconverter.h"
#include "editor/conversiondialog.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <optional>

class QWidget;

namespace Gatehouse {

// Writes a document's text to another file in another syntax (Save As), AsyncAPI
// version (Save a Copy as 2.6 / 3.0) or for WSO2 API Manager (Export): converts off the GUI thread,
// lists what does not carry over in a ConversionDialog that the user confirms, then writes the file
// atomically. The text it was given is left as it was.
class DocumentWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentWriter)

public:
    struct Request
    {
        QByteArray text;
        QString sourceFile; // names the text; relative $refs start beside it
        QString path; // where to write; YAML or JSON by its extension
        // Save a Copy: the version to convert to; Save As: none (the same document)
        std::optional<AsyncApiConverter::TargetVersion> version;
        // Export for WSO2 API Manager (Wso2Export); `version` is not used then
        bool forWso2 = false;
        // Read the text from `sourceFile`, off the GUI thread (a document shown but
        // not being edited).
        bool readSource = false;
    };
    // `written`: whether the file was written; `message`: what to tell in the status line.
    using Done = std::function<void(bool written, const QString &message)>;

    explicit DocumentWriter(QWidget *window);
    // Waits for a conversion in progress.
    ~DocumentWriter() override;

    // Same syntax and no conversion: writes the text as is at once.
    void write(const Request &request, Done done);
    // Converting, or asking: another write() is refused until it is done.
    bool isBusy() const { return m_busy || m_dialog; }
    // The question being asked, if any (tests answer it).
    ConversionDialog *dialog() const { return m_dialog; }

    // Writes `data` to `path` with QSaveFile; the reason in `error` when it cannot.
    static bool writeFile(const QString &path, const QByteArray &data, QString *error);

private:
    void handleConverted(const Request &request, const AsyncApiConverter::Result &result,
                         const Done &done);
    void finish(const Request &request, const AsyncApiConverter::Result &result, const Done &done);

    QWidget *m_window;
    QThreadPool m_pool;
    QPointer<ConversionDialog> m_dialog;
    bool m_busy = false;
};

} // namespace Gatehouse
