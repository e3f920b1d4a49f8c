// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/channeloperations.h"

#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"

#include <QCoreApplication>
#include <QUndoStack>

namespace Gatehouse {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Gatehouse::ChannelOperations", text);
}

QString token(const QString &key)
{
    return SourceText::joinPointer({key}).mid(1);
}

// The last token of a local `$ref` under `prefix` ("#/components/messages/"), or empty.
QString refKey(const Json &value, const QString &prefix)
{
    if (!value.is_object() || !value.contains("$ref") || !value["$ref"].is_string())
        return QString();
    const QString ref = QString::fromStdString(value["$ref"].get<std::string>());
    if (!ref.startsWith(prefix))
        return QString();
    QStringList tokens;
    return SourceText::splitPointer(u'/' + ref.mid(prefix.size()), &tokens) && tokens.size() == 1
        ? tokens.constFirst()
        : QString();
}

const char *const Extensions[] = {"x-uri-mapping", "x-auth-type", "x-scopes"};

} // namespace

ChannelOperations::ChannelOperations(DocumentEditor *editor, QString channelKey)
    : m_editor(editor)
    , m_channel(std::move(channelKey))
{ }

bool ChannelOperations::isV3() const
{
    if (m_editor->lastRead().api)
        return m_editor->lastRead().api->asyncapiVersion.startsWith(u'3');
    const auto version = SourceText::parseFragment(m_editor->source().fragment(u"/asyncapi"_qs));
    return version && version->is_string() && version->get<std::string>().starts_with('3');
}

QString ChannelOperations::channelPointer() const
{
    return u"/channels/" + token(m_channel);
}

QList<ChannelOperations::Found> ChannelOperations::find(Operation::Action action) const
{
    QList<Found> out;
    const SourceText &source = m_editor->source();
    if (!isV3()) {
        const QString pointer = channelPointer()
            + (action == Operation::Action::Receive ? u"/publish"_qs : u"/subscribe"_qs);
        if (!source.contains(pointer))
            return out;
        Found f;
        f.pointer = pointer;
        const auto message = SourceText::parseFragment(source.fragment(pointer + u"/message"));
        f.message = message ? refKey(*message, u"#/components/messages/"_qs) : QString();
        f.inlineOrMany = f.message.isEmpty();
        out.append(f);
        return out;
    }
    const std::string verb = action == Operation::Action::Send ? "send" : "receive";
    const QString channelRef = u'#' + channelPointer();
    // the operations whose `channel` names this one (only those are read)
    for (const QString &ref : m_editor->referencesTo(channelPointer())) {
        QStringList tokens;
        if (!SourceText::splitPointer(ref, &tokens) || tokens.size() != 4
            || tokens.at(0) != u"operations" || tokens.at(2) != u"channel")
            continue;
        const QString pointer = u"/operations/" + token(tokens.at(1));
        const auto op = SourceText::parseFragment(source.fragment(pointer));
        if (!op || !op->is_object() || op->value("action", Json()) != Json(verb))
            continue;
        const Json channel = op->value("channel", Json());
        if (!channel.is_object() || channel.value("$ref", Json()) != Json(channelRef.toStdString()))
            continue;
        Found f;
        f.pointer = pointer;
        const Json messages = op->value("messages", Json());
        if (!messages.is_array() || messages.empty())
            f.any = true;
        else if (messages.size() == 1)
            f.message = refKey(messages[0], channelRef + u"/messages/");
        f.inlineOrMany = !f.any && f.message.isEmpty();
        out.append(f);
    }
    return out;
}

QStringList ChannelOperations::messageChoices() const
{
    return isV3() ? m_editor->source().keys(channelPointer() + u"/messages")
                  : m_editor->source().keys(u"/components/messages"_qs);
}

QString ChannelOperations::messageRef(const QString &message) const
{
    return (isV3() ? u'#' + channelPointer() + u"/messages/" : u"#/components/messages/"_qs)
        + token(message);
}

bool ChannelOperations::set(Operation::Action action, bool on, QString *error)
{
    const QList<Found> found = find(action);
    const bool receive = action == Operation::Action::Receive;
    QString why;
    bool ok = true;
    if (on && found.isEmpty()) {
        const QString name = receive ? tr("Let clients send on channel %1").arg(m_channel)
                                     : tr("Let the backend push on channel %1").arg(m_channel);
        const QStringList messages = messageChoices();
        Json value = Json::object();
        // the channel's settings, as its other operation has them
        const QList<Found> other
            = find(receive ? Operation::Action::Send : Operation::Action::Receive);
        const auto sibling = other.isEmpty()
            ? std::optional<Json>()
            : SourceText::parseFragment(m_editor->source().fragment(other.constFirst().pointer));
        if (isV3()) {
            value["action"] = receive ? "receive" : "send";
            const QString channelRef = u'#' + channelPointer();
            value["channel"] = Json::object({{"$ref", channelRef.toStdString()}});
            if (!messages.isEmpty())
                value["messages"] = Json::array(
                    {Json::object({{"$ref", messageRef(messages.constFirst()).toStdString()}})});
        } else {
            value["message"] = messages.isEmpty()
                ? Json::object({{"payload", Json::object({{"type", "string"}})}})
                : Json::object({{"$ref", messageRef(messages.constFirst()).toStdString()}});
        }
        if (sibling && sibling->is_object())
            for (const char *extension : Extensions)
                if (sibling->contains(extension))
                    value[extension] = (*sibling)[extension];
        QString pointer;
        if (isV3()) {
            // sendRooms, receiveRooms: a key of word characters, not taken
            QString base = receive ? u"receive"_qs : u"send"_qs;
            bool upper = true;
            for (const QChar c : m_channel) {
                if (c.isLetterOrNumber() || c == u'_') {
                    base += upper ? c.toUpper() : c;
                    upper = false;
                } else {
                    upper = true;
                }
            }
            const QStringList taken = m_editor->source().keys(u"/operations"_qs);
            QString key = base;
            for (int n = 2; taken.contains(key); ++n)
                key = base + QString::number(n);
            pointer = u"/operations/" + token(key);
        } else {
            pointer = channelPointer() + (receive ? u"/publish"_qs : u"/subscribe"_qs);
        }
        ok = m_editor->setValue(pointer, value, name, &why);
    } else if (!on && !found.isEmpty()) {
        const QString name = receive ? tr("Stop clients sending on channel %1").arg(m_channel)
                                     : tr("Stop the backend pushing on channel %1").arg(m_channel);
        QUndoStack *undo = m_editor->undoStack();
        undo->beginMacro(name);
        for (auto it = found.crbegin(); ok && it != found.crend(); ++it)
            ok = m_editor->remove(it->pointer, QString(), &why);
        undo->endMacro();
        if (!ok && undo->canUndo() && undo->undoText() == name)
            undo->undo();
    }
    if (error)
        *error = why;
    return ok;
}

bool ChannelOperations::setMessage(Operation::Action action, const QString &message, QString *error)
{
    const QList<Found> found = find(action);
    QString why;
    bool ok = true;
    if (found.isEmpty()) {
        why = tr("Channel %1 has no such operation").arg(m_channel);
        ok = false;
    } else if (!message.isEmpty() && !messageChoices().contains(message)) {
        why = tr("There is no message %1 %2")
                  .arg(message,
                       isV3() ? tr("in channel %1").arg(m_channel) : tr("among the components"));
        ok = false;
    } else {
        const Found &f = found.constFirst();
        const QString name = action == Operation::Action::Receive
            ? tr("Set message clients send on channel %1").arg(m_channel)
            : tr("Set message the backend pushes on channel %1").arg(m_channel);
        const Json ref = Json::object({{"$ref", messageRef(message).toStdString()}});
        if (isV3() && message.isEmpty())
            ok = !m_editor->has(f.pointer + u"/messages")
                || m_editor->remove(f.pointer + u"/messages", name, &why);
        else if (isV3())
            ok = m_editor->setValue(f.pointer + u"/messages", Json::array({ref}), name, &why);
        else if (!message.isEmpty())
            ok = m_editor->setValue(f.pointer + u"/message", ref, name, &why);
        else
            why = tr("A 2.x operation carries a message: choose one");
        ok = ok && why.isEmpty();
    }
    if (error)
        *error = why;
    return ok;
}

} // namespace Gatehouse
