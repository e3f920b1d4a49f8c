// SPDX-License-Identifier: GPL-3.0-or-later
// The mock backend's scenario and JSON pattern readers: the mock settings
// (x-gatehouse.mock, YAML or JSON, read with the document loader) go through
// MockConfig, whose scenarios are read by Scenario; the same text is also read as a
// scenario of its own. Then a text frame, as a client of the mock sends it, is read
// as JSON (JsonPattern::valueOfText) and matched against every expect step's pattern.
// The same bytes as a binary message to a client are read as CBOR or MessagePack
// (ClientEvent::binaryAsJson) and matched by a client scenario's `expect` with each
// pattern.
//
// Input: the settings text, a NUL byte, the frame's text.
#include "fuzzsupport.h"

#include "asyncapi/documentloader.h"
#include "client/clientevent.h"
#include "client/clientscenario.h"
#include "mock/jsonpattern.h"
#include "mock/mockconfig.h"
#include "mock/scenario.h"

#include <QDir>

using namespace Gatehouse;

namespace {

void expectAll(const Scenario &scenario, const Json &received, const Client::ClientEvent &binary)
{
    for (const ScenarioStep &step : scenario.steps) {
        if (step.type != ScenarioStep::Type::Expect)
            continue;
        QString why;
        const bool matched = JsonPattern::matches(step.value, received, &why);
        qDebug("mock_scenario: expect %s: %s", matched ? "matched" : "failed", qPrintable(why));
        Client::ClientScenario::Expectation expect;
        expect.kind = Client::ClientScenario::Expectation::Kind::Match;
        expect.value = step.value;
        const bool binaryMatched = expect.matches(binary, &why);
        qDebug("mock_scenario: binary %s: %s", binaryMatched ? "matched" : "failed",
               qPrintable(why));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype nul = bytes.indexOf('\0');
    const QByteArrayView settings = nul < 0 ? bytes : bytes.first(nul);
    const QByteArrayView frame = nul < 0 ? QByteArrayView() : bytes.sliced(nul + 1);

    Client::ClientEvent binary;
    binary.kind = Client::ClientEvent::Kind::Received;
    binary.opcode = Client::ClientEvent::Binary;
    binary.data = frame.toByteArray();
    QString format;
    QString undecoded;
    const QString decoded = Client::ClientEvent::binaryAsJson(binary.data, &format, &undecoded);
    qDebug("mock_scenario: binary frame: %s %s", qPrintable(format),
           qPrintable(undecoded.isEmpty() ? decoded.left(80) : undecoded));

    static const QString path = QDir(Fuzz::scratchDir()).filePath(QStringLiteral("mock.yaml"));
    const DocumentLoader::Result loaded = DocumentLoader::loadData(settings.toByteArray(), path);
    if (!loaded.ok()) {
        for (const Diagnostic &d : loaded.diagnostics)
            qDebug("mock_scenario: %s", qPrintable(d.message));
        return 0;
    }
    const Json &root = loaded.document.root;
    const Json received = JsonPattern::valueOfText(QString::fromUtf8(frame));

    QStringList errors;
    const MockConfig config = MockConfig::fromJson(root, &errors);
    for (const Scenario &scenario : config.scenarios)
        expectAll(scenario, received, binary);
    errors.clear();
    expectAll(Scenario::fromJson(root, QStringLiteral("scenario"), &errors), received, binary);
    return 0;
}
