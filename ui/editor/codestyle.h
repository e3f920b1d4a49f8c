// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QsciScintilla;

namespace Gatehouse {

// Gives a QScintilla editor the YAML or JSON lexer in the system's fixed-width
// font, as every code field of the app shows it (the source editor, schema fields).
void setCodeSyntax(QsciScintilla *editor, bool json);

} // namespace Gatehouse
