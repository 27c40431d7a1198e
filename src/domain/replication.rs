//! Replication «Тиражирование» (SPEC §5, regulation §5 and app. 4): a
//! recipient's application to implement a published practice, its steps
//! R-1…R-7 with who may take each, the deadlines of §5.3.1.4 and §5.3.2,
//! the Agency's events of §5.2 and the yearly summary of §5.3.5.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::Calendar;
use super::passport::{Practice, PracticeId};
use super::status::{PracticeStatus, ReplicationStatus};
use super::user::{Role, User, UserId};
use super::workflow::{Document, DocumentKind};

mod events;
mod request;

pub use events::{Event, EventFormat, create_event, record_interest};
pub use request::{Request, apply_for, recipient_region};

pub type ApplicationId = Uuid;
pub type EventId = Uuid;

/// Working days the Agency has to review an application made outside its
/// events (§5.3.2).
pub const REVIEW_DAYS: u32 = 10;
/// Working days the implementation moderator has to contact the recipient
/// after being assigned (§5.3.1.4).
pub const CONTACT_DAYS: u32 = 5;

/// The order of applications waiting in a queue (§5.3.1): those made
/// after an Agency event first, then by their deadline, the earliest
/// first, those without one last.
pub fn queue_order(
    a: (bool, Option<NaiveDate>),
    b: (bool, Option<NaiveDate>),
) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| match (a.1, b.1) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    })
}

/// Who hears of an application to replicate a practice (§1.9): the author
/// and the mentors, who consult the recipients.
pub fn told_of_applications(p: &Practice) -> Vec<UserId> {
    let mut out = vec![p.author];
    for m in &p.passport.team {
        if let (true, super::passport::Member::User(u)) = (m.mentor, &m.member)
            && !out.contains(u)
        {
            out.push(*u);
        }
    }
    out
}

/// The result form of app. 4 and §5.3.1.5: what the official letter states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultForm {
    pub started: NaiveDate,
    pub finished: NaiveDate,
    /// How the practice was adapted to the region.
    pub adaptation: String,
    pub first_results: String,
    pub expected_effects: String,
}

impl ResultForm {
    /// What is missing or wrong, in Russian.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.finished < self.started {
            out.push("дата завершения внедрения раньше даты начала".to_owned());
        }
        for (text, what) in [
            (&self.adaptation, "как практика адаптирована в регионе"),
            (&self.first_results, "первичные результаты"),
            (&self.expected_effects, "ожидаемые эффекты"),
        ] {
            if text.trim().is_empty() {
                out.push(format!("не указано: {what}"));
            }
        }
        out
    }
}

/// One application to implement a practice (R-1…R-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    pub practice: PracticeId,
    pub recipient: UserId,
    /// The recipient's region (code).
    pub region: String,
    /// The event at which the recipient learned of the practice (§5.1.1).
    pub learned_at: String,
    /// The Agency's event, when the application follows one (§5.3.1).
    pub event: Option<EventId>,
    pub status: ReplicationStatus,
    pub moderator: Option<UserId>,
    pub applied: DateTime<Utc>,
    pub assigned: Option<DateTime<Utc>>,
    pub contacted: Option<DateTime<Utc>>,
    /// Calls and messages the recipient left unanswered since the last
    /// contact (§5.3.3: a month of them is a ground to refuse).
    pub unanswered: Vec<DateTime<Utc>>,
    pub documents: Vec<Document>,
    pub report: Option<ResultForm>,
    /// The implementation moderator checked the result form, the letter and
    /// the materials (§5.3.1.6).
    pub checked: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
    /// Why it ended: the recipient's words or the Agency's reason.
    pub outcome: String,
    pub revision: u32,
    pub updated: DateTime<Utc>,
}

impl Application {
    /// Still in work for `practice` from `region`: a region has one open
    /// application per practice at a time.
    pub fn is_open_for(&self, practice: PracticeId, region: &str) -> bool {
        self.practice == practice && self.region == region && !self.status.is_terminal()
    }

    pub fn has(&self, kind: DocumentKind) -> bool {
        self.documents.iter().any(|d| d.kind == kind)
    }

    /// What is due next and by when: the review of an application made
    /// outside an event (§5.3.2), the first contact after assignment
    /// (§5.3.1.4).
    pub fn due(&self, cal: &Calendar) -> Option<(NaiveDate, &'static str)> {
        match self.status {
            ReplicationStatus::Applied if self.event.is_none() => Some((
                cal.add_working_days(self.applied.date_naive(), REVIEW_DAYS),
                "рассмотреть заявку (п. 5.3.2)",
            )),
            ReplicationStatus::ModeratorAssigned => self.assigned.map(|a| {
                (
                    cal.add_working_days(a.date_naive(), CONTACT_DAYS),
                    "связаться с реципиентом (п. 5.3.1.4)",
                )
            }),
            _ => None,
        }
    }

    /// Working days past the due date, when overdue.
    pub fn overdue(&self, cal: &Calendar, today: NaiveDate) -> Option<i64> {
        let (due, _) = self.due(cal)?;
        (today > due).then(|| cal.working_days_between(due, today))
    }
}

/// The steps of an application after «Хочу внедрить».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// R-1 → R-2: the Модератор АСИ assigns an implementation moderator.
    Assign,
    /// R-2 → R-3: the implementation moderator reached the recipient.
    Contact,
    /// A call or message the recipient left unanswered (§5.3.3).
    NoAnswer,
    /// A roadmap or other document; the Модератор АСИ, having checked it is
    /// there, moves the application to R-4 (§5.3.1.4).
    UploadRoadmap,
    /// The result form, the official letter and the materials (§5.3.1.5).
    Report,
    /// The implementation moderator checked the report; then the Модератор
    /// АСИ moves the application to R-5 (§5.3.1.6).
    Complete,
    /// the recipient gives up (§5.3.4).
    Decline,
    /// the Agency refuses for a reason of §5.3.3 or §5.1.1.
    Refuse,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Self::Assign,
        Self::Contact,
        Self::NoAnswer,
        Self::UploadRoadmap,
        Self::Report,
        Self::Complete,
        Self::Decline,
        Self::Refuse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Assign => "assign",
            Self::Contact => "contact",
            Self::NoAnswer => "no-answer",
            Self::UploadRoadmap => "upload-roadmap",
            Self::Report => "report",
            Self::Complete => "complete",
            Self::Decline => "decline",
            Self::Refuse => "refuse",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Assign => "Назначить модератора внедрения",
            Self::Contact => "Связь с реципиентом установлена",
            Self::NoAnswer => "Реципиент не ответил на звонок или сообщение",
            Self::UploadRoadmap => "Загрузить дорожную карту",
            Self::Report => "Отчёт о внедрении: форма результата и письмо",
            Self::Complete => "Внедрение завершено",
            Self::Decline => "Отказ реципиента",
            Self::Refuse => "Отказ Агентства",
        }
    }
}

/// The grounds on which the Agency refuses (§5.3.3; §5.1.1 for the
/// profile).
pub const REFUSALS: [(&str, &str); 4] = [
    (
        "no-authority",
        "отсутствие у реципиента полномочий для внедрения (п. 5.3.3, п. 3.1.1)",
    ),
    (
        "contacts",
        "отсутствие или неверно предоставленные контактные данные реципиента (п. 5.3.3)",
    ),
    (
        "ignored",
        "игнорирование звонков и сообщений модератора внедрения в течение месяца (п. 5.3.3)",
    ),
    (
        "profile",
        "профиль реципиента заполнен не полностью или не соответствует требованиям (п. 5.1.1)",
    ),
];

pub fn refusal_name(code: &str) -> Option<&'static str> {
    REFUSALS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// What a step carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pub comment: String,
    /// The implementation moderator to assign.
    pub to: Option<User>,
    pub documents: Vec<Document>,
    pub reason: Option<String>,
    pub report: Option<ResultForm>,
}

/// A step as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub action: Action,
    pub from: ReplicationStatus,
    pub to: ReplicationStatus,
    pub comment: String,
    pub documents: Vec<Document>,
}

fn is_recipient_of(actor: &User, app: &Application) -> bool {
    actor.id == app.recipient
}

fn is_moderator_of(actor: &User, app: &Application) -> bool {
    app.moderator == Some(actor.id) && actor.has_role(Role::ImplementationModerator)
}

fn is_asi(actor: &User) -> bool {
    actor.has_role(Role::AsiModerator)
}

/// Who takes a step: the recipient, the assigned implementation
/// moderator, the Модератор АСИ.
#[derive(Clone, Copy)]
enum Who {
    Asi,
    ModeratorOrAsi,
    Anyone,
    RecipientOrModerator,
}

/// Whether `actor` may take `action` on the application now, and if not,
/// why (in Russian). Documents and arguments are checked by [`apply`].
pub fn check(actor: &User, app: &Application, action: Action) -> Result<(), String> {
    use ReplicationStatus as S;
    const OPEN: &[S] = &[
        S::Applied,
        S::ModeratorAssigned,
        S::Contacted,
        S::Implementing,
    ];
    if actor.disabled {
        return Err("Учётная запись отключена.".to_owned());
    }
    if app.status.is_terminal() {
        return Err(format!(
            "Заявка закрыта: «{}». Новые шаги по ней невозможны.",
            app.status.name()
        ));
    }
    let (stages, who): (&[S], Who) = match action {
        Action::Assign => (&[S::Applied, S::ModeratorAssigned], Who::Asi),
        Action::Contact | Action::NoAnswer => (
            &[S::ModeratorAssigned, S::Contacted, S::Implementing],
            Who::ModeratorOrAsi,
        ),
        Action::UploadRoadmap => (&[S::Contacted], Who::Anyone),
        Action::Report => (&[S::Implementing], Who::RecipientOrModerator),
        Action::Complete => (&[S::Implementing], Who::ModeratorOrAsi),
        Action::Decline => (OPEN, Who::RecipientOrModerator),
        Action::Refuse => (OPEN, Who::ModeratorOrAsi),
    };
    if !stages.contains(&app.status) {
        return Err(format!(
            "В статусе «{}» это действие недоступно.",
            app.status.name()
        ));
    }
    let recipient = is_recipient_of(actor, app);
    let moderator = is_moderator_of(actor, app);
    let asi = is_asi(actor);
    let allowed = match who {
        Who::Asi => asi,
        Who::ModeratorOrAsi => moderator || asi,
        Who::Anyone => recipient || moderator || asi,
        Who::RecipientOrModerator => recipient || moderator,
    };
    if allowed {
        return Ok(());
    }
    Err(match who {
        Who::Asi => "Это действие выполняет модератор АСИ (п. 5.3.1.3).".to_owned(),
        Who::RecipientOrModerator => {
            "Это делает реципиент, подавший заявку, или назначенный на неё модератор внедрения."
                .to_owned()
        }
        _ if actor.has_role(Role::ImplementationModerator) => {
            "Заявка распределена другому модератору внедрения.".to_owned()
        }
        _ => "Это делает модератор внедрения, назначенный на заявку, или модератор АСИ.".to_owned(),
    })
}

/// Applies a step: checks it, then returns the application as it becomes
/// and the step for the audit trail.
pub fn apply(
    actor: &User,
    app: &Application,
    action: Action,
    args: &Args,
    now: DateTime<Utc>,
) -> Result<(Application, Step), Vec<String>> {
    use ReplicationStatus as S;
    check(actor, app, action).map_err(|e| vec![e])?;
    let mut next = app.clone();
    next.documents.extend(args.documents.iter().cloned());
    let asi = is_asi(actor);
    let to = match action {
        Action::Assign => {
            let Some(m) = &args.to else {
                return Err(vec!["Укажите модератора внедрения.".to_owned()]);
            };
            if !m.has_role(Role::ImplementationModerator) || m.disabled {
                return Err(vec![format!(
                    "У пользователя «{}» нет роли «Модератор внедрения».",
                    m.login
                )]);
            }
            next.moderator = Some(m.id);
            next.assigned = Some(now);
            S::ModeratorAssigned
        }
        Action::Contact => {
            next.contacted = Some(now);
            next.unanswered.clear();
            if app.status == S::ModeratorAssigned {
                S::Contacted
            } else {
                app.status
            }
        }
        Action::NoAnswer => {
            next.unanswered.push(now);
            app.status
        }
        Action::UploadRoadmap => {
            if !next.has(DocumentKind::Roadmap) {
                return Err(vec![
                    "Приложите дорожную карту или иной документ о внедрении.".to_owned(),
                ]);
            }
            // The Модератор АСИ checks that it is there and moves it on.
            if asi { S::Implementing } else { app.status }
        }
        Action::Report => {
            let mut problems = Vec::new();
            match &args.report {
                Some(r) => problems.extend(r.problems()),
                None => problems.push(
                    "заполните форму результата: сроки, адаптация, первичные результаты, ожидаемые эффекты"
                        .to_owned(),
                ),
            }
            if !next.has(DocumentKind::OfficialLetter) {
                problems.push(
                    "приложите письмо за подписью руководителя исполнительного органа (п. 5.3.1.5)"
                        .to_owned(),
                );
            }
            if !next.has(DocumentKind::Materials) {
                problems.push(
                    "приложите материалы о реализации и разработанные документы (п. 5.3.1.5)"
                        .to_owned(),
                );
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            next.report.clone_from(&args.report);
            next.checked = None;
            app.status
        }
        Action::Complete => {
            if app.report.is_none() {
                return Err(vec![
                    "Отчёт о внедрении ещё не представлен: форма результата, письмо и материалы."
                        .to_owned(),
                ]);
            }
            if is_moderator_of(actor, app) && app.checked.is_none() {
                next.checked = Some(now);
                app.status
            } else if asi {
                if app.checked.is_none() {
                    return Err(vec![
                        "Модератор внедрения ещё не проверил форму результата, письмо и материалы (п. 5.3.1.6)."
                            .to_owned(),
                    ]);
                }
                next.closed = Some(now);
                S::Implemented
            } else {
                return Err(vec![
                    "Отчёт уже проверен: статус «Внедрено» присваивает модератор АСИ.".to_owned(),
                ]);
            }
        }
        Action::Decline => {
            if args.comment.trim().is_empty() {
                return Err(vec!["Укажите причину отказа реципиента.".to_owned()]);
            }
            next.closed = Some(now);
            args.comment.trim().clone_into(&mut next.outcome);
            S::DeclinedByRecipient
        }
        Action::Refuse => {
            let Some(code) = args.reason.as_deref() else {
                return Err(vec![format!(
                    "Укажите основание отказа: {}.",
                    REFUSALS.map(|(c, _)| c).join(", ")
                )]);
            };
            let Some(name) = refusal_name(code) else {
                return Err(vec![format!(
                    "Нет основания «{code}»; допустимы: {}.",
                    REFUSALS.map(|(c, _)| c).join(", ")
                )]);
            };
            if code == "ignored" {
                let since = app.unanswered.first().copied();
                let month = since.and_then(|s| s.checked_add_months(Months::new(1)));
                if month.is_none_or(|m| m > now) {
                    return Err(vec![match since {
                        Some(s) => format!(
                            "Звонки и сообщения не отвечены с {}: месяц ещё не прошёл (п. 5.3.3).",
                            s.format("%d.%m.%Y")
                        ),
                        None => "Неотвеченные звонки и сообщения не отмечены (no-answer): основание «месяц без ответа» не подтверждено.".to_owned(),
                    }]);
                }
            }
            next.closed = Some(now);
            next.outcome = if args.comment.trim().is_empty() {
                name.to_owned()
            } else {
                format!("{name}: {}", args.comment.trim())
            };
            S::RefusedByAgency
        }
    };
    next.status = to;
    next.revision += 1;
    next.updated = now;
    Ok((
        next,
        Step {
            action,
            from: app.status,
            to,
            comment: args.comment.clone(),
            documents: args.documents.clone(),
        },
    ))
}

/// §5.3.5 and §4.6.1: a published practice no region applied for in the
/// year is a candidate to actualise or to move to the knowledge base.
pub fn archive_candidate(p: &Practice, applied_in_year: bool) -> bool {
    p.status == PracticeStatus::Published && !applied_in_year
}

/// Who may read an application: the Агентство's moderators, its
/// implementation moderator, the recipient, the region's recipients and
/// coordinator, and the practice's author and team.
pub fn can_read(reader: &User, app: &Application, practice: Option<&Practice>) -> bool {
    if reader.has_role(Role::AsiModerator) || app.moderator == Some(reader.id) {
        return true;
    }
    if app.recipient == reader.id
        || reader
            .regions_for(Role::Recipient)
            .contains(&app.region.as_str())
        || reader
            .regions_for(Role::Coordinator)
            .contains(&app.region.as_str())
    {
        return true;
    }
    practice.is_some_and(|p| {
        p.author == reader.id
            || p.passport
                .team
                .iter()
                .any(|m| matches!(m.member, super::passport::Member::User(u) if u == reader.id))
    })
}

#[cfg(test)]
mod tests;
