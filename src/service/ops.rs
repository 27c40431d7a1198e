//! A client's ops applied exactly once, and the change feed by read scope:
//! what the central instance does with a push and a pull, whatever carries
//! them. Each op goes through the same service functions as the CLI's and
//! the workstation's commands; its answer is recorded in the same commit
//! as its change, so a resent op is answered again and not applied twice.

use std::collections::HashSet;

use uuid::Uuid;

use crate::domain::User;
use crate::domain::command::Command;
use crate::domain::passport::{Field, Member, copy_field};
use crate::domain::workflow::Action;
use crate::service::practice::execute_with;
use crate::service::workflow::ActInput;
use crate::service::{Ctx, accounts};
use crate::store::{EntityRef, Mutation, Store, StoreError, codec};
use crate::sync::protocol::{
    Op, OpKind, OpResult, PullReply, PushReply, PushRequest, Remote, codes,
};

/// Change-log entries read per page of the feed.
pub const PAGE: usize = 500;

/// Why a push or a pull was not answered record by record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The request does not fit what the server holds: the message, the
    /// code of [`codes`] the client acts on, and the server's last op or
    /// change where the client needs it.
    Conflict {
        message: String,
        code: &'static str,
        last: Option<u64>,
    },
    /// The server failed, not the request: the client tries again.
    Internal(String),
}

impl From<StoreError> for PushError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store");
        Self::Internal(e.to_string())
    }
}

/// The identity of an op: its number, when it was made, its kind and its
/// record. A resend has the same; another op under the same number (a
/// restored or copied client store) does not. Made of fields whose form
/// does not change between versions, so an upgrade never turns a resend
/// into a stranger.
fn op_hash(op: &Op) -> Vec<u8> {
    use sha2::Digest as _;
    let at = op.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let text = format!("{}|{at}|{}|{}", op.seq, op.kind.tag(), op.kind.practice());
    sha2::Sha256::digest(text.as_bytes()).to_vec()
}

pub fn apply_ops(cx: &Ctx<'_>, user: &User, req: &PushRequest) -> Result<PushReply, PushError> {
    let store = cx.store;
    let mut results = Vec::with_capacity(req.ops.len());
    for op in &req.ops {
        let last = store.client_last(req.client)?;
        if op.seq <= last {
            // The op applied under this number must be this one: a store
            // restored from a copy numbers new ops as the old ones.
            if let Some(h) = store.client_op_hash(req.client, op.seq)?
                && h != op_hash(op)
            {
                tracing::warn!(login = %user.login, client = %req.client, seq = op.seq, "client id reused");
                return Err(PushError::Conflict {
                    message: format!(
                        "Операция №{} этого рабочего места уже была принята, и это другая операция: хранилище восстановлено из копии или скопировано. Неотправленные изменения будут отправлены под новым идентификатором.",
                        op.seq
                    ),
                    code: codes::CLIENT_REUSED,
                    last: None,
                });
            }
            // Already applied: the same answer again.
            let r = match store.client_result(req.client, op.seq)? {
                Some(bytes) => codec::decode(&bytes).map_err(StoreError::from)?,
                None => OpResult::Applied,
            };
            results.push((op.seq, r));
            continue;
        }
        if op.seq != last + 1 {
            return Err(PushError::Conflict {
                message: format!(
                    "На сервере нет операций этого рабочего места после №{last} (пришла №{}): сервер восстановлен из резервной копии. Они будут отправлены заново.",
                    op.seq
                ),
                code: codes::OPS_MISSING,
                last: Some(last),
            });
        }
        // The user as stored now: an earlier op of this push may have
        // changed them (a consent given, an account disabled).
        let user = &store.user(user.id)?.unwrap_or_else(|| user.clone());
        if user.disabled {
            let why = "Учётная запись отключена. Обратитесь к модератору АСИ.";
            results.push((op.seq, reject(store, user, req.client, op, why)?));
            continue;
        }
        if let Some(why) = foreign_file(store, user, &op.kind)? {
            results.push((op.seq, reject(store, user, req.client, op, &why)?));
            continue;
        }
        results.push((op.seq, apply_one(cx, user, req.client, op)?));
    }
    Ok(PushReply {
        results,
        last: store.client_last(req.client)?,
        news: None,
        epoch: Some(store.epoch()?),
        chain: None,
    })
}

/// The fields others changed on the server after revision `base`: the
/// revisions this client's own ops produced are not news to it. `None`
/// when nothing but the client's own ops happened since `base`.
fn changed_since(
    store: &Store,
    id: crate::domain::PracticeId,
    base: u32,
    client: Uuid,
) -> Result<Option<HashSet<Field>>, StoreError> {
    let own = store.own_revisions(client, id)?;
    let mut out = None;
    for r in store.revisions_after(id, base)? {
        if !own.contains(&r.number) {
            out.get_or_insert_with(HashSet::new).extend(r.fields);
        }
    }
    Ok(out)
}

fn record(client: Uuid, op: &Op, r: &OpResult) -> Result<crate::store::ClientOp, StoreError> {
    Ok(crate::store::ClientOp {
        client,
        seq: op.seq,
        result: codec::encode(r)?,
        hash: op_hash(op),
    })
}

/// A replication op: through the same functions as the CLI and the
/// workstation, its answer recorded in the same commit.
fn apply_replication(
    cx: &Ctx<'_>,
    user: &User,
    client: Uuid,
    op: &Op,
) -> Result<OpResult, PushError> {
    use crate::domain::replication::{Action as Step, Args as StepArgs, Request};
    let store = cx.store;
    let recorded = record(client, op, &OpResult::Applied)?;
    let mark = |m: &mut Mutation| m.client_op = Some(recorded);
    let done = match &op.kind {
        OpKind::Apply { application: a } => {
            let req = Request {
                learned_at: a.learned_at.clone(),
                event: a.event,
                confirmed: true,
            };
            crate::service::replication::apply_with(cx, user, a.practice, &req, Some(a.id), mark)
                .map(|_| ())
        }
        OpKind::Replicate {
            application,
            action,
            comment,
            to,
            reason,
            report,
            documents,
            ..
        } => {
            let kind = match wire_step(store, action, Step::from_code, documents) {
                Ok(k) => k,
                Err(why) => return reject(store, user, client, op, &why),
            };
            let to = match to.as_deref().map(|l| accounts::user_by_login(store, l)) {
                None => None,
                Some(Ok(u)) => Some(u),
                Some(Err(e)) if e.is_internal() => return Err(PushError::Internal(e.message())),
                Some(Err(e)) => return reject(store, user, client, op, &e.message()),
            };
            let args = StepArgs {
                comment: comment.clone(),
                to,
                documents: documents.clone(),
                reason: reason.clone(),
                report: report.clone(),
            };
            crate::service::replication::act_with(cx, user, *application, kind, &args, mark)
                .map(|_| ())
        }
        OpKind::Event { event } => {
            crate::service::replication::create_event_with(cx, user, (**event).clone(), mark)
                .map(|_| ())
        }
        OpKind::Interest {
            event,
            region,
            practices,
        } => crate::service::replication::interest_with(cx, user, *event, region, practices, mark)
            .map(|_| ()),
        OpKind::Authoring { login, grant } => {
            accounts::authoring_with(cx, user, login, *grant, mark).map(|_| ())
        }
        OpKind::Me { change } => {
            crate::service::people::change_me_with(cx, user, change, mark).map(|_| ())
        }
        OpKind::Manage { login, change } => {
            crate::service::people::manage_with(cx, user, login, change, mark).map(|_| ())
        }
        OpKind::Region { page } => {
            crate::service::regions::edit_with(cx, user, (**page).clone(), mark).map(|_| ())
        }
        OpKind::Enter { .. }
        | OpKind::Score { .. }
        | OpKind::Partner { .. }
        | OpKind::Selection { .. }
        | OpKind::Decide { .. }
        | OpKind::Club { .. }
        | OpKind::ClubDecide { .. }
        | OpKind::Recommend { .. } => {
            crate::service::selections::apply_op(cx, user, &op.kind, mark)
        }
        OpKind::View { name, query } => {
            crate::service::query::change_view_with(cx, user, name, query.as_deref(), mark)
                .map(drop)
                .map_err(Into::into)
        }
        OpKind::Create { .. } | OpKind::Edit { .. } | OpKind::Act { .. } => {
            return apply_one(cx, user, client, op);
        }
    };
    match done {
        Ok(()) => Ok(OpResult::Applied),
        // Not answered: the client sends the op again.
        Err(e) if e.is_internal() => Err(PushError::Internal(e.message())),
        Err(e) => reject(store, user, client, op, &e.message()),
    }
}

fn apply_one(cx: &Ctx<'_>, user: &User, client: Uuid, op: &Op) -> Result<OpResult, PushError> {
    let store = cx.store;
    let mut clean = matches!(op.kind, OpKind::Create { .. });
    let (cmd, result) = match &op.kind {
        OpKind::Apply { .. }
        | OpKind::Replicate { .. }
        | OpKind::Event { .. }
        | OpKind::Interest { .. }
        | OpKind::Authoring { .. }
        | OpKind::Me { .. }
        | OpKind::Manage { .. }
        | OpKind::Region { .. }
        | OpKind::Enter { .. }
        | OpKind::Score { .. }
        | OpKind::Partner { .. }
        | OpKind::Selection { .. }
        | OpKind::Decide { .. }
        | OpKind::Club { .. }
        | OpKind::ClubDecide { .. }
        | OpKind::Recommend { .. }
        | OpKind::View { .. } => return apply_replication(cx, user, client, op),
        OpKind::Create { practice, passport } => (
            Command::Create {
                id: *practice,
                passport: (**passport).clone(),
            },
            OpResult::Applied,
        ),
        OpKind::Edit {
            practice,
            base,
            fields,
            passport,
        } => {
            let Some(current) = store.practice(*practice)? else {
                return reject(store, user, client, op, "Практика не найдена на сервере.");
            };
            // Changes after what the client saw, other than its own.
            let since = changed_since(store, *practice, *base, client)?;
            // Nothing else happened since what the client had: after this
            // op the client holds exactly the server's passport.
            clean = since.is_none();
            let since = since.unwrap_or_default();
            let mut merged = current.passport.clone();
            let mut conflicts = Vec::new();
            for f in fields {
                let mut mine = current.passport.clone();
                copy_field(&mut mine, passport, *f);
                let same =
                    crate::domain::passport::changed_fields(&current.passport, &mine).is_empty();
                if since.contains(f) && !same {
                    conflicts.push(*f);
                } else {
                    copy_field(&mut merged, passport, *f);
                }
            }
            let result = if conflicts.is_empty() {
                OpResult::Applied
            } else {
                OpResult::Conflict {
                    fields: conflicts,
                    theirs: Box::new(current.passport.clone()),
                    revision: current.revision,
                }
            };
            (
                Command::Edit {
                    id: *practice,
                    passport: merged,
                },
                result,
            )
        }
        OpKind::Act {
            practice,
            action,
            comment,
            to,
            level,
            reason,
            documents,
        } => {
            // The wire carries the action's code; from here on it is typed,
            // and its arguments are checked by the same function as the
            // CLI's and the workstation's.
            let kind = match wire_step(store, action, Action::from_code, documents) {
                Ok(k) => k,
                Err(why) => return reject(store, user, client, op, &why),
            };
            let input = ActInput {
                comment: comment.clone(),
                documents: documents.clone(),
                to: to.clone(),
                level: *level,
                reason: reason.clone(),
                attach: Vec::new(),
            };
            let recorded = record(client, op, &OpResult::Applied)?;
            let mark = |o: &crate::domain::command::Outcome, m: &mut Mutation| {
                m.client_op = Some(recorded);
                m.client_rev = Some((client, o.practice.id, o.practice.revision));
            };
            let blobs = crate::store::blobs::Blobs::new(store.dir());
            return match crate::service::workflow::act_with(
                cx, &blobs, user, *practice, kind, &input, mark,
            ) {
                Ok((_, Some(_))) => Ok(OpResult::Applied),
                Ok((_, None)) => unchanged(store, user, client, op, &OpResult::Applied),
                Err(e) if e.is_internal() => Err(PushError::Internal(e.message())),
                Err(e) => reject(store, user, client, op, &e.message()),
            };
        }
    };
    let recorded = record(client, op, &result)?;
    let mark = |o: &crate::domain::command::Outcome, m: &mut Mutation| {
        m.client_op = Some(recorded);
        m.client_rev = Some((client, o.practice.id, o.practice.revision));
    };
    match execute_with(cx, user, cmd, mark) {
        Ok((_, Some(seq))) => {
            if clean && result == OpResult::Applied {
                store.put_client_echo(client, seq)?;
            }
            Ok(result)
        }
        Ok((_, None)) => unchanged(store, user, client, op, &result),
        Err(e) if e.is_internal() => Err(PushError::Internal(e.message())),
        Err(e) => reject(store, user, client, op, &e.message()),
    }
}

/// An op that changed nothing is still answered, once.
fn unchanged(
    store: &Store,
    user: &User,
    client: Uuid,
    op: &Op,
    result: &OpResult,
) -> Result<OpResult, PushError> {
    let mut m = Mutation::new(Some(user.id), "sync.op", "Операция клиента без изменений");
    m.client_op = Some(record(client, op, result)?);
    store.commit(&m)?;
    Ok(result.clone())
}

/// An op may name only files its sender sent or may read already: naming
/// another's file would make it readable through the op's record. Whether
/// the file is on the server at all is not told.
fn foreign_file(store: &Store, user: &User, kind: &OpKind) -> Result<Option<String>, StoreError> {
    for sha in kind.blobs() {
        if !may_read(store, user, &sha)? {
            return Ok(Some(format!(
                "Файл {}… не получен сервером от вас: синхронизируйте ещё раз.",
                &sha[..12.min(sha.len())]
            )));
        }
    }
    Ok(None)
}

/// The first document of an op that has not reached the server, as the
/// A step as the wire carries it: its code read into the typed action, and
/// its documents already on the server; else why the op is refused.
fn wire_step<T>(
    store: &Store,
    code: &str,
    parse: fn(&str) -> Option<T>,
    documents: &[crate::domain::workflow::Document],
) -> Result<T, String> {
    let kind = parse(code).ok_or_else(|| format!("Неизвестное действие «{code}»."))?;
    match missing_document(store, documents) {
        Some(why) => Err(why),
        None => Ok(kind),
    }
}

/// reason to refuse the op.
fn missing_document(
    store: &Store,
    documents: &[crate::domain::workflow::Document],
) -> Option<String> {
    let blobs = crate::store::blobs::Blobs::new(store.dir());
    documents
        .iter()
        .find(|d| !blobs.exists(&d.sha256))
        .map(|d| {
            format!(
                "Документ «{}» не дошёл до сервера: синхронизируйте ещё раз.",
                d.name
            )
        })
}

/// Records a refused op (so a resend gets the same answer) and returns it.
fn reject(
    store: &Store,
    user: &User,
    client: Uuid,
    op: &Op,
    reason: &str,
) -> Result<OpResult, PushError> {
    let result = OpResult::Rejected {
        reason: reason.to_owned(),
    };
    let mut m = Mutation::new(
        Some(user.id),
        "sync.rejected",
        format!("Операция клиента отклонена: {reason}"),
    );
    m.client_op = Some(record(client, op, &result)?);
    store.commit(&m)?;
    Ok(result)
}

/// A cursor past the server's last change: the server was restored from
/// a backup, and the client must pull again.
pub fn cursor_known(store: &Store, since: u64) -> Result<(), PushError> {
    let last = store.last_seq()?;
    if since <= last {
        return Ok(());
    }
    Err(PushError::Conflict {
        message: format!(
            "Сервер не знает изменений после №{last}, а у вас получено до №{since}: сервер восстановлен из резервной копии. Данные будут получены заново."
        ),
        code: codes::CURSOR_AHEAD,
        last: Some(last),
    })
}

/// Whether `reader` may read the application.
pub fn application_readable(store: &Store, reader: &User, id: Uuid) -> Result<bool, StoreError> {
    let Some(a) = store.application(id)? else {
        return Ok(false);
    };
    let p = store.practice(a.practice)?;
    Ok(crate::domain::replication::can_read(reader, &a, p.as_ref()))
}

/// A user as `reader` may see them: never the password hash nor a code;
/// the contacts only within the reader's scope; the name, organisation,
/// position and photo only with the consent to their distribution
/// (§4.1.2), else a login that names nobody.
pub fn redacted(u: &User, reader: &User) -> User {
    use crate::domain::user::ConsentKind;
    let mut v = u.clone();
    v.password_hash.clear();
    v.code = None;
    let manages = crate::domain::access::sees_contacts(reader, u);
    // What an expert's pool membership rests on is the Agency's: those who
    // form pools read it.
    if !manages && !reader.has_role(crate::domain::Role::ExpertModerator) {
        for e in &mut v.pool {
            e.evidence.clear();
        }
    }
    if !manages {
        v.consents
            .retain(|c| c.kind == ConsentKind::PersonalDataForDistribution);
        // Whether the contacts are there is told (a team's profiles are
        // checked at submission), not what they are.
        for field in [&mut v.profile.phone, &mut v.profile.email] {
            if !field.trim().is_empty() {
                crate::domain::user::WITHHELD.clone_into(field);
            }
        }
        v.verified = None;
        v.contacts_request = None;
        v.mail_opt_out = false;
        if !u.has_consent(ConsentKind::PersonalDataForDistribution) {
            v.login = crate::domain::user::pseudonym(u.id);
            // That they are there is told (the team's profiles are checked
            // at submission), not what they are.
            for field in [
                &mut v.profile.full_name,
                &mut v.profile.organisation,
                &mut v.profile.position,
            ] {
                if !field.trim().is_empty() {
                    crate::domain::user::WITHHELD.clone_into(field);
                }
            }
            if v.profile.photo.is_some() {
                v.profile.photo = Some(crate::domain::user::WITHHELD.to_owned());
            }
        }
    }
    v
}

/// A record beside the practices that a change touched, as `reader` may
/// have it in the feed; `None` for practices and users (sent apart) and
/// for what is not theirs to read.
fn other_record(
    store: &Store,
    reader: &User,
    scope: &crate::domain::access::ReadScope,
    e: EntityRef,
) -> Result<Option<Remote>, StoreError> {
    Ok(match e {
        EntityRef::Application(id) if application_readable(store, reader, id)? => store
            .application(id)?
            .map(|a| Remote::Application(Box::new(a))),
        EntityRef::Event(id) => store.event(id)?.map(|ev| Remote::Event(Box::new(ev))),
        EntityRef::Region(code) => store
            .region_page(&format!("{code:02}"))?
            .map(|page| Remote::Region(Box::new(page))),
        // Selections and their partners are public (§3.2.6: the Agency
        // informs the platform's users).
        EntityRef::Partner(id) => store.partner(id)?.map(|p| Remote::Partner(Box::new(p))),
        EntityRef::Selection(id) => store.selection(id)?.map(|s| Remote::Selection(Box::new(s))),
        // Club sessions: to the Agency (§4.4.9).
        EntityRef::Club(id) if crate::domain::club::may_run(reader) => {
            store.club_session(id)?.map(|c| Remote::Club(Box::new(c)))
        }
        // Saved views: to their user alone.
        EntityRef::Views(u) if u == reader.id => {
            Some(Remote::Views(Box::new(store.views_record(u)?)))
        }
        // A recommendation goes to those who may read its practice.
        EntityRef::Recommendation(p)
            if store
                .summary(p)?
                .is_some_and(|row| scope.can_read_row(&row)) =>
        {
            store
                .recommendation(p)?
                .map(|r| Remote::Recommendation(Box::new(r)))
        }
        EntityRef::Entry(s, p) => {
            crate::service::selections::entry_as_read_by(store, reader, s, p)?
                .map(|entry| Remote::Entry(Box::new(entry)))
        }
        EntityRef::Leaders(year) => Some(Remote::Leaders {
            year,
            leaders: store
                .leaders()?
                .into_iter()
                .filter(|l| l.year == year)
                .collect(),
        }),
        // SSH keys stay on the central instance.
        EntityRef::Application(_)
        | EntityRef::Club(_)
        | EntityRef::Views(_)
        | EntityRef::SshKeys(_)
        | EntityRef::Recommendation(_)
        | EntityRef::Practice(_)
        | EntityRef::User(_) => None,
    })
}

pub fn feed(
    store: &Store,
    reader: &User,
    since: u64,
    client: Option<Uuid>,
) -> Result<PullReply, PushError> {
    let scope = crate::service::selections::scope_of(store, Some(reader))?;
    // Per practice: whether every change to it in this page was the asking
    // client's own clean op.
    let mut echoes: std::collections::HashMap<crate::domain::PracticeId, bool> =
        std::collections::HashMap::new();
    let mut practices = Vec::new();
    let mut seen = HashSet::new();
    // The reader's own record: with the first page, and when it changes.
    let mut reader_changed = since == 0;
    // Other users changed in this page: every reader gets them, redacted.
    let mut changed_users = Vec::new();
    let mut cursor = since;
    let mut more = false;
    // Applications and events touched in this page, in order.
    let mut others = Vec::new();
    let mut seen_other = HashSet::new();
    for (n, entry) in store.changes_since(since).enumerate() {
        if n == PAGE {
            more = true;
            break;
        }
        let entry = entry?;
        cursor = entry.seq;
        for e in entry.entities {
            if e == crate::store::EntityRef::User(reader.id) {
                reader_changed = true;
            } else if let crate::store::EntityRef::User(id) = e {
                changed_users.push(id);
            }
            if seen_other.insert(e)
                && let Some(r) = other_record(store, reader, &scope, e)?
            {
                others.push(r);
            }
            if let crate::store::EntityRef::Entry(_, p) = e {
                // The practice put forward goes with its application to
                // those who may now read it (the selection's experts).
                echoes.insert(p, false);
                if seen.insert(p) {
                    practices.push(p);
                }
            }
            if let crate::store::EntityRef::Practice(id) = e {
                let echo = match client {
                    Some(c) => store.is_client_echo(c, entry.seq)?,
                    None => false,
                };
                let all = echoes.entry(id).or_insert(true);
                *all = *all && echo;
                if seen.insert(id) {
                    practices.push(id);
                }
            }
        }
    }
    let mut records = Vec::new();
    let mut users: HashSet<Uuid> = changed_users.into_iter().collect();
    if reader_changed {
        users.insert(reader.id);
    }
    for id in practices {
        // The client's own op was the last change: it has this already.
        if echoes.get(&id).copied().unwrap_or(false) {
            continue;
        }
        if let Some(p) = store.practice(id)?
            && scope.can_read(&p)
        {
            users.insert(p.author);
            for m in &p.passport.team {
                if let Member::User(u) = m.member {
                    users.insert(u);
                }
            }
            let recommended = crate::service::selections::recommend::sent_with(store, &p)?;
            records.push(Remote::Practice(Box::new(
                crate::domain::access::as_read_by(p, Some(reader)),
            )));
            if let Some(r) = recommended {
                records.push(Remote::Recommendation(Box::new(r)));
            }
        }
    }
    for id in users {
        if let Some(u) = store.user(id)? {
            records.insert(0, Remote::User(Box::new(redacted(&u, reader))));
        }
    }
    records.extend(others);
    Ok(PullReply {
        records,
        cursor,
        more,
        epoch: Some(store.epoch()?),
        chain: None,
    })
}

/// Whether `user` may have a file: they sent it, or a record they may read
/// names it.
pub fn may_read(store: &Store, user: &User, sha: &str) -> Result<bool, StoreError> {
    if store.file_owned_by(sha, user.id)? {
        return Ok(true);
    }
    let scope = crate::service::selections::scope_of(store, Some(user))?;
    for e in store.file_refs(sha)? {
        let readable = match e {
            // A signed evaluation protocol: for those who see the workflow.
            EntityRef::Practice(id) => store.practice(id)?.is_some_and(|p| {
                let protocol = p.workflow.documents.iter().any(|d| {
                    d.sha256 == sha
                        && d.kind == crate::domain::workflow::DocumentKind::ExpertProtocol
                });
                scope.can_read(&p)
                    && (!protocol || crate::domain::access::sees_workflow(Some(user), &p))
            }),
            EntityRef::Application(id) => application_readable(store, user, id)?,
            // A profile photo: with the consent to its distribution, or
            // for those who see the whole profile.
            EntityRef::User(id) => store.user(id)?.is_some_and(|u| {
                u.has_consent(crate::domain::user::ConsentKind::PersonalDataForDistribution)
                    || crate::domain::access::sees_contacts(user, &u)
            }),
            EntityRef::Event(_)
            | EntityRef::Leaders(_)
            | EntityRef::Region(_)
            | EntityRef::Partner(_)
            | EntityRef::Selection(_)
            | EntityRef::Entry(..)
            | EntityRef::Club(_)
            | EntityRef::Recommendation(_)
            | EntityRef::Views(_)
            | EntityRef::SshKeys(_) => false,
        };
        if readable {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A published practice's requests, proposals, audits and protocols
    /// reach the Agency's moderators, not a recipient of another region.
    #[test]
    fn the_feed_keeps_the_workflow_to_those_who_run_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        crate::demo::seed_at(&store, 200, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let of = |login: &str| {
            let reader = store
                .user_by_login(login)
                .expect("reads")
                .expect("demo login");
            let mut practices = Vec::new();
            let mut since = 0;
            loop {
                let page = feed(&store, &reader, since, None).expect("feed");
                for r in page.records {
                    if let Remote::Practice(p) = r {
                        practices.push(*p);
                    }
                }
                if !page.more {
                    break;
                }
                since = page.cursor;
            }
            practices
        };
        let busy = |p: &crate::domain::Practice| {
            p.workflow.edit_request.is_some() || !p.workflow.protocols.is_empty()
        };
        assert!(of("asi").iter().any(busy), "the Agency sees them");
        let recipient = of("recipient");
        assert!(!recipient.is_empty(), "the catalogue travels");
        assert!(!recipient.iter().any(busy), "a recipient does not");
    }
}
