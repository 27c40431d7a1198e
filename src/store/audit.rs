//! The change log, the audit trail and its chain.

use super::{
    AUDIT, AUDIT_INDEX, AuditEntry, CHAIN, CHANGES, ChangeEntry, EntityRef, KEY_SEEN_HEAD, META,
    Result, Store, blobs, chain_link, codec, entity_key, read_u64, u64_key,
};

impl Store {
    /// Change-log entries after `seq`, in order.
    pub fn changes_since(&self, seq: u64) -> impl Iterator<Item = Result<ChangeEntry>> + '_ {
        self.trees[CHANGES]
            .range(u64_key(seq + 1)..)
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> impl Iterator<Item = Result<AuditEntry>> + '_ {
        self.trees[AUDIT]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// The audit entries that touched one record, oldest first.
    pub fn audit_of(&self, e: EntityRef) -> Result<Vec<AuditEntry>> {
        let prefix = entity_key(e);
        let mut out = Vec::new();
        for k in self.trees[AUDIT_INDEX].scan_prefix(&prefix).keys() {
            let k = k?;
            let seq = read_u64(&k[prefix.len()..]);
            if let Some(v) = self.trees[AUDIT].get(u64_key(seq))? {
                out.push(codec::decode(&v)?);
            }
        }
        Ok(out)
    }

    /// The newest link of the audit chain and its change seq.
    pub fn audit_head(&self) -> Result<(u64, String)> {
        Ok(match self.trees[CHAIN].last()? {
            Some((k, v)) => (read_u64(&k), blobs::hex(&v)),
            None => (0, blobs::hex(&[0u8; 32])),
        })
    }

    /// The link of the audit chain at change `seq`, if there is one.
    pub fn audit_link(&self, seq: u64) -> Result<Option<String>> {
        Ok(self.trees[CHAIN].get(u64_key(seq))?.map(|v| blobs::hex(&v)))
    }

    /// Client: the server's audit head as last seen (its seq and link).
    pub fn seen_audit_head(&self) -> Result<Option<(u64, String)>> {
        Ok(self.trees[META]
            .get(KEY_SEEN_HEAD)?
            .and_then(|v| codec::decode(&v).ok()))
    }

    /// Client: remembers the server's audit head, durably.
    pub fn set_seen_audit_head(&self, seq: u64, head: &str) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(KEY_SEEN_HEAD, codec::encode(&(seq, head.to_owned()))?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Checks the audit chain from the first entry: the seq of the first
    /// entry whose link does not follow from the one before and its own
    /// content, if any, and how many entries were checked.
    pub fn verify_chain(&self) -> Result<(Option<u64>, u64)> {
        let mut prev: Option<Vec<u8>> = None;
        let mut n = 0;
        for item in &self.trees[AUDIT] {
            let (k, v) = item?;
            let seq = read_u64(&k);
            n += 1;
            let link = self.trees[CHAIN].get(u64_key(seq))?;
            let want = chain_link(prev.as_deref(), &v);
            // Entries run 1, 2, 3…: a gap is an entry taken out.
            if seq != n || link.as_deref() != Some(want.as_slice()) {
                return Ok((Some(seq), n));
            }
            if codec::decode::<AuditEntry>(&v).map(|a| a.seq).ok() != Some(seq) {
                return Ok((Some(seq), n));
            }
            prev = Some(want);
        }
        if self.trees[CHAIN].len() as u64 != n {
            return Ok((Some(n + 1), n));
        }
        Ok((None, n))
    }
}
