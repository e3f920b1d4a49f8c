// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/mockconfig.h"

namespace Gatehouse {

namespace {

const QString Where = QStringLiteral("x-gatehouse.mock");

void readText(const Json &object, const char *key, QString *out, const QString &where,
              QStringList *errors)
{
    if (!object.contains(key))
        return;
    if (object[key].is_string())
        *out = QString::fromStdString(object[key].get<std::string>());
    else
        errors->append(QStringLiteral("%1.%2: must be text").arg(where, QLatin1String(key)));
}

bool readInterval(const Json &value, int *out)
{
    if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 86400000.0)
        return false;
    *out = int(value.get<double>());
    return true;
}

// {interval: ms} or {rate: messages per second}; neither: the default
bool readChannelRate(const Json &object, int *out)
{
    if (object.is_number())
        return readInterval(object, out);
    if (!object.is_object())
        return false;
    if (object.contains("interval"))
        return readInterval(object["interval"], out);
    if (object.contains("rate")) {
        const Json &rate = object["rate"];
        if (!rate.is_number() || rate.get<double>() <= 0 || rate.get<double>() > 1000)
            return false;
        *out = qMax(1, int(1000.0 / rate.get<double>()));
        return true;
    }
    return true;
}

} // namespace

std::optional<MockConfig::Kind> MockConfig::kindFromString(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"echo")
        return Kind::Echo;
    if (n == u"broadcast")
        return Kind::Broadcast;
    if (n == u"chat")
        return Kind::Chat;
    if (n == u"examples")
        return Kind::Examples;
    return std::nullopt;
}

QString MockConfig::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Echo:
        return QStringLiteral("echo");
    case Kind::Broadcast:
        return QStringLiteral("broadcast");
    case Kind::Chat:
        return QStringLiteral("chat");
    case Kind::Examples:
        return QStringLiteral("examples");
    }
    return {};
}

int MockConfig::intervalFor(const QString &channelId, const QString &address) const
{
    if (channelIntervals.contains(channelId))
        return channelIntervals.value(channelId);
    if (channelIntervals.contains(address))
        return channelIntervals.value(address);
    return defaultIntervalMs;
}

bool MockConfig::generates(const QString &channelId, const QString &address) const
{
    return generatedChannels.contains(channelId) || generatedChannels.contains(address);
}

const Scenario *MockConfig::scenarioFor(const QString &channelId, const QString &address) const
{
    auto it = scenarios.constFind(channelId);
    if (it == scenarios.constEnd())
        it = scenarios.constFind(address);
    return it == scenarios.constEnd() ? nullptr : &*it;
}

MockConfig MockConfig::fromJson(const Json &mock, QStringList *errors)
{
    MockConfig config;
    if (mock.is_null())
        return config;
    if (mock.is_string()) { // shorthand: `mock: chat`
        config.kind = kindFromString(QString::fromStdString(mock.get<std::string>()));
        if (!config.kind)
            errors->append(QStringLiteral("%1: unknown kind '%2' (echo, broadcast, chat, examples)")
                               .arg(Where, QString::fromStdString(mock.get<std::string>())));
        return config;
    }
    if (!mock.is_object()) {
        errors->append(Where + QStringLiteral(": must be an object such as {kind: echo}"));
        return config;
    }

    if (mock.contains("kind")) {
        const Json &kind = mock["kind"];
        const QString name
            = kind.is_string() ? QString::fromStdString(kind.get<std::string>()) : QString();
        config.kind = kindFromString(name);
        if (!config.kind)
            errors->append(
                QStringLiteral("%1.kind: unknown kind '%2' (echo, broadcast, chat, examples)")
                    .arg(Where, kind.is_string() ? name : QString::fromStdString(kind.dump())));
    }
    if (mock.contains("seed")) {
        if (mock["seed"].is_number_integer() && mock["seed"].get<qint64>() >= 0)
            config.seed = quint32(mock["seed"].get<qint64>());
        else
            errors->append(Where + QStringLiteral(".seed: must be a whole number >= 0"));
    }
    readText(mock, "listen", &config.listen, Where, errors);

    if (mock.contains("broadcast")) {
        const Json &b = mock["broadcast"];
        const QString where = Where + QStringLiteral(".broadcast");
        if (!b.is_object()) {
            errors->append(where + QStringLiteral(": must be an object"));
        } else {
            if (b.contains("serverTime")) {
                if (b["serverTime"].is_boolean())
                    config.serverTime = b["serverTime"].get<bool>();
                else
                    errors->append(where + QStringLiteral(".serverTime: must be true or false"));
            }
            if (b.contains("interval")
                && (!readInterval(b["interval"], &config.serverTimeIntervalMs)
                    || config.serverTimeIntervalMs < 10))
                errors->append(where
                               + QStringLiteral(".interval: must be at least 10 milliseconds"));
        }
    }

    if (mock.contains("chat")) {
        const Json &c = mock["chat"];
        const QString where = Where + QStringLiteral(".chat");
        if (!c.is_object()) {
            errors->append(where + QStringLiteral(": must be an object"));
        } else {
            readText(c, "notifications", &config.notificationsPath, where, errors);
            readText(c, "room", &config.roomPath, where, errors);
            readText(c, "subscribed", &config.subscribedText, where, errors);
            readText(c, "joined", &config.joinedText, where, errors);
            readText(c, "someoneJoined", &config.someoneJoinedText, where, errors);
        }
    }

    if (mock.contains("interval") && !readInterval(mock["interval"], &config.defaultIntervalMs))
        errors->append(Where + QStringLiteral(".interval: must be a number of milliseconds"));

    if (mock.contains("channels")) {
        const Json &channels = mock["channels"];
        if (!channels.is_object()) {
            errors->append(Where
                           + QStringLiteral(".channels: must map channels to {interval: ms}"));
        } else {
            for (auto it = channels.begin(); it != channels.end(); ++it) {
                int ms = config.defaultIntervalMs;
                const QString key = QString::fromStdString(it.key());
                const Json &value = it.value();
                if (value.is_object() && value.contains("generate")) {
                    if (!value["generate"].is_boolean())
                        errors->append(
                            QStringLiteral("%1.channels.%2.generate: must be true or false")
                                .arg(Where, key));
                    else if (value["generate"].get<bool>())
                        config.generatedChannels.append(key);
                }
                if (readChannelRate(value, &ms))
                    config.channelIntervals.insert(key, ms);
                else
                    errors->append(
                        QStringLiteral("%1.channels.%2: must be {interval: milliseconds} "
                                       "or {rate: messages per second}")
                            .arg(Where, key));
            }
        }
    }

    if (mock.contains("scenarios")) {
        const Json &scenarios = mock["scenarios"];
        if (!scenarios.is_object()) {
            errors->append(Where
                           + QStringLiteral(".scenarios: must map channels to lists of steps"));
        } else {
            for (auto it = scenarios.begin(); it != scenarios.end(); ++it) {
                const QString key = QString::fromStdString(it.key());
                config.scenarios.insert(
                    key,
                    Scenario::fromJson(it.value(), Where + QStringLiteral(".scenarios.") + key,
                                       errors));
            }
        }
    }
    return config;
}

} // namespace Gatehouse
