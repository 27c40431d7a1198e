//! «Профиль»: the signed-in user's data as app. 2 asks for them, what is
//! still missing, the consents (given or withdrawn here), the mail setting
//! and the photo. Editing opens the one form widget; a withdrawal asks
//! first and says what it changes. In a session served over SSH, the
//! account's SSH keys too: added by pasting a `.pub` line, removed from
//! under the cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::form::{self, Field, Form};
use super::passport::wrap_into;
use super::popups::{below, window};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::User;
use crate::domain::keys::SshKey;
use crate::domain::people::MeChange;
use crate::domain::refdata::refdata;
use crate::domain::user::{ConsentKind, Profile as ProfileData};
use crate::service::people::ProfileView;
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 8] = [
    Action::Edit,
    Action::Toggle,
    Action::Attach,
    Action::MailSettings,
    Action::Down,
    Action::Up,
    Action::Back,
    Action::Help,
];

pub use form::FORM_COMMANDS;

const NAME: &str = "ФИО (кириллицей, полностью)";
const ORG: &str = "Организация";
const KIND: &str = "Тип организации";
const POSITION: &str = "Должность";
const PHONE: &str = "Мобильный телефон";
const EMAIL: &str = "Электронная почта (новую нужно будет подтвердить кодом)";
const REGION: &str = "Регион";
const HEAD: &str =
    "Руководитель исполнительного органа региона или подведомственной ему организации";
const PHOTO: &str = "Файл фотографии: JPG, PNG или BMP, до 10 МБ";
const KEY: &str = "Открытый ключ: строка из файла .pub (ssh-ed25519 AAAA… комментарий)";

enum Mode {
    View,
    Edit(Box<Form>),
    Photo(Box<Form>),
    /// Withdrawing a consent: asked once.
    Withdraw(ConsentKind),
    /// An SSH key being added.
    Key(Box<Form>),
    /// Removing the SSH key under the cursor: asked once.
    RemoveKey(SshKey),
}

pub struct Profile {
    user: User,
    view: Option<Result<ProfileView, String>>,
    /// The consent under the cursor.
    selected: usize,
    mode: Mode,
    /// The last refusal, shown where it happened.
    error: Option<String>,
    /// The account's SSH keys, in a session served over SSH (`None`
    /// elsewhere: the keys are the central instance's).
    keys: Option<Vec<SshKey>>,
}

fn load(user: &User) -> Effect {
    Effect::Send(Request::People(Box::new(PeopleRequest::Profile {
        user: user.clone(),
    })))
}

impl Profile {
    pub fn open(user: User) -> (Self, Effect) {
        let eff = load(&user);
        (
            Self {
                user,
                view: None,
                selected: 0,
                mode: Mode::View,
                error: None,
                keys: None,
            },
            eff,
        )
    }

    /// «Профиль» in a session served over SSH: with the account's keys.
    pub fn open_remote(user: User) -> (Self, Vec<Effect>) {
        let (mut s, eff) = Self::open(user);
        s.keys = Some(Vec::new());
        let keys = Effect::Send(Request::People(Box::new(PeopleRequest::SshKeys {
            user: s.user.clone(),
        })));
        (s, vec![eff, keys])
    }

    /// The rows under the cursor: the consents, then the keys.
    fn rows(&self) -> usize {
        ConsentKind::ALL.len() + self.keys.as_ref().map_or(0, Vec::len)
    }

    /// The key under the cursor, if the cursor is on a key.
    fn key_at(&self) -> Option<&SshKey> {
        self.keys
            .as_ref()?
            .get(self.selected.checked_sub(ConsentKind::ALL.len())?)
    }

    fn change_key(&self, line: Option<String>, fingerprint: String) -> Effect {
        Effect::Send(Request::People(Box::new(PeopleRequest::ChangeSshKey {
            user: self.user.clone(),
            line,
            fingerprint,
        })))
    }

    fn send(&self, change: MeChange) -> Effect {
        Effect::Send(Request::People(Box::new(PeopleRequest::ChangeMe {
            user: self.user.clone(),
            change,
        })))
    }

    fn edit_form(p: &ProfileData) -> Form {
        let rd = refdata();
        let mut kinds = vec![(String::new(), "не указан".to_owned())];
        kinds.extend(
            rd.organisation_types
                .iter()
                .map(|t| (t.code.clone(), t.name.clone())),
        );
        let mut regions = vec![(String::new(), "не указан".to_owned())];
        regions.extend(rd.regions.iter().map(|r| (r.code.clone(), r.name.clone())));
        Form::new(vec![
            Field::line(NAME).filled(&p.full_name),
            Field::line(ORG).filled(&p.organisation),
            Field::choice(KIND, kinds, "не указан")
                .chosen(p.organisation_kind.as_deref().unwrap_or_default()),
            Field::line(POSITION).filled(&p.position),
            Field::line(PHONE).filled(&p.phone),
            Field::line(EMAIL).filled(&p.email),
            Field::choice(REGION, regions, "не указан")
                .chosen(p.region.as_deref().unwrap_or_default()),
            Field::check(HEAD).ticked(p.head_of_body),
        ])
    }

    fn edited(base: &ProfileData, form: &Form) -> ProfileData {
        let mut p = base.clone();
        p.full_name = form.value(NAME);
        p.organisation = form.value(ORG);
        p.organisation_kind = Some(form.value(KIND)).filter(|k| !k.is_empty());
        p.position = form.value(POSITION);
        p.phone = form.value(PHONE);
        p.email = form.value(EMAIL);
        p.region = Some(form.value(REGION)).filter(|r| !r.is_empty());
        p.head_of_body = form.fields.last().is_some_and(Field::checked);
        p
    }

    fn consent_at(&self) -> ConsentKind {
        ConsentKind::ALL[self.selected.min(ConsentKind::ALL.len() - 1)]
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.mode {
            Mode::Edit(f) | Mode::Photo(f) | Mode::Key(f) => Some(f),
            Mode::View | Mode::Withdraw(_) | Mode::RemoveKey(_) => None,
        }
    }
}

impl Screen for Profile {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "Профиль".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        match self.mode {
            Mode::View if self.keys.is_some() => {
                let mut v = COMMANDS.to_vec();
                v.insert(4, Action::SshKey);
                v
            }
            Mode::View => COMMANDS.to_vec(),
            Mode::Edit(_) | Mode::Photo(_) | Mode::Key(_) => FORM_COMMANDS.to_vec(),
            Mode::Withdraw(_) | Mode::RemoveKey(_) => vec![Action::Submit, Action::Back],
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (&self.mode, action) {
            (Mode::View, Action::Toggle) if self.key_at().is_some() => {
                Some("Удалить ключ SSH под курсором")
            }
            (Mode::View, Action::Toggle) => Some("Дать или отозвать согласие под курсором"),
            (Mode::Key(_), Action::Submit) => Some("Добавить ключ SSH"),
            (Mode::RemoveKey(_), Action::Submit) => Some("Удалить ключ SSH"),
            (Mode::View, Action::Edit) => Some("Изменить данные профиля"),
            (Mode::View, Action::Attach) | (Mode::Photo(_), Action::Submit) => {
                Some("Загрузить фотографию")
            }
            (Mode::View, Action::Down) => Some("К следующему согласию"),
            (Mode::View, Action::Up) => Some("К предыдущему согласию"),
            (Mode::Edit(_), Action::Submit) => Some("Сохранить профиль"),
            (Mode::Withdraw(_), Action::Submit) => Some("Отозвать согласие"),
            _ => None,
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        match &self.mode {
            Mode::Edit(f) | Mode::Photo(f) | Mode::Key(f) => f.keys(),
            _ => Vec::new(),
        }
    }

    fn text_input(&self) -> bool {
        matches!(self.mode, Mode::Edit(_) | Mode::Photo(_) | Mode::Key(_))
    }

    fn input(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        self.error = None;
        if let Some(f) = self.form_mut() {
            f.input(key);
        }
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let key_here = self.key_at().cloned();
        let remote = self.keys.is_some();
        match (&mut self.mode, action) {
            (Mode::View, Action::Back) => return vec![Effect::Close],
            (Mode::View, Action::Down) => {
                self.selected = (self.selected + 1).min(self.rows() - 1);
            }
            (Mode::View, Action::Up) => self.selected = self.selected.saturating_sub(1),
            (Mode::View, Action::Edit) => {
                self.error = None;
                self.mode = Mode::Edit(Box::new(Self::edit_form(&self.user.profile)));
            }
            (Mode::View, Action::Attach) => {
                self.error = None;
                self.mode = Mode::Photo(Box::new(Form::new(vec![Field::path(PHOTO)])));
            }
            (Mode::View, Action::MailSettings) => {
                return vec![self.send(MeChange::MailOptOut(!self.user.mail_opt_out))];
            }
            (Mode::View, Action::SshKey) if remote => {
                self.error = None;
                self.mode = Mode::Key(Box::new(Form::new(vec![Field::line(KEY)])));
            }
            (Mode::View, Action::Toggle) if key_here.is_some() => {
                if let Some(k) = key_here {
                    self.mode = Mode::RemoveKey(k);
                }
            }
            (Mode::RemoveKey(k), Action::Submit) => {
                let f = k.fingerprint.clone();
                self.mode = Mode::View;
                return vec![self.change_key(None, f)];
            }
            (Mode::Key(f), Action::Submit) => {
                let line = f.value(KEY);
                if line.trim().is_empty() {
                    self.error = Some("Вставьте строку открытого ключа из файла .pub.".into());
                    return Vec::new();
                }
                return vec![self.change_key(Some(line), String::new())];
            }
            (Mode::View, Action::Toggle) => {
                let kind = self.consent_at();
                if self.user.has_consent(kind) {
                    self.mode = Mode::Withdraw(kind);
                } else {
                    return vec![self.send(MeChange::Consent { kind, give: true })];
                }
            }
            (Mode::Withdraw(kind), Action::Submit) => {
                let kind = *kind;
                self.mode = Mode::View;
                return vec![self.send(MeChange::Consent { kind, give: false })];
            }
            (Mode::Withdraw(_) | Mode::RemoveKey(_), Action::Back) => self.mode = Mode::View,
            (Mode::Edit(f) | Mode::Photo(f) | Mode::Key(f), Action::NextField) => f.next(),
            (Mode::Edit(f) | Mode::Photo(f) | Mode::Key(f), Action::PrevField) => f.prev(),
            (Mode::Edit(f) | Mode::Photo(f) | Mode::Key(f), Action::Back) => {
                if f.may_leave() {
                    self.mode = Mode::View;
                    self.error = None;
                } else {
                    self.error = Some(form::LEAVE_ASK.to_owned());
                }
            }
            (Mode::Edit(f), Action::Submit) => {
                let p = Self::edited(&self.user.profile, f);
                return vec![self.send(MeChange::Profile(Box::new(p)))];
            }
            (Mode::Photo(f), Action::Submit) => {
                let path = form::path_of(&f.value(PHOTO));
                if path.is_empty() {
                    self.error = Some("Укажите файл фотографии.".to_owned());
                    return Vec::new();
                }
                return vec![Effect::Send(Request::People(Box::new(
                    PeopleRequest::Photo {
                        user: self.user.clone(),
                        path,
                    },
                )))];
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let Reply::People(r) = reply else {
            return Vec::new();
        };
        match r.as_ref() {
            PeopleReply::Profile(v) => self.view = Some(v.clone()),
            PeopleReply::Me(Ok((u, said))) => {
                self.user = (**u).clone();
                self.mode = Mode::View;
                self.error = None;
                return vec![
                    Effect::Signed(u.clone()),
                    Effect::Message(said.clone()),
                    load(u),
                ];
            }
            PeopleReply::SshKeys(Ok((keys, said))) => {
                self.keys = Some(keys.clone());
                self.selected = self.selected.min(self.rows() - 1);
                if matches!(self.mode, Mode::Key(_)) {
                    self.mode = Mode::View;
                }
                self.error = None;
                return said.iter().map(|s| Effect::Message(s.clone())).collect();
            }
            PeopleReply::SshKeys(Err(e)) | PeopleReply::Me(Err(e)) => {
                self.error = Some(e.clone());
                return vec![Effect::Log(e.clone())];
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Профиль", t.title),
                Span::styled(format!(" · {}", self.user.login), t.muted),
            ],
        );
        let Some(view) = super::loaded(f, inner, t, &self.view) else {
            return;
        };
        let w = inner.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        for (label, value) in &view.fields[1..] {
            lines.push(Line::from(vec![
                Span::styled(format!(" {label:<20} "), t.label),
                Span::styled(truncate(value, w.saturating_sub(22)), t.text),
            ]));
        }
        if view.missing.is_empty() {
            lines.push(Line::from(Span::styled(
                " Профиль заполнен полностью.",
                t.ok,
            )));
        } else {
            let text = format!(
                "Заполнено {} из {}; не хватает: {}.",
                view.filled,
                view.of,
                view.missing.join("; ")
            );
            wrap_into(&mut lines, &text, w, t.warning, " ");
        }
        let mail = if self.user.mail_opt_out {
            "Почта: только сроки и безопасность (m — все уведомления)"
        } else {
            "Почта: все уведомления (m — только сроки и безопасность)"
        };
        lines.push(Line::from(Span::styled(format!(" {mail}"), t.muted)));
        for n in &view.notes {
            wrap_into(&mut lines, n, w, t.muted, " ");
        }
        lines.push(Line::from(Span::styled(
            " Согласия (Пробел — дать или отозвать):",
            t.label,
        )));
        let top = lines.len();
        for (i, c) in view.consents.iter().enumerate() {
            let state = match (&c.given, &c.version) {
                (Some(at), Some(v)) => format!("дано {} (ред. {v})", at.format("%d.%m.%Y")),
                _ => "не дано".to_owned(),
            };
            let mark = if c.given.is_some() { "[x]" } else { "[ ]" };
            let name = truncate(c.short, w.saturating_sub(state.chars().count() + 10));
            let style = if i == self.selected {
                t.selected
            } else {
                t.text
            };
            lines.push(Line::from(Span::styled(
                format!(" {mark} {name} — {state}"),
                style,
            )));
            if i == self.selected {
                wrap_into(&mut lines, c.required, w, t.muted, "     ");
            }
        }
        if let Some(keys) = &self.keys {
            lines.push(Line::from(Span::styled(
                " Ключи SSH (K — добавить, Пробел — удалить):",
                t.label,
            )));
            if keys.is_empty() {
                lines.push(Line::from(Span::styled(
                    " Ключей нет: входите по паролю или добавьте ключ.",
                    t.muted,
                )));
            }
            for (i, k) in keys.iter().enumerate() {
                let style = if ConsentKind::ALL.len() + i == self.selected {
                    t.selected
                } else {
                    t.text
                };
                let text = format!(
                    " {} · {} · {} {}",
                    if k.comment.is_empty() {
                        "без комментария"
                    } else {
                        &k.comment
                    },
                    k.added.with_timezone(&chrono::Local).format("%d.%m.%Y"),
                    k.algorithm,
                    k.fingerprint,
                );
                lines.push(Line::from(Span::styled(truncate(&text, w), style)));
            }
        }
        if let (Mode::View, Some(e)) = (&self.mode, &self.error) {
            wrap_into(&mut lines, e, w, t.error, " ");
        }
        // The consent under the cursor and its note stay in view.
        let want = top + self.selected + 3;
        let h = inner.height as usize;
        let offset = want.saturating_sub(h).min(lines.len().saturating_sub(h));
        f.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(offset).unwrap_or(0), 0)),
            inner,
        );
        match &self.mode {
            Mode::View => {}
            Mode::Withdraw(kind) => {
                let mut top = Vec::new();
                wrap_into(
                    &mut top,
                    &format!("Отозвать {}?", kind.name()),
                    60,
                    t.title,
                    " ",
                );
                let then = match kind {
                    ConsentKind::TermsOfUse | ConsentKind::PersonalData => {
                        "Учётная запись будет отключена: без этого согласия работать на платформе нельзя."
                    }
                    ConsentKind::PersonalDataForDistribution => {
                        "В опубликованных паспортах вы будете показаны как «участник команды»."
                    }
                    ConsentKind::Consulting => "Подать новую практику без него будет нельзя.",
                };
                wrap_into(&mut top, then, 60, t.warning, " ");
                let n = u16::try_from(top.len()).unwrap_or(4);
                let inner = window(
                    f,
                    area,
                    (64, n + 2),
                    t,
                    "Отзыв согласия",
                    "Enter — отозвать · Esc — оставить",
                );
                f.render_widget(Paragraph::new(top), inner);
            }
            Mode::RemoveKey(k) => {
                let mut top = Vec::new();
                wrap_into(
                    &mut top,
                    &format!("Удалить ключ {} {}?", k.fingerprint, k.comment),
                    60,
                    t.title,
                    " ",
                );
                wrap_into(
                    &mut top,
                    "Входить с ним больше будет нельзя; открытые сеансы продолжатся.",
                    60,
                    t.warning,
                    " ",
                );
                let n = u16::try_from(top.len()).unwrap_or(4);
                let inner = window(
                    f,
                    area,
                    (64, n + 2),
                    t,
                    "Ключ SSH",
                    "Enter — удалить · Esc — оставить",
                );
                f.render_widget(Paragraph::new(top), inner);
            }
            Mode::Edit(form) | Mode::Photo(form) | Mode::Key(form) => {
                let (title, keys) = match self.mode {
                    Mode::Edit(_) => ("Профиль", "Tab — поле · Enter — сохранить · Esc — отмена"),
                    Mode::Key(_) => ("Ключ SSH", "Enter — добавить · Esc — отмена"),
                    _ => (
                        "Фотография",
                        "Tab — дополнить путь · Enter — загрузить · Esc — отмена",
                    ),
                };
                let mut top = Vec::new();
                if let Some(e) = &self.error {
                    wrap_into(&mut top, e, 72, t.error, " ");
                }
                let n = u16::try_from(top.len()).unwrap_or(4);
                let h = (n + form.height(72) + 2).min(area.height);
                let inner = window(f, area, (76, h), t, title, keys);
                f.render_widget(Paragraph::new(top), inner);
                form.render(f, below(inner, n), cx);
            }
        }
    }
}
