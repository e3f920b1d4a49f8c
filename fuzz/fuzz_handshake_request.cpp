// SPDX-License-Identifier: GPL-3.0-or-later
// The gateway's HTTP upgrade request reader (HandshakeRequest::parse) and what reads
// the parsed request: header lookups, subprotocols, the bearer token and the
// credential extractor. The session parses what has arrived after every read, so
// the head is parsed as a prefix first (its length from the first input byte), then
// whole. Input: 1 byte split, then the bytes a client sent.
#include "fuzzsupport.h"

#include "gateway/handshakerequest.h"
#include "policy/credentialextractor.h"

using namespace Gatehouse;
using Gateway::HandshakeRequest;

namespace {

// GatewayOptions::maxRequestHeaderBytes
constexpr qsizetype MaxHead = 16 * 1024;

void use(const HandshakeRequest &request)
{
    (void)request.header("Host");
    (void)request.headerValues("Sec-WebSocket-Key");
    (void)request.hasHeader("Upgrade");
    (void)request.queryValue(QStringLiteral("access_token"));
    (void)request.bearerToken();
    (void)request.subprotocols();
    Policies::CredentialExtractor::Settings settings;
    (void)Policies::CredentialExtractor::extract(request, settings);
    settings.bearerHeader = false;
    settings.apiKeyHeader = QStringLiteral("X-Api-Key");
    settings.accessTokenQuery = QStringLiteral("token");
    settings.apiKeyQuery.clear();
    (void)Policies::CredentialExtractor::extract(request, settings);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::Input input(data, size);
    const quint8 split = input.byte();
    const QByteArrayView bytes = input.rest();

    HandshakeRequest request;
    const qsizetype prefix = bytes.size() * split / 256;
    const auto partial = HandshakeRequest::parse(bytes.first(prefix), MaxHead, &request);
    if (partial.status == HandshakeRequest::ParseStatus::Complete) {
        if (partial.consumed <= 0 || partial.consumed > prefix)
            __builtin_trap();
        use(request);
    }
    request = HandshakeRequest();
    const auto whole = HandshakeRequest::parse(bytes, MaxHead, &request);
    if (whole.status == HandshakeRequest::ParseStatus::Complete) {
        if (whole.consumed <= 0 || whole.consumed > bytes.size() || whole.consumed > MaxHead)
            __builtin_trap();
        use(request);
    }
    // a request complete in a prefix is the same request in the whole
    if (partial.status == HandshakeRequest::ParseStatus::Complete
        && (whole.status != partial.status || whole.consumed != partial.consumed))
        __builtin_trap();
    return 0;
}
