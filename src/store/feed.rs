//! The server side of sync: its epoch, the client ids, their owners and
//! the ops they applied, and who sent which file.

use uuid::Uuid;

use super::{
    BLOB_OWNERS, BLOB_REFS, CLIENTS, EntityRef, KEY_EPOCH, META, PracticeId, Result, Store, UserId,
    entity_of_key, keyed, op_hash_key, own_revision_key, owner_key, read_u64, u64_key,
};

impl Store {
    /// Server: this instance's epoch, made on first use and anew by a
    /// restore: clients that pulled from another epoch pull again.
    pub fn epoch(&self) -> Result<Uuid> {
        if let Some(e) = self.trees[META]
            .get(KEY_EPOCH)?
            .and_then(|v| Uuid::from_slice(&v).ok())
        {
            return Ok(e);
        }
        self.new_epoch()
    }

    /// Server: starts a new epoch (after a restore), durably.
    pub fn new_epoch(&self) -> Result<Uuid> {
        let _gate = self.write_gate();
        let id = Uuid::now_v7();
        self.trees[META].insert(KEY_EPOCH, id.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(id)
    }

    /// Server: the user a client id belongs to.
    pub fn client_owner(&self, client: Uuid) -> Result<Option<UserId>> {
        Ok(self.trees[CLIENTS]
            .get(owner_key(client))?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Server: gives a client id to a user, if it has no owner yet; returns
    /// its owner. Not flushed by itself: the first op's commit, which
    /// follows at once, makes it durable with the op; a registration lost
    /// to a crash before any op is made again by the next request.
    pub fn register_client(&self, client: Uuid, user: UserId) -> Result<UserId> {
        let _gate = self.write_gate();
        let prior = self.trees[CLIENTS].compare_and_swap(
            owner_key(client),
            None as Option<&[u8]>,
            Some(user.as_bytes().as_slice()),
        )?;
        match prior {
            Ok(()) => Ok(user),
            Err(e) => Ok(e
                .current
                .and_then(|v| Uuid::from_slice(&v).ok())
                .unwrap_or(user)),
        }
    }

    /// Server: the SHA-256 of the op applied under a client's number.
    pub fn client_op_hash(&self, client: Uuid, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.trees[CLIENTS]
            .get(op_hash_key(client, seq))?
            .map(|v| v.to_vec()))
    }

    /// Server: the last op seq applied for a client.
    pub fn client_last(&self, client: Uuid) -> Result<u64> {
        Ok(self.trees[CLIENTS]
            .get(client.as_bytes())?
            .map_or(0, |v| read_u64(&v)))
    }

    /// Server: the revisions of a practice this client's ops produced.
    pub fn own_revisions(
        &self,
        client: Uuid,
        practice: PracticeId,
    ) -> Result<std::collections::HashSet<u32>> {
        let prefix = own_revision_key(client, practice, 0);
        let prefix = &prefix[..prefix.len() - 4];
        self.trees[CLIENTS]
            .scan_prefix(prefix)
            .keys()
            .map(|k| {
                let k = k?;
                let mut b = [0u8; 4];
                b.copy_from_slice(&k[k.len() - 4..]);
                Ok(u32::from_be_bytes(b))
            })
            .collect()
    }

    /// Server: remembers that change `seq` was this client's own op, which
    /// left the practice as the client has it; the feed need not send it
    /// back. An optimisation only: if lost, the practice is sent again.
    pub fn put_client_echo(&self, client: Uuid, seq: u64) -> Result<()> {
        let _gate = self.write_gate();
        let key = [b"e".as_slice(), client.as_bytes(), &u64_key(seq)].concat();
        self.trees[CLIENTS].insert(key, &[])?;
        Ok(())
    }

    /// Server: whether change `seq` was this client's own clean op.
    pub fn is_client_echo(&self, client: Uuid, seq: u64) -> Result<bool> {
        let key = [b"e".as_slice(), client.as_bytes(), &u64_key(seq)].concat();
        Ok(self.trees[CLIENTS].contains_key(key)?)
    }

    /// Server: the recorded result of a client's op.
    pub fn client_result(&self, client: Uuid, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.trees[CLIENTS]
            .get(keyed(client.as_bytes(), seq))?
            .map(|v| v.to_vec()))
    }

    /// The records that name a file.
    pub fn file_refs(&self, sha256: &str) -> Result<Vec<EntityRef>> {
        let mut out = Vec::new();
        for k in self.trees[BLOB_REFS].scan_prefix(sha256.as_bytes()).keys() {
            let k = k?;
            if let Some(e) = entity_of_key(&k[sha256.len()..]) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Server: records that a user sent a whole file, durably.
    pub fn add_file_owner(&self, sha256: &str, user: UserId) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[BLOB_OWNERS].insert([sha256.as_bytes(), user.as_bytes()].concat(), &[])?;
        self.db.flush()?;
        Ok(())
    }

    /// Server: whether a user sent this file.
    pub fn file_owned_by(&self, sha256: &str, user: UserId) -> Result<bool> {
        Ok(self.trees[BLOB_OWNERS].contains_key([sha256.as_bytes(), user.as_bytes()].concat())?)
    }
}
