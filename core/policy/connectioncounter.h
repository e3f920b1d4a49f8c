// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>

namespace Gatehouse::Policies {

class ConnectionCounter;

// Holds one place in every counter it was acquired for and gives them back when
// destroyed (or release()d). Move-only.
class ConnectionSlot final
{
public:
    ConnectionSlot() = default;
    ~ConnectionSlot();
    ConnectionSlot(ConnectionSlot &&other) noexcept;
    ConnectionSlot &operator=(ConnectionSlot &&other) noexcept;
    ConnectionSlot(const ConnectionSlot &) = delete;
    ConnectionSlot &operator=(const ConnectionSlot &) = delete;

    bool isValid() const { return m_counter != nullptr; }
    void release();

private:
    friend class ConnectionCounter;
    ConnectionSlot(std::shared_ptr<ConnectionCounter> counter, QStringList keys);

    std::shared_ptr<ConnectionCounter> m_counter;
    QStringList m_keys;
};

// Concurrent-connection counts by key ("api", "app:ID", "plan:Gold", ...),
// thread-safe. tryAcquire() takes a place in several counters at once, or in
// none when any of them is full. Create it with std::make_shared: slots keep it alive.
class ConnectionCounter final : public std::enable_shared_from_this<ConnectionCounter>
{
public:
    struct Request
    {
        QString key;
        qint64 limit = 0; // 0 = no limit (still counted)
    };
    struct Refusal
    {
        QString key;
        qint64 limit = 0;
    };

    // A slot for all keys, or the first full counter in `refused`.
    std::optional<ConnectionSlot> tryAcquire(const QList<Request> &requests,
                                             Refusal *refused = nullptr);
    qint64 count(const QString &key) const;

private:
    friend class ConnectionSlot;
    void release(const QStringList &keys);

    mutable std::mutex m_mutex;
    QHash<QString, qint64> m_counts;
};

} // namespace Gatehouse::Policies
