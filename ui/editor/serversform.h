// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "editor/designsection.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace Gatehouse {

// The Design tab's servers: where the API's backend or broker is, as the document's
// `servers` say (clients and generators read them; the gateway serves on its own
// listen addresses). Add, rename (the channels naming a server follow: 2.x by name,
// 3.x by `$ref`) and delete servers, and edit the selected one: its URL (2.x) or
// host and pathname (3.x), protocol and protocol version, title and summary (3.x),
// description, and the security schemes it requires. Each change is one named
// step of the document's undo history and changes only the text it edits.
class ServersForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServersForm)

public:
    explicit ServersForm(QWidget *parent = nullptr);

    QListWidget *serverList() const { return m_list; }
    QString currentServer() const;
    void selectServer(const QString &key);
    // The field of a setting of the selected server ("url", "host", "pathname",
    // "protocol", "protocolVersion", "title", "summary", "description", "security").
    QWidget *field(const QString &key) const;
    bool isShown(const QString &key) const;
    // Writes a field's text to the selected server (empty removes an optional one).
    bool commitField(const QString &key, QString *error = nullptr);
    // Writes what is typed in a field that has not been left yet.
    void commitPending();
    // Moves to the field that edits `pointer` (under /servers); false when none does.
    bool focusField(const QString &pointer);

    bool addServer(const QString &key, QString *error = nullptr);
    bool renameServer(const QString &key, const QString &newKey, QString *error = nullptr);
    bool deleteServer(const QString &key, QString *error = nullptr);
    // The places naming a server: 3.x `$ref`s and 2.x channels' `servers` entries.
    QStringList usesOf(const QString &key) const;

protected:
    void refresh() override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool isV3() const;
    QString serverPointer(const QString &key) const;
    Json server(const QString &key) const; // as written (a `$ref` left as it is)
    QString fieldText(const QString &key) const;
    void showServer();
    void report(bool ok, const QString &error);

    QListWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_rename;
    QPushButton *m_delete;
    QLineEdit *m_url;
    QLineEdit *m_host;
    QLineEdit *m_pathname;
    QComboBox *m_protocol;
    QLineEdit *m_protocolVersion;
    QLineEdit *m_title;
    QLineEdit *m_summary;
    QPlainTextEdit *m_description;
    QLineEdit *m_security;
    QLabel *m_reference;
    QLabel *m_status;
    QWidget *m_fields;
    QString m_shownServer; // whose values the fields show
    QString m_select; // to select once the list has it
    bool m_refreshing = false;
};

} // namespace Gatehouse
