// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>
#include <QFrame>
#include <QIcon>
#include <QPointer>

class QAction;
class QLineEdit;
class QMenuBar;
class QTreeView;

namespace Gatehouse {

// What the command palette (Ctrl+Shift+P) can find: the window's actions, by their
// text and menu, and the open API's channels, operations, messages, servers and
// security schemes, by name. Rows are ranked by how well they match the typed text:
// every typed character in order, with the best rank for a match at the start of
// the text or of its words.
class CommandPaletteModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandPaletteModel)

public:
    struct Entry
    {
        QString text; // "Save", "/rooms/{roomID}"
        QString where; // "File", "Channel"
        QString shortcut; // native text, e.g. "Ctrl+S"
        QString toolTip;
        QIcon icon;
        QPointer<QAction> action; // an action, or
        int kind = -1; // an item of the API tree (ApiTreeModel::Kind)
        QString id;
        bool enabled = true;
    };
    enum Column { TextColumn, WhereColumn, ShortcutColumn, ColumnCount };

    explicit CommandPaletteModel(QObject *parent = nullptr);
    ~CommandPaletteModel() override;

    void setEntries(QList<Entry> entries);
    // Shows the entries matching `query`, best first (all of them, in their order,
    // for an empty query).
    void setQuery(const QString &query);
    QString query() const { return m_query; }
    const Entry &entry(int row) const { return m_entries.at(m_shown.at(row)); }

    // How well `query` matches `text`: -1 when its characters are not all in `text`
    // in order (case ignored); higher is better.
    static int score(const QString &query, const QString &text);

    // The window's actions under `menuBar`, with their menu's name as `where`
    // (separators, submenus and actions without text left out).
    static QList<Entry> actionEntries(const QMenuBar *menuBar);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    QList<Entry> m_entries;
    QList<int> m_shown; // indexes into m_entries
    QString m_query;
};

// The palette itself: a filter field over the ranked list, opened over the window.
// Up and Down move in the list while typing; Enter runs the action or shows the
// item; Escape closes it.
class CommandPalette final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandPalette)

public:
    explicit CommandPalette(QWidget *parent);
    ~CommandPalette() override;

    // Opens over the parent window with `entries` and an empty filter.
    void open(QList<CommandPaletteModel::Entry> entries);

    QLineEdit *filterEdit() const { return m_filter; }
    QTreeView *list() const { return m_list; }
    CommandPaletteModel *model() const { return m_model; }
    // Runs the entry at `row` of the list (what Enter does on the current row).
    void activate(int row);

signals:
    // An API tree item was chosen; actions are triggered by the palette itself.
    void itemChosen(int kind, const QString &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void handleQueryChanged(const QString &query);

    QLineEdit *m_filter;
    QTreeView *m_list;
    CommandPaletteModel *m_model;
};

} // namespace Gatehouse
