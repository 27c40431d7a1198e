//! The search's relevance set added to a store as published practices, to
//! be found among the demo catalogue.

use chrono::{DateTime, Duration, Utc};

use crate::domain::passport::{CategoryChoice, Member, Regions, TeamMember};
use crate::domain::workflow::Workflow;
use crate::domain::{Passport, Practice, PracticeId, PracticeStatus};
use crate::search::relevance::set;
use crate::store::{Mutation, Record, Store, StoreError};

/// Adds the set's practices, published, by the demo author; returns each
/// with its title and queries.
pub fn add(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<(PracticeId, String, Vec<String>)>, StoreError> {
    let author = store
        .user_by_login("author")?
        .map(|u| u.id)
        .unwrap_or_default();
    let mut m = Mutation::new(None, "demo.relevance", "Практики набора для оценки поиска").at(now);
    let mut out = Vec::new();
    for (i, c) in set().into_iter().enumerate() {
        let id = uuid::Uuid::now_v7();
        let published = now - Duration::days(100 + i as i64);
        let passport = Passport {
            title: c.title.clone(),
            goal: c.goal,
            tasks: c.tasks,
            essence: c.essence,
            category: Some(CategoryChoice::Known(c.category)),
            regions: Regions {
                author: Some(c.region),
                others: Vec::new(),
            },
            team: vec![TeamMember {
                member: Member::User(author),
                mentor: true,
            }],
            year: Some(2024),
            ..Passport::default()
        };
        m = m.with(Record::Practice(Box::new(Practice {
            id,
            status: PracticeStatus::Published,
            author,
            passport,
            revision: 1,
            created: published,
            updated: published,
            published: Some(published),
            workflow: Workflow {
                since: Some(published),
                ..Workflow::default()
            },
        })));
        out.push((id, c.title, c.queries));
    }
    store.commit(&m)?;
    Ok(out)
}
