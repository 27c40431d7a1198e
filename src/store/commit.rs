//! [`Store::commit`]: the one way to change the store.

use crate::domain::clock::{Clock as _, SYSTEM};
use sled::Transactional as _;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::fmt::Write as _;

use super::{
    APPLICATIONS, AUDIT, AUDIT_INDEX, AuditEntry, BLOB_REFS, CHAIN, CHANGES, CLIENTS, CLUB,
    ChangeEntry, ENTRIES, EVENTS, EntityRef, INBOX, KEY_CLIENT, KEY_CURSOR, KEY_OP_SEQ, KEY_SEQ,
    LEADERS, LOGINS, MAIL, META, Mutation, Notice, OUTBOX, PARTNERS, PRACTICES, QUEUE_VIEWS,
    RECOMMENDATIONS, REGIONS, REVISIONS, Record, Result, SELECTIONS, SSH_KEYS, STEPS, SUMMARIES,
    SYNCED, Store, StoreError, Summary, USERS, UserId, VIEWS, chain_link, codec, entity_key,
    files_of, keyed, op_hash_key, own_revision_key, read_u64, revision_key, settled, u64_key,
};

impl Store {
    /// The one way to change the store: records, audit entry and change-log
    /// entry in one transaction, on disk before returning the new sequence
    /// number (the flush shared with commits made meanwhile, or deferred
    /// under [`Store::defer_flush`]).
    pub fn commit(&self, m: &Mutation) -> Result<u64> {
        let gate = self.write_gate();
        let at = m.at.unwrap_or_else(|| SYSTEM.now());
        let mut entities: Vec<EntityRef> = Vec::new();
        for r in &m.records {
            let k = r.key();
            if !entities.contains(&k) {
                entities.push(k);
            }
        }
        // Encode outside the transaction: the closure may run more than once.
        let mut encoded = Vec::with_capacity(m.records.len());
        // The rows as this change leaves them, kept with it in memory.
        let mut summaries = Vec::new();
        for r in &m.records {
            match r {
                Record::User(u) => {
                    encoded.push((USERS, u.id.as_bytes().to_vec(), codec::encode(u.as_ref())?));
                }
                Record::Practice(p) => {
                    let key = p.id.as_bytes().to_vec();
                    let row = Summary::of(p);
                    encoded.push((SUMMARIES, key.clone(), codec::encode(&row)?));
                    summaries.push(row);
                    encoded.push((
                        QUEUE_VIEWS,
                        key.clone(),
                        codec::encode(&crate::domain::queue::view(p))?,
                    ));
                    encoded.push((PRACTICES, key, codec::encode(p.as_ref())?));
                }
                Record::Revision(r) => encoded.push((
                    REVISIONS,
                    revision_key(r.practice, r.number),
                    codec::encode(r.as_ref())?,
                )),
                Record::Leaders { year, leaders } => encoded.push((
                    LEADERS,
                    year.to_be_bytes().to_vec(),
                    codec::encode(leaders)?,
                )),
                Record::Application(a) => encoded.push((
                    APPLICATIONS,
                    a.id.as_bytes().to_vec(),
                    codec::encode(a.as_ref())?,
                )),
                Record::Event(e) => {
                    encoded.push((EVENTS, e.id.as_bytes().to_vec(), codec::encode(e.as_ref())?));
                }
                Record::Partner(p) => {
                    encoded.push((
                        PARTNERS,
                        p.id.as_bytes().to_vec(),
                        codec::encode(p.as_ref())?,
                    ));
                }
                Record::Selection(s) => {
                    encoded.push((
                        SELECTIONS,
                        s.id.as_bytes().to_vec(),
                        codec::encode(s.as_ref())?,
                    ));
                }
                Record::Entry(e) => {
                    encoded.push((
                        ENTRIES,
                        [e.selection.as_bytes().as_slice(), e.practice.as_bytes()].concat(),
                        codec::encode(e.as_ref())?,
                    ));
                }
                Record::Club(c) => {
                    encoded.push((CLUB, c.id.as_bytes().to_vec(), codec::encode(c.as_ref())?));
                }
                Record::SshKeys(k) => {
                    encoded.push((
                        SSH_KEYS,
                        k.user.as_bytes().to_vec(),
                        codec::encode(k.as_ref())?,
                    ));
                }
                Record::Views(v) => {
                    encoded.push((
                        VIEWS,
                        v.user.as_bytes().to_vec(),
                        codec::encode(v.as_ref())?,
                    ));
                }
                Record::Recommendation(r) => encoded.push((
                    RECOMMENDATIONS,
                    r.practice.as_bytes().to_vec(),
                    codec::encode(r.as_ref())?,
                )),
                Record::Region(r) => {
                    encoded.push((
                        REGIONS,
                        r.code.as_bytes().to_vec(),
                        codec::encode(r.as_ref())?,
                    ));
                }
            }
        }
        let logins: Vec<(String, UserId)> = m
            .records
            .iter()
            .filter_map(|r| match r {
                Record::User(u) => Some((u.login.clone(), u.id)),
                _ => None,
            })
            .collect();

        // The notices name the practice the change is about: a practice
        // record's own, else the practice of an application (or an event).
        let (practice, title) = m
            .records
            .iter()
            .find_map(|r| match r {
                Record::Practice(p) => Some((Some(p.id), p.passport.title.clone())),
                _ => None,
            })
            .or_else(|| {
                m.records.iter().find_map(|r| match r {
                    Record::Application(a) => Some((
                        Some(a.practice),
                        self.practice(a.practice)
                            .ok()
                            .flatten()
                            .map(|p| p.passport.title)
                            .unwrap_or_default(),
                    )),
                    Record::Event(e) => Some((e.practices.first().copied(), e.title.clone())),
                    _ => None,
                })
            })
            .unwrap_or_default();
        let mut refs: Vec<Vec<u8>> = Vec::new();
        for r in &m.records {
            for sha in files_of(r) {
                refs.push([sha.as_bytes(), &entity_key(r.key())].concat());
            }
        }
        // Mail for the notices (on the central instance), and what the
        // change sends besides. Read under the write gate: no commit
        // changes the users meanwhile.
        let mut mail: Vec<Vec<u8>> = Vec::new();
        if self.is_mailing() {
            // A workflow step starts a deadline (§4.1.9 counts it from the
            // mail): sent even to those who opted out.
            let urgent = m.transition.is_some();
            for id in &m.notify {
                if let Some(u) = self.user(*id)?
                    && crate::domain::people::gets_mail(&u, urgent)
                {
                    let subject = if title.is_empty() {
                        format!("Смартека: {}", m.summary)
                    } else {
                        format!("Смартека: {title}")
                    };
                    let mut body = format!("{}\n", m.summary);
                    if !title.is_empty() {
                        let _ = writeln!(body, "\nПрактика: «{title}»");
                    }
                    body.push_str("\nПодробности — во «Входящих» рабочего места (клавиша i) или: smarteka inbox.\nОтписаться от уведомлений, кроме сроков и безопасности: smarteka profile mail off.\n");
                    mail.push(codec::encode(&super::OutMail {
                        to: u.profile.email.clone(),
                        name: u.shown_name().to_owned(),
                        subject,
                        body,
                    })?);
                }
            }
        }
        for out in &m.mail {
            mail.push(codec::encode(out)?);
        }
        let reminded = m.reminded.map(|d| codec::encode(&d)).transpose()?;
        let fresh: Vec<(usize, Vec<u8>, EntityRef)> = m
            .fresh
            .iter()
            .filter_map(|e| {
                let (tree, key) = match e {
                    EntityRef::User(id) => (USERS, id.as_bytes().to_vec()),
                    EntityRef::Practice(id) => (PRACTICES, id.as_bytes().to_vec()),
                    EntityRef::Application(id) => (APPLICATIONS, id.as_bytes().to_vec()),
                    EntityRef::Event(id) => (EVENTS, id.as_bytes().to_vec()),
                    EntityRef::Partner(id) => (PARTNERS, id.as_bytes().to_vec()),
                    EntityRef::Selection(id) => (SELECTIONS, id.as_bytes().to_vec()),
                    EntityRef::Club(id) => (CLUB, id.as_bytes().to_vec()),
                    EntityRef::Entry(s, p) => {
                        (ENTRIES, [s.as_bytes().as_slice(), p.as_bytes()].concat())
                    }
                    EntityRef::Leaders(_)
                    | EntityRef::Region(_)
                    | EntityRef::Recommendation(_)
                    | EntityRef::Views(_)
                    | EntityRef::SshKeys(_) => {
                        return None;
                    }
                };
                Some((tree, key, *e))
            })
            .collect();
        // Client: the rows of the catalogue written now, or the practices
        // whose passports arrive after their rows.
        let rows = self.row_markers(m);
        // New records, counted inside the transaction (it may run again).
        let added = std::cell::Cell::new([0u64; 4]);
        // The trees a commit writes (not the server's file owners nor the
        // client's journal of sent ops, which are written apart).
        let result = self.trees[..=SSH_KEYS].transaction(
            |tx: &Vec<TransactionalTree>| -> Result<u64, ConflictableTransactionError<StoreError>> {
                added.set([0; 4]);
                for (tree, key, e) in &fresh {
                    if tx[*tree].get(key.as_slice())?.is_some() {
                        return Err(ConflictableTransactionError::Abort(StoreError::Exists(
                            e.name(),
                        )));
                    }
                }
                for (login, id) in &logins {
                    if let Some(owner) = tx[LOGINS].get(login.as_bytes())?
                        && owner.as_ref() != id.as_bytes()
                    {
                        return Err(ConflictableTransactionError::Abort(StoreError::LoginTaken(
                            login.clone(),
                        )));
                    }
                    tx[LOGINS].insert(login.as_bytes(), id.as_bytes().as_slice())?;
                }
                for (tree, key, value) in &encoded {
                    let before = tx[*tree].insert(key.as_slice(), value.as_slice())?;
                    let slot = match *tree {
                        PRACTICES => Some(0),
                        USERS => Some(1),
                        APPLICATIONS => Some(2),
                        EVENTS => Some(3),
                        _ => None,
                    };
                    if let (Some(i), None) = (slot, before) {
                        let mut a = added.get();
                        a[i] += 1;
                        added.set(a);
                    }
                }
                for key in &rows {
                    if m.rows {
                        tx[META].insert(key.as_slice(), &[])?;
                    } else {
                        tx[META].remove(key.as_slice())?;
                    }
                }
                for k in &refs {
                    // Most edits name the files they named before.
                    if tx[BLOB_REFS].get(k.as_slice())?.is_none() {
                        tx[BLOB_REFS].insert(k.as_slice(), &[])?;
                    }
                }
                let seq = tx[META].get(KEY_SEQ)?.map_or(0, |v| read_u64(&v)) + 1;
                tx[META].insert(KEY_SEQ, &u64_key(seq))?;
                let audit = AuditEntry {
                    seq,
                    at,
                    actor: m.actor,
                    action: m.action.clone(),
                    summary: m.summary.clone(),
                    entities: entities.clone(),
                    transition: m.transition.clone(),
                };
                for e in &entities {
                    tx[AUDIT_INDEX].insert(keyed(&entity_key(*e), seq), &[])?;
                }
                for user in &m.notify {
                    let notice = Notice {
                        seq,
                        at,
                        actor: m.actor,
                        practice,
                        title: title.clone(),
                        text: m.summary.clone(),
                        read: false,
                    };
                    let n = codec::encode(&notice)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[INBOX].insert(keyed(user.as_bytes(), seq), n)?;
                }
                if let Some(day) = &reminded {
                    tx[META].insert(super::KEY_REMINDED, day.as_slice())?;
                }
                for (i, bytes) in mail.iter().enumerate() {
                    let key = [u64_key(seq).as_slice(), &(i as u32).to_be_bytes()].concat();
                    tx[MAIL].insert(key, bytes.as_slice())?;
                }
                let change = ChangeEntry {
                    seq,
                    at,
                    entities: entities.clone(),
                };
                let a = codec::encode(&audit)
                    .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                let c = codec::encode(&change)
                    .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                let prev = match seq {
                    1 => None,
                    n => tx[CHAIN].get(u64_key(n - 1))?,
                };
                tx[CHAIN].insert(&u64_key(seq), chain_link(prev.as_deref(), &a).as_slice())?;
                tx[AUDIT].insert(&u64_key(seq), a)?;
                tx[CHANGES].insert(&u64_key(seq), c)?;
                if let Some(kind) = &m.op
                    && tx[META].get(KEY_CLIENT)?.is_some()
                {
                    let n = tx[META].get(KEY_OP_SEQ)?.map_or(0, |v| read_u64(&v)) + 1;
                    tx[META].insert(KEY_OP_SEQ, &u64_key(n))?;
                    let op = crate::sync::protocol::Op {
                        seq: n,
                        at,
                        kind: kind.clone(),
                    };
                    let bytes = codec::encode(&op)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[OUTBOX].insert(&u64_key(n), bytes)?;
                }
                if let Some(op) = &m.client_op {
                    tx[CLIENTS].insert(op.client.as_bytes().as_slice(), &u64_key(op.seq))?;
                    tx[CLIENTS]
                        .insert(keyed(op.client.as_bytes(), op.seq), op.result.as_slice())?;
                    tx[CLIENTS].insert(op_hash_key(op.client, op.seq), op.hash.as_slice())?;
                }
                if let Some((client, practice, rev)) = &m.client_rev {
                    tx[CLIENTS].insert(own_revision_key(*client, *practice, *rev), &[])?;
                }
                if let Some(step) = &m.step {
                    let bytes = codec::encode(step)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[STEPS].insert(&u64_key(seq), bytes)?;
                }
                if let Some((cursor, synced)) = &m.pulled {
                    // Forward only: a practice fetched on its own leaves
                    // the cursor where the feed has it.
                    if tx[META].get(KEY_CURSOR)?.map_or(0, |v| read_u64(&v)) < *cursor {
                        tx[META].insert(KEY_CURSOR, &u64_key(*cursor))?;
                    }
                    for (id, rev) in synced {
                        tx[SYNCED].insert(id.as_bytes().as_slice(), &rev.to_be_bytes())?;
                    }
                }
                Ok(seq)
            },
        );
        let seq = settled(result)?;
        self.recent.keep(super::recent::Recent {
            seq,
            entities,
            rows: summaries,
        });
        {
            let mut counts = self.counts_lock();
            let a = added.get();
            counts.seq = seq;
            counts.practices += a[0];
            counts.users += a[1];
            counts.applications += a[2];
            counts.events += a[3];
        }
        drop(gate);
        if !self.deferring() {
            self.durable(seq)?;
        }
        Ok(seq)
    }
}
