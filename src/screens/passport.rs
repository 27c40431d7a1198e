//! The passport view: every field P-1…P-24 of a practice, scrollable.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Effect, RenderCx, Screen};
use crate::action::Action;
use crate::domain::passport::{CRITERIA, CategoryChoice, Field, ImplementationWay, Source};
use crate::domain::refdata::refdata;
use crate::domain::rules::human_size;
use crate::domain::{PracticeId, PracticeStatus};
use crate::theme::Theme;
use crate::worker::{PracticeView, Reply, Request, RevisionView};

pub const COMMANDS: [Action; 18] = [
    Action::Workflow,
    Action::WantToImplement,
    Action::Replication,
    Action::History,
    Action::Diff,
    Action::Edit,
    Action::Revisions,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Quit,
    Action::Login,
    Action::Help,
    Action::Redraw,
];

pub struct PassportView {
    pub id: PracticeId,
    pub view: Option<Result<Box<PracticeView>, String>>,
    pub scroll: super::scroll::Scroller,
    /// Saved revisions, once asked for, and which one is shown (`None`:
    /// the current passport).
    pub revisions: Option<Vec<RevisionView>>,
    pub shown: Option<usize>,
    user: Option<crate::domain::User>,
}

impl PassportView {
    /// The view and the request that loads it.
    pub fn open(id: PracticeId, user: Option<crate::domain::User>) -> (Self, Effect) {
        (
            Self {
                id,
                view: None,
                scroll: super::scroll::Scroller::default(),
                revisions: None,
                shown: None,
                user: user.clone(),
            },
            Effect::Send(Request::Practice {
                id,
                user: user.map(Box::new),
            }),
        )
    }
}

fn empty(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_owned()
    } else {
        s.trim().to_owned()
    }
}

/// The fields as (label, text) pairs, in passport order.
pub fn field_texts(v: &PracticeView) -> Vec<(Field, String)> {
    let d = refdata();
    let p = &v.practice.passport;
    let list = |xs: &[String]| -> String {
        if xs.iter().all(|x| x.trim().is_empty()) {
            "—".to_owned()
        } else {
            xs.iter()
                .map(|x| format!("• {x}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let mut out = Vec::new();
    for f in Field::ALL {
        let text = match f {
            Field::P1 => empty(&p.title),
            Field::P2 => empty(&p.goal),
            Field::P3 => list(&p.tasks),
            Field::P4 => empty(&p.essence),
            Field::P5 => format!(
                "Главная: {}\nВторостепенная: {}",
                empty(&p.audience.main),
                empty(&p.audience.secondary)
            ),
            Field::P6 => {
                let mut s = format!(
                    "Главные: {}\nДополнительные: {}",
                    empty(&p.results.main),
                    empty(&p.results.additional)
                );
                for m in &p.results.measures {
                    let year = m.year.map(|y| format!(" ({y})")).unwrap_or_default();
                    let _ = write!(
                        s,
                        "\n• {}, {}: {} → {}{year}",
                        m.indicator, m.unit, m.before, m.after
                    );
                }
                s
            }
            Field::P7 => match &p.category {
                Some(CategoryChoice::Known(c)) => d.category_name(c).to_owned(),
                Some(CategoryChoice::DontKnow) => "Я не знаю, что выбрать".to_owned(),
                None => "—".to_owned(),
            },
            Field::P8 => {
                let kind = p.organisation.kind.as_deref().map_or("—", |k| {
                    d.organisation_type(k).map_or(k, |t| t.name.as_str())
                });
                format!("{kind}\n{}", empty(&p.organisation.name))
            }
            Field::P9 => {
                if p.materials.is_empty() {
                    "—".to_owned()
                } else {
                    p.materials
                        .iter()
                        .map(|m| format!("• {}: {}", m.kind.name(), source_text(&m.source)))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            Field::P10 => p.cover.as_ref().map_or("—".to_owned(), |c| {
                format!("{} ({}×{})", c.name, c.width, c.height)
            }),
            Field::P11 => {
                let author = p
                    .regions
                    .author
                    .as_deref()
                    .map_or("—", |r| d.region_name(r));
                let others: Vec<&str> = p.regions.others.iter().map(|r| d.region_name(r)).collect();
                if others.is_empty() {
                    format!("Регион-автор: {author}")
                } else {
                    format!(
                        "Регион-автор: {author}\nТакже внедрена: {}",
                        others.join(", ")
                    )
                }
            }
            Field::P12 => p.cost.as_deref().map_or("—".to_owned(), |c| {
                d.cost_range(c).map_or(c, |x| x.name.as_str()).to_owned()
            }),
            Field::P13 => match &p.implementation_way {
                Some(ImplementationWay::Known(c)) => d
                    .implementation_way(c)
                    .map_or(c.as_str(), |x| x.name.as_str())
                    .to_owned(),
                Some(ImplementationWay::Other(t)) => format!("Другое: {t}"),
                None => "—".to_owned(),
            },
            Field::P14 => format!("{}\n{}", list(&p.plan.steps), p.plan.measures),
            Field::P15 => {
                if p.partners.is_empty() {
                    "Не привлекались".to_owned()
                } else {
                    p.partners
                        .iter()
                        .map(|x| format!("• {} — {}; {}", x.name, x.terms, x.responsibility))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            Field::P16 => p.launch_months.map_or("—".to_owned(), |m| {
                format!(
                    "{m} {}",
                    crate::ui::plural(u64::from(m), "месяц", "месяца", "месяцев")
                )
            }),
            Field::P17 => empty(&p.specifics),
            Field::P18 => empty(&p.support),
            Field::P19 => {
                if v.team.is_empty() {
                    "—".to_owned()
                } else {
                    v.team
                        .iter()
                        .map(|(n, mentor)| {
                            if *mentor {
                                format!("• {n} — наставник")
                            } else {
                                format!("• {n}")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            Field::P20 => {
                if p.rating_indicators.is_empty() {
                    "Не отмечены".to_owned()
                } else {
                    p.rating_indicators
                        .iter()
                        .map(|c| {
                            format!(
                                "• {}",
                                d.indicator(c).map_or(c.as_str(), |i| i.name.as_str())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            Field::P21 => {
                if p.consents.is_empty() {
                    "—".to_owned()
                } else {
                    format!("Загружено согласий: {}", p.consents.len())
                }
            }
            Field::P22 => p.level.map_or("Не установлен".to_owned(), |l| {
                format!("{} — {}", l.number(), l.name())
            }),
            Field::P23 => p.year.map_or("—".to_owned(), |y| y.to_string()),
            Field::P24 => p.route.map_or("—".to_owned(), |r| r.name().to_owned()),
        };
        out.push((f, text));
    }
    out
}

fn source_text(s: &Source) -> String {
    match s {
        Source::File { name, size, .. } => format!("{name}, {}", human_size(*size)),
        Source::Link { url } => url.clone(),
    }
}

pub(crate) fn wrap_into(
    out: &mut Vec<Line<'static>>,
    text: &str,
    width: usize,
    style: Style,
    indent: &str,
) {
    for para in text.split('\n') {
        let opts = textwrap::Options::new(width.max(10))
            .initial_indent(indent)
            .subsequent_indent(indent);
        for l in textwrap::wrap(para, opts) {
            out.push(Line::from(Span::styled(l.into_owned(), style)));
        }
    }
}

/// The passport as lines wrapped to `width`.
pub fn passport_lines(v: &PracticeView, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let p = &v.practice;
    let d = refdata();
    let mut out = Vec::new();
    wrap_into(&mut out, &p.passport.title, width, t.title, "");
    let mut status = format!("{} · {}", p.status.id(), p.status.name());
    if let Some(r) = p.region() {
        let _ = write!(status, " · {}", d.region_name(r));
    }
    if let Some(dist) = p.region().and_then(|r| d.district_of(r)) {
        let _ = write!(status, " · {}", dist.name);
    }
    wrap_into(&mut out, &status, width, t.highlight, "");
    wrap_into(
        &mut out,
        &format!("Автор: {}", v.author),
        width,
        t.muted,
        "",
    );
    if let Some(pubd) = p.published {
        wrap_into(
            &mut out,
            &format!("Опубликована: {}", pubd.format("%d.%m.%Y")),
            width,
            t.muted,
            "",
        );
    }
    if p.status == PracticeStatus::Archived {
        wrap_into(
            &mut out,
            "Практика в «Базе знаний»: для самостоятельного изучения.",
            width,
            t.warning,
            "",
        );
    }
    for (f, text) in field_texts(v) {
        out.push(Line::from(""));
        out.push(Line::from(vec![
            Span::styled(format!("{} ", f.id()), t.muted),
            Span::styled(f.label().to_owned(), t.label),
        ]));
        wrap_into(&mut out, &text, width, t.text, "  ");
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Тиражирование", t.label)));
    if v.replications.is_empty() {
        wrap_into(&mut out, "Заявок на внедрение нет.", width, t.muted, "  ");
    }
    for (region, status) in &v.replications {
        wrap_into(
            &mut out,
            &format!("• {region} — {}", status.name()),
            width,
            t.text,
            "  ",
        );
    }
    let mentors: Vec<&str> = v
        .team
        .iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| n.as_str())
        .collect();
    if !mentors.is_empty() {
        wrap_into(
            &mut out,
            &format!("Наставники: {}", mentors.join(", ")),
            width,
            t.text,
            "  ",
        );
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "Критерии п. 2.1.5, подтверждённые автором",
        t.label,
    )));
    for (i, c) in CRITERIA.iter().enumerate() {
        let mark = if p.passport.criteria_confirmed[i] {
            "[x]"
        } else {
            "[ ]"
        };
        wrap_into(&mut out, &format!("{mark} {c}"), width, t.text, "  ");
    }
    out
}

impl Screen for PassportView {
    fn title(&self) -> String {
        "Паспорт практики".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Down, Action::PageDown, Action::Back, Action::Help]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.scroll.handle(action) {
            return Vec::new();
        }
        match action {
            Action::Back | Action::Quit => return vec![Effect::Close],
            Action::Edit => return vec![Effect::EditDraft(self.id)],
            Action::Workflow => return vec![Effect::Workflow(vec![self.id])],
            Action::History => return vec![Effect::OpenHistory(self.id)],
            Action::Replication => return vec![Effect::OpenReplication],
            Action::WantToImplement => {
                let title = match &self.view {
                    Some(Ok(v)) => v.practice.passport.title.clone(),
                    _ => String::new(),
                };
                return vec![Effect::WantToImplement(self.id, title)];
            }
            Action::Diff => return vec![Effect::OpenDiff(self.id)],
            Action::Revisions => match &self.revisions {
                None => {
                    return vec![Effect::Send(Request::Revisions {
                        id: self.id,
                        user: self.user.clone().map(Box::new),
                    })];
                }
                Some(revs) => {
                    // Step back in time; past the oldest, back to the current.
                    self.shown = match self.shown {
                        None if revs.len() > 1 => Some(revs.len() - 2),
                        Some(i) if i > 0 => Some(i - 1),
                        _ => None,
                    };
                    self.scroll.offset = 0;
                }
            },
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let moved = match reply {
            Reply::Acted { ids, result: Ok(_) } => ids.contains(&self.id),
            Reply::Submitted { id, result: Ok(_) } => *id == self.id,
            // Its replications changed.
            Reply::Replicated(Ok(a)) => a.practice == self.id,
            _ => false,
        };
        if moved {
            // The practice moved on: show its new state.
            self.view = None;
            self.revisions = None;
            self.shown = None;
            return vec![Effect::Send(Request::Practice {
                id: self.id,
                user: self.user.clone().map(Box::new),
            })];
        }
        if let Reply::Revisions { id, result } = reply
            && *id == self.id
        {
            match result {
                Ok(revs) if revs.len() > 1 => {
                    self.shown = Some(revs.len() - 2);
                    self.revisions = Some(revs.clone());
                }
                Ok(revs) => {
                    self.revisions = Some(revs.clone());
                    return vec![Effect::Message("У паспорта одна редакция.".to_owned())];
                }
                Err(e) => return vec![Effect::Error(e.clone())],
            }
            return Vec::new();
        }
        if let Reply::Practice(r) = reply
            && self.view.is_none()
        {
            match r {
                Ok(v) if v.practice.id == self.id => self.view = Some(Ok(v.clone())),
                Err(e) => self.view = Some(Err(e.clone())),
                Ok(_) => {}
            }
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = super::page(
            f,
            area,
            t,
            vec![
                Span::styled(" Паспорт практики", t.title),
                Span::styled(" · Esc — к каталогу", t.muted),
            ],
        );
        let text_area = Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(3),
            ..inner
        };
        let shown = self
            .shown
            .and_then(|i| self.revisions.as_ref().and_then(|r| r.get(i)));
        let lines = match (&self.view, shown) {
            (None, _) => vec![Line::from(Span::styled("Загрузка…", t.muted))],
            (Some(Err(e)), _) => vec![Line::from(Span::styled(e.clone(), t.error))],
            (Some(Ok(_)), Some(r)) => {
                let total = self.revisions.as_ref().map_or(0, Vec::len);
                let fields: Vec<String> = r.revision.fields.iter().map(|f| f.id()).collect();
                let mut lines = Vec::new();
                wrap_into(
                    &mut lines,
                    &format!(
                        "Редакция {} из {total} · {} · {} · изменены: {} (r — предыдущая)",
                        r.revision.number,
                        r.revision
                            .at
                            .with_timezone(&chrono::Local)
                            .format("%d.%m.%Y %H:%M"),
                        r.by,
                        if fields.is_empty() {
                            "—".to_owned()
                        } else {
                            fields.join(", ")
                        }
                    ),
                    text_area.width as usize,
                    t.warning,
                    "",
                );
                lines.extend(passport_lines(&r.view, text_area.width as usize, t));
                lines
            }
            (Some(Ok(v)), None) => passport_lines(v, text_area.width as usize, t),
        };
        // Text wrapped a column short of the scrollbar's, as it always was.
        self.scroll.render(
            f,
            Rect {
                x: inner.x + 1,
                width: inner.width.saturating_sub(1),
                ..inner
            },
            lines,
        );
    }
}
