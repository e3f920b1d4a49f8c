// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/documentwriter.h"

#include "editor/conversiondialog.h"

#include "asyncapi/wso2export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QWidget>

#include <memory>
#include <utility>

namespace Gatehouse {

namespace {

using Format = AsyncApiConverter::Format;
using TargetVersion = AsyncApiConverter::TargetVersion;

QString versionName(TargetVersion version)
{
    return version == TargetVersion::V3_0 ? QStringLiteral("AsyncAPI 3.0")
                                          : QStringLiteral("AsyncAPI 2.6");
}

QString formatName(Format format)
{
    return format == Format::Json ? QStringLiteral("JSON") : QStringLiteral("YAML");
}

} // namespace

DocumentWriter::DocumentWriter(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    m_pool.setMaxThreadCount(1);
}

DocumentWriter::~DocumentWriter()
{
    m_pool.waitForDone();
}

bool DocumentWriter::writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error
                = tr("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

void DocumentWriter::write(const Request &request, Done done)
{
    if (m_busy || m_dialog) {
        done(false, tr("A document is being written already; wait for it to finish."));
        return;
    }
    const Format format
        = AsyncApiConverter::formatForPath(request.path, AsyncApiConverter::formatOf(request.text));
    if (!request.version && !request.forWso2 && !request.readSource
        && AsyncApiConverter::formatOf(request.text) == format) {
        // nothing to convert: the text as is, byte for byte
        AsyncApiConverter::Result same;
        same.data = request.text;
        same.unchanged = true;
        finish(request, same, done);
        return;
    }
    m_busy = true;
    // The conversion reads the whole document: off the GUI thread. The result comes
    // back queued to this object, which waits for the pool before it goes away.
    m_pool.start([this, queued = request, format, done] {
        Request request = queued;
        if (request.readSource) {
            QFile file(request.sourceFile);
            if (!file.open(QIODevice::ReadOnly)) {
                AsyncApiConverter::Result failed;
                failed.error = tr("cannot read %1: %2").arg(request.sourceFile, file.errorString());
                QMetaObject::invokeMethod(
                    this, [this, request, failed, done] { handleConverted(request, failed, done); },
                    Qt::QueuedConnection);
                return;
            }
            request.text = file.readAll();
            request.readSource = false;
        }
        const Format target = request.path.isEmpty()
            ? format
            : AsyncApiConverter::formatForPath(request.path,
                                               AsyncApiConverter::formatOf(request.text));
        AsyncApiConverter::Result unchanged;
        unchanged.data = request.text;
        unchanged.unchanged = true;
        AsyncApiConverter::Result result = request.forWso2
            ? Wso2Export::exportDocument(request.text, request.sourceFile, target)
            : !request.version && AsyncApiConverter::formatOf(request.text) == target
            ? unchanged // Save As of a file read here, in its own syntax: byte for byte
            : request.version
            ? AsyncApiConverter::convert(request.text, request.sourceFile, *request.version, target)
            : AsyncApiConverter::reformat(request.text, request.sourceFile, target);
        QMetaObject::invokeMethod(
            this, [this, request, result, done] { handleConverted(request, result, done); },
            Qt::QueuedConnection);
    });
}

void DocumentWriter::handleConverted(const Request &request,
                                     const AsyncApiConverter::Result &result, const Done &done)
{
    m_busy = false;
    if (!result.ok()) {
        done(false, tr("Nothing written: %1").arg(result.error));
        return;
    }
    if (result.losses.isEmpty() && result.exampleMismatches.isEmpty()) {
        finish(request, result, done);
        return;
    }
    const Format format = AsyncApiConverter::formatOf(result.data);
    const QString target = QDir::toNativeSeparators(request.path);
    QString title;
    QString intro;
    if (request.forWso2) {
        title = tr("Export for WSO2 API Manager");
        intro = tr("The API definition for WSO2 API Manager (AsyncAPI 2.6, %1) is about to be "
                   "written to %2; the window keeps editing %3. Check what the export leaves "
                   "out or changes:")
                    .arg(formatName(format), target, QFileInfo(request.sourceFile).fileName());
    } else if (request.version) {
        title = tr("Save a Copy as %1").arg(versionName(*request.version));
        intro = result.unchanged
            ? tr("The document is %1 already; the copy in %2 is the same document in %3. "
                 "This does not carry over:")
                  .arg(versionName(*request.version), target, formatName(format))
            : tr("A copy converted to %1 is about to be written to %2 (the window keeps "
                 "editing %3). Check what the conversion does not carry over:")
                  .arg(versionName(*request.version), target,
                       QFileInfo(request.sourceFile).fileName());
    } else {
        title = tr("Save As %1").arg(formatName(format));
        intro = tr("The document is about to be written to %1 as %2, and the window will edit "
                   "it there. This does not carry over:")
                    .arg(target, formatName(format));
    }
    auto *dialog = new ConversionDialog(
        title, intro, result, request.forWso2 ? tr("&Export") : tr("&Save"), m_window,
        request.forWso2 ? tr("Left out or changed for WSO2 API Manager (%1):") : QString());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog = dialog;
    // A dialog that deletes itself on close reports a rejection twice (done(), then
    // the close event's reject()): answer once.
    auto answered = std::make_shared<bool>(false);
    connect(dialog, &QDialog::finished, this, [this, request, result, done, answered](int answer) {
        if (std::exchange(*answered, true))
            return;
        if (answer == QDialog::Accepted)
            finish(request, result, done);
        else
            done(false, tr("Nothing written: cancelled."));
    });
    dialog->open();
}

void DocumentWriter::finish(const Request &request, const AsyncApiConverter::Result &result,
                            const Done &done)
{
    QString error;
    if (!writeFile(request.path, result.data, &error)) {
        done(false, error);
        return;
    }
    const QString target = QDir::toNativeSeparators(request.path);
    if (request.forWso2) {
        done(true, tr("Exported for WSO2 API Manager as %1").arg(target));
        return;
    }
    if (!request.version) {
        done(true, tr("Saved as %1").arg(target));
        return;
    }
    done(true,
         result.unchanged
             ? tr("The document is %1 already: saved a copy of it as %2")
                   .arg(versionName(*request.version), target)
             : tr("Saved a copy converted to %1 as %2").arg(versionName(*request.version), target));
}

} // namespace Gatehouse
