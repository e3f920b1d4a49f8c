// SPDX-License-Identifier: GPL-3.0-or-later
// The readers of a document's gateway settings, as `serve` runs them: the input is
// an AsyncAPI document (YAML or JSON) whose `x-gatehouse` (root and channels) is
// read into policies (PolicyFactory: check and build for every channel), the mock
// settings and scenarios (MockConfig), the plans, the route table (Router, then a
// request for every channel's sample path) and the listeners (ListenerPlan).
#include "fuzzsupport.h"

#include "asyncapi/asyncapireader.h"
#include "credentials/plancatalog.h"
#include "gateway/handshakerequest.h"
#include "gateway/listenerplan.h"
#include "gateway/router.h"
#include "mock/mockconfig.h"
#include "policy/policyfactory.h"

#include <QDir>

using namespace Gatehouse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QString path = QDir(Fuzz::scratchDir()).filePath(QStringLiteral("doc.yaml"));
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    ReadResult read = AsyncApiReader::readData(text, path);
    if (!read.api)
        return 0;
    const auto api = std::make_shared<const Api>(std::move(*read.api));

    Policies::PolicyFactory::Options options;
    options.verifier = [](const QString &, const Api &) {
        return Policies::CredentialCheck::fail(Policies::CredentialCheck::Outcome::Unauthenticated,
                                               QStringLiteral("fuzz"));
    };
    options.faultSeed = 1; // (0 would draw a random seed per policy)
    Policies::PolicyFactory factory(options);
    (void)factory.check(*api);
    for (const Channel &channel : api->channels) {
        QString error;
        (void)factory.policiesFor(api, channel, &error);
        (void)Policies::PolicyFactory::credentialPlaces(*api, channel);
    }
    (void)factory.warnings();

    QStringList problems;
    (void)MockConfig::fromJson(api->gatehouse.mock, &problems);
    (void)Credentials::PlanCatalog::merged(api->gatehouse.plans);

    QString error;
    if (const auto router = Gateway::Router::build({api}, &factory, &error)) {
        (void)router->describe();
        for (const Channel &channel : api->channels) {
            const QByteArray head = "GET " + Gateway::Router::samplePath(*api, channel).toUtf8()
                + "?x=1 HTTP/1.1\r\nHost: fuzz\r\n\r\n";
            Gateway::HandshakeRequest request;
            if (Gateway::HandshakeRequest::parse(head, 64 * 1024, &request).status
                == Gateway::HandshakeRequest::ParseStatus::Complete)
                (void)router->route(request);
        }
    }
    Gateway::ListenerPlan plan;
    if (plan.build({*api}, {path}, &error))
        (void)plan.listenersFor(*api, &error);
    return 0;
}
