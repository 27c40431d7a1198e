//! `smarteka check`: the store verified end to end — every record decodes,
//! the summaries and the login index agree with the records, the change
//! log and the audit trail have one entry per change, the audit chain
//! holds, the high-water mark is met, and every file matches its hash.

use serde::de::DeserializeOwned;

use super::{
    APPLICATIONS, AUDIT, AuditEntry, CHANGES, CONFLICTS, ChangeEntry, EVENTS, INBOX, LEADERS,
    LOGINS, Notice, OUTBOX, PRACTICES, Practice, QUEUE_VIEWS, REVISIONS, Result, Revision,
    SESSIONS, STEPS, SUMMARIES, Session, Store, Summary, USERS, User, blobs, codec,
};

/// What `check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// What was checked and held, in Russian.
    pub passed: Vec<String>,
    /// What is wrong, in Russian.
    pub problems: Vec<String>,
    /// What is missing but may come with a sync (files not yet pulled).
    pub notes: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Decodes every value of a tree; returns how many, and the problems.
fn decode_all<T: DeserializeOwned>(
    store: &Store,
    tree: usize,
    what: &str,
    report: &mut Report,
) -> Result<Vec<T>> {
    let watch = super::watch::Watch::start(&store.dir);
    let mut out = Vec::new();
    let mut bad = 0;
    for item in &store.trees[tree] {
        watch.tick();
        let (_, v) = item?;
        match codec::decode::<T>(&v) {
            Ok(x) => out.push(x),
            Err(_) => bad += 1,
        }
    }
    if bad > 0 {
        report
            .problems
            .push(format!("{what}: не читаются {bad} записей"));
    }
    Ok(out)
}

impl Store {
    /// Checks the store end to end; `progress` hears each step's name.
    pub fn check(&self, mut progress: impl FnMut(&str)) -> Result<Report> {
        let mut r = Report::default();
        progress("записи");
        let users: Vec<User> = decode_all(self, USERS, "пользователи", &mut r)?;
        let practices: Vec<Practice> = decode_all(self, PRACTICES, "практики", &mut r)?;
        let summaries: Vec<Summary> = decode_all(self, SUMMARIES, "сводки практик", &mut r)?;
        let revisions: Vec<Revision> = decode_all(self, REVISIONS, "редакции", &mut r)?;
        let audit: Vec<AuditEntry> = decode_all(self, AUDIT, "журнал аудита", &mut r)?;
        let changes: Vec<ChangeEntry> = decode_all(self, CHANGES, "журнал изменений", &mut r)?;
        let _: Vec<Vec<crate::domain::eligibility::Leader>> =
            decode_all(self, LEADERS, "списки лидеров", &mut r)?;
        let _: Vec<Notice> = decode_all(self, INBOX, "уведомления", &mut r)?;
        let _: Vec<Session> = decode_all(self, SESSIONS, "сеансы", &mut r)?;
        let _: Vec<crate::sync::protocol::Op> =
            decode_all(self, OUTBOX, "очередь отправки", &mut r)?;
        let _: Vec<crate::sync::protocol::Conflict> =
            decode_all(self, CONFLICTS, "конфликты", &mut r)?;
        let apps: Vec<crate::domain::replication::Application> =
            decode_all(self, APPLICATIONS, "заявки", &mut r)?;
        let events: Vec<crate::domain::replication::Event> =
            decode_all(self, EVENTS, "мероприятия", &mut r)?;
        let _: Vec<crate::domain::replication::Step> =
            decode_all(self, STEPS, "шаги тиражирования", &mut r)?;
        if r.problems.is_empty() {
            r.passed.push(format!(
                "все записи читаются: пользователей {}, практик {}, редакций {}, заявок {}, мероприятий {}",
                users.len(),
                practices.len(),
                revisions.len(),
                apps.len(),
                events.len()
            ));
        }

        progress("сводки и указатели");
        let by_id: std::collections::HashMap<_, _> = summaries.iter().map(|s| (s.id, s)).collect();
        let mut wrong = 0;
        for p in &practices {
            if by_id.get(&p.id).is_none_or(|s| **s != Summary::of(p)) {
                wrong += 1;
            }
        }
        if wrong > 0 || summaries.len() != practices.len() {
            r.problems.push(format!(
                "сводки не совпадают с практиками: расходятся {wrong}, сводок {}, практик {}",
                summaries.len(),
                practices.len()
            ));
        } else {
            r.passed
                .push("сводки списков совпадают с практиками".to_owned());
        }
        let mut views_bad = 0;
        for p in &practices {
            let view = self.trees[QUEUE_VIEWS]
                .get(p.id.as_bytes())?
                .and_then(|v| codec::decode::<Practice>(&v).ok());
            if view.as_ref() != Some(&crate::domain::queue::view(p)) {
                views_bad += 1;
            }
        }
        if views_bad > 0 {
            r.problems.push(format!(
                "данные очередей расходятся с практиками: {views_bad}"
            ));
        } else {
            r.passed
                .push("данные очередей совпадают с практиками".to_owned());
        }
        let mut logins_bad = 0;
        for u in &users {
            let id = self.trees[LOGINS].get(u.login.as_bytes())?;
            if id.as_deref() != Some(u.id.as_bytes().as_slice()) {
                logins_bad += 1;
            }
        }
        if logins_bad > 0 || self.trees[LOGINS].len() != users.len() {
            r.problems.push(format!(
                "указатель логинов расходится с пользователями: {logins_bad}"
            ));
        } else {
            r.passed
                .push("указатель логинов совпадает с пользователями".to_owned());
        }

        let mut unindexed = 0;
        for a in &audit {
            for e in &a.entities {
                let key = super::keyed(&super::entity_key(*e), a.seq);
                if !self.trees[super::AUDIT_INDEX].contains_key(key)? {
                    unindexed += 1;
                }
            }
        }
        if unindexed > 0 {
            r.problems.push(format!(
                "указатель журнала аудита по записям неполон: недостаёт {unindexed}"
            ));
        } else {
            r.passed
                .push("указатель журнала аудита по записям полон".to_owned());
        }

        progress("журналы");
        let seq = self.last_seq()?;
        let contiguous = |seqs: &mut dyn Iterator<Item = u64>| seqs.eq(1..=seq);
        if !contiguous(&mut audit.iter().map(|a| a.seq))
            || !contiguous(&mut changes.iter().map(|c| c.seq))
        {
            r.problems.push(format!(
                "журналы неполны: изменений {seq}, записей аудита {}, записей журнала изменений {}",
                audit.len(),
                changes.len()
            ));
        } else {
            r.passed.push(format!(
                "журнал изменений и журнал аудита: по одной записи на каждое из {seq} изменений"
            ));
        }
        match self.verify_chain()? {
            (None, n) => r.passed.push(format!("цепочка аудита цела: {n} записей")),
            (Some(at), _) => r
                .problems
                .push(format!("цепочка аудита нарушена на записи №{at}")),
        }
        let mark = super::mark::read(&self.dir)?;
        let have = self.measure()?;
        match mark.map(|m| m.losses(&have)) {
            Some(lost) if !lost.is_empty() => r.problems.push(format!(
                "в хранилище меньше, чем записано в его отметке: {}",
                lost.join(", ")
            )),
            Some(_) => r
                .passed
                .push("отметка последней записи не опережает хранилище".to_owned()),
            None => r.notes.push("отметки последней записи нет".to_owned()),
        }

        progress("файлы");
        let files = blobs::Blobs::new(&self.dir);
        let stored = files.list();
        let mut mismatched = Vec::new();
        for sha in &stored {
            match blobs::hash_file(&files.path_of(sha)) {
                Ok(h) if &h == sha => {}
                _ => mismatched.push(sha.clone()),
            }
        }
        if mismatched.is_empty() {
            r.passed.push(format!(
                "файлы совпадают со своими SHA-256: {}",
                stored.len()
            ));
        } else {
            r.problems.push(format!(
                "файлы не совпадают со своими SHA-256: {}",
                mismatched.join(", ")
            ));
        }
        let mut missing = 0;
        let mut last = String::new();
        for k in self.trees[super::BLOB_REFS].iter().keys() {
            let k = k?;
            let sha = String::from_utf8_lossy(&k[..64.min(k.len())]).into_owned();
            if sha != last {
                if !files.exists(&sha) {
                    missing += 1;
                }
                last = sha;
            }
        }
        if missing > 0 {
            // Not damage of the store: on a workstation they come with a
            // sync; elsewhere they were never sent (or are demo data).
            r.notes.push(format!(
                "файлов, на которые ссылаются записи, нет в хранилище: {missing}"
            ));
        }
        Ok(r)
    }
}
