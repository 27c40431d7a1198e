//! «Отборы» (§1.8, §3.2.5–3.2.7, §4.3.4): time-limited calls for practices
//! on a theme, ordered by a strategic partner (§2.2.4–2.2.5) — a State
//! Council commission or a federal body — who gives the criteria, the
//! experts and the dates; the Agency runs the selection's page. The rules
//! here: a selection's dates (the request at least two months before
//! applications open), its stages by the day, and who may apply with what.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::passport::{Practice, PracticeId};
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

pub type PartnerId = Uuid;
pub type SelectionId = Uuid;

/// The two kinds of strategic partner (§2.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// Комиссия Государственного Совета Российской Федерации.
    Commission,
    /// Федеральный орган исполнительной власти.
    FederalBody,
}

impl PartnerKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Commission => "комиссия Государственного Совета",
            Self::FederalBody => "федеральный орган исполнительной власти",
        }
    }
}

/// A strategic partner (§2.2.4–2.2.5), with the users who represent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub kind: PartnerKind,
    #[serde(default)]
    pub contacts: String,
    #[serde(default)]
    pub representatives: Vec<UserId>,
}

/// A mandatory requirement of a selection (§3.2.6): met or not, or scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// `None`: a yes/no requirement every application must meet; else the
    /// highest score an expert may give.
    #[serde(default)]
    pub max_score: Option<u8>,
}

/// A selection's dates (§3.2.5: the partner sets them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dates {
    /// When the partner's request reached the Agency.
    pub requested: NaiveDate,
    /// Applications are taken from this day…
    pub opens: NaiveDate,
    /// …through this one.
    pub closes: NaiveDate,
    pub evaluation_ends: NaiveDate,
    pub results: NaiveDate,
}

/// One application: a region's practice put forward, with the experts'
/// scores of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub selection: SelectionId,
    pub practice: PracticeId,
    pub region: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// The yes/no criteria the applicant confirmed.
    #[serde(default)]
    pub confirmed: Vec<String>,
    #[serde(default)]
    pub scores: Vec<Score>,
}

/// A strategic partner's recommendation of a practice for publication
/// (§3.2.1–3.2.4): the commission's (or federal body's) letter to the
/// Agency. The route «по рекомендации» names its partner by it; one per
/// practice, a later one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub practice: PracticeId,
    pub partner: PartnerId,
    /// The letter: its number and date, or the session's protocol.
    pub letter: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// Whether a practice in `status` is out of the running: deleted,
/// rejected or in the knowledge base. It goes forward to no selection and
/// its route no longer changes.
pub fn settled(status: PracticeStatus) -> bool {
    matches!(
        status,
        PracticeStatus::Deleted | PracticeStatus::Rejected | PracticeStatus::Archived
    )
}

/// Why `user` may not record that `partner` recommended `practice`; empty
/// when they may. The practice's author or team names the partner of
/// their route; the Agency, receiving the letter (§3.2.2), may too.
pub fn check_recommendation(
    user: &User,
    practice: &Practice,
    partner: Option<&Partner>,
) -> Vec<String> {
    let mut out = Vec::new();
    if partner.is_none() {
        out.push("Партнёр не найден: список — smarteka partner list.".to_owned());
    }
    if !(may_run(user) || practice.involves(user.id)) {
        out.push(
            "Партнёра, рекомендовавшего практику, указывают её автор, участник команды или Модератор АСИ."
                .to_owned(),
        );
    }
    if practice.passport.route != Some(super::passport::Route::Recommendation) {
        out.push(format!(
            "Партнёра указывают для практик с основанием подачи «{}» (P-24).",
            super::passport::Route::Recommendation.name()
        ));
    }
    if settled(practice.status) {
        out.push(format!(
            "Практика в статусе «{}» не меняется.",
            practice.status.name()
        ));
    }
    out
}

/// The partner a practice's route names: for «по рекомендации», the one
/// that recommended it; for «отбор», the partner of the selection it won,
/// else of the latest it was put forward to. `None` for the other routes
/// or while none is known.
pub fn route_partner(
    p: &Practice,
    recommendation: Option<&Recommendation>,
    selections: &[(&Entry, &Selection)],
) -> Option<PartnerId> {
    use super::passport::Route;
    match p.passport.route? {
        Route::Recommendation => recommendation.map(|r| r.partner),
        Route::Selection => selections
            .iter()
            .filter(|(e, _)| e.practice == p.id)
            .max_by_key(|(e, s)| (s.winners.contains(&p.id), e.at))
            .map(|(_, s)| s.partner),
        _ => None,
    }
}

/// One expert's marks of an application, one per criterion in the
/// selection's order: 1 or 0 for a yes/no criterion, else the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub expert: UserId,
    pub marks: Vec<u8>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub id: SelectionId,
    pub partner: PartnerId,
    pub title: String,
    pub theme: String,
    /// The catalogue's category codes it takes; none: any.
    #[serde(default)]
    pub categories: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub dates: Dates,
    #[serde(default)]
    pub experts: Vec<UserId>,
    /// The regulations document (§3.2.7), by name or address.
    #[serde(default)]
    pub regulations: String,
    /// The winners the partner and the Agency decided on, in order.
    #[serde(default)]
    pub winners: Vec<PracticeId>,
}

/// Where a selection stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    Announced,
    Open,
    Evaluation,
    Results,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Announced => "объявлен",
            Self::Open => "приём заявок",
            Self::Evaluation => "оценка заявок",
            Self::Results => "итоги",
        }
    }
}

/// The latest day a request may reach the Agency for applications to open
/// on `opens`: two months before (§3.2.5, §4.3.4).
pub fn request_due(opens: NaiveDate) -> NaiveDate {
    opens.checked_sub_months(Months::new(2)).unwrap_or(opens)
}

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// What is wrong with a selection as the Agency would publish it, in
/// Russian; empty when nothing is.
pub fn check(s: &Selection) -> Vec<String> {
    let mut out = Vec::new();
    if s.title.trim().is_empty() {
        out.push("Не указано название отбора.".to_owned());
    }
    if s.theme.trim().is_empty() {
        out.push("Не указана тематика отбора.".to_owned());
    }
    if s.criteria.is_empty() {
        out.push("Нет ни одного обязательного критерия (§3.2.6).".to_owned());
    }
    for (i, c) in s.criteria.iter().enumerate() {
        if c.name.trim().is_empty() {
            out.push(format!("Критерий {} без названия.", i + 1));
        } else if s.criteria[..i].iter().any(|o| o.name == c.name) {
            out.push(format!("Критерий «{}» указан дважды.", c.name));
        }
        if c.max_score == Some(0) || c.max_score.is_some_and(|m| m > 100) {
            out.push(format!(
                "Наибольший балл критерия «{}» — от 1 до 100.",
                c.name
            ));
        }
    }
    let d = &s.dates;
    let due = request_due(d.opens);
    if d.requested > due {
        out.push(format!(
            "Запрос партнёра получен {}, а приём заявок начинается {}: запрос направляется не позднее чем за два месяца до старта приёма заявок, то есть не позднее {} (§3.2.5, §4.3.4).",
            day(d.requested),
            day(d.opens),
            day(due)
        ));
    }
    if d.closes < d.opens {
        out.push(format!(
            "Приём заявок заканчивается {} — раньше, чем начинается ({}).",
            day(d.closes),
            day(d.opens)
        ));
    }
    if d.evaluation_ends <= d.closes {
        out.push(format!(
            "Оценка заявок идёт после приёма: приём до {}, а оценка до {} — экспертам не остаётся дней.",
            day(d.closes),
            day(d.evaluation_ends)
        ));
    }
    if d.results <= d.evaluation_ends {
        out.push(format!(
            "Итоги объявляются после оценки: оценка до {}, а итоги {}.",
            day(d.evaluation_ends),
            day(d.results)
        ));
    }
    out
}

impl Selection {
    /// Whether experts score on `today`: from the day after intake closes
    /// through the evaluation's last day.
    pub fn is_scoring(&self, today: NaiveDate) -> bool {
        today > self.dates.closes && today <= self.dates.evaluation_ends
    }

    /// The stage on `today`: applications are taken from the opening day
    /// through the closing day.
    pub fn stage(&self, today: NaiveDate) -> Stage {
        let d = &self.dates;
        if today < d.opens {
            Stage::Announced
        } else if today <= d.closes {
            Stage::Open
        } else if today < d.results {
            Stage::Evaluation
        } else {
            Stage::Results
        }
    }

    /// Days of intake left on `today`, the closing day counted.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        (self.stage(today) == Stage::Open).then(|| (self.dates.closes - today).num_days() + 1)
    }
}

/// Days before intake closes that authors are reminded (§3.2.6: the
/// Agency informs the platform's users of a selection).
pub const CLOSING_NOTICE_DAYS: i64 = 3;

/// Who may create and run selections and partners: the Agency.
pub fn may_run(user: &User) -> bool {
    user.has_role(Role::AsiModerator)
}

/// Whether `user` follows every application to `s`: the Agency, the
/// selection's experts, and the representatives of its `partner`; others
/// see only their own.
pub fn follows(user: &User, s: &Selection, partner: Option<&Partner>) -> bool {
    may_run(user)
        || s.experts.contains(&user.id)
        || (user.has_role(Role::Partner)
            && partner.is_some_and(|p| p.id == s.partner && p.representatives.contains(&user.id)))
}

/// Who applies (§4.3.4): the practice's author or a member of its team.
pub const APPLICANT_ONLY: &str = "Заявку подаёт автор практики или участник её команды.";

/// Why `user` may not put `practice` forward to `s` on `today` with the
/// yes/no criteria `confirmed`; empty when they may. The day is the
/// server's: an application queued offline before the deadline and
/// arriving after it is refused.
pub fn check_entry(
    s: &Selection,
    user: &User,
    practice: &Practice,
    confirmed: &[String],
    already: bool,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    match s.stage(today) {
        Stage::Open => {}
        Stage::Announced => out.push(format!(
            "Приём заявок на отбор «{}» начнётся {}.",
            s.title,
            day(s.dates.opens)
        )),
        Stage::Evaluation | Stage::Results => out.push(format!(
            "Приём заявок на отбор «{}» закончился {}: заявка получена сервером {} и не принята.",
            s.title,
            day(s.dates.closes),
            day(today)
        )),
    }
    if !(practice.involves(user.id) && user.has_role(Role::Author)) {
        out.push(APPLICANT_ONLY.to_owned());
    }
    if settled(practice.status) {
        out.push(format!(
            "Практика в статусе «{}» не участвует в отборах.",
            practice.status.name()
        ));
    }
    if !s.categories.is_empty()
        && !practice
            .passport
            .category_code()
            .is_some_and(|c| s.categories.iter().any(|x| x == c))
    {
        out.push(format!(
            "Категория практики не входит в тематику отбора «{}».",
            s.title
        ));
    }
    if already {
        out.push("Эта практика уже подана на отбор.".to_owned());
    }
    let missing: Vec<&str> = s
        .criteria
        .iter()
        .filter(|c| c.max_score.is_none() && !confirmed.iter().any(|n| n == &c.name))
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(format!(
            "Не подтверждено соответствие обязательным критериям: «{}».",
            missing.join("», «")
        ));
    }
    out
}

/// A winner's passport as it goes on into the catalogue's validation
/// (§4.3.4): its route is the selection. `None` when the practice is past
/// its draft — already on its way, by the route it was sent with.
pub fn winner_passport(p: &Practice) -> Option<super::passport::Passport> {
    (p.status == PracticeStatus::Draft).then(|| {
        let mut pp = p.passport.clone();
        pp.route = Some(super::passport::Route::Selection);
        pp
    })
}

/// Why `expert` may not score `entry` of `s` with `marks` on `today`;
/// empty when they may. Experts score after intake closes, through the
/// evaluation's last day; never their own region's or team's practice.
pub fn check_score(
    s: &Selection,
    expert: &User,
    entry: &Entry,
    on_team: bool,
    marks: &[u8],
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if !s.experts.contains(&expert.id) {
        out.push(format!("Вы не эксперт отбора «{}».", s.title));
        return out;
    }
    if !s.is_scoring(today) {
        out.push(format!(
            "Оценка заявок отбора «{}» идёт с {} по {}.",
            s.title,
            day(s.dates.closes + chrono::Duration::days(1)),
            day(s.dates.evaluation_ends)
        ));
    }
    if on_team || entry.by == expert.id {
        out.push("Практику своей команды эксперт не оценивает (конфликт интересов).".to_owned());
    } else if entry.region.is_some() && entry.region == expert.profile.region {
        out.push("Практику своего региона эксперт не оценивает (конфликт интересов).".to_owned());
    }
    if marks.len() == s.criteria.len() {
        for (c, m) in s.criteria.iter().zip(marks) {
            let max = c.max_score.unwrap_or(1);
            if *m > max {
                out.push(match c.max_score {
                    None => format!("Критерий «{}»: 1 — выполнен, 0 — нет.", c.name),
                    Some(_) => format!("Критерий «{}»: от 0 до {max} баллов.", c.name),
                });
            }
        }
    } else {
        out.push(format!(
            "Оценок {} — нужна одна на каждый из {} критериев.",
            marks.len(),
            s.criteria.len()
        ));
    }
    out
}

/// One place of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub practice: PracticeId,
    pub region: Option<String>,
    /// The mean of the experts' sums of the scored criteria.
    pub mean: f64,
    pub experts: usize,
    /// Every yes/no criterion judged met by most of its experts.
    pub admitted: bool,
    /// The place, and the last place it shares with equal means.
    pub place: (usize, usize),
    /// Why the place is what it is, in Russian.
    pub note: String,
}

/// The ranking of the applications: those admitted (every mandatory
/// criterion met by most experts who scored) by their mean score, equal
/// means sharing their places (a tie is said, not broken); then those not
/// admitted or not scored, with the reason.
pub fn ranking(s: &Selection, entries: &[Entry]) -> Vec<Ranked> {
    let mut rows: Vec<Ranked> = entries
        .iter()
        .map(|e| {
            let n = e.scores.len();
            let sum: u32 = e
                .scores
                .iter()
                .map(|sc| {
                    s.criteria
                        .iter()
                        .zip(&sc.marks)
                        .filter(|(c, _)| c.max_score.is_some())
                        .map(|(_, m)| u32::from(*m))
                        .sum::<u32>()
                })
                .sum();
            let unmet: Vec<&str> = s
                .criteria
                .iter()
                .enumerate()
                .filter(|(_, c)| c.max_score.is_none())
                .filter(|(i, _)| {
                    let yes = e
                        .scores
                        .iter()
                        .filter(|sc| sc.marks.get(*i) == Some(&1))
                        .count();
                    yes * 2 <= n
                })
                .map(|(_, c)| c.name.as_str())
                .collect();
            let admitted = n > 0 && unmet.is_empty();
            let note = if n == 0 {
                "не оценена".to_owned()
            } else if admitted {
                String::new()
            } else {
                format!("не допущена: не выполнено «{}»", unmet.join("», «"))
            };
            Ranked {
                practice: e.practice,
                region: e.region.clone(),
                mean: if n == 0 {
                    0.0
                } else {
                    f64::from(sum) / n as f64
                },
                experts: n,
                admitted,
                place: (0, 0),
                note,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.admitted
            .cmp(&a.admitted)
            .then(b.mean.total_cmp(&a.mean))
            .then(a.practice.cmp(&b.practice))
    });
    let admitted = rows.iter().filter(|r| r.admitted).count();
    let mut i = 0;
    while i < admitted {
        let same = rows[i..admitted]
            .iter()
            .take_while(|r| (r.mean - rows[i].mean).abs() < 1e-9)
            .count();
        for r in &mut rows[i..i + same] {
            r.place = (i + 1, i + same);
            if same > 1 {
                r.note = format!(
                    "места {}–{} поделены: равный средний балл {:.2}",
                    i + 1,
                    i + same,
                    r.mean
                );
            }
        }
        i += same;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn selection() -> Selection {
        Selection {
            id: Uuid::now_v7(),
            partner: Uuid::now_v7(),
            title: "Лучшие практики поддержки семей".into(),
            theme: "Поддержка семей с детьми".into(),
            categories: Vec::new(),
            criteria: vec![
                Criterion {
                    name: "Практика реализуется не менее года".into(),
                    max_score: None,
                },
                Criterion {
                    name: "Охват".into(),
                    max_score: Some(10),
                },
            ],
            dates: Dates {
                requested: d("2027-01-15"),
                opens: d("2027-03-15"),
                closes: d("2027-04-15"),
                evaluation_ends: d("2027-05-15"),
                results: d("2027-05-20"),
            },
            experts: Vec::new(),
            regulations: String::new(),
            winners: Vec::new(),
        }
    }

    #[test]
    fn a_request_comes_two_months_before_intake_opens() {
        let mut s = selection();
        assert!(check(&s).is_empty(), "{:?}", check(&s));
        s.dates.requested = d("2027-01-16");
        let why = check(&s);
        assert_eq!(why.len(), 1);
        assert!(why[0].contains("не позднее 15.01.2027"), "{why:?}");
        assert!(why[0].contains("§3.2.5"), "{why:?}");
        // A month end: two months before 30 April is 28 February.
        assert_eq!(request_due(d("2027-04-30")), d("2027-02-28"));
    }

    #[test]
    fn dates_in_order_and_criteria_named_once() {
        let mut s = selection();
        // No day left for the experts, results on the evaluation's last day.
        s.dates.evaluation_ends = s.dates.closes;
        s.dates.results = s.dates.closes;
        let why = check(&s).join(" ");
        assert!(why.contains("экспертам не остаётся дней"), "{why}");
        assert!(why.contains("Итоги объявляются после оценки"), "{why}");
        let mut s = selection();
        s.dates.closes = d("2027-03-01");
        s.criteria.push(s.criteria[0].clone());
        s.criteria.push(Criterion {
            name: "Баллы".into(),
            max_score: Some(0),
        });
        let why = check(&s).join(" ");
        assert!(why.contains("раньше, чем начинается"), "{why}");
        assert!(why.contains("указан дважды"), "{why}");
        assert!(why.contains("от 1 до 100"), "{why}");
    }

    #[test]
    fn the_ranking_shares_tied_places_and_says_who_was_not_admitted() {
        let s = selection();
        let score = |marks: &[u8]| Score {
            expert: Uuid::now_v7(),
            marks: marks.to_vec(),
            at: Utc::now(),
        };
        let entry = |scores: Vec<Score>| Entry {
            selection: s.id,
            practice: Uuid::now_v7(),
            region: Some("16".into()),
            by: Uuid::now_v7(),
            at: Utc::now(),
            confirmed: Vec::new(),
            scores,
        };
        let top = entry(vec![score(&[1, 9]), score(&[1, 7])]);
        let tie_a = entry(vec![score(&[1, 6]), score(&[1, 6])]);
        let tie_b = entry(vec![score(&[1, 5]), score(&[1, 7])]);
        // Most experts say the mandatory criterion is not met.
        let out = entry(vec![score(&[0, 10]), score(&[1, 10]), score(&[0, 10])]);
        let none = entry(Vec::new());
        let r = ranking(
            &s,
            &[none.clone(), out.clone(), tie_a.clone(), top.clone(), tie_b],
        );
        assert_eq!(r[0].practice, top.practice);
        assert_eq!(r[0].place, (1, 1));
        assert!((r[0].mean - 8.0).abs() < 1e-9);
        assert_eq!((r[1].place, r[2].place), ((2, 3), (2, 3)));
        assert!(r[1].note.contains("места 2–3 поделены"), "{:?}", r[1]);
        let by = |id| r.iter().find(|x| x.practice == id).expect("ranked");
        assert!(!by(out.practice).admitted);
        assert!(
            by(out.practice).note.contains("не допущена"),
            "{:?}",
            by(out.practice)
        );
        assert_eq!(by(none.practice).note, "не оценена");
        assert_eq!(by(none.practice).place, (0, 0));
    }

    #[test]
    fn the_route_names_the_partner_that_recommended_or_ordered_it() {
        use crate::domain::fixtures::user;
        use crate::domain::passport::Route;
        let now = Utc::now();
        let author = user(1, vec![crate::domain::RoleGrant::global(Role::Author)]);
        let asi = user(
            2,
            vec![crate::domain::RoleGrant::global(Role::AsiModerator)],
        );
        let stranger = user(99, vec![crate::domain::RoleGrant::global(Role::Author)]);
        let partner = Partner {
            id: Uuid::now_v7(),
            name: "Комиссия Госсовета «Семья»".into(),
            kind: PartnerKind::Commission,
            contacts: String::new(),
            representatives: Vec::new(),
        };
        let mut p = Practice {
            id: Uuid::now_v7(),
            status: PracticeStatus::Draft,
            author: author.id,
            passport: crate::domain::fixtures::valid(),
            revision: 1,
            created: now,
            updated: now,
            published: None,
            workflow: crate::domain::workflow::Workflow::default(),
        };
        p.passport.route = Some(Route::OwnInitiative);
        let why = check_recommendation(&author, &p, Some(&partner));
        assert!(why[0].contains("основанием подачи"), "{why:?}");
        p.passport.route = Some(Route::Recommendation);
        assert!(check_recommendation(&author, &p, Some(&partner)).is_empty());
        assert!(check_recommendation(&asi, &p, Some(&partner)).is_empty());
        assert!(check_recommendation(&stranger, &p, Some(&partner))[0].contains("автор"));
        assert!(check_recommendation(&author, &p, None)[0].contains("не найден"));

        // Recommended: the recommendation names it.
        let r = Recommendation {
            practice: p.id,
            partner: partner.id,
            letter: "№ 12 от 01.02.2026".into(),
            by: author.id,
            at: now,
        };
        assert_eq!(route_partner(&p, None, &[]), None);
        assert_eq!(route_partner(&p, Some(&r), &[]), Some(partner.id));
        // A selection: the one it won, else the latest it was put to.
        p.passport.route = Some(Route::Selection);
        assert_eq!(route_partner(&p, Some(&r), &[]), None);
        let (mut won, later) = (selection(), selection());
        won.winners.push(p.id);
        let entry = |s: &Selection, minutes: i64| Entry {
            selection: s.id,
            practice: p.id,
            region: None,
            by: author.id,
            at: now + chrono::Duration::minutes(minutes),
            confirmed: Vec::new(),
            scores: Vec::new(),
        };
        let (a, b) = (entry(&won, 0), entry(&later, 5));
        assert_eq!(
            route_partner(&p, None, &[(&a, &won), (&b, &later)]),
            Some(won.partner)
        );
        won.winners.clear();
        assert_eq!(
            route_partner(&p, None, &[(&a, &won), (&b, &later)]),
            Some(later.partner)
        );
    }

    #[test]
    fn stages_follow_the_days_and_the_closing_day_is_open() {
        let s = selection();
        assert_eq!(s.stage(d("2027-03-14")), Stage::Announced);
        assert_eq!(s.stage(d("2027-03-15")), Stage::Open);
        assert_eq!(s.days_left(d("2027-04-15")), Some(1));
        assert_eq!(s.days_left(d("2027-04-14")), Some(2));
        assert_eq!(s.stage(d("2027-04-16")), Stage::Evaluation);
        assert_eq!(s.days_left(d("2027-04-16")), None);
        assert_eq!(s.stage(d("2027-05-20")), Stage::Results);
    }
}
