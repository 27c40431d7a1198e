//! Who may read which practices (SPEC §1, §8).
//!
//! The published catalogue and «База знаний» are public. Work in progress
//! is visible to those who act on it: the author and team, the region's
//! coordinator, the expert-moderators of its category, the experts asked
//! to assess it, the Модератор АСИ and the rating committee.

use super::passport::Practice;
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

/// What a user may read, in a form a search index can filter by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadScope {
    /// Everything except deleted practices.
    pub all: bool,
    /// Work in progress of these regions.
    pub regions: Vec<String>,
    /// Work in progress of these categories.
    pub categories: Vec<String>,
    /// Practices where the user is the author or on the team.
    pub member: Option<UserId>,
    /// Practices read by a grant of their own, sorted: those put forward to
    /// a selection, for its experts (§3.2.6).
    pub granted: Vec<super::passport::PracticeId>,
}

/// The read scope of a user; `None` is an anonymous visitor, who sees the
/// public catalogue only.
pub fn read_scope(user: Option<&User>) -> ReadScope {
    let Some(u) = user else {
        return ReadScope::default();
    };
    if u.disabled {
        return ReadScope::default();
    }
    let all = u.has_role(Role::AsiModerator) || u.has_role(Role::RatingCommittee);
    ReadScope {
        all,
        regions: u
            .regions_for(Role::Coordinator)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        categories: u
            .categories_for(Role::ExpertModerator)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        member: Some(u.id),
        granted: Vec::new(),
    }
}

impl ReadScope {
    /// The scope with practices granted besides.
    #[must_use]
    pub fn with_granted(mut self, mut ids: Vec<super::passport::PracticeId>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        self.granted = ids;
        self
    }

    /// Whether the scope lets the user read a practice.
    pub fn can_read(&self, p: &Practice) -> bool {
        self.can_read_row(&super::queue::Summary::of(p))
    }

    /// [`Self::can_read`] decided on a practice's row: it holds all the
    /// rule asks (status, author and team, the voting experts, region,
    /// category), so the feed need not decode passports to filter.
    pub fn can_read_row(&self, p: &super::queue::Summary) -> bool {
        if p.status == PracticeStatus::Deleted {
            return self.all;
        }
        if p.status.is_public() || self.all || self.granted.binary_search(&p.id).is_ok() {
            return true;
        }
        if self
            .member
            .is_some_and(|u| p.author == u || p.team.contains(&u) || p.experts.contains(&u))
        {
            return true;
        }
        if p.region
            .as_deref()
            .is_some_and(|r| self.regions.iter().any(|x| x == r))
        {
            return true;
        }
        p.category
            .as_deref()
            .is_some_and(|c| self.categories.iter().any(|x| x == c))
    }

    /// Whether the user sees only the public catalogue.
    pub fn is_public_only(&self) -> bool {
        !self.all && self.regions.is_empty() && self.categories.is_empty() && self.member.is_none()
    }
}

/// Whether `reader` may see `of`'s phone, e-mail and confirmation: the
/// user themself; the Модератор АСИ, who contacts participants; and the
/// regional coordinator of the user's region, who verifies them before
/// access to passports is granted (§4.1.3) and cannot judge a profile
/// without them. Nobody else, the rating committee included.
/// Who sees a practice's workflow beyond what the catalogue publishes
/// (requests, proposals, audits, protocols, points): its author and team,
/// its region's coordinator, and the Agency's moderators and committee.
pub fn sees_workflow(viewer: Option<&User>, p: &Practice) -> bool {
    viewer.is_some_and(|u| {
        !u.disabled
            && (p.involves(u.id)
                || u.has_role(Role::AsiModerator)
                || p.passport
                    .category_code()
                    .is_some_and(|c| u.categories_for(Role::ExpertModerator).contains(&c))
                || u.has_role(Role::RatingCommittee)
                || p.region()
                    .is_some_and(|r| u.regions_for(Role::Coordinator).contains(&r)))
    })
}

/// A practice as a reader who does not see its workflow receives it:
/// without requests, proposals, audits, points, protocols and the signed
/// protocols' files.
pub fn as_read_by(mut p: Practice, reader: Option<&User>) -> Practice {
    if !sees_workflow(reader, &p) {
        let wf = &mut p.workflow;
        wf.edit_request = None;
        wf.archive_proposal = None;
        wf.revisions = None;
        wf.audits.clear();
        wf.protocols.clear();
        wf.documents
            .retain(|d| d.kind != super::workflow::DocumentKind::ExpertProtocol);
    }
    p
}

pub fn sees_contacts(reader: &User, of: &User) -> bool {
    if reader.id == of.id {
        return true;
    }
    if reader.disabled {
        return false;
    }
    reader.has_role(Role::AsiModerator)
        || of
            .profile
            .region
            .as_deref()
            .is_some_and(|r| reader.regions_for(Role::Coordinator).contains(&r))
}

/// Who works from the list of users: the Модератор АСИ (roles and
/// accounts), regional coordinators (confirmation, §4.1.3) and
/// expert-moderators (pools, §4.4.2).
pub fn may_list_users(reader: &User) -> bool {
    !reader.disabled
        && (reader.has_role(Role::AsiModerator)
            || reader.has_role(Role::ExpertModerator)
            || !reader.regions_for(Role::Coordinator).is_empty())
}

/// Whether `of` is in `reader`'s list of users: those whose whole profile
/// they see, and for an expert-moderator everyone (pools are formed from
/// the public profiles); the list is of others, save for the Модератор АСИ.
pub fn lists_user(reader: &User, of: &User) -> bool {
    if reader.id == of.id && !reader.has_role(Role::AsiModerator) {
        return false;
    }
    sees_contacts(reader, of) || reader.has_role(Role::ExpertModerator)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::domain::passport::{CategoryChoice, Passport, Regions};
    use crate::domain::user::RoleGrant;

    fn user(roles: Vec<RoleGrant>) -> User {
        crate::domain::fixtures::user(1, roles)
    }

    fn practice(status: PracticeStatus, region: &str, category: &str) -> Practice {
        Practice {
            id: Uuid::now_v7(),
            status,
            author: Uuid::now_v7(),
            passport: Passport {
                regions: Regions {
                    author: Some(region.into()),
                    others: vec![],
                },
                category: Some(CategoryChoice::Known(category.into())),
                ..Passport::default()
            },
            revision: 1,
            created: Utc::now(),
            updated: Utc::now(),
            published: None,
            workflow: crate::domain::workflow::Workflow::default(),
        }
    }

    #[test]
    fn anonymous_sees_public_only() {
        let s = read_scope(None);
        assert!(s.is_public_only());
        assert!(s.can_read(&practice(PracticeStatus::Published, "16", "health")));
        assert!(s.can_read(&practice(PracticeStatus::Archived, "16", "health")));
        assert!(!s.can_read(&practice(PracticeStatus::Draft, "16", "health")));
        assert!(!s.can_read(&practice(PracticeStatus::Deleted, "16", "health")));
    }

    #[test]
    fn coordinator_sees_own_region_work() {
        let c = user(vec![RoleGrant::regional(Role::Coordinator, "16")]);
        let s = read_scope(Some(&c));
        assert!(s.can_read(&practice(
            PracticeStatus::RegionConfirmation,
            "16",
            "health"
        )));
        assert!(!s.can_read(&practice(
            PracticeStatus::RegionConfirmation,
            "52",
            "health"
        )));
    }

    #[test]
    fn expert_moderator_sees_own_categories_and_asi_all() {
        let m = user(vec![RoleGrant::by_categories(
            Role::ExpertModerator,
            &["tourism".into()],
        )]);
        let s = read_scope(Some(&m));
        assert!(s.can_read(&practice(PracticeStatus::Packaging, "52", "tourism")));
        assert!(!s.can_read(&practice(PracticeStatus::Packaging, "52", "health")));
        let a = read_scope(Some(&user(vec![RoleGrant::global(Role::AsiModerator)])));
        assert!(a.can_read(&practice(PracticeStatus::Deleted, "52", "health")));
    }

    #[test]
    fn author_sees_own_draft() {
        let a = user(vec![RoleGrant::regional(Role::Author, "16")]);
        let mut p = practice(PracticeStatus::Draft, "16", "health");
        assert!(!read_scope(Some(&a)).can_read(&p));
        p.author = a.id;
        assert!(read_scope(Some(&a)).can_read(&p));
    }

    #[test]
    fn contacts_are_the_users_own_and_the_asi_moderators() {
        use crate::domain::fixtures::user;
        let asi = user(1, vec![RoleGrant::global(Role::AsiModerator)]);
        let rating = user(2, vec![RoleGrant::global(Role::RatingCommittee)]);
        let author = user(3, vec![]);
        assert!(sees_contacts(&asi, &author));
        assert!(sees_contacts(&author, &author));
        assert!(!sees_contacts(&rating, &author));
        assert!(!sees_contacts(&author, &asi));
        // The coordinator sees the contacts of their region's users only.
        let coordinator = user(4, vec![RoleGrant::regional(Role::Coordinator, "16")]);
        let mut local = user(5, vec![]);
        local.profile.region = Some("16".into());
        let mut other = user(6, vec![]);
        other.profile.region = Some("52".into());
        assert!(sees_contacts(&coordinator, &local));
        assert!(!sees_contacts(&coordinator, &other));
    }

    /// The list of users: the Модератор АСИ all, a coordinator their
    /// region's, an expert-moderator everyone's public profile (pools);
    /// an author none.
    #[test]
    fn who_lists_which_users() {
        let asi = user(vec![RoleGrant::global(Role::AsiModerator)]);
        let c16 = user(vec![RoleGrant::regional(Role::Coordinator, "16")]);
        let em = user(vec![RoleGrant::by_categories(
            Role::ExpertModerator,
            &["health".into()],
        )]);
        let author = user(vec![RoleGrant::regional(Role::Author, "16")]);
        let mut other = crate::domain::fixtures::user(2, vec![]);
        assert!(may_list_users(&asi) && may_list_users(&c16) && may_list_users(&em));
        assert!(!may_list_users(&author));
        assert!(lists_user(&asi, &other) && lists_user(&c16, &other) && lists_user(&em, &other));
        other.profile.region = Some("52".into());
        assert!(!lists_user(&c16, &other));
        assert!(lists_user(&em, &other));
        assert!(!lists_user(&c16, &c16) && lists_user(&asi, &asi));
    }

    /// The workflow's internals go to the team, the region's coordinator
    /// and the Agency; not to the public, recipients or another region.
    #[test]
    fn the_workflow_is_seen_by_those_who_run_it() {
        let p = practice(PracticeStatus::Published, "16", "health");
        assert!(!sees_workflow(None, &p));
        let recipient = user(vec![RoleGrant::regional(Role::Recipient, "16")]);
        assert!(!sees_workflow(Some(&recipient), &p));
        let other = user(vec![RoleGrant::regional(Role::Coordinator, "52")]);
        assert!(!sees_workflow(Some(&other), &p));
        let coordinator = user(vec![RoleGrant::regional(Role::Coordinator, "16")]);
        assert!(sees_workflow(Some(&coordinator), &p));
        let asi = user(vec![RoleGrant::global(Role::AsiModerator)]);
        assert!(sees_workflow(Some(&asi), &p));
        let mut author = user(vec![]);
        author.id = p.author;
        assert!(sees_workflow(Some(&author), &p));
        author.disabled = true;
        assert!(!sees_workflow(Some(&author), &p));
    }
}
