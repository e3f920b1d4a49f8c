// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/codestyle.h"
#include "readablecolour.h"

#include <Qsci/qscilexerjson.h>
#include <Qsci/qscilexeryaml.h>
#include <Qsci/qsciscintilla.h>

#include <QColor>
#include <QFontDatabase>
#include <QPalette>

namespace Gatehouse {

void setCodeSyntax(QsciScintilla *editor, bool json)
{
    QsciLexer *old = editor->lexer();
    QsciLexer *next = json ? static_cast<QsciLexer *>(new QsciLexerJSON(editor))
                           : static_cast<QsciLexer *>(new QsciLexerYAML(editor));
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    next->setDefaultFont(font);
    next->setFont(font, -1);
    editor->setLexer(next);
    delete old;
    editor->setMarginsFont(font);
    applyCodePalette(editor);
}

void applyCodePalette(QsciScintilla *editor)
{
    const QPalette palette = editor->palette();
    const QColor paper = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    if (QsciLexer *lexer = editor->lexer()) {
        lexer->setDefaultPaper(paper);
        lexer->setDefaultColor(text);
        lexer->setPaper(paper, -1);
        for (int style = 0; style <= 127; ++style) {
            if (lexer->description(style).isEmpty())
                continue;
            const QColor own = lexer->defaultColor(style);
            // plain text (the lexers' near-black) in the palette's text colour
            lexer->setColor(own.lightness() < 40 ? text : ReadableColour::on(paper, own), style);
        }
    }
    const QColor window = palette.color(QPalette::Window);
    editor->setMarginsBackgroundColor(window);
    editor->setMarginsForegroundColor(palette.color(QPalette::WindowText));
    editor->setFoldMarginColors(window, window);
    // the fold marks: white boxes with black lines unless told otherwise
    for (int mark = int(QsciScintillaBase::SC_MARKNUM_FOLDEREND);
         mark <= int(QsciScintillaBase::SC_MARKNUM_FOLDEROPEN); ++mark) {
        editor->SendScintilla(QsciScintillaBase::SCI_MARKERSETFORE, mark, paper);
        editor->SendScintilla(QsciScintillaBase::SCI_MARKERSETBACK, mark,
                              palette.color(QPalette::WindowText));
    }
    editor->setCaretForegroundColor(text);
    editor->setCaretLineBackgroundColor(palette.color(QPalette::AlternateBase));
    editor->setSelectionBackgroundColor(palette.color(QPalette::Highlight));
    editor->setSelectionForegroundColor(palette.color(QPalette::HighlightedText));
    editor->setMatchedBraceBackgroundColor(palette.color(QPalette::AlternateBase));
    editor->setMatchedBraceForegroundColor(ReadableColour::on(paper, QColor(0x1a, 0x4f, 0x9c)));
    editor->setUnmatchedBraceForegroundColor(ReadableColour::on(paper, QColor(0xb0, 0x00, 0x20)));
}

} // namespace Gatehouse
