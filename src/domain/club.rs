//! Sessions of the Клуб стратегических инициатив (§1.8, §4.4.9): the
//! Agency's division puts before the Club the practices gathered by its
//! request (§3.3); the participants — leader regions of the ratings,
//! regions of the State Council commission, the Agency's divisions, public
//! representatives — recommend each for publication or do not admit it,
//! with the argument; the protocol records it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::passport::{Practice, PracticeId, Route};
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

pub type ClubSessionId = Uuid;

/// Who takes part in a session (§4.4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    LeaderRegion,
    CommissionRegion,
    AgencyDivision,
    PublicRepresentative,
}

impl ParticipantKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::LeaderRegion => "регион-лидер рейтинга",
            Self::CommissionRegion => "регион профильной комиссии Госсовета",
            Self::AgencyDivision => "подразделение Агентства",
            Self::PublicRepresentative => "общественный представитель Агентства",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub kind: ParticipantKind,
    pub name: String,
}

/// The Club's word on one practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// «рекомендована» к публикации, or «не допущена».
    pub recommended: bool,
    pub argument: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub practice: PracticeId,
    #[serde(default)]
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClubSession {
    pub id: ClubSessionId,
    pub date: NaiveDate,
    /// The rating (or its direction) the practices are reviewed for.
    pub rating: String,
    pub participants: Vec<Participant>,
    pub items: Vec<Item>,
    pub organised_by: UserId,
}

/// Who organises sessions and records their decisions: the Agency.
pub fn may_run(user: &User) -> bool {
    user.has_role(Role::AsiModerator)
}

/// What is wrong with a session as planned, in Russian; `practices` are
/// those put before it, as found.
pub fn check(s: &ClubSession, practices: &[&Practice]) -> Vec<String> {
    let mut out = Vec::new();
    if s.rating.trim().is_empty() {
        out.push(
            "Не указан рейтинг (направление), в рамках которого рассматриваются практики."
                .to_owned(),
        );
    }
    if s.participants.is_empty() {
        out.push("Нет участников заседания (§4.4.9).".to_owned());
    }
    if s.items.is_empty() {
        out.push("Не выбрано ни одной практики для рассмотрения.".to_owned());
    }
    for p in practices {
        if p.passport.route != Some(Route::AgencyRequest) {
            out.push(format!(
                "«{}»: Клуб рассматривает практики, полученные по запросу Агентства (§3.3, §4.4.9).",
                p.passport.title
            ));
        }
    }
    out
}

/// Why the decision on `practice` may not be recorded on `today`; empty
/// when it may.
pub fn check_decision(
    s: &ClubSession,
    practice: PracticeId,
    recommended: bool,
    argument: &str,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if !s.items.iter().any(|i| i.practice == practice) {
        out.push("Эта практика не выносилась на заседание.".to_owned());
    }
    if today < s.date {
        out.push(format!(
            "Заседание назначено на {}: решение записывают после него.",
            s.date.format("%d.%m.%Y")
        ));
    }
    if !recommended && argument.trim().is_empty() {
        out.push("Недопуск практики записывается с аргументами (§4.4.9).".to_owned());
    }
    out
}

/// Where a practice the Club recommended goes (§4.4.9): gathered by the
/// Agency's request and sent by its region, it moves on from the region's
/// confirmation to packaging, as the region's confirmation would move it;
/// those who take it there hear of it.
/// `None` where it stays: a draft its author has not sent yet, or a
/// practice already past that stage.
pub fn admitted(
    s: &ClubSession,
    p: &Practice,
    now: DateTime<Utc>,
) -> Option<(
    Practice,
    super::workflow::Transition,
    Vec<super::workflow::Audience>,
)> {
    let recommended = s
        .items
        .iter()
        .any(|i| i.practice == p.id && i.decision.as_ref().is_some_and(|d| d.recommended));
    if !recommended || p.status != PracticeStatus::RegionConfirmation {
        return None;
    }
    let mut next = p.clone();
    next.status = PracticeStatus::Packaging;
    next.updated = now;
    next.workflow.since = Some(now);
    let transition = super::workflow::Transition {
        action: super::workflow::Action::Confirm,
        from: p.status,
        to: next.status,
        comment: format!(
            "Рекомендована к публикации Клубом стратегических инициатив (заседание {}, п. 4.4.9)",
            s.date.format("%d.%m.%Y")
        ),
        documents: Vec::new(),
        revision: p.revision,
        deadline: None,
    };
    // Who takes a practice in packaging: its category's expert-moderators
    // and the Модератор АСИ, who assigns one.
    let hear = vec![
        super::workflow::Audience::Role {
            role: Role::ExpertModerator,
            region: None,
            category: p.passport.category_code().map(str::to_owned),
        },
        super::workflow::Audience::Role {
            role: Role::AsiModerator,
            region: None,
            category: None,
        },
    ];
    Some((next, transition, hear))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> ClubSession {
        ClubSession {
            id: Uuid::now_v7(),
            date: NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"),
            rating: "Рейтинг инвестиционной привлекательности".into(),
            participants: vec![Participant {
                kind: ParticipantKind::LeaderRegion,
                name: "Республика Татарстан".into(),
            }],
            items: vec![Item {
                practice: Uuid::nil(),
                decision: None,
            }],
            organised_by: Uuid::nil(),
        }
    }

    #[test]
    fn a_practice_is_refused_with_arguments_and_after_the_session() {
        let s = session();
        let day = s.date;
        assert!(check_decision(&s, Uuid::nil(), true, "", day).is_empty());
        let why = check_decision(&s, Uuid::nil(), false, " ", day);
        assert!(why[0].contains("с аргументами"), "{why:?}");
        let why = check_decision(&s, Uuid::nil(), true, "", day.pred_opt().expect("day"));
        assert!(why[0].contains("после него"), "{why:?}");
        let why = check_decision(&s, Uuid::now_v7(), true, "", day);
        assert!(why[0].contains("не выносилась"), "{why:?}");
    }

    #[test]
    fn the_club_reviews_practices_gathered_by_the_agencys_request() {
        let mut s = session();
        let mut p = Practice {
            id: Uuid::nil(),
            status: crate::domain::PracticeStatus::RegionConfirmation,
            author: Uuid::nil(),
            passport: crate::domain::Passport {
                title: "Инвестиционный стандарт".into(),
                route: Some(Route::OwnInitiative),
                ..crate::domain::Passport::default()
            },
            revision: 1,
            created: Utc::now(),
            updated: Utc::now(),
            published: None,
            workflow: crate::domain::workflow::Workflow::default(),
        };
        assert!(check(&s, &[&p])[0].contains("по запросу Агентства"));
        p.passport.route = Some(Route::AgencyRequest);
        assert!(check(&s, &[&p]).is_empty());
        s.participants.clear();
        assert!(check(&s, &[&p])[0].contains("Нет участников"));
    }

    #[test]
    fn a_recommended_practice_moves_on_to_packaging_from_the_regions_stage() {
        let mut s = session();
        let now = Utc::now();
        let mut p = Practice {
            id: Uuid::nil(),
            status: PracticeStatus::RegionConfirmation,
            author: Uuid::nil(),
            passport: crate::domain::Passport::default(),
            revision: 3,
            created: now,
            updated: now,
            published: None,
            workflow: crate::domain::workflow::Workflow::default(),
        };
        assert!(admitted(&s, &p, now).is_none(), "no word yet");
        s.items[0].decision = Some(Decision {
            recommended: false,
            argument: "не влияет на показатели рейтинга".into(),
            at: now,
        });
        assert!(admitted(&s, &p, now).is_none(), "not admitted stays");
        s.items[0].decision = Some(Decision {
            recommended: true,
            argument: String::new(),
            at: now,
        });
        let (next, t, _) = admitted(&s, &p, now).expect("moves on");
        assert_eq!(next.status, PracticeStatus::Packaging);
        assert_eq!(
            (t.from, t.to, t.revision),
            (
                PracticeStatus::RegionConfirmation,
                PracticeStatus::Packaging,
                3
            )
        );
        assert!(t.comment.contains("01.04.2026"), "{}", t.comment);
        p.status = PracticeStatus::Draft;
        assert!(
            admitted(&s, &p, now).is_none(),
            "a draft waits for its author"
        );
    }
}
