// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace Gatehouse {

class MockServer;

// One client connected to a mock backend: its socket, the backend path it asked
// for, the route and channels that path belongs to, and its route variables.
class MockConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MockConnection)

public:
    MockConnection(QWebSocket *socket, int id, MockServer *server, QObject *parent = nullptr);
    ~MockConnection() override;

    int id() const { return m_id; }
    QString path() const { return m_path; } // path and query, as requested
    QString peer() const;
    QString routeName() const { return m_routeName; }
    QStringList channelIds() const { return m_channelIds; }
    QMap<QString, QString> parameters() const { return m_parameters; }
    void setRoute(const QString &name, const QStringList &channelIds,
                  const QMap<QString, QString> &parameters);

    bool isOpen() const;
    void sendText(const QString &text);
    void sendBinary(const QByteArray &data);
    void close(int code, const QString &reason);

    QWebSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void textReceived(const QString &text);
    void binaryReceived(const QByteArray &data);
    void disconnected();

private:
    QWebSocket *m_socket;
    int m_id;
    MockServer *m_server;
    QString m_path;
    QString m_routeName;
    QStringList m_channelIds;
    QMap<QString, QString> m_parameters;
};

} // namespace Gatehouse
