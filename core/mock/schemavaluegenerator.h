// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QHash>
#include <QString>

#include <memory>
#include <random>

namespace Gatehouse {

struct Api;
class RegexStringGenerator;

// Makes values that conform to a JSON Schema (draft-07 as AsyncAPI uses it), for
// mock messages that have no examples: type, const, enum, format (date-time, date,
// time, email, hostname, ipv4, ipv6, uri, uuid, byte, ...), pattern (through
// RegexStringGenerator), lengths, bounds, multipleOf, arrays (items, tuples,
// uniqueItems, contains), objects (required and some optional properties,
// min/maxProperties, dependencies), allOf (merged), oneOf/anyOf (one branch) and
// $ref (through Api::resolved). The same seed gives the same values.
//
// Generation is best effort for combinations it cannot satisfy by construction
// (not, if/then/else, overlapping oneOf branches): callers that must send valid
// values check them with JsonSchemaValidator and try again.
class SchemaValueGenerator
{
public:
    explicit SchemaValueGenerator(quint32 seed = 1, const Api *api = nullptr);

    void setSeed(quint32 seed) { m_random.seed(seed); }
    Json generate(const Json &schema);

private:
    Json generateAt(const Json &schema, int depth);
    Json normalized(const Json &schema, int depth) const;
    Json generateString(const Json &schema);
    Json generateInteger(const Json &schema);
    Json generateNumber(const Json &schema);
    Json generateArray(const Json &schema, int depth);
    Json generateObject(const Json &schema, int depth);
    QString formatted(const QString &format);
    QString letters(int length);
    int randomInt(int low, int high);
    double randomReal(double low, double high);
    bool chance(double probability);

    std::mt19937 m_random;
    const Api *m_api;
    QHash<QString, std::shared_ptr<RegexStringGenerator>> m_patterns;
};

} // namespace Gatehouse
