//! Expert pools (regulation §4.4.2–4.4.5, app. 3): per thematic category,
//! the experts the Agency's unit included, each with where they come from
//! (§4.4.3), at least two of the three conditions of §4.4.4 with the
//! evidence, and the year the membership was last confirmed (the pool is
//! renewed every year, §4.4.5). Membership carries the Эксперт role of the
//! category; experts for a vote are drawn from it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::refdata::RefData;
use super::user::{Role, RoleGrant, User, UserId};

/// §4.4.3: who may be an expert of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Affiliation {
    /// A working group of the Agency's expert council.
    AgencyExpertCouncil,
    /// The expert council of the Agency's rating committee.
    RatingExpertCouncil,
    /// The Agency's rating committee.
    RatingCommittee,
    /// A commission of the State Council.
    StateCouncil,
    /// A federal executive body.
    FederalBody,
    /// A federal development institution.
    DevelopmentInstitute,
    /// A specialised expert organisation.
    ExpertOrganisation,
}

impl Affiliation {
    pub const ALL: [Affiliation; 7] = [
        Self::AgencyExpertCouncil,
        Self::RatingExpertCouncil,
        Self::RatingCommittee,
        Self::StateCouncil,
        Self::FederalBody,
        Self::DevelopmentInstitute,
        Self::ExpertOrganisation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AgencyExpertCouncil => "expert-council",
            Self::RatingExpertCouncil => "rating-expert-council",
            Self::RatingCommittee => "rating-committee",
            Self::StateCouncil => "state-council",
            Self::FederalBody => "federal-body",
            Self::DevelopmentInstitute => "development-institute",
            Self::ExpertOrganisation => "expert-organisation",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::AgencyExpertCouncil => "рабочая группа экспертного совета Агентства",
            Self::RatingExpertCouncil => "экспертный совет рейтингового комитета Агентства",
            Self::RatingCommittee => "рейтинговый комитет Агентства",
            Self::StateCouncil => "профильная комиссия Государственного Совета",
            Self::FederalBody => "федеральный орган исполнительной власти",
            Self::DevelopmentInstitute => "федеральный институт развития",
            Self::ExpertOrganisation => "профильная экспертная организация",
        }
    }

    pub fn find(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|a| a.code() == t || a.name() == t)
    }
}

/// §4.4.4: the conditions, at least two of which a candidate meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// A leading position in a federal body, a development institution or
    /// an expert organisation.
    Leadership,
    /// Professional competence shown by experience, projects, research,
    /// publications in the category.
    Competence,
    /// Knowledge of federal and regional regulation and the sector's agenda.
    Regulation,
}

impl Condition {
    pub const ALL: [Condition; 3] = [Self::Leadership, Self::Competence, Self::Regulation];

    pub fn code(self) -> &'static str {
        match self {
            Self::Leadership => "leadership",
            Self::Competence => "competence",
            Self::Regulation => "regulation",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Leadership => "руководящая должность",
            Self::Competence => "профессиональные и экспертные компетенции",
            Self::Regulation => "знание законодательного регулирования и отраслевой повестки",
        }
    }

    pub fn find(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|c| c.code() == t || c.name() == t)
    }
}

/// One category's membership of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolEntry {
    pub category: String,
    /// The year the membership was last confirmed.
    pub year: i32,
    pub affiliation: Affiliation,
    pub conditions: Vec<Condition>,
    /// What shows the conditions are met: positions, projects, papers.
    pub evidence: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// The least number of §4.4.4 conditions.
pub const MIN_CONDITIONS: usize = 2;

/// Who forms a category's pool (§4.4.2): the Модератор АСИ, or an
/// expert-moderator of the category (the Agency's unit).
pub fn may_manage_pool(actor: &User, category: &str) -> Result<(), String> {
    if !actor.disabled
        && (actor.has_role(Role::AsiModerator)
            || actor
                .categories_for(Role::ExpertModerator)
                .contains(&category))
    {
        return Ok(());
    }
    Err(
        "Экспертный пул категории формирует её профильное подразделение Агентства (эксперт-модератор категории) или модератор АСИ (п. 4.4.2)."
            .to_owned(),
    )
}

/// `target` included in (or confirmed again for) the pool of
/// `entry.category`: the category exists, at least two conditions with
/// evidence, the account enabled. The Эксперт role of the category is
/// given with it.
pub fn include(
    actor: &User,
    target: &User,
    mut entry: PoolEntry,
    now: DateTime<Utc>,
    refdata: &RefData,
) -> Result<User, String> {
    may_manage_pool(actor, &entry.category)?;
    if refdata.category(&entry.category).is_none() {
        return Err(format!("Неизвестная категория «{}».", entry.category));
    }
    if target.disabled {
        return Err(format!("Учётная запись «{}» отключена.", target.login));
    }
    entry.conditions.sort();
    entry.conditions.dedup();
    if entry.conditions.len() < MIN_CONDITIONS {
        return Err(format!(
            "Для включения в пул нужно не меньше {MIN_CONDITIONS} из 3 условий п. 4.4.4: руководящая должность, профессиональные компетенции, знание регулирования."
        ));
    }
    {
        use chrono::Datelike as _;
        let year = now.year();
        if entry.year != year && entry.year != year + 1 {
            return Err(format!(
                "Год членства в пуле — {year} или {} (п. 4.4.5: пул актуализируется ежегодно).",
                year + 1
            ));
        }
    }
    if entry.evidence.trim().is_empty() {
        return Err(
            "Укажите, чем подтверждаются условия: должность, проекты, публикации.".to_owned(),
        );
    }
    let mut next = target.clone();
    if let Some(old) = next.pool.iter().find(|e| e.category == entry.category)
        && old.year >= entry.year
    {
        return Err(format!(
            "«{}» уже в пуле категории «{}» на {} год.",
            target.login,
            refdata.category_name(&entry.category),
            old.year
        ));
    }
    next.pool.retain(|e| e.category != entry.category);
    entry.by = actor.id;
    entry.at = now;
    let category = entry.category.clone();
    next.pool.push(entry);
    if !next
        .categories_for(Role::Expert)
        .contains(&category.as_str())
    {
        match next.roles.iter_mut().find(|g| g.role == Role::Expert) {
            Some(g) => g.categories.push(category),
            None => next
                .roles
                .push(RoleGrant::by_categories(Role::Expert, &[category])),
        }
    }
    Ok(next)
}

/// `target` out of the pool of `category`, and the Эксперт role of it.
pub fn exclude(actor: &User, target: &User, category: &str) -> Result<User, String> {
    may_manage_pool(actor, category)?;
    let in_pool = target.pool.iter().any(|e| e.category == category)
        || target.categories_for(Role::Expert).contains(&category);
    if !in_pool {
        return Err(format!("«{}» не входит в этот пул.", target.login));
    }
    let mut next = target.clone();
    next.pool.retain(|e| e.category != category);
    for g in next.roles.iter_mut().filter(|g| g.role == Role::Expert) {
        g.categories.retain(|c| c != category);
    }
    next.roles
        .retain(|g| g.role != Role::Expert || !g.categories.is_empty());
    Ok(next)
}

/// A pool's member as listed: the user, their entry (none for an expert
/// whose role was given before pools kept their basis) and whether they
/// must be confirmed for `year`.
pub fn members<'a>(
    users: &'a [User],
    category: &str,
    year: i32,
) -> Vec<(&'a User, Option<&'a PoolEntry>, bool)> {
    let mut out: Vec<_> = users
        .iter()
        .filter(|u| u.categories_for(Role::Expert).contains(&category))
        .map(|u| {
            let e = u.pool.iter().find(|e| e.category == category);
            (u, e, e.is_none_or(|e| e.year < year))
        })
        .collect();
    out.sort_by(|a, b| a.0.shown_name().cmp(b.0.shown_name()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::user;
    use crate::domain::refdata::refdata;

    fn now() -> DateTime<Utc> {
        "2026-06-01T10:00:00Z".parse().expect("time")
    }

    fn entry(conditions: Vec<Condition>, year: i32) -> PoolEntry {
        PoolEntry {
            category: "health".into(),
            year,
            affiliation: Affiliation::FederalBody,
            conditions,
            evidence: "Заместитель директора департамента, 12 лет в отрасли".into(),
            by: uuid::Uuid::nil(),
            at: now(),
        }
    }

    #[test]
    fn two_conditions_with_evidence_include_and_give_the_role() {
        let asi = user(1, vec![RoleGrant::global(Role::AsiModerator)]);
        let em = user(
            2,
            vec![RoleGrant::by_categories(
                Role::ExpertModerator,
                &["health".into()],
            )],
        );
        let other_em = user(
            3,
            vec![RoleGrant::by_categories(
                Role::ExpertModerator,
                &["tourism".into()],
            )],
        );
        let t = user(4, vec![]);
        let rd = refdata();
        assert!(
            include(
                &asi,
                &t,
                entry(vec![Condition::Leadership], 2026),
                now(),
                rd
            )
            .is_err()
        );
        let mut no_evidence = entry(vec![Condition::Leadership, Condition::Regulation], 2026);
        no_evidence.evidence = " ".into();
        assert!(include(&asi, &t, no_evidence, now(), rd).is_err());
        let two = entry(
            vec![
                Condition::Leadership,
                Condition::Leadership,
                Condition::Regulation,
            ],
            2026,
        );
        assert!(
            include(&other_em, &t, two.clone(), now(), rd).is_err(),
            "another unit"
        );
        let u = include(&em, &t, two.clone(), now(), rd).expect("included");
        assert_eq!(u.categories_for(Role::Expert), ["health"]);
        assert_eq!(u.pool[0].by, em.id);
        assert!(
            include(&em, &u, two, now(), rd).is_err(),
            "already for 2026"
        );
        // Confirmed again next year.
        let again = include(
            &em,
            &u,
            entry(vec![Condition::Competence, Condition::Regulation], 2027),
            now(),
            rd,
        )
        .expect("confirmed");
        assert_eq!(again.pool.len(), 1);
        assert_eq!(again.pool[0].year, 2027);
        assert_eq!(again.categories_for(Role::Expert), ["health"]);
        let users = vec![again.clone(), u.clone()];
        let listed = members(&users, "health", 2027);
        assert_eq!(
            listed.iter().filter(|m| m.2).count(),
            1,
            "the 2026 one to confirm"
        );
        let out = exclude(&asi, &again, "health").expect("excluded");
        assert!(out.pool.is_empty() && !out.has_role(Role::Expert));
        assert!(exclude(&asi, &out, "health").is_err());
        // Only this year or the next (§4.4.5).
        let old = entry(vec![Condition::Competence, Condition::Regulation], 1999);
        assert!(include(&asi, &t, old, now(), rd).is_err());
        let far = entry(vec![Condition::Competence, Condition::Regulation], 2030);
        assert!(include(&asi, &t, far, now(), rd).is_err());
    }
}
