// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/credentialinfo.h"

#include <QByteArray>
#include <QString>

#include <optional>

class QCommandLineParser;

// `gatehouse-cli cat --token-from APP`: an application's credential from the registry
// the other commands use (--db, GATEHOUSE_DB), its secret from where it was kept, and
// the header it goes in.
namespace Gatehouse::Cli::CatToken {

// The newest credential of `application` that is neither revoked nor expired at
// `nowMs`; nullopt with a one-line error ("no application named 'X'", "'X' has no
// usable credential ...").
std::optional<Credentials::CredentialInfo> newestUsable(const QCommandLineParser &parser,
                                                        const QString &application, qint64 nowMs,
                                                        QString *error);

// The header the secret goes in: `override` when given, else Authorization for access
// tokens and JWTs and apikey for API keys.
QByteArray headerName(Credentials::CredentialType type, const QString &override);

// "Bearer SECRET" in Authorization, the secret alone in any other header.
QByteArray headerValue(const QByteArray &name, const QByteArray &secret);

// Reads the secret from the store recorded with the credential when it was issued,
// else (an older record, or a store that keeps nothing) from the store the user chose
// (--secrets-file, GATEHOUSE_SECRETS_FILE, GATEHOUSE_SECRETS=env, the OS keychain).
// Waits on the event loop. nullopt with a one-line error that never holds the secret
// ("the keychain cannot be reached: ...").
std::optional<QByteArray> readSecret(const QCommandLineParser &parser,
                                     const Credentials::CredentialInfo &credential, QString *error);

} // namespace Gatehouse::Cli::CatToken
