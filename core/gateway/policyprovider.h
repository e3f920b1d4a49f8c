// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "gateway/connectionpolicy.h"
#include "gateway/messagepolicy.h"

#include <QList>
#include <QString>

#include <memory>

namespace Gatehouse::Gateway {

// The policies that apply to one channel of one API, in evaluation order.
struct ChannelPolicies
{
    QList<std::shared_ptr<ConnectionPolicy>> connection;
    QList<std::shared_ptr<MessagePolicy>> message;
};

// Builds the running policy objects for an API from its x-gatehouse settings
// (core/policy implements it). Called when the gateway starts and on every reload,
// once per channel, on the thread that calls Gateway::start()/reload(); the result
// serves all connections opened until the next reload. Return the same objects for
// several channels to share counters between them (e.g. per-API limits).
// A configuration error is reported through `error` (one line: what and where);
// the gateway then refuses to start / reload.
class PolicyProvider
{
public:
    virtual ~PolicyProvider() = default;
    virtual ChannelPolicies policiesFor(const std::shared_ptr<const Api> &api,
                                        const Channel &channel, QString *error)
        = 0;
};

} // namespace Gatehouse::Gateway
