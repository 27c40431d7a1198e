//! What callers show of practices: catalogue rows, a practice with its
//! people's names, and the passport's fields as text — one rendering for
//! the workstation, the CLI and the revision diff.

use std::fmt::Write as _;

use crate::domain::passport::{CategoryChoice, Field, ImplementationWay, Member, Source};
use crate::domain::refdata::refdata;
use crate::domain::rules::human_size;
use crate::domain::{Practice, PracticeId, User};
use crate::store::{Store, Summary};

/// One catalogue row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: PracticeId,
    pub title: String,
    pub region: String,
    pub category: String,
    pub level: String,
    pub status: String,
    pub year: String,
}

impl Row {
    pub fn of(s: &Summary) -> Self {
        let d = refdata();
        Self {
            id: s.id,
            title: s.title.clone(),
            region: s
                .region
                .as_deref()
                .map(|r| d.region_name(r).to_owned())
                .unwrap_or_default(),
            category: match s.category.as_deref() {
                Some(c) => d.category_name(c).to_owned(),
                None => "Не выбрана".to_owned(),
            },
            level: s.level.map(|l| l.to_string()).unwrap_or_default(),
            status: s.status.name().to_owned(),
            year: s.year.map(|y| y.to_string()).unwrap_or_default(),
        }
    }
}

/// A practice with the names the passport view shows.
#[derive(Debug, Clone)]
pub struct PracticeView {
    pub practice: Practice,
    pub author: String,
    /// (name, mentor) per team member; invitations show the e-mail.
    pub team: Vec<(String, bool)>,
    /// The practice's replications: (region, status) per application.
    pub replications: Vec<(String, crate::domain::ReplicationStatus)>,
    /// Where it stands beyond the passport ([`life_lines`]), where the
    /// caller knows the day.
    pub life: Vec<LifeLine>,
    /// The partner its route names (§3.2, §4.3.4), where known.
    pub route_partner: Option<String>,
}

/// A user's full name, or their login when they have none.
pub fn name_of(store: &Store, id: crate::domain::UserId) -> String {
    match store.user(id) {
        Ok(Some(u)) => u.shown_name().to_owned(),
        _ => "Неизвестный пользователь".to_owned(),
    }
}

/// How a passport names a person: the full name with their consent to its
/// distribution, else «участник команды» (§4.1.2).
pub fn public_name_of(store: &Store, id: crate::domain::UserId) -> String {
    match store.user(id) {
        Ok(Some(u)) => u.public_name().to_owned(),
        _ => "Неизвестный пользователь".to_owned(),
    }
}

/// A practice with its people's names, if `user` may read it.
/// Why a practice cannot be shown or changed yet: a first sync brought its
/// row, and its passport is still on the way.
pub const ROW_ONLY: &str =
    "Паспорт этой практики ещё не получен с сервера: он придёт со следующей синхронизацией.";

pub fn load_view(
    store: &Store,
    id: PracticeId,
    user: Option<&User>,
) -> Result<Box<PracticeView>, String> {
    let p = store
        .practice(id)
        .map_err(|e| e.to_string())?
        .ok_or("Практика не найдена.")?;
    let scope = crate::service::selections::scope_of(store, user).map_err(|e| e.to_string())?;
    if !scope.can_read(&p) {
        return Err("Практика не найдена или недоступна вам.".to_owned());
    }
    if store.is_row_only(id).map_err(|e| e.to_string())? {
        return Err(ROW_ONLY.to_owned());
    }
    Ok(view_of(store, p))
}

/// The practice with its people's names; the caller checked access.
pub fn view_of(store: &Store, p: Practice) -> Box<PracticeView> {
    let team = p
        .passport
        .team
        .iter()
        .map(|m| match &m.member {
            Member::User(u) => (public_name_of(store, *u), m.mentor),
            Member::Invited(email) => (format!("{email} (приглашён)"), m.mentor),
        })
        .collect();
    let rd = crate::domain::refdata::refdata();
    let mut replications: Vec<_> = store
        .applications()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.practice == p.id)
        .map(|a| (rd.region_name(&a.region).to_owned(), a.status))
        .collect();
    replications.sort_by(|a, b| a.0.cmp(&b.0));
    let route_partner =
        crate::service::selections::recommend::route_partner_name(store, &p).unwrap_or_default();
    Box::new(PracticeView {
        route_partner,
        author: public_name_of(store, p.author),
        team,
        replications,
        practice: p,
        life: Vec::new(),
    })
}

pub fn empty(s: &str) -> String {
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
                    crate::domain::russian::plural(u64::from(m), "месяц", "месяца", "месяцев")
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
            Field::P24 => match (p.route, &v.route_partner) {
                (None, _) => "—".to_owned(),
                (Some(r), None) => r.name().to_owned(),
                (Some(r), Some(partner)) => format!("{}\nПартнёр: {partner}", r.name()),
            },
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

/// One line of [`life_lines`]: what, and whether it asks for attention
/// (a term past, points waiting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeLine {
    pub label: String,
    pub text: String,
    pub warn: bool,
}

fn line(label: String, text: String) -> LifeLine {
    LifeLine {
        label,
        text,
        warn: false,
    }
}

/// Where a practice stands beyond its passport, as (label, text) lines for
/// the passport view, `practice show` and the printed passport: the yearly
/// actualisation (§4.5), audits, requests and proposals waiting, points
/// awaiting confirmation, the protocols, and why it was rejected or moved
/// to «База знаний». The public sees when it was published and actualised
/// and why it is in «База знаний»; the rest is for its team, its region's
/// coordinator and the Agency.
pub fn life_lines(
    store: &Store,
    p: &Practice,
    viewer: Option<&User>,
    today: chrono::NaiveDate,
) -> Vec<LifeLine> {
    use crate::domain::PracticeStatus as S;
    let date = |t: chrono::DateTime<chrono::Utc>| t.format("%d.%m.%Y").to_string();
    let wf = &p.workflow;
    let insider = crate::domain::access::sees_workflow(viewer, p);
    let mut out = Vec::new();
    if let Some(t) = p.published {
        out.push(line("Опубликована".to_owned(), date(t)));
    }
    if let (false, Some(t)) = (insider, wf.actualised) {
        out.push(line("Последняя актуализация".to_owned(), date(t)));
    }
    if p.status == S::Archived
        && let Some(reason) = &wf.reason
    {
        out.push(line(
            "Переведена в «Базу знаний»".to_owned(),
            reason.clone(),
        ));
    }
    if !insider {
        return out;
    }
    if matches!(p.status, S::Published | S::Actualisation) {
        out.push(line(
            "Последняя актуализация".to_owned(),
            wf.actualised.map_or_else(
                || "не проводилась (считается от публикации)".to_owned(),
                date,
            ),
        ));
        if let Some(due) = crate::domain::workflow::actualise_by(p) {
            let mut text = due.format("%d.%m.%Y").to_string();
            let overdue = due < today;
            if overdue {
                text.push_str(" — просрочено (п. 4.5.1)");
            }
            out.push(LifeLine {
                warn: overdue,
                ..line("Актуализировать до".to_owned(), text)
            });
        }
    }
    if let Some(a) = wf.audits.last() {
        let mut text = format!(
            "{} — {}, {}",
            a.result_name(),
            name_of(store, a.by),
            date(a.at)
        );
        if !a.comment.is_empty() {
            let _ = write!(text, ": «{}»", a.comment);
        }
        out.push(line(format!("Аудит {} года", a.year), text));
    }
    if let Some(r) = &wf.edit_request {
        out.push(line(
            "Запрос на редактирование".to_owned(),
            format!("{}, {}: «{}»", name_of(store, r.by), date(r.at), r.comment),
        ));
    }
    if let Some(r) = &wf.archive_proposal {
        let reason = r
            .reason
            .as_deref()
            .and_then(|c| {
                crate::domain::workflow::ARCHIVE_REASONS
                    .iter()
                    .find(|(code, _)| *code == c)
            })
            .map(|(_, n)| format!("{n}. "))
            .unwrap_or_default();
        out.push(line(
            "Предложена архивация".to_owned(),
            format!(
                "{}, {}: {reason}«{}»",
                name_of(store, r.by),
                date(r.at),
                r.comment
            ),
        ));
    }
    if let Some(r) = &wf.revisions {
        out.push(LifeLine {
            warn: true,
            ..line(
                "Доработка по замечаниям экспертов".to_owned(),
                format!(
                    "ждёт подтверждения эксперта-модератора (п. 4.4.8): «{}»",
                    r.comment
                ),
            )
        });
    }
    if let Some(pr) = wf.protocols.last() {
        out.push(line(
            "Экспертная оценка".to_owned(),
            format!(
                "{} {}: {}",
                match pr.kind {
                    crate::domain::workflow::ProtocolKind::Online => "онлайн,",
                    crate::domain::workflow::ProtocolKind::Offline => "очно,",
                },
                date(pr.at),
                pr.decision.name()
            ),
        ));
    }
    if let Some(reason) = &wf.reason {
        match p.status {
            S::Deleted => out.push(line("Удалена".to_owned(), reason.clone())),
            S::Rejected => out.push(line("Причина отказа".to_owned(), reason.clone())),
            _ => {}
        }
    }
    out
}
