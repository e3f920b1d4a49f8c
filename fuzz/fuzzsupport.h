// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

class QCoreApplication;

// What the fuzz targets share. Every target is one fuzz_<name>.cpp with
// LLVMFuzzerTestOneInput; it is linked either with libFuzzer (scripts/fuzz) or with
// replaymain.cpp (the corpus replay tests).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace Gatehouse::Fuzz {

// The application object of targets that need an event loop, made at the first call
// with the gateway's EpollEventDispatcher (as in its worker threads). Lives until
// the process ends.
QCoreApplication *application();

// Handles what is pending in the event loop (without waiting).
void processEvents();
// Handles events until `done()` or `timeoutMs` passed; false on timeout.
template<typename F>
bool processEventsUntil(F done, int timeoutMs);

// A scratch folder of the process (removed at exit), for targets that need files.
QString scratchDir();

// The input, consumed from the front: a few leading bytes steer the target (chunk
// sizes, options), the rest is data.
class Input
{
public:
    Input(const uint8_t *data, size_t size)
        : m_data(reinterpret_cast<const char *>(data))
        , m_size(qsizetype(size))
    { }
    bool atEnd() const { return m_pos >= m_size; }
    qsizetype remaining() const { return m_size - m_pos; }
    // The next byte, 0 at the end.
    quint8 byte() { return atEnd() ? 0 : quint8(m_data[m_pos++]); }
    // Up to `n` bytes.
    QByteArrayView take(qsizetype n)
    {
        n = qMin(n, remaining());
        const QByteArrayView out(m_data + m_pos, n);
        m_pos += n;
        return out;
    }
    QByteArrayView rest() { return take(remaining()); }

private:
    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
};

} // namespace Gatehouse::Fuzz

#include <QCoreApplication>
#include <QDeadlineTimer>

template<typename F>
bool Gatehouse::Fuzz::processEventsUntil(F done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        processEvents();
    }
    return true;
}
