//! The one command path: every change to a practice — a key in the TUI, a
//! CLI call, later an op from a client — is a [`Command`] applied by
//! [`apply`], which checks the actor's role and scope and the rules and
//! returns the new records or every reason for refusing, in Russian.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::eligibility::{Leader, own_initiative};
use super::passport::{
    CRITERIA, Field, MaterialKind, Member, Passport, Route, TeamMember, changed_fields,
};
use super::refdata::RefData;
use super::rules::{self, Severity};
use super::status::PracticeStatus;
use super::user::{Profile, Role, User, UserId};
use super::workflow::{self, Action, Args, Audience, Transition};
use super::{Practice, PracticeId};

/// A saved state of a passport: who, when, which fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub practice: PracticeId,
    pub number: u32,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub fields: Vec<Field>,
    pub passport: Passport,
}

#[derive(Debug, Clone)]
pub enum Command {
    /// A new passport (W-0).
    Create { id: PracticeId, passport: Passport },
    /// The passport as it should now be.
    Edit { id: PracticeId, passport: Passport },
    /// W-0 → W-1 (or W-2 on the simplified route of §3.2.4).
    Submit { id: PracticeId },
    /// A step of the validation workflow (SPEC §4).
    Act {
        id: PracticeId,
        action: Action,
        args: Box<Args>,
    },
}

impl Command {
    /// Sending a passport on from the editor: a draft is submitted, a
    /// practice returned for revision resubmitted, an actualisation
    /// completed.
    pub fn send_on(p: &Practice) -> Self {
        let action = if p.workflow.returned.is_some() {
            Action::Resubmit
        } else if p.status == PracticeStatus::Actualisation {
            Action::Actualise
        } else {
            return Self::Submit { id: p.id };
        };
        Self::Act {
            id: p.id,
            action,
            args: Box::default(),
        }
    }

    /// The practice the command is about.
    pub fn target(&self) -> PracticeId {
        match self {
            Self::Create { id, .. }
            | Self::Edit { id, .. }
            | Self::Submit { id }
            | Self::Act { id, .. } => *id,
        }
    }
}

/// What the rules need beyond the actor and the practice.
pub struct Context<'a> {
    pub refdata: &'a RefData,
    pub now: DateTime<Utc>,
    pub profile: &'a dyn Fn(UserId) -> Option<Profile>,
    /// The leader lists of §3.1.1, all years.
    pub leaders: &'a [Leader],
    /// The production calendar, for deadlines in working days.
    pub calendar: &'a Calendar,
    /// The experts of a category pool.
    pub pool: &'a dyn Fn(&str) -> Vec<User>,
    /// The latest application to replicate a practice.
    pub last_application: &'a dyn Fn(PracticeId) -> Option<DateTime<Utc>>,
    /// Whether a partner's recommendation of the practice is recorded
    /// (§3.2.2): the route «по рекомендации» names its partner.
    pub recommended: &'a dyn Fn(PracticeId) -> bool,
}

impl Context<'_> {
    fn workflow(&self) -> workflow::Context<'_> {
        workflow::Context {
            refdata: self.refdata,
            calendar: self.calendar,
            now: self.now,
            pool: self.pool,
            profile: self.profile,
            last_application: self.last_application,
        }
    }
}

/// The records a command produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub practice: Practice,
    /// A new revision when the passport changed.
    pub revision: Option<Revision>,
    /// A stable ASCII word for the audit trail.
    pub action: &'static str,
    /// A Russian summary for the audit trail.
    pub summary: String,
    /// The workflow step, for the audit trail.
    pub transition: Option<Transition>,
    /// Who should find the step in their inbox.
    pub notify: Vec<Audience>,
}

/// Every reason a command is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reasons: Vec<String>,
}

impl Refusal {
    fn one(reason: impl Into<String>) -> Self {
        Self {
            reasons: vec![reason.into()],
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "— {r}")?;
        }
        Ok(())
    }
}

/// The region in which the actor may author practices (§4.1.3: access to
/// the passport is granted by the Модератор АСИ to a verified user).
fn author_region(actor: &User) -> Result<&str, Refusal> {
    if actor.disabled {
        return Err(Refusal::one("Учётная запись отключена."));
    }
    actor
        .regions_for(Role::Author)
        .into_iter()
        .next()
        .ok_or_else(|| {
            Refusal::one(
                "У вас нет доступа к заполнению паспорта практики: его предоставляет модератор АСИ после подтверждения региональным координатором (п. 4.1.3).",
            )
        })
}

fn region_mismatch(p: &Passport, region: &str, refdata: &RefData) -> Option<String> {
    match p.regions.author.as_deref() {
        Some(r) if r != region => Some(format!(
            "Регион-автор «{}» не совпадает с вашим регионом «{}»: автор подаёт практики своего региона.",
            refdata.region_name(r),
            refdata.region_name(region)
        )),
        _ => None,
    }
}

/// P-11's author region is set at creation from the author's region and is
/// not the passport's to change: an edit that leaves it empty keeps it (a
/// client may not send it at all), one that names another region is
/// refused. Only a practice that has none yet may get one by an edit.
fn keep_author_region(
    next: &mut Passport,
    current: &Passport,
    refdata: &RefData,
) -> Result<(), Refusal> {
    let Some(kept) = current.regions.author.as_deref() else {
        return Ok(());
    };
    match next.regions.author.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() && r != kept => Err(Refusal::one(format!(
            "Регион-автор «{}» не меняется: он задан при создании практики по региону автора («{}»).",
            refdata.region_name(r),
            refdata.region_name(kept)
        ))),
        _ => {
            next.regions.author = Some(kept.to_owned());
            Ok(())
        }
    }
}

/// Whether the actor may change the passport now: the author, on a draft,
/// a practice returned for revision, or one opened for actualisation.
pub fn check_editable(actor: &User, p: &Practice) -> Result<(), Refusal> {
    must_be_author(actor, p)?;
    must_be_editable(p)
}

fn must_be_author(actor: &User, p: &Practice) -> Result<(), Refusal> {
    if p.author == actor.id {
        Ok(())
    } else {
        Err(Refusal::one("Это может сделать только автор практики."))
    }
}

fn must_be_draft(p: &Practice) -> Result<(), Refusal> {
    if p.status == PracticeStatus::Draft {
        Ok(())
    } else if p.workflow.returned.is_some() {
        Err(Refusal::one(
            "Практика на доработке: после правок отправьте её действием «Отправить после доработки».",
        ))
    } else {
        Err(Refusal::one(format!(
            "Практика в статусе «{}»: подать можно только черновик.",
            p.status.name()
        )))
    }
}

fn must_be_editable(p: &Practice) -> Result<(), Refusal> {
    if p.status == PracticeStatus::Draft
        || p.status == PracticeStatus::Actualisation
        || (p.workflow.returned.is_some() && !p.status.is_terminal())
    {
        Ok(())
    } else {
        Err(Refusal::one(format!(
            "Практика в статусе «{}»: паспорт меняется в черновике, на доработке и на актуализации.",
            p.status.name()
        )))
    }
}

/// Applies a command for an actor to the current state of the practice.
pub fn apply(
    actor: &User,
    current: Option<&Practice>,
    cmd: Command,
    cx: &Context<'_>,
) -> Result<Outcome, Refusal> {
    match cmd {
        Command::Create { id, mut passport } => {
            if current.is_some() {
                return Err(Refusal::one("Практика с таким идентификатором уже есть."));
            }
            let region = author_region(actor)?;
            if let Some(r) = region_mismatch(&passport, region, cx.refdata) {
                return Err(Refusal::one(r));
            }
            if passport.level.is_some() {
                return Err(Refusal::one(
                    "Уровень практики устанавливает эксперт-модератор (п. 2.1.6).",
                ));
            }
            passport.regions.author = Some(region.to_owned());
            if !passport
                .team
                .iter()
                .any(|m| m.member == Member::User(actor.id))
            {
                passport.team.insert(
                    0,
                    TeamMember {
                        member: Member::User(actor.id),
                        mentor: false,
                    },
                );
            }
            let fields = changed_fields(&Passport::default(), &passport);
            let practice = Practice {
                id,
                status: PracticeStatus::Draft,
                author: actor.id,
                passport: passport.clone(),
                revision: 1,
                created: cx.now,
                updated: cx.now,
                published: None,
                workflow: workflow::Workflow {
                    since: Some(cx.now),
                    ..workflow::Workflow::default()
                },
            };
            Ok(Outcome {
                revision: Some(Revision {
                    practice: id,
                    number: 1,
                    at: cx.now,
                    by: actor.id,
                    fields,
                    passport,
                }),
                summary: format!("Создан паспорт «{}»", practice.passport.title),
                practice,
                action: "practice.create",
                transition: None,
                notify: Vec::new(),
            })
        }
        Command::Edit { id, mut passport } => {
            let p = current.ok_or_else(|| Refusal::one(format!("Практика {id} не найдена.")))?;
            must_be_author(actor, p)?;
            must_be_editable(p)?;
            let region = author_region(actor)?;
            keep_author_region(&mut passport, &p.passport, cx.refdata)?;
            if let Some(r) = region_mismatch(&passport, region, cx.refdata) {
                return Err(Refusal::one(r));
            }
            if passport.level != p.passport.level {
                return Err(Refusal::one(
                    "Уровень практики устанавливает эксперт-модератор (п. 2.1.6).",
                ));
            }
            let fields = changed_fields(&p.passport, &passport);
            if p.status == PracticeStatus::Actualisation && !fields.is_empty() {
                // The passport stays in the catalogue while it is
                // actualised: every change keeps the fields it touches
                // within the rules (`actualise` checks them all).
                let rcx = crate::domain::rules::Context {
                    refdata: cx.refdata,
                    year: chrono::Datelike::year(&cx.now),
                    level_required: false,
                    profile: cx.profile,
                };
                let problems = crate::domain::rules::field_problems(&passport, &fields, &rcx);
                if !problems.is_empty() {
                    let mut reasons = vec![
                        "Опубликованный паспорт не сохранён: он должен отвечать требованиям (п. 2.1.5, прил. 2)."
                            .to_owned(),
                    ];
                    reasons.extend(problems);
                    return Err(Refusal { reasons });
                }
            }
            let mut next = p.clone();
            if fields.is_empty() {
                return Ok(Outcome {
                    practice: next,
                    revision: None,
                    action: "practice.edit",
                    summary: "Изменений нет".to_owned(),
                    transition: None,
                    notify: Vec::new(),
                });
            }
            next.passport = passport.clone();
            next.revision += 1;
            next.updated = cx.now;
            let labels = change_labels(&p.passport, &passport, &fields);
            Ok(Outcome {
                revision: Some(Revision {
                    practice: id,
                    number: next.revision,
                    at: cx.now,
                    by: actor.id,
                    fields,
                    passport,
                }),
                summary: format!("{EDITED}{}", labels.join(", ")),
                practice: next,
                action: "practice.edit",
                transition: None,
                notify: Vec::new(),
            })
        }
        Command::Submit { id } => {
            let p = current.ok_or_else(|| Refusal::one(format!("Практика {id} не найдена.")))?;
            must_be_author(actor, p)?;
            must_be_draft(p)?;
            let reasons = submission_problems(actor, p, cx);
            if !reasons.is_empty() {
                return Err(Refusal { reasons });
            }
            let mut next = p.clone();
            // §4.1.8: every practice passes the three stages, the region's
            // confirmation first; the recommended route (§3.2.4, §4.3.2) is
            // spared only the expert review.
            next.status = PracticeStatus::RegionConfirmation;
            next.updated = cx.now;
            next.workflow.since = Some(cx.now);
            let notify = vec![Audience::Role {
                role: Role::Coordinator,
                region: p.region().map(str::to_owned),
                category: None,
            }];
            Ok(Outcome {
                summary: format!(
                    "Практика подана: «{}» → «{}»",
                    PracticeStatus::Draft.name(),
                    next.status.name()
                ),
                transition: Some(Transition {
                    action: Action::Submit,
                    from: PracticeStatus::Draft,
                    to: next.status,
                    comment: String::new(),
                    documents: Vec::new(),
                    revision: next.revision,
                    deadline: None,
                }),
                notify,
                practice: next,
                revision: None,
                action: "submit",
            })
        }
        Command::Act { id, action, args } => {
            let p = current.ok_or_else(|| Refusal::one(format!("Практика {id} не найдена.")))?;
            if action == Action::Submit {
                return apply(actor, current, Command::Submit { id }, cx);
            }
            if action == Action::Resubmit {
                workflow::check(actor, p, action).map_err(Refusal::one)?;
                let reasons = submission_problems(actor, p, cx);
                if !reasons.is_empty() {
                    return Err(Refusal { reasons });
                }
            }
            let step =
                workflow::apply(actor, p, action, &args, &cx.workflow()).map_err(Refusal::one)?;
            let revision = step.passport_changed.then(|| Revision {
                practice: id,
                number: step.practice.revision,
                at: cx.now,
                by: actor.id,
                fields: changed_fields(&p.passport, &step.practice.passport),
                passport: step.practice.passport.clone(),
            });
            Ok(Outcome {
                practice: step.practice,
                revision,
                action: action.code(),
                summary: step.summary,
                transition: Some(step.transition),
                notify: step.notify,
            })
        }
    }
}

/// What the actor may do with a practice now: every action of their roles,
/// allowed or with the reason it is not. Submission also runs the passport
/// checks.
pub fn actions(actor: &User, p: &Practice, cx: &Context<'_>) -> Vec<(Action, Result<(), String>)> {
    let mut out = workflow::available(actor, p);
    for (a, r) in &mut out {
        if matches!(a, Action::Submit | Action::Resubmit) && r.is_ok() {
            let problems = submission_problems(actor, p, cx);
            if !problems.is_empty() {
                *r = Err(problems.join(" "));
            }
        }
    }
    out
}

/// Every reason the practice cannot be submitted now (§2.1.5, §3, §4.1.3).
pub fn submission_problems(actor: &User, p: &Practice, cx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let pp = &p.passport;
    if !actor.has_consent(crate::domain::user::ConsentKind::Consulting) {
        out.push(
            "Нет согласия на оказание консультационной помощи при тиражировании практики (п. 4.1.7): дайте его командой smarteka consent give consulting или в профиле (клавиша p).".to_owned(),
        );
    }
    let region = match author_region(actor) {
        Ok(r) => Some(r),
        Err(e) => {
            out.extend(e.reasons);
            None
        }
    };
    if let Some(r) = region
        && let Some(m) = region_mismatch(pp, r, cx.refdata)
    {
        out.push(m);
    }
    let rcx = rules::Context {
        refdata: cx.refdata,
        year: cx.now.year(),
        level_required: false,
        profile: cx.profile,
    };
    for f in rules::validate(pp, &rcx) {
        if f.severity == Severity::Error {
            out.push(format!(
                "{} {}: {}",
                f.field.id(),
                f.field.label(),
                f.message
            ));
        }
    }
    match pp.route {
        Some(Route::OwnInitiative) => {
            if let Some(r) = pp.regions.author.as_deref()
                && let Err(e) = own_initiative(r, cx.leaders, cx.refdata)
            {
                out.push(e);
            }
        }
        Some(Route::Recommendation) => {
            if !pp
                .materials
                .iter()
                .any(|m| m.kind == MaterialKind::Recommendation)
            {
                out.push(
                    "Для подачи по рекомендации комиссии Госсовета или федерального органа приложите письмо-рекомендацию (п. 3.2.4)."
                        .to_owned(),
                );
            }
            if !(cx.recommended)(p.id) {
                out.push(format!(
                    "Укажите партнёра, рекомендовавшего практику (п. 3.2.2): smarteka partner recommend ПАРТНЁР {}.",
                    p.id
                ));
            }
        }
        _ => {}
    }
    let unconfirmed: Vec<&str> = CRITERIA
        .iter()
        .zip(pp.criteria_confirmed)
        .filter(|(_, ok)| !ok)
        .map(|(c, _)| *c)
        .collect();
    if !unconfirmed.is_empty() {
        out.push(format!(
            "Подтвердите соответствие критериям п. 2.1.5: {}.",
            unconfirmed.join("; ")
        ));
    }
    out
}

/// How the summary of an edit begins; the changed fields follow, by commas.
pub const EDITED: &str = "Изменено: ";

/// The changed fields as the history names them. The §2.1.5 criteria are
/// kept with P-24 but are the author's confirmation, not the route: named
/// by their clause.
fn change_labels(a: &Passport, b: &Passport, fields: &[Field]) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        if *f == Field::P24 {
            if a.route != b.route {
                out.push(f.id());
            }
            if a.criteria_confirmed != b.criteria_confirmed {
                out.push("критерии п. 2.1.5".to_owned());
            }
        } else {
            out.push(f.id());
        }
    }
    out
}

#[cfg(test)]
mod tests;
