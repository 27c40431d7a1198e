//! The facet panel of the catalogue: a column of facet kinds and the values
//! of the chosen kind with counts; Space selects values.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState};

use super::RenderCx;
use crate::search::{FacetCounts, FacetKind, Filters};
use crate::tui::action::Action;
use crate::tui::ui::{group, truncate};

pub const COMMANDS: [Action; 11] = [
    Action::Search,
    Action::Up,
    Action::Down,
    Action::NextField,
    Action::PrevField,
    Action::Toggle,
    Action::ClearFilters,
    Action::Submit,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

/// The kinds offered in the panel (the section has its own key).
pub const KINDS: [FacetKind; 7] = [
    FacetKind::Category,
    FacetKind::Region,
    FacetKind::District,
    FacetKind::Level,
    FacetKind::Status,
    FacetKind::Year,
    FacetKind::Indicator,
];

#[derive(Debug, Clone, Default)]
pub struct FacetPanel {
    pub kind: usize,
    pub cursor: usize,
    pub counts: Option<FacetCounts>,
    /// The text typed to find a value (`/`): 89 regions are many to scroll.
    pub find: Option<String>,
}

/// What a key in the panel changed.
pub enum PanelOutcome {
    Nothing,
    Changed,
    Close,
}

impl FacetPanel {
    pub fn kind(&self) -> FacetKind {
        KINDS[self.kind]
    }

    /// Values of the current kind: selected ones first remain visible even
    /// with no matches.
    pub fn values(&self, filters: &Filters) -> Vec<(String, u64)> {
        let kind = self.kind();
        let mut v: Vec<(String, u64)> = self
            .counts
            .as_ref()
            .and_then(|c| c.get(&kind))
            .cloned()
            .unwrap_or_default();
        if let Some(sel) = filters.selected.get(&kind) {
            for s in sel {
                if !v.iter().any(|(x, _)| x == s) {
                    v.push((s.clone(), 0));
                }
            }
        }
        if kind == FacetKind::Year || kind == FacetKind::Level {
            v.sort_by(|a, b| a.0.cmp(&b.0));
        }
        v
    }

    /// A key typed while finding a value: the cursor goes to the first
    /// value whose name begins with the text (else contains it).
    pub fn find_input(&mut self, key: crossterm::event::KeyEvent, filters: &Filters) {
        use crossterm::event::KeyCode;
        let Some(text) = &mut self.find else {
            return;
        };
        match key.code {
            KeyCode::Char(c) => text.push(c),
            KeyCode::Backspace => {
                text.pop();
            }
            _ => return,
        }
        let needle = text.to_lowercase();
        if needle.is_empty() {
            return;
        }
        let kind = self.kind();
        let names: Vec<String> = self
            .values(filters)
            .iter()
            .map(|(v, _)| kind.value_name(v).to_lowercase())
            .collect();
        if let Some(i) = names
            .iter()
            .position(|n| n.starts_with(&needle))
            .or_else(|| names.iter().position(|n| n.contains(&needle)))
        {
            self.cursor = i;
        }
    }

    pub fn handle(&mut self, action: Action, filters: &mut Filters) -> PanelOutcome {
        let n = self.values(filters).len();
        if self.find.is_some() && matches!(action, Action::Submit | Action::Back) {
            // Enter keeps the place found, Esc too: the find line closes.
            self.find = None;
            return PanelOutcome::Nothing;
        }
        match action {
            Action::Search => self.find = Some(String::new()),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down if self.cursor + 1 < n => self.cursor += 1,
            Action::NextField => {
                self.kind = (self.kind + 1) % KINDS.len();
                self.cursor = 0;
                self.find = None;
            }
            Action::PrevField => {
                self.kind = (self.kind + KINDS.len() - 1) % KINDS.len();
                self.cursor = 0;
                self.find = None;
            }
            Action::Toggle => {
                if let Some((v, _)) = self.values(filters).get(self.cursor) {
                    filters.toggle(self.kind(), v);
                    return PanelOutcome::Changed;
                }
            }
            Action::ClearFilters => {
                filters.set(self.kind(), Vec::new());
                return PanelOutcome::Changed;
            }
            Action::Submit | Action::Back => return PanelOutcome::Close,
            _ => {}
        }
        PanelOutcome::Nothing
    }

    pub fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>, filters: &Filters) {
        let t = cx.theme;
        let w = area.width.saturating_sub(4).min(76);
        let h = area.height.saturating_sub(2).min(20);
        let popup = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(" Фильтры ", t.title))
            .title_bottom(match &self.find {
                Some(text) => Line::from(vec![
                    Span::styled(" Найти: ", t.key),
                    Span::styled(format!("{text}▏ "), t.text),
                    Span::styled("Enter ", t.key),
                    Span::styled("готово ", t.text),
                ]),
                None => Line::from(vec![
                    Span::styled(" Пробел ", t.key),
                    Span::styled("отметить · ", t.text),
                    Span::styled("/ ", t.key),
                    Span::styled("найти · ", t.text),
                    Span::styled("Tab ", t.key),
                    Span::styled("группа · ", t.text),
                    Span::styled("Enter ", t.key),
                    Span::styled("готово ", t.text),
                ]),
            });
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let [left, right] =
            Layout::horizontal([Constraint::Length(22), Constraint::Min(10)]).areas(inner);
        let kinds: Vec<ListItem> = KINDS
            .iter()
            .map(|k| {
                let n = filters.selected.get(k).map_or(0, Vec::len);
                let mark = if n > 0 {
                    format!(" ({n})")
                } else {
                    String::new()
                };
                ListItem::new(truncate(&format!("{}{mark}", k.name()), 21))
            })
            .collect();
        let mut ks = ListState::default().with_selected(Some(self.kind));
        f.render_stateful_widget(List::new(kinds).highlight_style(t.selected), left, &mut ks);
        let kind = self.kind();
        let values = self.values(filters);
        let vw = right.width.saturating_sub(12) as usize;
        let items: Vec<ListItem> = if self.counts.is_none() {
            vec![ListItem::new(Span::styled("Подсчёт…", t.muted))]
        } else if values.is_empty() {
            vec![ListItem::new(Span::styled("Нет значений", t.muted))]
        } else {
            values
                .iter()
                .map(|(v, n)| {
                    let mark = if filters.is_selected(kind, v) {
                        "[x] "
                    } else {
                        "[ ] "
                    };
                    ListItem::new(Line::from(vec![
                        Span::styled(mark, t.highlight),
                        Span::styled(truncate(&kind.value_name(v), vw), t.text),
                        Span::styled(format!(" {}", group(*n)), t.muted),
                    ]))
                })
                .collect()
        };
        let mut vs = ListState::default().with_selected(Some(self.cursor));
        f.render_stateful_widget(List::new(items).highlight_style(t.selected), right, &mut vs);
    }
}
