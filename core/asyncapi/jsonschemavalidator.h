// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Gatehouse {

// Validates JSON values against a JSON Schema (draft-07), compiled once at
// construction. After construction the object is immutable: validate() may be called
// from any number of threads at the same time.
class JsonSchemaValidator final
{
public:
    // What kind of rule a value broke; callers use it to rephrase or grade findings.
    enum class Keyword {
        Type,
        Required,
        AdditionalProperties,
        AdditionalItems,
        PropertyNames,
        Enum,
        Const,
        Pattern,
        Format,
        MinLength,
        MaxLength,
        Minimum,
        Maximum,
        MultipleOf,
        MinItems,
        MaxItems,
        UniqueItems,
        Contains,
        MinProperties,
        MaxProperties,
        Dependencies,
        OneOf,
        AnyOf,
        Not,
        False,
        Depth // nested too deeply to check
    };

    // One finding: where in the instance (JSON Pointer, "" = the value itself) and
    // what is wrong, in words a person can act on. For Required and
    // AdditionalProperties, `property` names the missing or unknown member of the
    // object at `pointer`.
    struct Error
    {
        QString pointer;
        QString message;
        Keyword keyword = Keyword::Type;
        QString property;

        // "/price: must be >= 0, got -3" ("(root)" for the value itself).
        QString toString() const;
        friend bool operator==(const Error &, const Error &) = default;
    };

    // Returns the schema document with the given absolute URI (no fragment), or
    // nullopt when it is unknown. Used for `$ref`s to documents other than the
    // schema itself and the subschemas it identifies with `$id`.
    using Resolver = std::function<std::optional<Json>(const QString &uri)>;

    // Compiles `schema`. `baseUri` is the schema's own URI when it has no `$id`;
    // relative `$ref`s are resolved against it. Check isValid() afterwards.
    explicit JsonSchemaValidator(const Json &schema, const Resolver &resolver = {},
                                 const QString &baseUri = {});
    // Compiles the schema at `pointer` inside a larger `document`, such as a message
    // payload of an AsyncAPI document ("/components/messages/Chat/payload"), so that
    // its "#/components/schemas/..." references resolve against that document. Only
    // the parts of the document the schema reaches are copied.
    static JsonSchemaValidator forSubschema(const Json &document, const QString &pointer,
                                            const Resolver &resolver = {},
                                            const QString &documentUri = {});

    ~JsonSchemaValidator();
    JsonSchemaValidator(const JsonSchemaValidator &) = delete;
    JsonSchemaValidator &operator=(const JsonSchemaValidator &) = delete;
    JsonSchemaValidator(JsonSchemaValidator &&) noexcept;
    JsonSchemaValidator &operator=(JsonSchemaValidator &&) noexcept;

    // False when the schema could not be compiled; errorString() says why. An
    // invalid validator reports every value as valid.
    bool isValid() const;
    QString errorString() const;

    // Why `schema` is not a JSON Schema of type object (what headers, query
    // parameters and such are described by), or empty when it is one.
    static QString objectSchemaProblem(const Json &schema);

    // Every problem with `instance`, at most `maxErrors`; empty when it conforms.
    // Where a value matches none of several alternatives (oneOf/anyOf), the errors
    // of the alternative that came closest are reported instead of all of them.
    QList<Error> validate(const Json &instance, int maxErrors = 100) const;

    // True when `instance` conforms; faster than validate() as it stops at the
    // first problem and builds no messages.
    bool accepts(const Json &instance) const;

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace Gatehouse
