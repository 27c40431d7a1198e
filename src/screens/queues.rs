//! «Очереди»: for each stage the user acts on, the practices waiting for
//! them — the nearest deadline first, overdue ones marked with the working
//! days past due. Actions, votes and the history open from the list;
//! several practices can be marked for one action (an assignment).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Effect, RenderCx, Screen};
use crate::domain::PracticeId;
use crate::domain::queue::{Item, Queue};
use crate::domain::refdata::refdata;
use crate::domain::user::User;
use crate::tui::action::Action;
use crate::tui::ui::{fit, truncate};
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 19] = [
    Action::Workflow,
    Action::Vote,
    Action::Open,
    Action::Edit,
    Action::History,
    Action::NextField,
    Action::PrevField,
    Action::Toggle,
    Action::MarkAll,
    Action::Print,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

pub struct Queues {
    user: User,
    pub queues: Option<Result<Vec<Queue>, String>>,
    pub tab: usize,
    selected: Vec<usize>,
    pub marked: BTreeSet<PracticeId>,
    page: std::cell::Cell<usize>,
}

impl Queues {
    pub fn open(user: User) -> (Self, Effect) {
        let req = Request::Queues {
            user: Box::new(user.clone()),
        };
        (
            Self {
                user,
                queues: None,
                tab: 0,
                selected: Vec::new(),
                marked: BTreeSet::new(),
                page: std::cell::Cell::new(10),
            },
            Effect::Send(req),
        )
    }

    fn current(&self) -> Option<&Queue> {
        match &self.queues {
            Some(Ok(q)) => q.get(self.tab),
            _ => None,
        }
    }

    /// The selected practice.
    pub fn item(&self) -> Option<&Item> {
        let q = self.current()?;
        q.items
            .get(self.selected.get(self.tab).copied().unwrap_or(0))
    }

    fn reload(&self) -> Vec<Effect> {
        vec![Effect::Send(Request::Queues {
            user: Box::new(self.user.clone()),
        })]
    }

    /// The practices an action applies to: the marked ones of this queue,
    /// else the selected one.
    fn targets(&self) -> Vec<PracticeId> {
        let Some(q) = self.current() else {
            return Vec::new();
        };
        let marked: Vec<PracticeId> = q
            .items
            .iter()
            .map(|i| i.id)
            .filter(|id| self.marked.contains(id))
            .collect();
        if marked.is_empty() {
            self.item().map(|i| vec![i.id]).unwrap_or_default()
        } else {
            marked
        }
    }
}

/// «просрочено 3 р.д.», «до 03.12», «ждёт 6 р.д.»
fn when(i: &Item) -> String {
    match i.deadline {
        Some(_) if i.overdue > 0 => format!("просрочено {:>2} р.д.", i.overdue),
        Some(d) => format!("срок {}", d.format("%d.%m")),
        None => format!("ждёт {:>2} р.д.", i.waiting),
    }
}

impl Screen for Queues {
    fn ready(&self) -> bool {
        self.queues.is_some()
    }

    fn title(&self) -> String {
        "Очереди".to_owned()
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match action {
            Action::NextField => Some("Следующая очередь"),
            Action::PrevField => Some("Предыдущая очередь"),
            Action::Print => Some("Вкладку — в таблицу XLSX (в каталог печати)"),
            _ => None,
        }
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn hints(&self) -> Vec<Action> {
        let mut v = vec![Action::Workflow];
        if self.user.has_role(crate::domain::Role::Expert) {
            v.push(Action::Vote);
        }
        v.extend([
            Action::NextField,
            Action::Toggle,
            Action::History,
            Action::Back,
        ]);
        v
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let n_tabs = match &self.queues {
            Some(Ok(q)) => q.len(),
            _ => 0,
        };
        let len = self.current().map_or(0, |q| q.items.len());
        if self.selected.len() < n_tabs {
            self.selected.resize(n_tabs, 0);
        }
        let sel = self.selected.get(self.tab).copied().unwrap_or(0);
        let page = self.page.get();
        let new_sel = match action {
            Action::Down => Some((sel + 1).min(len.saturating_sub(1))),
            Action::Up => Some(sel.saturating_sub(1)),
            Action::PageDown => Some((sel + page).min(len.saturating_sub(1))),
            Action::PageUp => Some(sel.saturating_sub(page)),
            Action::Home => Some(0),
            Action::End => Some(len.saturating_sub(1)),
            _ => None,
        };
        if let Some(s) = new_sel {
            if let Some(x) = self.selected.get_mut(self.tab) {
                *x = s;
            }
            return Vec::new();
        }
        match action {
            Action::NextField if n_tabs > 0 => {
                self.tab = (self.tab + 1) % n_tabs;
                self.marked.clear();
            }
            Action::PrevField if n_tabs > 0 => {
                self.tab = (self.tab + n_tabs - 1) % n_tabs;
                self.marked.clear();
            }
            Action::Toggle => {
                if let Some(id) = self.item().map(|i| i.id) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    if let Some(x) = self.selected.get_mut(self.tab) {
                        *x = (*x + 1).min(len.saturating_sub(1));
                    }
                }
            }
            Action::Print => {
                if let Some(q) = self.current() {
                    return vec![Effect::Send(Request::Print {
                        user: Some(Box::new(self.user.clone())),
                        what: crate::tui::worker::print::Printable::Queue(
                            q.name.to_string(),
                            q.items.iter().map(|i| i.id).collect(),
                        ),
                    })];
                }
            }
            Action::MarkAll => {
                // A tab is a query's result (a saved view) or a stage's
                // queue: marked whole for one action on each.
                let all: Vec<PracticeId> = self
                    .current()
                    .map(|q| q.items.iter().map(|i| i.id).collect())
                    .unwrap_or_default();
                if all.iter().all(|id| self.marked.contains(id)) {
                    self.marked.clear();
                } else {
                    self.marked.extend(all);
                }
            }
            Action::Open => {
                if let Some(i) = self.item() {
                    return vec![Effect::OpenPassport(i.id)];
                }
            }
            Action::History => {
                if let Some(i) = self.item() {
                    return vec![Effect::OpenHistory(i.id)];
                }
            }
            Action::Edit => {
                if let Some(i) = self.item() {
                    return vec![Effect::EditDraft(i.id)];
                }
            }
            Action::Workflow => {
                let ids = self.targets();
                if !ids.is_empty() {
                    return vec![Effect::Workflow(ids)];
                }
            }
            Action::Vote => {
                if let Some(i) = self.item() {
                    return vec![Effect::Vote(i.id)];
                }
            }
            Action::Back => return vec![Effect::Close],
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Queues(r) => {
                let n = r.as_ref().map_or(0, Vec::len);
                if let Ok(q) = r {
                    // Keep the selection where the list got shorter.
                    self.selected.resize(n, 0);
                    for (s, queue) in self.selected.iter_mut().zip(q) {
                        *s = (*s).min(queue.items.len().saturating_sub(1));
                    }
                }
                self.tab = self.tab.min(n.saturating_sub(1));
                self.queues = Some(r.clone());
                Vec::new()
            }
            Reply::Acted { result: Ok(_), .. } | Reply::Submitted { result: Ok(_), .. } => {
                self.marked.clear();
                self.reload()
            }
            _ => Vec::new(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let [head, tabs, body, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(2),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Очереди", t.title),
                Span::styled(
                    format!(" · {} · Tab — следующая очередь", self.user.login),
                    t.muted,
                ),
            ])),
            head,
        );
        let queues = match &self.queues {
            None => {
                f.render_widget(Paragraph::new(Span::styled(" Загрузка…", t.muted)), body);
                return;
            }
            Some(Err(e)) => {
                f.render_widget(Paragraph::new(Span::styled(format!(" {e}"), t.error)), body);
                return;
            }
            Some(Ok(q)) if q.is_empty() => {
                f.render_widget(
                    Paragraph::new(Span::styled(
                        " У ваших ролей нет очередей: действия этапов доступны координаторам, экспертам-модераторам, экспертам, рейтинговому комитету и модератору АСИ.",
                        t.muted,
                    ))
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                    body,
                );
                return;
            }
            Some(Ok(q)) => q,
        };
        // Tabs: the selected one always visible.
        let labels: Vec<String> = queues
            .iter()
            .map(|q| format!(" {} ({}) ", q.name, q.items.len()))
            .collect();
        let width = tabs.width as usize;
        let mut start = 0;
        while start < self.tab {
            let used: usize = labels[start..=self.tab]
                .iter()
                .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) + 1)
                .sum();
            if used <= width {
                break;
            }
            start += 1;
        }
        let mut spans = Vec::new();
        if start > 0 {
            spans.push(Span::styled("…", t.muted));
        }
        for (i, l) in labels.iter().enumerate().skip(start) {
            spans.push(Span::styled(
                l.clone(),
                if i == self.tab { t.selected } else { t.label },
            ));
            spans.push(Span::raw("│"));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), tabs);
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border);
        let inner = block.inner(body);
        f.render_widget(block, body);
        let Some(q) = queues.get(self.tab) else {
            return;
        };
        let h = inner.height as usize;
        self.page.set(h.saturating_sub(1).max(1));
        let sel = self.selected.get(self.tab).copied().unwrap_or(0);
        let first = sel.saturating_sub(h.saturating_sub(1));
        let w = inner.width as usize;
        let region_w = 20.min(w / 4);
        let when_w = 17;
        let title_w = w.saturating_sub(region_w + when_w + 4);
        let d = refdata();
        let mut lines = Vec::new();
        if q.items.is_empty() {
            lines.push(Line::from(Span::styled(" Очередь пуста.", t.muted)));
        }
        for (i, item) in q.items.iter().enumerate().skip(first).take(h) {
            let mark = if self.marked.contains(&item.id) {
                "●"
            } else {
                " "
            };
            let when_style = if item.overdue > 0 { t.error } else { t.muted };
            let region = item.region.as_deref().map_or("—", |r| d.region_name(r));
            let mut line = Line::from(vec![
                Span::styled(mark.to_owned(), t.highlight),
                Span::styled(format!("{} ", fit(&when(item), when_w)), when_style),
                Span::raw(format!("{} ", fit(&item.title, title_w))),
                Span::styled(fit(region, region_w), t.muted),
            ]);
            if i == sel {
                line = line.style(t.selected);
            }
            lines.push(line);
        }
        f.render_widget(Paragraph::new(lines), inner);
        if let Some(i) = q.items.get(sel) {
            let mut first = format!(
                " {} · {}",
                i.status.name(),
                i.category.as_deref().map_or("—", |c| d.category_name(c))
            );
            if let Some(due) = i.deadline {
                let _ = write!(first, " · срок {}", due.format("%d.%m.%Y"));
            }
            let second = if i.note.is_empty() {
                if self.marked.is_empty() {
                    " a — действия · Space — отметить несколько".to_owned()
                } else {
                    format!(
                        " Отмечено: {} · a — действие для отмеченных",
                        self.marked.len()
                    )
                }
            } else {
                format!(" {}", i.note)
            };
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(truncate(&first, w), t.label)),
                    Line::from(Span::styled(truncate(&second, w), t.highlight)),
                ]),
                detail,
            );
        }
    }
}
