// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QsciScintilla;

namespace Gatehouse {

// Gives a QScintilla editor the YAML or JSON lexer in the system's fixed-width
// font, as every code field of the app shows it (the source editor, schema fields),
// in the colours of its palette (applyCodePalette()).
void setCodeSyntax(QsciScintilla *editor, bool json);

// Colours a QScintilla editor from its palette, light or dark: the base and text
// colours for the paper and plain text, the margins, caret, selection and fold marks
// from the palette too, and the lexer's own hues for the rest, made lighter on a dark
// base (darker where needed on a light one) so that each keeps a contrast of 4.5:1 or
// more with the paper. Call it again when the palette changes (QEvent::PaletteChange).
void applyCodePalette(QsciScintilla *editor);

} // namespace Gatehouse
