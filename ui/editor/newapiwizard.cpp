// SPDX-License-Identifier: GPL-3.0-or-later
#include "newapiwizard.h"

#include "asyncapi/asyncapireader.h"
#include "asyncapi/newapi.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

#include <Qsci/qscilexeryaml.h>
#include <Qsci/qsciscintilla.h>

namespace Gatehouse {

namespace {

struct StartInfo
{
    NewApiWizard::Start start;
    const char *title;
    const char *sample; // resource path; null for the empty API
    const char *description;
};

const StartInfo starts[] = {
    {NewApiWizard::Start::Empty, QT_TRANSLATE_NOOP("NewApiWizard", "Empty API"), nullptr,
     QT_TRANSLATE_NOOP("NewApiWizard",
                       "An API with a gateway server and no channels yet: add its topics in "
                       "the Design tab or the source.")},
    {NewApiWizard::Start::Chats, QT_TRANSLATE_NOOP("NewApiWizard", "Chats"),
     ":/samples/chats.asyncapi.yaml",
     QT_TRANSLATE_NOOP("NewApiWizard",
                       "Chat rooms and notifications, as in WSO2 API Manager's WebSocket "
                       "tutorial: a parameterized channel mapped to a query on the backend, "
                       "bearer tokens, and a mock chat backend.")},
    {NewApiWizard::Start::Echo, QT_TRANSLATE_NOOP("NewApiWizard", "Echo"),
     ":/samples/echo.asyncapi.yaml",
     QT_TRANSLATE_NOOP("NewApiWizard",
                       "The smallest useful API: every message comes back to its sender. API "
                       "keys in a header or the query, and a mock echo backend.")},
    {NewApiWizard::Start::MarketData, QT_TRANSLATE_NOOP("NewApiWizard", "Market data"),
     ":/samples/market-data.asyncapi.yaml",
     QT_TRANSLATE_NOOP("NewApiWizard",
                       "A price ticker pushed to clients and quotes on request, with JSON "
                       "schemas; the mock backend generates prices from the schema.")},
    {NewApiWizard::Start::IotTelemetry, QT_TRANSLATE_NOOP("NewApiWizard", "IoT telemetry"),
     ":/samples/iot-telemetry.asyncapi.yaml",
     QT_TRANSLATE_NOOP("NewApiWizard",
                       "Devices streaming readings and receiving commands, with a mock "
                       "backend sending examples on a timer.")},
};

const StartInfo &infoOf(NewApiWizard::Start start)
{
    for (const StartInfo &info : starts)
        if (info.start == start)
            return info;
    return starts[0];
}

void setText(QLineEdit *edit, const QString &text)
{
    // a field the user typed in keeps what they typed
    if (!edit->isModified())
        edit->setText(text);
}

} // namespace

class NewApiWizard::DetailsPage final : public QWizardPage
{
public:
    explicit DetailsPage(NewApiWizard *wizard)
        : m_wizard(wizard)
    { }

    bool isComplete() const override { return problem().isEmpty(); }

    QString problem() const
    {
        NewApi::Request request;
        request.name = m_wizard->m_name->text();
        request.context = m_wizard->m_context->text();
        request.version = m_wizard->m_version->text();
        request.endpoint = m_wizard->m_endpoint->text();
        request.listen = m_wizard->m_listen->text();
        return NewApi::problem(request);
    }

    void changed() { emit completeChanged(); }

private:
    NewApiWizard *m_wizard;
};

class NewApiWizard::FilePage final : public QWizardPage
{
public:
    explicit FilePage(NewApiWizard *wizard)
        : m_wizard(wizard)
    { }

    void initializePage() override
    {
        m_wizard->suggestFile();
        m_wizard->updateFile();
        m_wizard->updatePreview();
    }

    bool isComplete() const override { return problem().isEmpty(); }

    QString problem() const
    {
        const QString path = m_wizard->m_file->text().trimmed();
        if (path.isEmpty())
            return NewApiWizard::tr("Choose where to save the document.");
        const QFileInfo info(path);
        if (!info.isAbsolute())
            return NewApiWizard::tr("Give the whole path of the file, e.g. %1.")
                .arg(QDir::toNativeSeparators(QDir::home().filePath(info.fileName())));
        if (info.exists())
            return NewApiWizard::tr("%1 exists already; choose another name.")
                .arg(QDir::toNativeSeparators(path));
        if (!info.dir().exists())
            return NewApiWizard::tr("The folder %1 does not exist.")
                .arg(QDir::toNativeSeparators(info.dir().path()));
        return m_writeError;
    }

    bool validatePage() override
    {
        m_writeError.clear();
        if (!m_wizard->writeFile()) {
            emit completeChanged();
            return false;
        }
        return true;
    }

    void changed()
    {
        m_writeError.clear();
        emit completeChanged();
    }

    QString m_writeError;

private:
    NewApiWizard *m_wizard;
};

NewApiWizard::NewApiWizard(const QString &folder, QWidget *parent)
    : QWizard(parent)
    , m_folder(folder)
{
    setObjectName(QStringLiteral("newApiWizard"));
    setWindowTitle(tr("New API"));
    setAccessibleName(tr("New API"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);

    // 1. where to start
    auto *startPage = new QWizardPage(this);
    startPage->setTitle(tr("Start from"));
    startPage->setSubTitle(tr("An empty API, or a sample to change into your own."));
    m_starts = new QListWidget(startPage);
    m_starts->setObjectName(QStringLiteral("newApiStartList"));
    m_starts->setAccessibleName(tr("Starting point"));
    for (const StartInfo &info : starts) {
        auto *item = new QListWidgetItem(tr(info.title), m_starts);
        item->setToolTip(tr(info.description));
        item->setData(Qt::UserRole, int(info.start));
    }
    m_startDescription = new QLabel(startPage);
    m_startDescription->setObjectName(QStringLiteral("newApiStartDescription"));
    m_startDescription->setWordWrap(true);
    auto *startLabel = new QLabel(tr("&Starting point:"), startPage);
    startLabel->setBuddy(m_starts);
    auto *startLayout = new QVBoxLayout(startPage);
    startLayout->addWidget(startLabel);
    startLayout->addWidget(m_starts, 1);
    startLayout->addWidget(m_startDescription);
    addPage(startPage);

    // 2. the API
    m_detailsPage = new DetailsPage(this);
    m_detailsPage->setTitle(tr("API"));
    m_detailsPage->setSubTitle(tr("Clients connect to the gateway at "
                                  "/{context}/{version}/{topic}; the gateway forwards them to "
                                  "the endpoint."));
    const auto lineEdit = [this](const char *objectName, const QString &accessible,
                                 const QString &placeholder, const QString &help) {
        auto *edit = new QLineEdit(m_detailsPage);
        edit->setObjectName(QString::fromLatin1(objectName));
        edit->setAccessibleName(accessible);
        edit->setPlaceholderText(placeholder);
        edit->setToolTip(help);
        edit->setAccessibleDescription(help);
        return edit;
    };
    m_name
        = lineEdit("newApiName", tr("Name"), tr("e.g. Chats"), tr("The API's title (info.title)."));
    m_context = lineEdit("newApiContext", tr("Context"), tr("e.g. /chats"),
                         tr("The first path segment(s) of the API on the gateway "
                            "(x-gatehouse.context); follows the name until you change it."));
    m_version = lineEdit("newApiVersion", tr("Version"), tr("e.g. 1.0.0"),
                         tr("The API's version (info.version), also a path segment on the "
                            "gateway."));
    m_endpoint = lineEdit("newApiEndpoint", tr("Endpoint"), tr("e.g. ws://localhost:8080"),
                          tr("The backend WebSocket server the gateway forwards to "
                             "(x-gatehouse.endpoint); Run with Mock Backend starts one there."));
    m_listen = lineEdit("newApiListen", tr("Listen address"), tr("e.g. 127.0.0.1:9099"),
                        tr("Where the gateway listens for this API's clients, host:port "
                           "(x-gatehouse.listen)."));
    m_asyncApiVersion = new QComboBox(m_detailsPage);
    m_asyncApiVersion->setObjectName(QStringLiteral("newApiAsyncApiVersion"));
    m_asyncApiVersion->setAccessibleName(tr("AsyncAPI version"));
    m_asyncApiVersion->addItem(tr("AsyncAPI 3.0"), int(AsyncApiWriter::TargetVersion::V3_0));
    m_asyncApiVersion->addItem(tr("AsyncAPI 2.6 (what WSO2 API Manager imports)"),
                               int(AsyncApiWriter::TargetVersion::V2_6));
    m_clientUrl = new QLabel(m_detailsPage);
    m_clientUrl->setObjectName(QStringLiteral("newApiClientUrl"));
    m_clientUrl->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_clientUrl->setWordWrap(true);
    m_detailsProblem = new QLabel(m_detailsPage);
    m_detailsProblem->setObjectName(QStringLiteral("newApiDetailsProblem"));
    m_detailsProblem->setWordWrap(true);
    auto *form = new QFormLayout(m_detailsPage);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Context:"), m_context);
    form->addRow(tr("&Version:"), m_version);
    form->addRow(tr("&Endpoint:"), m_endpoint);
    form->addRow(tr("&Listen address:"), m_listen);
    form->addRow(tr("&AsyncAPI:"), m_asyncApiVersion);
    form->addRow(m_clientUrl);
    form->addRow(m_detailsProblem);
    addPage(m_detailsPage);

    // 3. where to save it
    m_filePage = new FilePage(this);
    m_filePage->setTitle(tr("Save"));
    m_filePage->setSubTitle(tr("The AsyncAPI document is the project file: choose where it "
                               "goes. Finish writes it and opens it."));
    m_file = new QLineEdit(m_filePage);
    m_file->setObjectName(QStringLiteral("newApiFile"));
    m_file->setAccessibleName(tr("File"));
    m_browse = new QPushButton(tr("&Browse\u2026"), m_filePage);
    m_browse->setObjectName(QStringLiteral("newApiBrowse"));
    m_browse->setAccessibleName(tr("Browse for the file"));
    m_fileProblem = new QLabel(m_filePage);
    m_fileProblem->setObjectName(QStringLiteral("newApiFileProblem"));
    m_fileProblem->setWordWrap(true);
    m_preview = new QsciScintilla(m_filePage);
    m_preview->setObjectName(QStringLiteral("newApiPreview"));
    m_preview->setAccessibleName(tr("Document preview"));
    m_preview->setReadOnly(true);
    auto *lexer = new QsciLexerYAML(m_preview);
    lexer->setDefaultFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    lexer->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setLexer(lexer);
    m_preview->setPaper(palette().color(QPalette::Base));
    lexer->setPaper(palette().color(QPalette::Base));
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(m_browse);
    auto *fileLabel = new QLabel(tr("&File:"), m_filePage);
    fileLabel->setBuddy(m_file);
    auto *previewLabel = new QLabel(tr("&Document:"), m_filePage);
    previewLabel->setBuddy(m_preview);
    auto *fileLayout = new QVBoxLayout(m_filePage);
    fileLayout->addWidget(fileLabel);
    fileLayout->addLayout(fileRow);
    fileLayout->addWidget(m_fileProblem);
    fileLayout->addWidget(previewLabel);
    fileLayout->addWidget(m_preview, 1);
    addPage(m_filePage);

    connect(m_starts, &QListWidget::currentRowChanged, this, &NewApiWizard::handleStartChanged);
    connect(m_starts, &QListWidget::itemActivated, this, [this] { next(); });
    for (QLineEdit *edit : {m_name, m_context, m_version, m_endpoint, m_listen})
        connect(edit, &QLineEdit::textChanged, this, &NewApiWizard::updateDetailProblems);
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &name) {
        // the context follows the name until the user gives one
        if (m_context->isModified())
            return;
        QString context = NewApi::suggestedFileName(name);
        context.chop(int(qstrlen(".asyncapi.yaml")));
        m_context->setText(QLatin1Char('/') + context);
    });
    connect(m_file, &QLineEdit::textChanged, this, [this] {
        m_filePage->changed();
        updateFile();
    });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString chosen
            = QFileDialog::getSaveFileName(this, tr("Save the New API as"), m_file->text(),
                                           tr("AsyncAPI documents (*.yaml *.yml);;All files (*)"),
                                           nullptr, QFileDialog::DontConfirmOverwrite);
        if (!chosen.isEmpty())
            m_file->setText(QDir::toNativeSeparators(chosen));
    });

    m_starts->setCurrentRow(int(Start::Chats));
    m_starts->setFocus();
    resize(sizeHint().expandedTo(QSize(720, 560)));
}

NewApiWizard::~NewApiWizard() = default;

QByteArray NewApiWizard::startText(Start start)
{
    const StartInfo &info = infoOf(start);
    if (!info.sample)
        return {};
    QFile file(QString::fromLatin1(info.sample));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

NewApiWizard::Start NewApiWizard::currentStart() const
{
    const QListWidgetItem *item = m_starts->currentItem();
    return item ? Start(item->data(Qt::UserRole).toInt()) : Start::Empty;
}

void NewApiWizard::handleStartChanged()
{
    const Start start = currentStart();
    m_startDescription->setText(tr(infoOf(start).description));
    // the sample's own settings are the defaults of the fields the user left alone
    QString name, context, version = QStringLiteral("1.0.0");
    QString endpoint = QStringLiteral("ws://localhost:8080");
    QString listen = QStringLiteral("127.0.0.1:9099");
    bool v3 = true;
    if (start != Start::Empty) {
        const ReadResult read = AsyncApiReader::readData(startText(start));
        if (read.api) {
            name = read.api->title;
            version = read.api->version;
            context = read.api->gatehouse.context;
            if (!read.api->gatehouse.endpoint.isEmpty())
                endpoint = read.api->gatehouse.endpoint;
            if (!read.api->gatehouse.listen.isEmpty())
                listen = read.api->gatehouse.listen;
            v3 = read.api->asyncapiVersion.startsWith(QLatin1Char('3'));
        }
    }
    setText(m_name, name);
    setText(m_context, context);
    setText(m_version, version);
    setText(m_endpoint, endpoint);
    setText(m_listen, listen);
    m_asyncApiVersion->setCurrentIndex(v3 ? 0 : 1);
    updateDetailProblems();
}

void NewApiWizard::updateDetailProblems()
{
    const QString problem = m_detailsPage->problem();
    m_detailsProblem->setText(problem);
    m_detailsProblem->setVisible(!problem.isEmpty());
    m_detailsProblem->setAccessibleName(problem);
    if (NewApi::contextProblem(m_context->text()).isEmpty()
        && NewApi::versionProblem(m_version->text()).isEmpty()
        && NewApi::listenProblem(m_listen->text()).isEmpty()) {
        m_clientUrl->setText(tr("Clients will connect to ws://%1%2/%3/{topic}")
                                 .arg(m_listen->text(), m_context->text(), m_version->text()));
    } else {
        m_clientUrl->clear();
    }
    m_detailsPage->changed();
}

QString NewApiWizard::currentProblem() const
{
    if (currentPage() == m_detailsPage)
        return m_detailsPage->problem();
    if (currentPage() == m_filePage)
        return m_filePage->problem();
    return {};
}

void NewApiWizard::suggestFile()
{
    // a name from the API's name, until the user chooses a file
    const QString current = QDir::fromNativeSeparators(m_file->text());
    if (!current.isEmpty() && current != m_suggestedFile)
        return;
    m_suggestedFile = QDir(m_folder).filePath(NewApi::suggestedFileName(m_name->text()));
    const QSignalBlocker block(m_file);
    m_file->setText(QDir::toNativeSeparators(m_suggestedFile));
}

void NewApiWizard::updateFile()
{
    const QString problem = m_filePage->problem();
    m_fileProblem->setText(problem);
    m_fileProblem->setVisible(!problem.isEmpty());
    m_fileProblem->setAccessibleName(problem);
    m_filePage->changed();
}

QByteArray NewApiWizard::document(QString *error) const
{
    NewApi::Request request;
    request.name = m_name->text();
    request.context = m_context->text();
    request.version = m_version->text();
    request.endpoint = m_endpoint->text();
    request.listen = m_listen->text();
    request.asyncApiVersion
        = AsyncApiWriter::TargetVersion(m_asyncApiVersion->currentData().toInt());
    return NewApi::create(request, startText(currentStart()), error);
}

void NewApiWizard::updatePreview()
{
    QString error;
    const QByteArray text = document(&error);
    m_preview->setText(text.isEmpty() ? error : QString::fromUtf8(text));
}

QString NewApiWizard::previewText() const
{
    return m_preview->text();
}

bool NewApiWizard::writeFile()
{
    QString error;
    const QByteArray text = document(&error);
    const QString path = QDir::fromNativeSeparators(m_file->text().trimmed());
    if (!text.isEmpty() && QFileInfo::exists(path))
        error = tr("%1 exists already; choose another name.").arg(QDir::toNativeSeparators(path));
    if (error.isEmpty()) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
            error
                = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
    }
    if (!error.isEmpty()) {
        m_filePage->m_writeError = error;
        m_fileProblem->setText(error);
        m_fileProblem->setVisible(true);
        m_fileProblem->setAccessibleName(error);
        return false;
    }
    m_writtenFile = QFileInfo(path).absoluteFilePath();
    return true;
}

} // namespace Gatehouse
