// SPDX-License-Identifier: GPL-3.0-or-later
#include "apiloader.h"

#include "asyncapi/asyncapireader.h"
#include "freeoffthread.h"
#include "runtime/settingscheck.h"

#include <QFile>
#include <QFileInfo>

namespace Gatehouse {

namespace {

// The API as the window shares it: a large one is freed on a pool thread.
std::shared_ptr<const Api> shared(Api &&api)
{
    constexpr qsizetype FreedHere = 256; // channels and messages
    const bool large = api.channels.size() + api.messages.size() >= FreedHere;
    return sharedFreedOffThread(std::move(api), large);
}

constexpr qint64 MaxTextSize = 32 * 1024 * 1024;

} // namespace

ApiLoader::ApiLoader(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("ApiLoader"));
}

ApiLoader::~ApiLoader()
{
    m_pool.waitForDone();
}

void ApiLoader::load(const QString &path)
{
    start(
        path, [path] { return AsyncApiReader::readFile(path); }, QByteArray(), true);
}

void ApiLoader::loadText(const QString &path, const QByteArray &text, bool withPlaces,
                         const QHash<QString, QByteArray> &others)
{
    start(
        path, [path, text, others] { return AsyncApiReader::readData(text, path, others); }, text,
        false, withPlaces);
}

void ApiLoader::start(const QString &path, std::function<ReadResult()> read, const QByteArray &text,
                      bool readText, bool withPlaces)
{
    const quint64 generation = ++m_generation;
    ++m_pending;
    Q_EMIT loadStarted(path);
    m_pool.start([this, path, generation, readIt = std::move(read), text, readText, withPlaces] {
        LoadedApi result;
        result.path = path;
        result.text = text;
        if (readText && QFileInfo(path).isFile() && !path.startsWith(u':')) {
            QFile file(path);
            if (file.size() <= MaxTextSize && file.open(QIODevice::ReadOnly))
                result.text = file.readAll();
        }
        try {
            ReadResult read = readIt();
            // what serving would refuse in the policies and the mock, at its node
            checkGatewaySettings(read, &read.diagnostics);
            result.diagnostics = std::move(read.diagnostics);
            result.files = std::move(read.document.files);
            if (read.api)
                result.api = shared(std::move(*read.api));
            if (withPlaces)
                result.places
                    = sharedFreedOffThread(SourceText(text), text.size() > LargeSourceBytes);
        } catch (const std::exception &e) {
            // The reader reports problems as diagnostics; this is a last line of
            // defence so that a bug there cannot take the window down.
            Diagnostic d;
            d.location.file = path;
            d.message = tr("Internal error while reading the document: %1")
                            .arg(QString::fromUtf8(e.what()));
            result.diagnostics.append(d);
        }
        // `this` outlives the job: the destructor waits for the pool, and a queued
        // call to a destroyed object is discarded with its posted events.
        QMetaObject::invokeMethod(
            this, [this, generation, result] { handleResult(generation, result); },
            Qt::QueuedConnection);
    });
}

void ApiLoader::handleResult(quint64 generation, const LoadedApi &result)
{
    --m_pending;
    if (generation != m_generation)
        return;
    Q_EMIT loadFinished(result);
}

} // namespace Gatehouse
