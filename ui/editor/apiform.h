// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/operation.h"
#include "editor/designsection.h"

#include <functional>

class QCheckBox;
class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QTabWidget;

namespace Gatehouse {

struct Api;
class GatewayForm;
class MessageForm;
class MockForm;
class PolicyForm;
class ServersForm;

// The topic editor's form over one document (the Design tab), in sections. "API &
// Channels": the API's title, version and description, its channels (add, rename,
// delete, reorder), and the selected channel's description, operations (whether
// clients send on it and whether the backend pushes, with their messages) and URL
// mapping with a preview of the backend URL for a sample path. "Servers": the
// ServersForm. "Messages":
// the MessageForm.
// "Gateway": the GatewayForm (x-gatehouse's serving settings and plans). "Policies": the
// PolicyForm (the gateway policies of the API and of each channel). "Mock": the MockForm.
// Every change goes
// through the DocumentEditor, so it changes only the text of what it edits and is one named step of
// the undo history.
class ApiForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiForm)

public:
    explicit ApiForm(QWidget *parent = nullptr);

    MessageForm *messageForm() const { return m_messages; }
    GatewayForm *gatewayForm() const { return m_gateway; }
    PolicyForm *policyForm() const { return m_policies; }
    MockForm *mockForm() const { return m_mock; }
    ServersForm *serversForm() const { return m_servers; }
    QTabWidget *sections() const { return m_sections; }

    // Writes what is typed in a field that has not been left yet (before a save).
    void commitPending();

    // The channel whose fields are shown (its key under `channels`).
    QString currentChannel() const;
    void selectChannel(const QString &key);

    // The backend URL a request for `samplePath` on the selected channel goes to,
    // or why there is none.
    QString preview() const;

    // Moves to the field that edits the node at `pointer` (a JSON Pointer: the API's
    // title, version or description, a channel, its description or URL mapping),
    // selecting its channel; false when no field of the form edits it.
    bool focusField(const QString &pointer);

    // The selected channel's x-auth-type ("Any", "None", or empty when not set) and
    // x-scopes, as the form shows them; setting them writes the document.
    QString authType() const;
    bool setAuthType(const QString &authType, QString *error = nullptr);
    QStringList scopes() const;
    bool setScopes(const QStringList &scopes, QString *error = nullptr);

    // The selected channel's operations (ChannelOperations): whether clients send on
    // it (Receive) and whether the backend pushes on it (Send), and their messages.
    bool hasOperation(Operation::Action action) const;
    bool setOperation(Operation::Action action, bool on, QString *error = nullptr);
    bool setOperationMessage(Operation::Action action, const QString &message,
                             QString *error = nullptr);
    QCheckBox *operationBox(Operation::Action action) const;
    // The selected channel's WebSocket binding, as the form sums it up ("query: token;
    // headers: none"), and the dialog that edits it (ChannelBindingDialog, opened).
    QString bindingSummary() const;
    QDialog *editBinding();
    QComboBox *operationMessageBox(Operation::Action action) const;
    // Operation Details… of the selected channel's operation (OperationDialog, opened);
    // nullptr when the channel has no such operation.
    QDialog *editOperation(Operation::Action action);
    QPushButton *operationDetailsButton(Operation::Action action) const;

    // The selected channel's parameters: one row per {name} of its address and per
    // declared parameter, saying what is missing or unused.
    QStringList parameterRows() const;
    // Declares every {name} of the address that has no parameter (a string in 2.x).
    bool declareMissingParameters(QString *error = nullptr);
    // Removes the parameters the address does not use.
    bool removeUnusedParameters(QString *error = nullptr);
    bool setParameterDescription(const QString &name, const QString &description,
                                 QString *error = nullptr);

    // Channel actions (the buttons call these; tests too).
    bool addChannel(const QString &key, QString *error = nullptr);
    bool renameChannel(const QString &key, const QString &newKey, QString *error = nullptr);
    bool deleteChannel(const QString &key, QString *error = nullptr);
    bool moveChannel(const QString &key, int index, QString *error = nullptr);

protected:
    void refresh() override;
    void editorChanged() override;

private:
    // After this form changed the channels: `change` makes the list show it.
    void listEditedChannels(const std::function<void(QListWidget *)> &change);
    void refreshChannelFields();
    void refreshOperations();
    void refreshParameters(const Api &api, const QString &channelId);
    void showParameter();
    void updatePreview();
    void commit(QLineEdit *field, const QString &pointer, const QString &name);
    void commitDescription(QPlainTextEdit *field, const QString &pointer, const QString &name);
    void commitMapping();
    void commitAuthType();
    void commitScopes();
    QStringList operationPointers(const QString &channelKey) const;
    QString channelPointer(const QString &key) const;
    void report(bool ok, const QString &error);

    QTabWidget *m_sections;
    QWidget *m_channelsPage;
    QScrollArea *m_channelsScroll;
    MessageForm *m_messages;
    GatewayForm *m_gateway;
    PolicyForm *m_policies;
    MockForm *m_mock;
    ServersForm *m_servers;
    QLineEdit *m_title;
    QLineEdit *m_version;
    QPlainTextEdit *m_description;
    QListWidget *m_channels;
    QPushButton *m_add;
    QPushButton *m_rename;
    QPushButton *m_delete;
    QPushButton *m_up;
    QPushButton *m_down;
    QPlainTextEdit *m_channelDescription;
    QLineEdit *m_mapping;
    QComboBox *m_authType;
    QLabel *m_authWarning;
    QLineEdit *m_scopes;
    QCheckBox *m_clientsSend;
    QComboBox *m_sendMessage;
    QCheckBox *m_backendPushes;
    QComboBox *m_pushMessage;
    QPushButton *m_sendDetails;
    QPushButton *m_pushDetails;
    QLabel *m_binding;
    QPushButton *m_editBinding;
    QLineEdit *m_samplePath;
    QLabel *m_preview;
    QListWidget *m_parameters;
    QLineEdit *m_parameterDescription;
    QPushButton *m_declareParameters;
    QPushButton *m_removeParameters;
    QLabel *m_status;
    QString m_fieldsChannel; // the channel whose values the fields show
    bool m_refreshing = false;
};

} // namespace Gatehouse
