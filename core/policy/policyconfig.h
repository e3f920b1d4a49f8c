// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

namespace Gatehouse::Policies {

// Reads one policy's JSON configuration and remembers where it came from, so that
// every complaint names the key and its JSON path, in one line:
//   x-gatehouse.policies[1].events: expected a non-negative integer, got "ten"
// Readers return the default on a bad value and record the first error; the
// caller checks ok() / error() once at the end. Child readers share the error.
class PolicyConfig final
{
public:
    PolicyConfig(const Json &object, const QString &path);

    bool ok() const { return m_error->isEmpty(); }
    QString error() const { return *m_error; }
    QString path() const { return m_path; }
    QString pathOf(const QString &key) const;
    const Json &json() const { return m_json; }

    bool has(const QString &key) const;
    const Json *value(const QString &key) const;

    // Records "PATH.key: message" unless an error is already recorded.
    void fail(const QString &key, const QString &message);
    // Fails for every key of the object that is not in `known`.
    void allowOnly(const QStringList &known);

    bool boolean(const QString &key, bool defaultValue);
    qint64 integer(const QString &key, qint64 defaultValue, qint64 min = 0,
                   qint64 max = std::numeric_limits<qint64>::max());
    double number(const QString &key, double defaultValue, double min, double max);
    QString string(const QString &key, const QString &defaultValue = {},
                   const QStringList &allowed = {});
    QStringList stringList(const QString &key);
    // A duration: a number of milliseconds, or a string such as "250ms", "5s", "2m",
    // "1h", "1d".
    std::chrono::milliseconds duration(const QString &key, std::chrono::milliseconds defaultValue);
    // A size in bytes: a number, or a string such as "512", "64KiB", "1MiB", "2MB".
    qint64 byteSize(const QString &key, qint64 defaultValue);
    // A nested object (an empty object when absent; fails when not an object).
    PolicyConfig object(const QString &key);
    // An array of objects (fails when not an array or an element is not an object).
    QList<PolicyConfig> objectList(const QString &key);

    // Parsers shared with other readers; nullopt when `text` is not valid.
    static std::optional<std::chrono::milliseconds> parseDuration(const QString &text);
    static std::optional<qint64> parseByteSize(const QString &text);
    // A short rendering of a JSON value for messages (strings quoted, long values cut).
    static QString describe(const Json &value);

private:
    PolicyConfig(const Json &object, const QString &path, std::shared_ptr<QString> error);

    Json m_json;
    QString m_path;
    std::shared_ptr<QString> m_error;
};

} // namespace Gatehouse::Policies
