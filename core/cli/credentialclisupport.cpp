// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/credentialclisupport.h"

#include "api/api.h"
#include "asyncapi/asyncapireader.h"
#include "credentials/environmentsecretstore.h"
#include "credentials/filesecretstore.h"
#include "credentials/keychainsecretstore.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

namespace Gatehouse::Cli::CredentialSupport {

using namespace Gatehouse::Credentials;

void addCommonOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("db"),
         QStringLiteral("Registry database (default: gatehouse.db in the app data folder)."),
         QStringLiteral("FILE")});
    parser.addOption(
        {QStringLiteral("secrets-file"),
         QStringLiteral("Keep secrets in FILE (mode 0600) instead of the OS keychain."),
         QStringLiteral("FILE")});
}

QString databasePath(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("db")))
        return parser.value(QStringLiteral("db"));
    const QString fromEnvironment = qEnvironmentVariable("GATEHOUSE_DB");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return SqliteCredentialRegistry::defaultDatabasePath();
}

bool openRegistry(const QCommandLineParser &parser, SqliteCredentialRegistry *registry,
                  QString *error)
{
    const QString path = databasePath(parser);
    if (path.isEmpty()) {
        *error = QStringLiteral("--db: empty file name");
        return false;
    }
    return registry->open(path, error);
}

bool waitFor(const std::function<void(std::function<void()>)> &start, int timeoutMs)
{
    QEventLoop loop;
    bool done = false;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    start([&done, &loop] {
        done = true;
        loop.quit();
    });
    if (!done)
        loop.exec();
    return done;
}

std::unique_ptr<SecretStore> chosenSecretStore(const QCommandLineParser &parser, QString *error)
{
    std::unique_ptr<SecretStore> store;
    QString file = parser.value(QStringLiteral("secrets-file"));
    if (file.isEmpty())
        file = qEnvironmentVariable("GATEHOUSE_SECRETS_FILE");
    const QString mode = qEnvironmentVariable("GATEHOUSE_SECRETS");
    if (!file.isEmpty())
        store = std::make_unique<FileSecretStore>(file);
    else if (mode == QLatin1String("env"))
        store = std::make_unique<EnvironmentSecretStore>();
    else if (mode.isEmpty() || mode == QLatin1String("keychain"))
        store = std::make_unique<KeychainSecretStore>();
    else {
        *error = QStringLiteral("GATEHOUSE_SECRETS='%1': expected 'keychain' or 'env'").arg(mode);
        return nullptr;
    }
    return store;
}

std::unique_ptr<SecretStore> openSecretStore(const QCommandLineParser &parser, QString *error,
                                             bool forWriting)
{
    std::unique_ptr<SecretStore> store = chosenSecretStore(parser, error);
    if (!store)
        return nullptr;

    SecretStore::Result availability;
    const bool answered = waitFor([&](std::function<void()> finished) {
        store->checkAvailable(store.get(), [&availability, finished](const SecretStore::Result &r) {
            availability = r;
            finished();
        });
    });
    if (!answered) {
        *error = QStringLiteral("%1 did not answer in time").arg(store->description());
        return nullptr;
    }
    if (!availability.ok()) {
        if (forWriting && qobject_cast<KeychainSecretStore *>(store.get()))
            *error = QStringLiteral("%1; secrets are never written in plain text silently: use "
                                    "--secrets-file FILE (mode 0600) or GATEHOUSE_SECRETS=env with "
                                    "GATEHOUSE_SIGNING_KEY")
                         .arg(availability.error);
        else
            *error = availability.error;
        return nullptr;
    }
    return store;
}

bool parseApiName(const QString &text, QString *title, QString *version)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == text.size() - 1)
        return false;
    *title = text.left(colon).trimmed();
    *version = text.mid(colon + 1).trimmed();
    return !title->isEmpty() && !version->isEmpty();
}

std::optional<ApiReference> resolveApi(const QString &text, QString *error)
{
    ApiReference ref;
    const QFileInfo info(text);
    if (info.isFile()) {
        const ReadResult read = AsyncApiReader::readFile(text);
        if (!read.api) {
            QString first;
            for (const Diagnostic &d : read.diagnostics)
                if (d.severity == Diagnostic::Severity::Error) {
                    first = d.toString();
                    break;
                }
            *error = first.isEmpty() ? QStringLiteral("%1: cannot read the API document").arg(text)
                                     : first;
            return std::nullopt;
        }
        if (read.api->title.isEmpty() || read.api->version.isEmpty()) {
            *error = QStringLiteral("%1: the document has no info.title or info.version").arg(text);
            return std::nullopt;
        }
        ref.title = read.api->title;
        ref.version = read.api->version;
        ref.api = std::make_shared<const Api>(*read.api);
        return ref;
    }
    if (!parseApiName(text, &ref.title, &ref.version)) {
        *error = QStringLiteral("--api '%1': no such file, and not TITLE:VERSION").arg(text);
        return std::nullopt;
    }
    return ref;
}

std::optional<qint64> parseExpiry(const QString &text, qint64 nowMs, QString *error)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("never") || t == QLatin1String("none") || t == QLatin1String("0"))
        return qint64(0);
    static const QRegularExpression relative(QStringLiteral("^(\\d{1,9})\\s*(s|m|h|d|w)$"));
    const auto match = relative.match(t);
    if (match.hasMatch()) {
        const qint64 n = match.captured(1).toLongLong();
        const QChar unit = match.captured(2).at(0);
        const qint64 unitMs = unit == QLatin1Char('s') ? 1000
            : unit == QLatin1Char('m')                 ? 60 * 1000
            : unit == QLatin1Char('h')                 ? 3600 * 1000
            : unit == QLatin1Char('d')                 ? 86400 * 1000
                                                       : 7 * 86400 * qint64(1000);
        if (n == 0) {
            *error = QStringLiteral("--expires '%1': a duration must be positive (or 'never')")
                         .arg(text);
            return std::nullopt;
        }
        return nowMs + n * unitMs;
    }
    QDateTime when = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!when.isValid()) {
        const QDate date = QDate::fromString(text.trimmed(), Qt::ISODate);
        if (date.isValid())
            when = QDateTime(date, QTime(0, 0), Qt::UTC);
    } else if (when.timeSpec() == Qt::LocalTime) { // no offset given: UTC
        when.setTimeSpec(Qt::UTC);
    }
    if (!when.isValid()) {
        *error = QStringLiteral("--expires '%1': expected a duration like 30m, 1h, 7d, 2w, "
                                "'never', or an ISO date/time")
                     .arg(text);
        return std::nullopt;
    }
    return when.toMSecsSinceEpoch();
}

QString formatTime(qint64 ms, const QString &zeroText)
{
    if (ms == 0)
        return zeroText;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

} // namespace Gatehouse::Cli::CredentialSupport
