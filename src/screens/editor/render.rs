//! Drawing the editor: its fields with their counters and messages, the
//! pick list, the refusal window, the attach and team search windows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

use super::form::{Key, Kind};
use super::{AttachPrompt, Editor, FindUser};
use crate::domain::rules::{Severity, TITLE_MAX_CHARS};
use crate::screens::RenderCx;
use crate::tui::ui::truncate;

impl Editor {
    pub(super) fn draw(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let saved = match (&self.saved, self.dirty_since.is_some() || self.saving) {
            (_, true) => "не сохранено".to_owned(),
            (Some((rev, at)), false) if !at.is_empty() => {
                format!("сохранено в {at}, редакция {rev}")
            }
            (Some((rev, _)), false) => format!("редакция {rev}"),
            (None, false) => String::new(),
        };
        let errors = self.error_count();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" Паспорт · {}", self.stage.label()), t.title),
                Span::styled(format!(" · {saved} · "), t.muted),
                Span::styled(
                    if errors == 0 {
                        "можно подавать".to_owned()
                    } else {
                        format!("замечаний к подаче: {errors}")
                    },
                    if errors == 0 { t.ok } else { t.warning },
                ),
            ])),
            head,
        );
        let w = body.width.saturating_sub(2);
        let text_w = body.width.saturating_sub(5) as usize;
        // Heights of items: a text shows its wrapped lines, up to three
        // when not focused (more is marked «…»); the focused one is taller.
        let height = |i: usize| -> u16 {
            let item = &self.items[i];
            let content = match &item.kind {
                Kind::Text { area, lines, .. } => {
                    let n = wrapped(area.lines(), text_w, 11).len() as u16;
                    if i == self.focus && *lines {
                        (n + 1).clamp(3, 10)
                    } else {
                        n.clamp(1, 3)
                    }
                }
                _ => 1,
            };
            1 + content + self.remark_lines(i, text_w).len() as u16
        };
        let mut top = self.top.get().min(self.focus);
        loop {
            let used: u16 = (top..=self.focus).map(height).sum();
            if used <= body.height || top == self.focus {
                break;
            }
            top += 1;
        }
        self.top.set(top);
        let mut y = body.y;
        for i in top..self.items.len() {
            let h = height(i);
            if y + h > body.y + body.height {
                break;
            }
            let item = &self.items[i];
            let focused = i == self.focus;
            let label_style = if focused { t.border_focus } else { t.label };
            let mut label = vec![
                Span::styled(if focused { "▶ " } else { "  " }, label_style),
                // The §2.1.5 criteria are the author's confirmation, not a
                // passport field: named by their clause.
                Span::styled(
                    match item.key {
                        Key::Criterion(_) => "§2.1.5 ".to_owned(),
                        _ => format!("{} ", item.field.id()),
                    },
                    t.muted,
                ),
                Span::styled(
                    truncate(
                        item.label
                            .strip_prefix("Критерий п. 2.1.5: ")
                            .unwrap_or(&item.label),
                        w.saturating_sub(20) as usize,
                    ),
                    label_style,
                ),
            ];
            if let Kind::Text { area, .. } = &item.kind {
                let lines = area.lines();
                let n = lines.iter().map(|l| l.chars().count()).sum::<usize>()
                    + lines.len().saturating_sub(1);
                let counter = if item.key == Key::Title {
                    format!("  {n}/{TITLE_MAX_CHARS}")
                } else if n > 0 {
                    format!("  {n} симв.")
                } else {
                    String::new()
                };
                let style = if item.key == Key::Title && n > TITLE_MAX_CHARS {
                    t.error
                } else {
                    t.muted
                };
                label.push(Span::styled(counter, style));
            }
            f.render_widget(
                Paragraph::new(Line::from(label)),
                Rect {
                    x: body.x,
                    y,
                    width: body.width,
                    height: 1,
                },
            );
            y += 1;
            let remarks = self.remark_lines(i, text_w);
            let content_h = h - 1 - remarks.len() as u16;
            let rect = Rect {
                x: body.x + 4,
                y,
                width: body.width.saturating_sub(5),
                height: content_h,
            };
            match &item.kind {
                Kind::Text { area, .. } => {
                    if focused {
                        f.render_widget(area, rect);
                    } else {
                        let shown = content_h as usize;
                        let all = wrapped(area.lines(), rect.width as usize, shown + 1);
                        let lines: Vec<Line> = all
                            .iter()
                            .take(shown)
                            .enumerate()
                            .map(|(k, l)| {
                                // More below: the last line shown says so;
                                // Tab to the field shows it whole.
                                let l = if k + 1 == shown && all.len() > shown {
                                    truncate(&format!("{l} …"), rect.width as usize)
                                } else {
                                    l.clone()
                                };
                                Line::from(Span::styled(l, t.text))
                            })
                            .collect();
                        let lines = if area.lines().iter().all(String::is_empty) {
                            vec![Line::from(Span::styled("—", t.muted))]
                        } else {
                            lines
                        };
                        f.render_widget(Paragraph::new(lines), rect);
                    }
                }
                Kind::Choice { options, selected } => {
                    let text = selected.map_or(
                        "— не выбрано (Пробел — выбрать)".to_owned(),
                        |s| options[s].1.clone(),
                    );
                    let style = if focused { t.selected } else { t.text };
                    f.render_widget(
                        Paragraph::new(Span::styled(truncate(&text, rect.width as usize), style)),
                        rect,
                    );
                }
                Kind::Check(c) => {
                    let text = if *c { "[x] да" } else { "[ ] нет" };
                    let style = if focused { t.selected } else { t.text };
                    f.render_widget(Paragraph::new(Span::styled(text, style)), rect);
                }
                Kind::Info(s) => {
                    f.render_widget(
                        Paragraph::new(Span::styled(truncate(s, rect.width as usize), t.muted)),
                        rect,
                    );
                }
            }
            y += content_h;
            for (severity, line) in remarks {
                let style = if severity == Severity::Error {
                    t.error
                } else {
                    t.warning
                };
                f.render_widget(
                    Paragraph::new(Span::styled(line, style)),
                    Rect {
                        x: body.x + 4,
                        y,
                        width: body.width.saturating_sub(5),
                        height: 1,
                    },
                );
                y += 1;
            }
        }
        if !self.problems.is_empty() {
            let msg = format!("Не сохранено: {}", self.problems.join("; "));
            let r = Rect {
                x: body.x,
                y: body.y + body.height.saturating_sub(1),
                width: body.width,
                height: 1,
            };
            f.render_widget(Clear, r);
            let w = r.width as usize;
            // Cut, with the sign that Ctrl-g (the message log) shows it whole.
            let shown = if unicode_width::UnicodeWidthStr::width(msg.as_str()) > w {
                format!("{} (Ctrl-g)", truncate(&msg, w.saturating_sub(9)))
            } else {
                msg
            };
            f.render_widget(Paragraph::new(Span::styled(shown, t.error)), r);
        }
        if let Some((item, cursor)) = self.picker
            && let Kind::Choice { options, .. } = &self.items[item].kind
        {
            let h = (options.len() as u16 + 2).min(area.height);
            let r = crate::screens::popups::centred(area, 70, h);
            f.render_widget(Clear, r);
            let items: Vec<ListItem> = options
                .iter()
                .map(|(_, n)| ListItem::new(truncate(n, 66)))
                .collect();
            let mut st = ListState::default().with_selected(Some(cursor));
            f.render_stateful_widget(
                List::new(items)
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(t.border_focus)
                            .title(Span::styled(
                                format!(" {} ", self.items[item].label),
                                t.title,
                            )),
                    )
                    .highlight_style(t.selected),
                r,
                &mut st,
            );
        }
        if let Some(a) = &self.attach {
            a.render(f, area, cx);
        }
        if let Some(fu) = &self.find {
            fu.render(f, area, cx);
        }
        if let Some(reasons) = &self.refusal {
            // Every reason whole: wrapped, and scrolled when there are more
            // lines than the screen has.
            let width = 78.min(area.width);
            let opts = textwrap::Options::new(width.saturating_sub(4) as usize);
            let mut lines = Vec::new();
            for reason in reasons {
                for (k, l) in textwrap::wrap(reason, &opts).into_iter().enumerate() {
                    let prefix = if k == 0 { "— " } else { "  " };
                    lines.push(Line::from(Span::styled(format!("{prefix}{l}"), t.text)));
                }
            }
            let h = (u16::try_from(lines.len()).unwrap_or(u16::MAX) + 2).min(area.height);
            let r = crate::screens::popups::centred(area, width, h);
            let room = r.height.saturating_sub(2) as usize;
            let max = lines.len().saturating_sub(room);
            let top = self.refusal_scroll.get().min(max);
            self.refusal_scroll.set(top);
            let keys = if max > 0 {
                format!(
                    " ↑/↓ — листать ({}–{} из {}) · Esc — к паспорту ",
                    top + 1,
                    (top + room).min(lines.len()),
                    lines.len()
                )
            } else {
                " Esc — вернуться к паспорту ".to_owned()
            };
            f.render_widget(Clear, r);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(t.error)
                .title(Span::styled(
                    format!(" Подать нельзя: замечаний {} ", reasons.len()),
                    t.error,
                ))
                .title_bottom(Span::styled(keys, t.muted));
            let inner = block.inner(r);
            f.render_widget(block, r);
            f.render_widget(
                Paragraph::new(lines).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)),
                inner,
            );
        }
    }
}

impl AttachPrompt {
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let kinds = crate::service::practice::attachment_kinds();
        let rows = match self.kind_cursor {
            Some(_) => kinds.len() as u16,
            None => 3 + self.candidates.len().min(8) as u16,
        };
        let r = crate::screens::popups::centred(area, 76, rows + 3);
        f.render_widget(Clear, r);
        let bottom = if self.kind_cursor.is_some() {
            " Enter — приложить · Esc — отмена "
        } else {
            " Tab — дополнить · Enter — дальше · Esc — отмена "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(" Приложить файл или ссылку ", t.title))
            .title_bottom(Span::styled(bottom, t.muted));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [first, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let [label, field] =
            Layout::horizontal([Constraint::Length(8), Constraint::Min(1)]).areas(first);
        f.render_widget(Paragraph::new(Span::styled(" Путь: ", t.label)), label);
        f.render_widget(&self.input, field);
        if let Some(c) = self.kind_cursor {
            let items: Vec<ListItem> = kinds
                .iter()
                .map(|(_, n)| ListItem::new(truncate(n, 70)))
                .collect();
            let mut st = ListState::default().with_selected(Some(c));
            f.render_stateful_widget(List::new(items).highlight_style(t.selected), rest, &mut st);
        } else {
            let mut lines: Vec<Line> = match &self.error {
                Some(e) => textwrap::wrap(e, inner.width.saturating_sub(2).max(10) as usize)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(format!(" {l}"), t.error)))
                    .collect(),
                None => vec![Line::from(Span::styled(
                    " Файл до 20 МБ или ссылка https:// (http://) на облачное хранилище",
                    t.muted,
                ))],
            };
            for c in self.candidates.iter().take(8) {
                lines.push(Line::from(Span::styled(format!("   {c}"), t.text)));
            }
            f.render_widget(Paragraph::new(lines), rest);
        }
    }
}

impl FindUser {
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let rows = self.users.len().clamp(1, 10) as u16;
        let r = crate::screens::popups::centred(area, 76, rows + 4);
        f.render_widget(Clear, r);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(" Добавить в команду ", t.title))
            .title_bottom(Span::styled(" Enter — добавить · Esc — отмена ", t.muted));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [first, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let [label, field] =
            Layout::horizontal([Constraint::Length(7), Constraint::Min(1)]).areas(first);
        f.render_widget(Paragraph::new(Span::styled(" ФИО: ", t.label)), label);
        f.render_widget(&self.input, field);
        if self.users.is_empty() {
            let hint = if self.input.lines().join("").chars().count() < 2 {
                " Введите хотя бы две буквы фамилии, имени, логина или почты."
            } else {
                " Никого не нашлось. Незарегистрированного участника впишите в поле команды по e-mail."
            };
            f.render_widget(Paragraph::new(Span::styled(hint, t.muted)), rest);
            return;
        }
        let w = rest.width.saturating_sub(2) as usize;
        let items: Vec<ListItem> = self
            .users
            .iter()
            .map(|(login, name, org, complete)| {
                let mark = if *complete {
                    ""
                } else {
                    " · профиль не заполнен"
                };
                ListItem::new(truncate(&format!("{name} ({login}), {org}{mark}"), w))
            })
            .collect();
        let mut st = ListState::default().with_selected(Some(self.cursor));
        f.render_stateful_widget(List::new(items).highlight_style(t.selected), rest, &mut st);
    }
}

impl Editor {
    /// The remarks under item `i`, wrapped to `width`: whole, up to
    /// [`REMARK_LINES`] lines; a cut one ends with «…» and F9 lists them
    /// all whole.
    fn remark_lines(&self, i: usize, width: usize) -> Vec<(Severity, String)> {
        let mut out = Vec::new();
        for m in self.messages_for(i) {
            let mark = if m.severity == Severity::Error {
                "✗ "
            } else {
                "› "
            };
            for l in crate::tui::ui::wrap(&m.message, width, mark, "  ") {
                out.push((m.severity, l));
            }
        }
        if out.len() > REMARK_LINES {
            out.truncate(REMARK_LINES);
            if let Some((_, last)) = out.last_mut() {
                *last = truncate(&format!("{last} …"), width.max(10));
            }
        }
        out
    }
}

/// How many lines of remarks an item shows at most.
const REMARK_LINES: usize = 4;

/// The first `most` lines of a text as the form shows them: each paragraph
/// wrapped at words to `width` columns (a word wider than that is cut into
/// pieces). Only as much of a long text is wrapped as those lines can hold,
/// so a keystroke in a 50 KB field stays light.
pub(super) fn wrapped(lines: &[String], width: usize, most: usize) -> Vec<String> {
    let width = width.max(1);
    let opts = textwrap::Options::new(width).break_words(true);
    // `most` lines hold at most this many characters of a paragraph.
    let room = most.saturating_mul(width + 1);
    let mut out = Vec::new();
    for l in lines {
        if out.len() >= most {
            break;
        }
        if l.is_empty() {
            out.push(String::new());
            continue;
        }
        let head = match l.char_indices().nth(room) {
            Some((at, _)) => &l[..at],
            None => l.as_str(),
        };
        out.extend(
            textwrap::wrap(head, &opts)
                .into_iter()
                .map(std::borrow::Cow::into_owned),
        );
    }
    out.truncate(most);
    out
}
