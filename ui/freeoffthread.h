// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QThreadPool>

#include <memory>

namespace Gatehouse {

// A document's text over this many bytes has its parsed places freed off the GUI
// thread (thousands of nodes).
constexpr qsizetype LargeSourceBytes = 64 * 1024;

// Shares `value`. When it is `large`, its last reference frees it on a pool thread:
// that reference often goes on the GUI thread (an edit replaces a document's model
// or its parsed text there), and freeing a document of thousands of channels takes
// tens of milliseconds.
template<typename T>
std::shared_ptr<const T> sharedFreedOffThread(T &&value, bool large)
{
    if (!large)
        return std::make_shared<const T>(std::move(value));
    return std::shared_ptr<const T>(new T(std::move(value)), [](const T *gone) {
        if (QThreadPool *pool = QThreadPool::globalInstance()) // (none once the app ended)
            pool->start([gone] { delete gone; });
        else
            delete gone;
    });
}

} // namespace Gatehouse
