// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/bindingconversion.h"

#include <algorithm>
#include <initializer_list>

namespace Gatehouse {

namespace {

// What AsyncAPI 3.0 accepts for one protocol's binding of one kind.
struct BindingForm
{
    const char *protocol;
    BindingConversion::Kind kind;
    std::initializer_list<const char *> fields; // besides bindingVersion and x-
    std::initializer_list<const char *> versions; // the last one is the latest
};

constexpr auto Operation = BindingConversion::Kind::Operation;
constexpr auto Message = BindingConversion::Kind::Message;

// From the binding schemas the official AsyncAPI 3.0.0 schema refers to.
const BindingForm forms[] = {
    {"http", Operation, {"method", "query"}, {"0.2.0", "0.3.0"}},
    {"http", Message, {"headers", "statusCode"}, {"0.2.0", "0.3.0"}},
    {"amqp",
     Operation,
     {"expiration", "userId", "cc", "priority", "deliveryMode", "mandatory", "bcc", "timestamp",
      "ack"},
     {"0.3.0"}},
    {"amqp", Message, {"contentEncoding", "messageType"}, {"0.3.0"}},
};

bool listed(std::initializer_list<const char *> list, const std::string &value)
{
    return std::any_of(list.begin(), list.end(), [&](const char *item) { return value == item; });
}

} // namespace

Json BindingConversion::toV3(const Json &bindings, Kind kind, QStringList *changes)
{
    if (!bindings.is_object())
        return bindings;
    Json out = bindings;
    const QString what
        = kind == Kind::Operation ? QStringLiteral("operation") : QStringLiteral("message");
    for (const BindingForm &form : forms) {
        if (form.kind != kind || !out.contains(form.protocol) || !out[form.protocol].is_object())
            continue;
        Json &binding = out[form.protocol];
        const QString protocol = QString::fromLatin1(form.protocol);
        Json kept = Json::object();
        for (auto it = binding.begin(); it != binding.end(); ++it) {
            const std::string &key = it.key();
            if (key == "bindingVersion" || key.rfind("x-", 0) == 0 || listed(form.fields, key)) {
                kept[key] = it.value();
                continue;
            }
            if (changes)
                changes->append(QStringLiteral("%1: '%2' dropped (the 3.0 %1 %3 binding has no "
                                               "such field)")
                                    .arg(protocol, toQString(key), what));
        }
        if (kept.contains("bindingVersion")) {
            const Json version = kept["bindingVersion"];
            if (!version.is_string() || !listed(form.versions, version.get<std::string>())) {
                const char *latest = *(form.versions.end() - 1);
                kept["bindingVersion"] = latest;
                if (changes)
                    changes->append(QStringLiteral("%1: bindingVersion %2 becomes %3, the one 3.0 "
                                                   "reads")
                                        .arg(protocol,
                                             version.is_string()
                                                 ? toQString(version.get<std::string>())
                                                 : toQString(version.dump()),
                                             QLatin1String(latest)));
            }
        }
        binding = std::move(kept);
    }
    return out;
}

} // namespace Gatehouse
