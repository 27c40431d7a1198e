//! «Каталог»: the list of practices, search as you type, facet filters,
//! the main catalogue / «База знаний» switch and sorting.

use std::cell::Cell;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell as TCell, Paragraph, Row as TRow, Table};
use ratatui_textarea::TextArea;

use super::facets::{FacetPanel, PanelOutcome};
use super::{Effect, RenderCx, Screen};
use crate::domain::access::ReadScope;
use crate::domain::{Section, UserId};
use crate::search::{FacetKind, Filters, SearchQuery, Sort};
use crate::service::views::Row;
use crate::tui::action::Action;
use crate::tui::ui::{fit, group, plural, truncate};
use crate::tui::worker::{Reply, Request};

const LIST: [Action; 30] = [
    Action::Search,
    Action::Facets,
    Action::ToggleSection,
    Action::Sort,
    Action::Open,
    Action::Login,
    Action::Help,
    Action::Quit,
    Action::Queues,
    Action::Inbox,
    Action::Workflow,
    Action::History,
    Action::SyncNow,
    Action::Conflicts,
    Action::Replication,
    Action::Profile,
    Action::Users,
    Action::Regions,
    Action::Selections,
    Action::NewPractice,
    Action::Edit,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Home,
    Action::End,
    Action::ClearFilters,
    Action::Back,
    Action::Redraw,
];

const TYPING: [Action; 8] = [
    Action::Submit,
    Action::Back,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Help,
    Action::Redraw,
];

pub fn command_sets() -> Vec<Vec<Action>> {
    vec![LIST.to_vec(), TYPING.to_vec()]
}

pub struct Catalogue {
    query: TextArea<'static>,
    pub searching: bool,
    pub filters: Filters,
    pub section: Section,
    pub sort: Sort,
    pub scope: ReadScope,
    pub rows: Vec<Row>,
    pub total: usize,
    /// The search text corrected by one typo, when the results are for it.
    pub suggestion: Option<String>,
    /// Why the search line, read as a query, is not understood.
    pub problem: Option<String>,
    /// Who is signed in: `Ctrl-s` saves a query among their views.
    user: Option<UserId>,
    pub selected: usize,
    offset: Cell<usize>,
    visible: Cell<usize>,
    tag: u64,
    pub loading: bool,
    limit: usize,
    page: usize,
    pub facets: Option<FacetPanel>,
    facet_tag: u64,
}

impl Catalogue {
    /// A catalogue that loads `page` practices at a time.
    pub fn new(page: usize) -> Self {
        let mut query = TextArea::default();
        query.set_placeholder_text("нажмите / и введите слова");
        Self {
            query,
            searching: false,
            filters: Filters::default(),
            section: Section::Main,
            sort: Sort::Relevance,
            scope: ReadScope::default(),
            rows: Vec::new(),
            total: 0,
            suggestion: None,
            problem: None,
            user: None,
            selected: 0,
            offset: Cell::new(0),
            visible: Cell::new(10),
            tag: 0,
            loading: false,
            limit: page.max(20),
            page: page.max(20),
            facets: None,
            facet_tag: 0,
        }
    }

    pub fn query_text(&self) -> String {
        self.query.lines().join(" ")
    }

    fn search_query(&self) -> SearchQuery {
        // While it is typed the last word is half a word; once the search
        // line is left it is whole.
        let mut text = self.query_text();
        if !self.searching && !text.is_empty() {
            text.push(' ');
        }
        SearchQuery {
            text,
            filters: self.filters.clone(),
            section: Some(self.section),
            scope: self.scope.clone(),
            sort: self.sort,
            limit: self.limit,
        }
    }

    /// A new search for the current state; older answers are then dropped.
    pub fn refresh(&mut self) -> Vec<Effect> {
        self.tag += 1;
        self.loading = true;
        let mut out = vec![Effect::Send(Request::Search {
            tag: self.tag,
            query: self.search_query(),
        })];
        if self.facets.is_some() {
            out.push(self.facet_request());
        }
        out
    }

    fn restart(&mut self) -> Vec<Effect> {
        self.limit = self.page;
        self.selected = 0;
        self.offset.set(0);
        self.refresh()
    }

    fn facet_request(&mut self) -> Effect {
        self.facet_tag += 1;
        Effect::Send(Request::Facets {
            tag: self.facet_tag,
            query: self.search_query(),
        })
    }

    /// Signing in or out changes what may be seen, and whose views a
    /// query is saved among.
    pub fn set_scope(&mut self, scope: ReadScope, user: Option<UserId>) -> Vec<Effect> {
        self.scope = scope;
        self.user = user;
        self.restart()
    }

    fn move_to(&mut self, i: usize) -> Vec<Effect> {
        let last = self.rows.len().saturating_sub(1);
        self.selected = i.min(last);
        // Near the end of what is loaded: load more.
        if self.rows.len() < self.total
            && self.selected + self.page / 4 >= self.rows.len()
            && !self.loading
        {
            self.limit = (self.limit * 2).min(self.total.max(self.page));
            return self.refresh();
        }
        Vec::new()
    }

    fn list_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.visible.get().max(1);
        match action {
            Action::Up => self.move_to(self.selected.saturating_sub(1)),
            Action::Down => self.move_to(self.selected + 1),
            Action::PageUp => self.move_to(self.selected.saturating_sub(page)),
            Action::PageDown => self.move_to(self.selected + page),
            Action::Home => self.move_to(0),
            Action::End => {
                if self.rows.len() < self.total {
                    self.limit = self.total;
                    self.selected = usize::MAX;
                    self.refresh()
                } else {
                    self.move_to(usize::MAX)
                }
            }
            _ => Vec::new(),
        }
    }

    /// Without words to rank by, relevance means the title order.
    pub fn sort_name(&self) -> &'static str {
        if self.sort == Sort::Relevance && self.query_text().trim().is_empty() {
            Sort::Title.name()
        } else {
            self.sort.name()
        }
    }

    fn clear_query(&mut self) {
        self.query = TextArea::default();
        self.query.set_placeholder_text("нажмите / и введите слова");
    }
}

impl Screen for Catalogue {
    fn title(&self) -> String {
        "Каталог".to_owned()
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (action, &self.facets) {
            (Action::Search, Some(_)) => Some("Найти значение по названию (регион, категорию…)"),
            (Action::Submit, Some(_)) => Some("Готово: закрыть фильтры"),
            (Action::Save, None) => Some("Сохранить запрос как вид: вкладка в «Очередях»"),
            _ => None,
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        if self.searching && self.facets.is_none() {
            vec![(
                "?",
                "«?» одним знаком в строке — условия запроса с примерами",
            )]
        } else {
            Vec::new()
        }
    }

    fn commands(&self) -> Vec<Action> {
        if self.facets.is_some() {
            super::facets::COMMANDS.to_vec()
        } else if self.searching {
            let mut out = TYPING.to_vec();
            if self.user.is_some() {
                out.insert(2, Action::Save);
            }
            out
        } else {
            LIST.to_vec()
        }
    }

    fn hints(&self) -> Vec<Action> {
        if self.facets.is_some() {
            vec![Action::Toggle, Action::NextField, Action::Submit]
        } else if self.searching {
            vec![Action::Submit, Action::Back]
        } else {
            LIST[..8].to_vec()
        }
    }

    fn text_input(&self) -> bool {
        match &self.facets {
            Some(p) => p.find.is_some(),
            None => self.searching,
        }
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if let Some(panel) = &mut self.facets {
            return match panel.handle(action, &mut self.filters) {
                PanelOutcome::Nothing => Vec::new(),
                PanelOutcome::Changed => self.restart(),
                PanelOutcome::Close => {
                    self.facets = None;
                    Vec::new()
                }
            };
        }
        if self.searching {
            return match action {
                Action::Submit => {
                    // Kept: the last word is whole now, read as `smarteka
                    // search` reads it, with the same count.
                    self.searching = false;
                    if self.query_text().trim().is_empty() {
                        Vec::new()
                    } else {
                        self.restart()
                    }
                }
                Action::Save if self.user.is_some() => {
                    let text = self.query_text();
                    let Some(user) = self.user else {
                        return Vec::new();
                    };
                    if !crate::domain::query::has_conditions(&text) {
                        return vec![Effect::Error(
                            "Сохранить как вид можно запрос с условиями, например «статус:упаковка срок<3» (? — список условий)."
                                .to_owned(),
                        )];
                    }
                    vec![Effect::Send(Request::People(Box::new(
                        crate::tui::worker::people::PeopleRequest::SaveView { user, query: text },
                    )))]
                }
                Action::Back => {
                    self.searching = false;
                    let had = !self.query_text().is_empty();
                    self.clear_query();
                    if had { self.restart() } else { Vec::new() }
                }
                a => self.list_action(a),
            };
        }
        match action {
            Action::Search => {
                self.searching = true;
                Vec::new()
            }
            Action::Facets => {
                self.facets = Some(FacetPanel::default());
                vec![self.facet_request()]
            }
            Action::ToggleSection => {
                self.section = self.section.other();
                self.restart()
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.restart()
            }
            Action::ClearFilters => {
                self.clear_query();
                self.filters = Filters::default();
                self.restart()
            }
            Action::Open => match self.rows.get(self.selected) {
                Some(r) => vec![Effect::OpenPassport(r.id)],
                None => Vec::new(),
            },
            Action::Quit => vec![Effect::Quit],
            Action::NewPractice => vec![Effect::NewDraft],
            Action::Edit => match self.rows.get(self.selected) {
                Some(r) => vec![Effect::EditDraft(r.id)],
                None => Vec::new(),
            },
            Action::Queues => vec![Effect::OpenQueues],
            Action::Conflicts => vec![Effect::OpenConflicts],
            Action::Replication => vec![Effect::OpenReplication],
            Action::Inbox => vec![Effect::OpenInbox],
            Action::Profile => vec![Effect::OpenProfile],
            Action::Users => vec![Effect::OpenUsers],
            Action::Regions => vec![Effect::OpenRegions],
            Action::Selections => vec![Effect::OpenSelections],
            Action::Workflow => match self.rows.get(self.selected) {
                Some(r) => vec![Effect::Workflow(vec![r.id])],
                None => Vec::new(),
            },
            Action::History => match self.rows.get(self.selected) {
                Some(r) => vec![Effect::OpenHistory(r.id)],
                None => Vec::new(),
            },
            Action::Back => {
                if self.filters.is_empty() && self.query_text().is_empty() {
                    vec![Effect::Message("Чтобы выйти, нажмите q.".to_owned())]
                } else {
                    self.clear_query();
                    self.filters = Filters::default();
                    self.restart()
                }
            }
            a => self.list_action(a),
        }
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(panel) = &mut self.facets {
            panel.find_input(key, &self.filters);
            return Vec::new();
        }
        let was = self.query_text();
        let before = crate::search::meaning(&was);
        self.query.input(key);
        super::keep_one_line(&mut self.query, " ");
        // A keystroke that changes nothing the search asks for («ш», «шк»)
        // sends nothing: the list already shows its answer. A query's
        // every character counts («уровень:2»).
        let now = self.query_text();
        let query = crate::domain::query::has_conditions(&now)
            || crate::domain::query::has_conditions(&was);
        if !(query && now != was) && crate::search::meaning(&now) == before {
            Vec::new()
        } else {
            self.restart()
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Search {
                tag,
                total,
                rows,
                suggestion,
                problem,
            } if *tag == self.tag => {
                self.rows.clone_from(rows);
                self.total = *total;
                self.suggestion.clone_from(suggestion);
                self.problem.clone_from(problem);
                self.loading = false;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
            }
            Reply::People(r) => {
                if let crate::tui::worker::people::PeopleReply::ViewSaved(said) = r.as_ref() {
                    return vec![match said {
                        Ok(m) => Effect::Message(m.clone()),
                        Err(e) => Effect::Error(e.clone()),
                    }];
                }
            }
            Reply::Facets { tag, counts } if *tag == self.facet_tag => {
                if let Some(p) = &mut self.facets {
                    p.counts = Some(counts.clone());
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let [head, search, filt, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);

        let count = if self.loading && self.rows.is_empty() {
            "поиск…".to_owned()
        } else {
            format!(
                "{} {}",
                group(self.total as u64),
                plural(self.total as u64, "практика", "практики", "практик")
            )
        };
        let head_line = Line::from(vec![
            Span::styled(" Каталог", t.title),
            Span::styled(" · ", t.muted),
            Span::styled(self.section.name(), t.highlight),
            Span::styled(format!(" · {count} · {}", self.sort_name()), t.muted),
        ]);
        f.render_widget(Paragraph::new(head_line), head);

        let [label, field] =
            Layout::horizontal([Constraint::Length(8), Constraint::Min(1)]).areas(search);
        let label_style = if self.searching {
            t.border_focus
        } else {
            t.label
        };
        f.render_widget(Paragraph::new(Span::styled(" Поиск: ", label_style)), label);
        if self.searching {
            let mut q = self.query.clone();
            q.set_cursor_line_style(ratatui::style::Style::default());
            f.render_widget(&q, field);
        } else {
            let text = self.query_text();
            let line = if text.is_empty() {
                Span::styled("нажмите / и введите слова", t.muted)
            } else {
                Span::styled(text, t.text)
            };
            f.render_widget(Paragraph::new(line), field);
        }

        let mut fl = Vec::new();
        if let Some(why) = &self.problem {
            // The hint only where it fits whole beside the reason.
            let full = format!(" {why} · ? — условия");
            let text = if full.chars().count() <= filt.width as usize {
                full
            } else {
                format!(" {why}")
            };
            fl.push(Span::styled(truncate(&text, filt.width as usize), t.error));
        } else if let Some(fixed) = &self.suggestion {
            fl.push(Span::styled(
                format!(" Возможно, вы искали «{}» ·", fixed.trim()),
                t.warning,
            ));
        }
        // A problem with the query takes the line.
        if self.problem.is_none() && self.filters.is_empty() {
            fl.push(Span::styled(" Фильтры: ", t.label));
            fl.push(Span::styled("нет (f — выбрать)", t.muted));
        } else if self.problem.is_none() {
            fl.push(Span::styled(" Фильтры: ", t.label));
            let parts: Vec<String> = self
                .filters
                .selected
                .iter()
                .map(|(k, vs)| {
                    let names: Vec<String> = vs.iter().map(|v| k.value_name(v)).collect();
                    format!("{}: {}", short_kind(*k), names.join(", "))
                })
                .collect();
            fl.push(Span::styled(
                truncate(&parts.join("; "), filt.width.saturating_sub(11) as usize),
                t.highlight,
            ));
        }
        f.render_widget(Paragraph::new(Line::from(fl)), filt);

        self.render_table(f, list, cx);

        if let Some(panel) = &self.facets {
            panel.render(f, area, cx, &self.filters);
        }
    }
}

fn short_kind(k: FacetKind) -> &'static str {
    match k {
        FacetKind::District => "ФО",
        FacetKind::Indicator => "Показатель",
        FacetKind::Year => "Год",
        other => other.name(),
    }
}

impl Catalogue {
    fn render_table(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        if self.query_text().trim() == "?" {
            // The query language's conditions, with an example each.
            let mut lines = vec![Line::from(Span::styled(
                " Условия: через пробел — все сразу, OR — любое, «-» — не; слова ищутся по тексту",
                t.label,
            ))];
            let room = (area.width as usize).saturating_sub(28).max(10);
            for k in crate::domain::query::KEYWORDS {
                // The meaning whole: wrapped under itself.
                let parts = crate::tui::ui::wrap(k.meaning, room, "", "");
                for (i, part) in parts.into_iter().enumerate() {
                    let left = if i == 0 { k.example } else { "" };
                    lines.push(Line::from(vec![
                        Span::styled(format!(" {left:<26} "), t.highlight),
                        Span::styled(part, t.text),
                    ]));
                }
            }
            f.render_widget(Paragraph::new(lines), area);
            return;
        }
        let w = area.width as usize;
        let wide = w >= 100;
        let (mut region_w, mut cat_w, mut status_w) =
            if wide { (22, 22, 16) } else { (16, 14, 12) };
        let level_w = 3;
        let year_w = if wide { 4 } else { 0 };
        let seps = if wide { 5 } else { 4 };
        // The title keeps at least half the width: on a narrow terminal the
        // other columns give way first.
        let others = |r: usize, c: usize, s: usize| r + c + s + level_w + year_w + seps + 1;
        while others(region_w, cat_w, status_w) > w / 2
            && (region_w > 6 || cat_w > 6 || status_w > 6)
        {
            region_w = region_w.saturating_sub(1).max(6);
            cat_w = cat_w.saturating_sub(1).max(6);
            status_w = status_w.saturating_sub(1).max(6);
        }
        let title_w = w.saturating_sub(others(region_w, cat_w, status_w));
        let mut widths = vec![
            Constraint::Length(title_w as u16 + 1),
            Constraint::Length(region_w as u16),
            Constraint::Length(cat_w as u16),
            Constraint::Length(level_w as u16),
        ];
        if wide {
            widths.push(Constraint::Length(year_w as u16));
        }
        widths.push(Constraint::Length(status_w as u16));

        let mut header = vec![
            format!(" {}", fit("Название", title_w)),
            fit("Регион", region_w),
            fit("Категория", cat_w),
            fit("Ур.", level_w),
        ];
        if wide {
            header.push(fit("Год", year_w));
        }
        header.push(fit("Статус", status_w));

        let body_h = area.height.saturating_sub(1) as usize;
        self.visible.set(body_h.max(1));
        let mut offset = self.offset.get();
        // While the rest of the list loads after End, the selection is past
        // the rows there are.
        let selected = self.selected.min(self.rows.len().saturating_sub(1));
        if selected < offset {
            offset = selected;
        } else if selected >= offset + body_h.max(1) {
            offset = selected + 1 - body_h.max(1);
        }
        // A full page at the end of the list, not its last row alone.
        offset = offset.min(self.rows.len().saturating_sub(body_h.max(1)));
        self.offset.set(offset);

        if self.rows.is_empty() {
            let [h, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
            f.render_widget(
                Table::new(vec![TRow::new(header).style(t.header)], widths.clone()),
                h,
            );
            let msg = if self.loading {
                "Поиск…"
            } else if self.problem.is_some() {
                "Запрос не понят: что не так — в строке выше; ? — список условий."
            } else if self.searching {
                "Ничего не найдено. Enter — искать, исправив опечатку; Esc — очистить."
            } else {
                "Ничего не найдено. Измените запрос или сбросьте фильтры: x."
            };
            f.render_widget(
                Paragraph::new(Span::styled(format!(" {msg}"), t.muted)),
                rest,
            );
            return;
        }

        let rows: Vec<TRow> = self
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(body_h)
            .map(|(i, r)| {
                let mut cells = vec![
                    TCell::from(format!(" {}", fit(&r.title, title_w))),
                    TCell::from(fit(&r.region, region_w)),
                    TCell::from(fit(&r.category, cat_w)),
                    TCell::from(fit(&r.level, level_w)),
                ];
                if wide {
                    cells.push(TCell::from(fit(&r.year, year_w)));
                }
                cells.push(TCell::from(fit(&r.status, status_w)));
                let style = if i == self.selected {
                    t.selected
                } else {
                    t.text
                };
                TRow::new(cells).style(style)
            })
            .collect();
        let table = Table::new(rows, widths)
            .header(TRow::new(header).style(t.header))
            .column_spacing(1);
        f.render_widget(table, area);
    }
}
