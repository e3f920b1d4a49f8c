// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "asyncapi/asyncapireader.h"
#include "asyncapi/diagnostic.h"
#include "asyncapi/sourcetext.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace Gatehouse {

// What loading one API document produced, handed to the GUI thread as a value.
struct LoadedApi
{
    QString path; // as requested (may be a :/ resource)
    std::shared_ptr<const Api> api; // null when the document could not be read
    QList<Diagnostic> diagnostics;
    // The document's text as read (null for a resource or a file that could not
    // be read): what an editor starts from.
    QByteArray text;
    // The places of `text` (loadText with `withPlaces`), parsed with it off the GUI
    // thread: an editor of the text need not parse them there.
    std::shared_ptr<const SourceText> places;
    // The other files the document's `$ref`s reached, with the bytes read
    // (Document::files).
    QList<std::pair<QString, QByteArray>> files;
    bool ok() const { return api && !hasErrors(diagnostics); }
};

// Reads API documents off the GUI thread (AsyncApiReader in a private thread pool)
// and delivers the result by a queued signal. Only the most recent request is
// delivered; results of requests it superseded are dropped.
class ApiLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiLoader)

public:
    explicit ApiLoader(QObject *parent = nullptr);
    // Waits for a read in progress (reads are bounded in size and time).
    ~ApiLoader() override;

    void load(const QString &path);
    // Reads `text` as the document at `path` (relative $refs start beside it).
    // With `withPlaces`, the result has the text's places (LoadedApi::places) too.
    // `others` stand in for files the `$ref`s reach (an editor's unsaved edits), by
    // DocumentLoader::fileKey.
    void loadText(const QString &path, const QByteArray &text, bool withPlaces = false,
                  const QHash<QString, QByteArray> &others = {});
    bool isLoading() const { return m_pending > 0; }

Q_SIGNALS:
    void loadStarted(const QString &path);
    void loadFinished(const Gatehouse::LoadedApi &result);

private:
    void start(const QString &path, std::function<ReadResult()> read, const QByteArray &text,
               bool readText, bool withPlaces = false);
    void handleResult(quint64 generation, const LoadedApi &result);

    QThreadPool m_pool;
    quint64 m_generation = 0;
    int m_pending = 0;
};

} // namespace Gatehouse

Q_DECLARE_METATYPE(Gatehouse::LoadedApi)
