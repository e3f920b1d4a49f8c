// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/messagetransform.h"

#include "api/boundedjson.h"

#include <optional>

namespace Gatehouse::Policies {

namespace {

bool validPointer(const std::string &p)
{
    try {
        Json::json_pointer ptr(p);
        Q_UNUSED(ptr);
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// Removes the value at `pointer`; false when there is none.
bool removeAt(Json &doc, const std::string &pointer, Json *removed = nullptr)
{
    try {
        Json::json_pointer ptr(pointer);
        if (ptr.empty() || !doc.contains(ptr))
            return false;
        Json &parent = doc[ptr.parent_pointer()];
        const std::string last = ptr.back();
        if (parent.is_object()) {
            if (removed)
                *removed = parent[last];
            parent.erase(last);
            return true;
        }
        if (parent.is_array()) {
            const std::size_t index = std::stoul(last);
            if (index >= parent.size())
                return false;
            if (removed)
                *removed = parent[index];
            parent.erase(index);
            return true;
        }
    } catch (const std::exception &) { }
    return false;
}

bool setAt(Json &doc, const std::string &pointer, const Json &value)
{
    try {
        Json::json_pointer ptr(pointer);
        if (ptr.empty()) {
            doc = value;
            return true;
        }
        // do not turn scalars on the way into objects: only fill in missing parts
        Json::json_pointer parent = ptr.parent_pointer();
        if (doc.contains(parent)) {
            const Json &p = doc[parent];
            if (!p.is_object()
                && !(p.is_array()
                     && (ptr.back() == "-"
                         || std::all_of(ptr.back().begin(), ptr.back().end(), ::isdigit))))
                return false;
        }
        doc[ptr] = value;
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace

MessageTransform MessageTransform::parse(PolicyConfig &config, const QString &key)
{
    QList<Step> steps;
    int index = 0;
    for (PolicyConfig &item : config.objectList(key)) {
        Q_UNUSED(index);
        Step step;
        auto pointer = [&item](const QString &k) {
            const QString p = item.string(k);
            if (!p.isEmpty() && !p.startsWith(u'/'))
                item.fail(
                    k,
                    QStringLiteral("\"%1\" is not a JSON Pointer (it must start with /)").arg(p));
            else if (!validPointer(toStdString(p)))
                item.fail(k, QStringLiteral("\"%1\" is not a valid JSON Pointer").arg(p));
            else if (p.isEmpty())
                item.fail(k, QStringLiteral("a JSON Pointer to a field is required"));
            return toStdString(p);
        };
        if (item.has(QStringLiteral("set"))) {
            item.allowOnly({QStringLiteral("set"), QStringLiteral("value")});
            step.kind = Step::Kind::Set;
            step.pointer = pointer(QStringLiteral("set"));
            if (!item.json().contains("value"))
                item.fail(QStringLiteral("value"), QStringLiteral("missing: the value to set"));
            else
                step.value = item.json().at("value");
        } else if (item.has(QStringLiteral("remove"))) {
            item.allowOnly({QStringLiteral("remove")});
            step.kind = Step::Kind::Remove;
            step.pointer = pointer(QStringLiteral("remove"));
        } else if (item.has(QStringLiteral("rename"))) {
            item.allowOnly({QStringLiteral("rename"), QStringLiteral("to")});
            step.kind = Step::Kind::Rename;
            step.pointer = pointer(QStringLiteral("rename"));
            if (!item.has(QStringLiteral("to")))
                item.fail(QStringLiteral("to"), QStringLiteral("missing: the new JSON Pointer"));
            else
                step.target = pointer(QStringLiteral("to"));
        } else if (item.has(QStringLiteral("envelope"))) {
            item.allowOnly({QStringLiteral("envelope"), QStringLiteral("with")});
            step.kind = Step::Kind::Envelope;
            step.key = toStdString(item.string(QStringLiteral("envelope")));
            if (step.key.empty())
                item.fail(QStringLiteral("envelope"),
                          QStringLiteral("the member name must not be empty"));
            if (const Json *with = item.value(QStringLiteral("with"))) {
                if (!with->is_object())
                    item.fail(QStringLiteral("with"),
                              QStringLiteral("expected an object, got %1")
                                  .arg(PolicyConfig::describe(*with)));
                else
                    step.value = *with;
            }
        } else if (item.has(QStringLiteral("prepend"))) {
            item.allowOnly({QStringLiteral("prepend")});
            step.kind = Step::Kind::Prepend;
            step.text = item.string(QStringLiteral("prepend"));
        } else if (item.has(QStringLiteral("append"))) {
            item.allowOnly({QStringLiteral("append")});
            step.kind = Step::Kind::Append;
            step.text = item.string(QStringLiteral("append"));
        } else if (item.has(QStringLiteral("replace"))) {
            item.allowOnly({QStringLiteral("replace"), QStringLiteral("with")});
            step.kind = Step::Kind::Replace;
            const QString pattern = item.string(QStringLiteral("replace"));
            step.pattern = QRegularExpression(pattern);
            if (!step.pattern.isValid())
                item.fail(QStringLiteral("replace"),
                          QStringLiteral("invalid regular expression: %1")
                              .arg(step.pattern.errorString()));
            else if (pattern.isEmpty())
                item.fail(QStringLiteral("replace"),
                          QStringLiteral("the pattern must not be empty"));
            step.text = item.string(QStringLiteral("with"));
        } else {
            item.fail(QString(),
                      QStringLiteral("expected one of set, remove, rename, envelope, prepend, "
                                     "append, replace"));
        }
        steps.append(step);
        ++index;
    }
    return MessageTransform(steps);
}

MessageTransform::MessageTransform(QList<Step> steps)
    : m_steps(std::move(steps))
{ }

bool MessageTransform::apply(QByteArray &payload) const
{
    if (m_steps.isEmpty())
        return false;
    // The payload is held either as bytes or as parsed JSON, converted only when
    // a step needs the other form.
    QByteArray bytes = payload;
    std::optional<Json> json;
    bool jsonFailed = false;
    bool changed = false;

    auto asJson = [&]() -> Json * {
        if (json)
            return &*json;
        if (jsonFailed)
            return nullptr;
        Json parsed = parseBoundedJson(bytes); // (not JSON, or nested too deep to handle)
        if (parsed.is_discarded()) {
            jsonFailed = true;
            return nullptr;
        }
        json = std::move(parsed);
        return &*json;
    };
    auto asBytes = [&]() -> QByteArray & {
        if (json) {
            bytes = QByteArray::fromStdString(json->dump());
            json.reset();
        }
        return bytes;
    };

    for (const Step &step : m_steps) {
        if (step.isJson()) {
            Json *doc = asJson();
            if (!doc)
                continue;
            switch (step.kind) {
            case Step::Kind::Set:
                changed = setAt(*doc, step.pointer, step.value) || changed;
                break;
            case Step::Kind::Remove:
                changed = removeAt(*doc, step.pointer) || changed;
                break;
            case Step::Kind::Rename: {
                Json moved;
                if (removeAt(*doc, step.pointer, &moved)) {
                    setAt(*doc, step.target, moved);
                    changed = true;
                }
                break;
            }
            case Step::Kind::Envelope: {
                Json wrapped = Json::object();
                wrapped[step.key] = std::move(*doc);
                if (step.value.is_object())
                    for (auto it = step.value.begin(); it != step.value.end(); ++it)
                        if (it.key() != step.key)
                            wrapped[it.key()] = it.value();
                *doc = std::move(wrapped);
                changed = true;
                break;
            }
            default:
                break;
            }
            continue;
        }
        QByteArray &text = asBytes();
        jsonFailed = false;
        switch (step.kind) {
        case Step::Kind::Prepend:
            text.prepend(step.text.toUtf8());
            changed = changed || !step.text.isEmpty();
            break;
        case Step::Kind::Append:
            text.append(step.text.toUtf8());
            changed = changed || !step.text.isEmpty();
            break;
        case Step::Kind::Replace: {
            QString s = QString::fromUtf8(text);
            const QString before = s;
            s.replace(step.pattern, step.text);
            if (s != before) {
                text = s.toUtf8();
                changed = true;
            }
            break;
        }
        default:
            break;
        }
    }
    if (!changed)
        return false;
    payload = asBytes();
    return true;
}

} // namespace Gatehouse::Policies
