// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/settingscheck.h"

#include "mock/mockconfig.h"
#include "policy/policyfactory.h"

namespace Gatehouse {

namespace {

// The JSON Pointer of a dotted path such as "x-gatehouse.policies[1].events" or
// "channels./rooms/{id}.x-gatehouse.policies[0]", matched against the document so
// that keys containing dots are found; stops at the first part it cannot follow.
QString pointerOfPath(const Json &root, const QString &path)
{
    QString pointer;
    const Json *node = &root;
    QString rest = path;
    while (!rest.isEmpty() && node) {
        if (node->is_array()) {
            const qsizetype close = rest.indexOf(u']');
            bool ok = false;
            const auto index
                = rest.startsWith(u'[') && close > 0 ? rest.mid(1, close - 1).toULongLong(&ok) : 0;
            if (!ok || index >= node->size())
                break;
            pointer += u'/' + QString::number(index);
            node = &(*node)[index];
            rest = rest.mid(close + 1);
        } else if (node->is_object()) {
            QString best;
            for (auto it = node->begin(); it != node->end(); ++it) {
                const QString key = toQString(it.key());
                if (key.size() > best.size() && rest.startsWith(key)
                    && (rest.size() == key.size() || rest.at(key.size()) == u'.'
                        || rest.at(key.size()) == u'['))
                    best = key;
            }
            if (best.isEmpty())
                break;
            QString token = best;
            token.replace(u'~', QStringLiteral("~0")).replace(u'/', QStringLiteral("~1"));
            pointer += u'/' + token;
            node = &(*node)[toStdString(best)];
            rest = rest.mid(best.size());
        } else {
            break;
        }
        if (rest.startsWith(u'.'))
            rest = rest.mid(1);
    }
    return pointer;
}

} // namespace

void checkGatewaySettings(const ReadResult &result, QList<Diagnostic> *diagnostics)
{
    if (!result.api)
        return;
    QStringList problems = Policies::PolicyFactory().check(*result.api);
    MockConfig::fromJson(result.api->gatehouse.mock, &problems);
    for (const QString &problem : std::as_const(problems)) {
        const qsizetype colon = problem.indexOf(QStringLiteral(": "));
        const QString pointer
            = pointerOfPath(result.document.root, colon > 0 ? problem.left(colon) : QString());
        bool reported = false;
        for (const Diagnostic &d : std::as_const(*diagnostics))
            reported = reported
                || (d.severity == Diagnostic::Severity::Error && !d.pointer.isEmpty()
                    && (pointer == d.pointer || pointer.startsWith(d.pointer + u'/')
                        || d.pointer.startsWith(pointer + u'/')));
        if (reported)
            continue;
        Diagnostic d;
        d.pointer = pointer;
        d.location = result.document.locate(pointer);
        d.message = problem;
        diagnostics->append(d);
    }
}

} // namespace Gatehouse
