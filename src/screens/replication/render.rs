//! Drawing the replication screen: the list of applications, an
//! application's timeline and documents, and the yearly summary.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Mode, Replication};
use crate::domain::ReplicationStatus;
use crate::screens::{RenderCx, loaded, page};
use crate::tui::ui::truncate;

impl Replication {
    pub(super) fn render_list(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let status = self.status.map_or("все статусы".to_owned(), |s| {
            format!("{} {}", s.id(), s.name())
        });
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Тиражирование", t.title),
                Span::styled(
                    format!(
                        " · {status} · по {}",
                        if self.by_region {
                            "регионам"
                        } else {
                            "статусам"
                        }
                    ),
                    t.muted,
                ),
            ],
        );
        let w = inner.width as usize;
        let Some(rows) = loaded(f, inner, t, &self.rows) else {
            return;
        };
        let mut lines = Vec::new();
        // Counts by status over everything the user reads.
        let counts: Vec<String> = ReplicationStatus::ALL
            .iter()
            .filter_map(|s| {
                let n = rows.iter().filter(|r| r.raw == *s).count();
                (n > 0).then(|| format!("{} {n}", s.short()))
            })
            .collect();
        let counts = if counts.is_empty() {
            "нет".to_owned()
        } else {
            counts.join(" · ")
        };
        // The counts whole: wrapped, each line indented under the first.
        for l in crate::tui::ui::wrap(&format!("Заявок: {counts}"), w, " ", "   ") {
            lines.push(Line::from(Span::styled(l, t.label)));
        }
        let filter = self.filter.lines().join(" ");
        let filter_line = if matches!(self.mode, Mode::Filter) {
            format!(" Фильтр: {filter}▏ (практика, категория, округ, регион, модератор)")
        } else if filter.is_empty() {
            " Фильтр: нет (/ — практика, категория, округ, модератор)".to_owned()
        } else {
            format!(" Фильтр: {filter}")
        };
        lines.push(Line::from(Span::styled(truncate(&filter_line, w), t.muted)));
        for i in &self.invitations {
            let text = format!(
                "Приглашение по итогам «{}» ({}): «{}» — w в паспорте",
                i.event_title,
                i.date.format("%d.%m.%Y"),
                i.title
            );
            for l in crate::tui::ui::wrap(&text, w, " ", "   ") {
                lines.push(Line::from(Span::styled(l, t.warning)));
            }
        }
        let shown = self.shown();
        if shown.is_empty() {
            lines.push(Line::from(Span::styled(" Заявок нет.", t.muted)));
        }
        let h = (inner.height as usize)
            .saturating_sub(3 + self.invitations.len())
            .max(1);
        let first = self.selected.saturating_sub(h - 1);
        let mut group = String::new();
        for (n, r) in shown.iter().enumerate().skip(first).take(h) {
            let key = if self.by_region {
                r.region_name.clone()
            } else {
                r.status.clone()
            };
            if key != group && lines.len() < inner.height as usize - 1 {
                lines.push(Line::from(Span::styled(
                    truncate(&format!(" {key}"), w),
                    t.header,
                )));
                group = key;
            }
            let late = r.overdue.map(|d| format!(" ⚑{d} р.д.")).unwrap_or_default();
            // Names, not codes: the moderator by surname and initials; the
            // status by name when the list is grouped by region.
            let who = r
                .moderator_name
                .as_deref()
                .map_or_else(|| "—".to_owned(), crate::tui::ui::short_name);
            let text = if self.by_region {
                format!(
                    "  {:<16} {:<14} {}",
                    truncate(&r.status, 16),
                    truncate(&who, 14),
                    r.title
                )
            } else {
                format!(
                    "  {:<18} {:<14} {}",
                    truncate(&r.region_name, 18),
                    truncate(&who, 14),
                    r.title
                )
            };
            let room = w.saturating_sub(late.chars().count());
            let style = if n == self.selected {
                t.selected
            } else {
                t.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<room$}", truncate(&text, room)), style),
                Span::styled(late, t.error),
            ]));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    pub(super) fn render_detail(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Заявка на внедрение", t.title),
                Span::styled(" · a — шаг · Esc — к списку", t.muted),
            ],
        );
        let Some(d) = loaded(f, inner, t, &self.detail) else {
            return;
        };
        let a = &d.app;
        let rd = crate::domain::refdata::refdata();
        let mut lines = vec![
            Line::from(Span::styled(format!("«{}»", d.title), t.title)),
            Line::from(vec![
                Span::styled("Статус: ", t.label),
                Span::styled(a.status.name().to_owned(), t.highlight),
            ]),
            Line::from(vec![
                Span::styled("Регион: ", t.label),
                Span::styled(rd.region_name(&a.region).to_owned(), t.text),
            ]),
            Line::from(vec![
                Span::styled("Реципиент: ", t.label),
                Span::styled(d.recipient.clone(), t.text),
            ]),
            Line::from(vec![
                Span::styled("Модератор внедрения: ", t.label),
                Span::styled(
                    if d.moderator.is_empty() {
                        "не назначен".to_owned()
                    } else {
                        d.moderator.clone()
                    },
                    t.text,
                ),
            ]),
            Line::from(vec![
                Span::styled("Узнал(а) о практике: ", t.label),
                Span::styled(a.learned_at.clone(), t.text),
            ]),
        ];
        if let Some((due, what)) = a.due(crate::domain::calendar::current()) {
            let late = d.overdue;
            lines.push(Line::from(Span::styled(
                format!(
                    "Срок: {what} до {}{}",
                    due.format("%d.%m.%Y"),
                    late.map(|d| format!(" — просрочено на {d} р.д."))
                        .unwrap_or_default()
                ),
                if late.is_some() { t.error } else { t.warning },
            )));
        }
        if !a.unanswered.is_empty() {
            lines.push(Line::from(Span::styled(
                format!(
                    "Без ответа с {} ({} раз)",
                    a.unanswered[0].format("%d.%m.%Y"),
                    a.unanswered.len()
                ),
                t.warning,
            )));
        }
        if !a.outcome.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("Итог: ", t.label),
                Span::styled(a.outcome.clone(), t.text),
            ]));
        }
        if let Some(r) = &a.report {
            lines.push(Line::from(Span::styled("Форма результата", t.header)));
            lines.push(Line::from(format!(
                "  {} — {}",
                r.started.format("%d.%m.%Y"),
                r.finished.format("%d.%m.%Y")
            )));
            for (label, text) in [
                ("Адаптация", &r.adaptation),
                ("Первичные результаты", &r.first_results),
                ("Ожидаемые эффекты", &r.expected_effects),
            ] {
                lines.push(Line::from(format!("  {label}: {text}")));
            }
            if a.checked.is_some() {
                lines.push(Line::from(Span::styled(
                    "  Проверено модератором внедрения",
                    t.ok,
                )));
            }
        }
        lines.push(Line::from(Span::styled(
            format!("Документы ({})", a.documents.len()),
            t.header,
        )));
        for doc in &a.documents {
            lines.push(Line::from(format!(
                "  {}: {} ({} байт)",
                doc.kind.name(),
                doc.name,
                doc.size
            )));
        }
        lines.push(Line::from(Span::styled("Ход работы", t.header)));
        for s in &d.timeline {
            lines.push(Line::from(Span::styled(
                format!(
                    "  {} {}",
                    s.at.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M"),
                    s.actor
                ),
                t.muted,
            )));
            lines.push(Line::from(format!("    {}", s.summary)));
            if !s.comment.is_empty() {
                lines.push(Line::from(format!("    Комментарий: {}", s.comment)));
            }
        }
        if let Some(e) = &self.error
            && !matches!(self.mode, Mode::Form(..))
        {
            lines.insert(0, Line::from(Span::styled(e.clone(), t.error)));
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            inner,
        );
    }

    pub(super) fn render_summary(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![Span::styled(" Итоги тиражирования за год", t.title)],
        );
        let Some(s) = loaded(f, inner, t, &self.summary) else {
            return;
        };
        let w = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(
            format!(" {} год: заявок {}", s.year, s.total),
            t.label,
        ))];
        let bars = |lines: &mut Vec<Line<'static>>,
                    title: &str,
                    rows: &[(String, usize)],
                    max_rows: usize| {
            lines.push(Line::from(Span::styled(format!(" {title}"), t.header)));
            let top = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
            let name_w = 26.min(w / 3);
            let bar_w = w.saturating_sub(name_w + 10).max(1);
            for (name, n) in rows.iter().take(max_rows) {
                let len = n * bar_w / top;
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<name_w$} ", truncate(name, name_w)), t.text),
                    Span::styled("█".repeat(len), t.highlight),
                    Span::styled(format!(" {n}"), t.muted),
                ]));
            }
        };
        // Every row: the screen scrolls (↓, PgDn), as the printed report
        // lists them all.
        bars(&mut lines, "По статусам", &s.by_status, usize::MAX);
        bars(&mut lines, "По регионам", &s.by_region, usize::MAX);
        bars(&mut lines, "По категориям", &s.by_category, usize::MAX);
        bars(&mut lines, "По практикам", &s.by_practice, usize::MAX);
        lines.push(Line::from(Span::styled(
            format!(
                " Кандидаты в архив (опубликованы, без заявок за год): {}",
                s.archive_candidates.len()
            ),
            t.warning,
        )));
        // No further than the last line at the bottom.
        let last =
            u16::try_from(lines.len().saturating_sub(inner.height as usize)).unwrap_or(u16::MAX);
        f.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(last), 0)),
            inner,
        );
    }
}
