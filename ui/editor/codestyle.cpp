// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/codestyle.h"

#include <Qsci/qscilexerjson.h>
#include <Qsci/qscilexeryaml.h>
#include <Qsci/qsciscintilla.h>

#include <QFontDatabase>

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
}

} // namespace Gatehouse
