// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandpalette.h"

#include <QAction>
#include <QApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace Gatehouse {

namespace {

// "&Save" -> "Save", "Rock && Roll" -> "Rock & Roll", "Open…" -> "Open"
QString plainText(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    if (text.endsWith(QChar(0x2026)))
        text.chop(1);
    else if (text.endsWith(QStringLiteral("...")))
        text.chop(3);
    return text;
}

bool startsWord(const QString &text, qsizetype at)
{
    if (at == 0)
        return true;
    const QChar before = text.at(at - 1);
    const QChar c = text.at(at);
    if (!before.isLetterOrNumber())
        return true;
    return before.isLower() && c.isUpper(); // camelCase
}

void collect(const QMenu *menu, const QString &where, QList<CommandPaletteModel::Entry> &out)
{
    for (QAction *action : menu->actions()) {
        if (action->isSeparator() || action->text().isEmpty())
            continue;
        if (QMenu *sub = action->menu()) {
            collect(sub, where + QStringLiteral(" \u203a ") + plainText(sub->title()), out);
            continue;
        }
        if (std::any_of(out.cbegin(), out.cend(),
                        [action](const auto &e) { return e.action == action; }))
            continue;
        CommandPaletteModel::Entry entry;
        entry.text = plainText(action->text());
        entry.where = where;
        entry.shortcut = action->shortcut().toString(QKeySequence::NativeText);
        entry.toolTip = action->toolTip() != entry.text ? action->toolTip() : QString();
        entry.icon = action->icon();
        entry.action = action;
        entry.enabled = action->isEnabled();
        out.append(entry);
    }
}

} // namespace

CommandPaletteModel::CommandPaletteModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

CommandPaletteModel::~CommandPaletteModel() = default;

void CommandPaletteModel::setEntries(QList<Entry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    m_shown.clear();
    endResetModel();
    const QString query = m_query;
    m_query = QStringLiteral("\x01"); // recompute
    setQuery(query);
}

void CommandPaletteModel::setQuery(const QString &query)
{
    if (query == m_query)
        return;
    m_query = query;
    QList<std::pair<int, int>> ranked; // score, entry
    const QString trimmed = query.trimmed();
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries.at(i);
        int best = score(trimmed, e.text);
        // "file save" finds Save in File too (only with words: a single one matched
        // across the menu's name and the text finds too much)
        if (const int withWhere = trimmed.contains(QLatin1Char(' '))
                ? score(trimmed, e.where + QLatin1Char(' ') + e.text)
                : -1;
            withWhere >= 0)
            best = std::max(best, withWhere - 5);
        if (best >= 0)
            ranked.append({best, i});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    beginResetModel();
    m_shown.clear();
    for (const auto &[s, i] : ranked)
        m_shown.append(i);
    endResetModel();
}

int CommandPaletteModel::score(const QString &query, const QString &text)
{
    if (query.isEmpty())
        return 0;
    // Each typed character takes the next one in `text` that goes on a run, else the
    // next one that starts a word, else the next one; when preferring word starts
    // leaves a character unmatched, plain first matches are tried.
    const auto walk = [&](bool preferWords) {
        int total = 0;
        qsizetype from = 0;
        qsizetype previous = -2;
        for (const QChar q : query) {
            if (q.isSpace()) {
                previous = -2;
                continue;
            }
            const QChar folded = q.toCaseFolded();
            const auto same = [&](qsizetype i) { return text.at(i).toCaseFolded() == folded; };
            qsizetype at = -1;
            if (previous >= 0 && previous + 1 < text.size() && same(previous + 1)) {
                at = previous + 1;
            } else {
                for (qsizetype i = from; i < text.size(); ++i) {
                    if (!same(i))
                        continue;
                    if (at < 0)
                        at = i;
                    if (!preferWords || startsWord(text, i)) {
                        at = i;
                        break;
                    }
                }
            }
            if (at < 0)
                return -1;
            int points = 1;
            if (at == previous + 1)
                points += 8; // consecutive
            if (startsWord(text, at))
                points += at == 0 ? 12 : 6;
            total += points;
            previous = at;
            from = at + 1;
        }
        return total;
    };
    int total = walk(true);
    if (total < 0)
        total = walk(false);
    if (total < 0)
        return -1;
    // shorter texts first among equals
    return total * 4 - int(std::min<qsizetype>(text.size(), 60)) / 8;
}

QList<CommandPaletteModel::Entry> CommandPaletteModel::actionEntries(const QMenuBar *menuBar)
{
    QList<Entry> out;
    for (QAction *top : menuBar->actions())
        if (QMenu *menu = top->menu())
            collect(menu, plainText(menu->title()), out);
    return out;
}

int CommandPaletteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int CommandPaletteModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CommandPaletteModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = entry(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case TextColumn:
            return e.text;
        case WhereColumn:
            return e.where;
        case ShortcutColumn:
            return e.shortcut;
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == TextColumn)
            return e.icon;
        break;
    case Qt::ToolTipRole:
        return e.enabled || e.toolTip.isEmpty() ? e.toolTip
                                                : tr("Not available now: %1").arg(e.toolTip);
    case Qt::TextAlignmentRole:
        if (index.column() == ShortcutColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

Qt::ItemFlags CommandPaletteModel::flags(const QModelIndex &index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    // disabled actions are listed, greyed out, so that people learn they exist
    return entry(index.row()).enabled ? Qt::ItemIsEnabled | Qt::ItemIsSelectable
                                      : Qt::ItemIsSelectable;
}

CommandPalette::CommandPalette(QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_filter(new QLineEdit(this))
    , m_list(new QTreeView(this))
    , m_model(new CommandPaletteModel(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    setAccessibleName(tr("Command palette"));
    setFrameShape(QFrame::StyledPanel);
    m_filter->setObjectName(QStringLiteral("commandPaletteFilter"));
    m_filter->setAccessibleName(tr("Find an action, channel or message"));
    m_filter->setPlaceholderText(tr("Type an action, a channel or a message\u2026"));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);
    m_list->setObjectName(QStringLiteral("commandPaletteList"));
    m_list->setAccessibleName(tr("Matching actions and items"));
    m_list->setModel(m_model);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderHidden(true);
    m_list->setAllColumnsShowFocus(true);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(CommandPaletteModel::TextColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(CommandPaletteModel::WhereColumn,
                                           QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(CommandPaletteModel::ShortcutColumn,
                                           QHeaderView::ResizeToContents);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    connect(m_filter, &QLineEdit::textChanged, this, &CommandPalette::handleQueryChanged);
    connect(m_list, &QAbstractItemView::activated, this,
            [this](const QModelIndex &index) { activate(index.row()); });
}

CommandPalette::~CommandPalette() = default;

void CommandPalette::open(QList<CommandPaletteModel::Entry> entries)
{
    m_filter->clear();
    m_model->setEntries(std::move(entries));
    handleQueryChanged(QString());
    QWidget *window = parentWidget() ? parentWidget()->window() : nullptr;
    const QFontMetrics metrics(font());
    const int width = std::max(metrics.averageCharWidth() * 80, window ? window->width() / 2 : 0);
    const int height = metrics.height() * 20;
    if (window) {
        const QPoint topCentre
            = window->mapToGlobal(QPoint((window->width() - width) / 2, window->height() / 10));
        setGeometry(QRect(topCentre, QSize(std::min(width, window->width()), height)));
    } else {
        resize(width, height);
    }
    show();
    raise();
    activateWindow();
    m_filter->setFocus(Qt::PopupFocusReason);
}

void CommandPalette::activate(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    const CommandPaletteModel::Entry entry = m_model->entry(row);
    if (!entry.enabled)
        return;
    hide();
    if (entry.action) {
        entry.action->trigger();
        return;
    }
    if (entry.kind >= 0)
        emit itemChosen(entry.kind, entry.id);
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
            // moving in the list without leaving the filter
            QApplication::sendEvent(m_list, event);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            activate(m_list->currentIndex().row());
            return true;
        case Qt::Key_Escape:
            hide();
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void CommandPalette::handleQueryChanged(const QString &query)
{
    m_model->setQuery(query);
    // the first available match is current, so Enter takes it
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->entry(row).enabled) {
            m_list->setCurrentIndex(m_model->index(row, 0));
            return;
        }
    }
    m_list->setCurrentIndex({});
}

} // namespace Gatehouse
