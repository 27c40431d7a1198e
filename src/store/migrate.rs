//! Steps from older store formats. Records are bincode, which is not
//! self-describing, so each step decodes the old shape and writes the new.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{
    APPLICATIONS, AUDIT, AUDIT_INDEX, AuditEntry, BLOB_REFS, CHAIN, EntityRef, PRACTICES,
    QUEUE_VIEWS, Record, Result, SUMMARIES, Store, Summary, USERS, chain_link, codec, entity_key,
    files_of, keyed,
};
use crate::domain::user::{Consent, ConsentKind, Profile};
use crate::domain::workflow::{Deadline, Document, Returned, Session, Workflow};
use crate::domain::{Passport, Practice, PracticeId, PracticeStatus, RoleGrant, User, UserId};

/// A practice of format 1: no workflow state.
#[derive(Deserialize)]
struct PracticeV1 {
    id: PracticeId,
    status: PracticeStatus,
    author: UserId,
    passport: Passport,
    revision: u32,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    published: Option<DateTime<Utc>>,
}

/// A user of format 1: no coordinator's confirmation.
#[derive(Deserialize)]
struct UserV1 {
    id: UserId,
    login: String,
    profile: ProfileV4,
    roles: Vec<RoleGrant>,
    password_hash: String,
    email_verified: bool,
    consents: Vec<ConsentV4>,
    disabled: bool,
    created: DateTime<Utc>,
}

/// A profile of formats 1–4: no organisation type.
#[derive(Deserialize)]
struct ProfileV4 {
    full_name: String,
    organisation: String,
    position: String,
    phone: String,
    email: String,
    photo: Option<String>,
    region: Option<String>,
    head_of_body: bool,
}

impl From<ProfileV4> for Profile {
    fn from(p: ProfileV4) -> Self {
        Profile {
            full_name: p.full_name,
            organisation: p.organisation,
            organisation_kind: None,
            position: p.position,
            phone: p.phone,
            email: p.email,
            photo: p.photo,
            region: p.region,
            head_of_body: p.head_of_body,
        }
    }
}

/// A consent of formats 1–4: the date only.
#[derive(Deserialize)]
struct ConsentV4 {
    kind: ConsentKind,
    given: chrono::NaiveDate,
    version: String,
}

impl From<ConsentV4> for Consent {
    fn from(c: ConsentV4) -> Self {
        Consent {
            kind: c.kind,
            at: c.given.and_time(chrono::NaiveTime::MIN).and_utc(),
            version: c.version,
        }
    }
}

impl From<UserV4> for User {
    fn from(old: UserV4) -> Self {
        User {
            id: old.id,
            login: old.login,
            profile: old.profile.into(),
            roles: old.roles,
            password_hash: old.password_hash,
            email_verified: old.email_verified,
            consents: old.consents.into_iter().map(Into::into).collect(),
            disabled: old.disabled,
            created: old.created,
            verified: old.verified,
            mail_opt_out: false,
            code: None,
            contacts_request: None,
            pool: Vec::new(),
        }
    }
}

/// A user of formats 2–4: no mail settings, codes or contacts request.
#[derive(Deserialize)]
struct UserV4 {
    id: UserId,
    login: String,
    profile: ProfileV4,
    roles: Vec<RoleGrant>,
    password_hash: String,
    email_verified: bool,
    consents: Vec<ConsentV4>,
    disabled: bool,
    created: DateTime<Utc>,
    verified: Option<crate::domain::user::Verification>,
}

/// An audit entry of format 1: no transition.
#[derive(Deserialize)]
struct AuditV1 {
    seq: u64,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    action: String,
    summary: String,
    entities: Vec<EntityRef>,
}

/// Format 2 adds the workflow state to practices, the coordinator's
/// confirmation to users, transitions to the audit trail, an audit index by
/// record and the inbox.
pub(super) fn to_2(store: &Store) -> Result<()> {
    let mut practices = sled::Batch::default();
    let mut summaries = sled::Batch::default();
    for item in &store.trees[PRACTICES] {
        let (k, v) = item?;
        if codec::decode::<Practice>(&v).is_ok() {
            continue; // already migrated by an interrupted run
        }
        let old: PracticeV1 = codec::decode(&v)?;
        let p = Practice {
            id: old.id,
            status: old.status,
            author: old.author,
            passport: old.passport,
            revision: old.revision,
            created: old.created,
            updated: old.updated,
            published: old.published,
            workflow: Workflow {
                since: Some(old.updated),
                ..Workflow::default()
            },
        };
        summaries.insert(k.clone(), codec::encode(&Summary::of(&p))?);
        practices.insert(k, codec::encode(&p)?);
    }
    let mut audit = sled::Batch::default();
    let mut index = sled::Batch::default();
    for item in &store.trees[AUDIT] {
        let (k, v) = item?;
        if codec::decode::<AuditEntry>(&v).is_ok() {
            continue;
        }
        let old: AuditV1 = codec::decode(&v)?;
        for e in &old.entities {
            index.insert(keyed(&entity_key(*e), old.seq), &[]);
        }
        let new = AuditEntry {
            seq: old.seq,
            at: old.at,
            actor: old.actor,
            action: old.action,
            summary: old.summary,
            entities: old.entities,
            transition: None,
        };
        audit.insert(k, codec::encode(&new)?);
    }
    let mut users = sled::Batch::default();
    for item in &store.trees[USERS] {
        let (k, v) = item?;
        if codec::decode::<User>(&v).is_ok() {
            continue;
        }
        let old: UserV1 = codec::decode(&v)?;
        let u: User = UserV4 {
            id: old.id,
            login: old.login,
            profile: old.profile,
            roles: old.roles,
            password_hash: old.password_hash,
            email_verified: old.email_verified,
            consents: old.consents,
            disabled: old.disabled,
            created: old.created,
            verified: None,
        }
        .into();
        users.insert(k, codec::encode(&u)?);
    }
    store.trees[USERS].apply_batch(users)?;
    store.trees[PRACTICES].apply_batch(practices)?;
    store.trees[SUMMARIES].apply_batch(summaries)?;
    store.trees[AUDIT].apply_batch(audit)?;
    store.trees[AUDIT_INDEX].apply_batch(index)?;
    store.db.flush()?;
    Ok(())
}

/// Format 4: the audit chain over every entry so far, and the index of
/// which records name which files.
pub(super) fn to_4(store: &Store) -> Result<()> {
    let mut chain = sled::Batch::default();
    let mut prev: Option<Vec<u8>> = None;
    for item in &store.trees[AUDIT] {
        let (k, v) = item?;
        let link = chain_link(prev.as_deref(), &v);
        chain.insert(k, link.as_slice());
        prev = Some(link);
    }
    store.trees[CHAIN].apply_batch(chain)?;
    let mut refs = sled::Batch::default();
    let mut add = |r: &Record| {
        for sha in files_of(r) {
            refs.insert([sha.as_bytes(), &entity_key(r.key())].concat(), &[]);
        }
    };
    for v in store.trees[PRACTICES].iter().values() {
        add(&Record::Practice(Box::new(codec::decode(&v?)?)));
    }
    for v in store.trees[APPLICATIONS].iter().values() {
        add(&Record::Application(Box::new(codec::decode(&v?)?)));
    }
    for v in store.trees[USERS].iter().values() {
        add(&Record::User(Box::new(codec::decode(&v?)?)));
    }
    store.trees[BLOB_REFS].apply_batch(refs)?;
    Ok(())
}

/// Format 5: users carry the organisation type, consents their time, mail
/// settings, the e-mailed code and the contacts request.
pub(super) fn to_5(store: &Store) -> Result<()> {
    let mut users = sled::Batch::default();
    for item in &store.trees[USERS] {
        let (k, v) = item?;
        if codec::decode_exact::<User>(&v).is_ok() {
            continue; // already migrated by an interrupted run
        }
        let u: User = codec::decode::<UserV4>(&v)?.into();
        users.insert(k, codec::encode(&u)?);
    }
    store.trees[USERS].apply_batch(users)?;
    store.db.flush()?;
    Ok(())
}

/// Format 7: what the queues read of each practice, beside it; summaries
/// with the status second, so the queues read it alone.
pub(super) fn to_7(store: &Store) -> Result<()> {
    let mut views = sled::Batch::default();
    let mut summaries = sled::Batch::default();
    for item in &store.trees[PRACTICES] {
        let (k, v) = item?;
        let p: Practice = codec::decode(&v)?;
        views.insert(k.clone(), codec::encode(&crate::domain::queue::view(&p))?);
        summaries.insert(k, codec::encode(&Summary::of(&p))?);
    }
    store.trees[QUEUE_VIEWS].apply_batch(views)?;
    store.trees[SUMMARIES].apply_batch(summaries)?;
    store.db.flush()?;
    Ok(())
}

/// A practice of formats 2–5: the workflow without the yearly cycle.
#[derive(Deserialize)]
struct PracticeV5 {
    id: PracticeId,
    status: PracticeStatus,
    author: UserId,
    passport: Passport,
    revision: u32,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    published: Option<DateTime<Utc>>,
    workflow: WorkflowV5,
}

/// The workflow state of formats 2–5.
#[derive(Deserialize)]
struct WorkflowV5 {
    since: Option<DateTime<Utc>>,
    expert_moderator: Option<UserId>,
    returned: Option<Returned>,
    session: Option<Session>,
    deadline: Option<Deadline>,
    documents: Vec<Document>,
    returns: u32,
    reason: Option<String>,
}

/// Format 6: practices carry the yearly cycle (last actualisation, audits,
/// requests and proposals), revisions awaiting confirmation and the expert
/// review's protocols; summaries are rebuilt with the yearly due date.
pub(super) fn to_6(store: &Store) -> Result<()> {
    let mut practices = sled::Batch::default();
    let mut summaries = sled::Batch::default();
    for item in &store.trees[PRACTICES] {
        let (k, v) = item?;
        let p = if let Ok(p) = codec::decode_exact::<Practice>(&v) {
            p // written by to_2, or by an interrupted run
        } else {
            let old: PracticeV5 = codec::decode(&v)?;
            let w = old.workflow;
            let p = Practice {
                id: old.id,
                status: old.status,
                author: old.author,
                passport: old.passport,
                revision: old.revision,
                created: old.created,
                updated: old.updated,
                published: old.published,
                workflow: Workflow {
                    since: w.since,
                    expert_moderator: w.expert_moderator,
                    returned: w.returned,
                    session: w.session,
                    deadline: w.deadline,
                    documents: w.documents,
                    returns: w.returns,
                    reason: w.reason,
                    ..Workflow::default()
                },
            };
            practices.insert(k.clone(), codec::encode(&p)?);
            p
        };
        summaries.insert(k, codec::encode(&Summary::of(&p))?);
    }
    store.trees[PRACTICES].apply_batch(practices)?;
    store.trees[SUMMARIES].apply_batch(summaries)?;
    store.db.flush()?;
    Ok(())
}
