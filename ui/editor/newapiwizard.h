// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWizard>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QsciScintilla;

namespace Gatehouse {

// File > New API: asks what WSO2 API Manager's "Create WebSocket API" asks (name,
// context, version, endpoint), the listen address and the AsyncAPI version, and a
// starting point (an empty API or one of the samples); shows the document it will
// write, and writes it where the user chose (never over an existing file). The
// window opens the file once the wizard is accepted.
class NewApiWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewApiWizard)

public:
    // Starting points, in the order the first page lists them.
    enum class Start { Empty, Chats, Echo, MarketData, IotTelemetry };

    // `folder`: where the file goes unless the user chooses another place.
    explicit NewApiWizard(const QString &folder, QWidget *parent = nullptr);
    ~NewApiWizard() override;

    // The file written once the wizard was accepted.
    QString writtenFile() const { return m_writtenFile; }

    // For tests and keyboard users alike: the controls, by what they ask.
    QListWidget *startList() const { return m_starts; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *contextEdit() const { return m_context; }
    QLineEdit *versionEdit() const { return m_version; }
    QLineEdit *endpointEdit() const { return m_endpoint; }
    QLineEdit *listenEdit() const { return m_listen; }
    QComboBox *asyncApiVersionBox() const { return m_asyncApiVersion; }
    QLineEdit *fileEdit() const { return m_file; }
    QString previewText() const;
    // The problem that keeps Next or Finish disabled on the current page; empty when
    // there is none.
    QString currentProblem() const;

    // The text of a starting point (empty for Start::Empty).
    static QByteArray startText(Start start);

private:
    class DetailsPage;
    class FilePage;
    friend class DetailsPage;
    friend class FilePage;

    Start currentStart() const;
    void handleStartChanged();
    void updateDetailProblems();
    void suggestFile();
    void updateFile();
    void updatePreview();
    QByteArray document(QString *error) const;
    bool writeFile();

    QListWidget *m_starts = nullptr;
    QLabel *m_startDescription = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_context = nullptr;
    QLineEdit *m_version = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QLineEdit *m_listen = nullptr;
    QComboBox *m_asyncApiVersion = nullptr;
    QLabel *m_detailsProblem = nullptr;
    QLabel *m_clientUrl = nullptr;
    QLineEdit *m_file = nullptr;
    QPushButton *m_browse = nullptr;
    QLabel *m_fileProblem = nullptr;
    QsciScintilla *m_preview = nullptr;
    DetailsPage *m_detailsPage = nullptr;
    FilePage *m_filePage = nullptr;
    QString m_folder;
    QString m_writtenFile;
    // the file name the wizard suggested; replaced while the user has not typed one
    QString m_suggestedFile;
};

} // namespace Gatehouse
