//! The client side of sync: its id, the outbox of ops waiting for the
//! server, the journal of sent ops, the server epoch and the pull cursor.

use crate::domain::clock::{Clock as _, SYSTEM};
use sled::Transactional as _;
use sled::transaction::ConflictableTransactionError;
use uuid::Uuid;

use super::{
    KEY_CLIENT, KEY_CURSOR, KEY_OP_SEQ, KEY_SERVER_EPOCH, META, OUTBOX, PracticeId, Result, SENT,
    SENT_KEPT, SYNCED, Store, StoreError, codec, read_u64, settled, u64_key,
};

impl Store {
    /// This install's client id for sync, made on first use.
    pub fn link(&self) -> Result<Uuid> {
        let _gate = self.write_gate();
        if let Some(id) = self.client_id()? {
            return Ok(id);
        }
        let id = Uuid::now_v7();
        self.trees[META].insert(KEY_CLIENT, id.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(id)
    }

    /// The client id, once linked to a server.
    pub fn client_id(&self) -> Result<Option<Uuid>> {
        Ok(self.trees[META]
            .get(KEY_CLIENT)?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Operations waiting for the server, oldest first.
    pub fn outbox(&self) -> Result<Vec<crate::sync::protocol::Op>> {
        self.trees[OUTBOX]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Drops operations the server has answered, durably. They are kept a
    /// while in the journal of sent ops (the newest [`SENT_KEPT`]), so that
    /// a server restored from an older backup can be sent them again.
    pub fn drop_ops(&self, seqs: &[u64]) -> Result<()> {
        let _gate = self.write_gate();
        let client = self.client_id()?.unwrap_or_default();
        let result = (&self.trees[OUTBOX], &self.trees[SENT]).transaction(|(out, sent)| {
            for s in seqs {
                if let Some(v) = out.remove(&u64_key(*s))? {
                    sent.insert([client.as_bytes().as_slice(), &u64_key(*s)].concat(), v)?;
                }
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        settled(result)?;
        // Op numbers are gap-free: what is older than the newest SENT_KEPT
        // is a range of keys, removed without reading the rest.
        if let Some(newest) = seqs.iter().max()
            && let Some(cut) = newest.checked_sub(SENT_KEPT as u64)
        {
            let from = [client.as_bytes().as_slice(), &u64_key(0)].concat();
            let to = [client.as_bytes().as_slice(), &u64_key(cut + 1)].concat();
            for k in self.trees[SENT].range(from..to).keys() {
                self.trees[SENT].remove(k?)?;
            }
        }
        self.db.flush()?;
        Ok(())
    }

    /// Client: the acknowledged ops of `client` after its op `seq`, oldest
    /// first, from the journal of sent ops.
    pub fn sent_after(&self, client: Uuid, seq: u64) -> Result<Vec<crate::sync::protocol::Op>> {
        self.trees[SENT]
            .range([client.as_bytes().as_slice(), &u64_key(seq + 1)].concat()..)
            .take_while(|kv| {
                kv.as_ref()
                    .map_or(true, |(k, _)| k.starts_with(client.as_bytes()))
            })
            .map(|kv| Ok(codec::decode(&kv?.1)?))
            .collect()
    }

    /// Client: takes a new client id (`id`, or a new one) and queues under
    /// it, numbered from 1, the acknowledged ops to send again (`resend`)
    /// and then everything in the outbox — used when the server no longer
    /// knows this client's ops (a store restored from a copy, a server
    /// restored from a backup) or gave it another id. The outbox is read
    /// under the write gate, so a change saved meanwhile is not left out.
    /// Durable before it returns; returns the id and how many ops it queued.
    pub fn relink(
        &self,
        id: Option<Uuid>,
        resend: &[crate::sync::protocol::OpKind],
    ) -> Result<(Uuid, usize)> {
        let _gate = self.write_gate();
        let id = id.unwrap_or_else(Uuid::now_v7);
        let at = SYSTEM.now();
        let mut ops: Vec<crate::sync::protocol::OpKind> = resend.to_vec();
        for v in self.trees[OUTBOX].iter().values() {
            ops.push(codec::decode::<crate::sync::protocol::Op>(&v?)?.kind);
        }
        let mut encoded = Vec::with_capacity(ops.len());
        for (i, kind) in ops.iter().enumerate() {
            let op = crate::sync::protocol::Op {
                seq: i as u64 + 1,
                at,
                kind: kind.clone(),
            };
            encoded.push(codec::encode(&op)?);
        }
        let queued: Vec<sled::IVec> = self.trees[OUTBOX].iter().keys().collect::<Result<_, _>>()?;
        let result = (&self.trees[META], &self.trees[OUTBOX]).transaction(|(meta, out)| {
            for k in &queued {
                out.remove(k)?;
            }
            for (i, bytes) in encoded.iter().enumerate() {
                out.insert(&u64_key(i as u64 + 1), bytes.as_slice())?;
            }
            meta.insert(KEY_CLIENT, id.as_bytes().as_slice())?;
            meta.insert(KEY_OP_SEQ, &u64_key(ops.len() as u64))?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        settled(result)?;
        self.db.flush()?;
        Ok((id, ops.len()))
    }

    /// Client: the server instance the pull cursor counts in (a server
    /// restored from a backup is another one).
    pub fn server_epoch(&self) -> Result<Option<Uuid>> {
        Ok(self.trees[META]
            .get(KEY_SERVER_EPOCH)?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Client: the server epoch the pulled records came from.
    pub fn set_server_epoch(&self, epoch: Uuid) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(KEY_SERVER_EPOCH, epoch.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(())
    }

    /// Pulls everything again at the next sync (`sync repair`); changes
    /// waiting to be sent stay.
    pub fn reset_pull(&self) -> Result<()> {
        self.put_cursor(0)
    }

    /// Client: the server said nothing after the cursor up to `latest` is
    /// news to this client (its own changes, or what it may not read): the
    /// cursor moves there without a pull.
    pub fn skip_pull_to(&self, latest: u64) -> Result<()> {
        if latest > self.pull_cursor()? {
            self.put_cursor(latest)?;
        }
        Ok(())
    }

    fn put_cursor(&self, n: u64) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(KEY_CURSOR, &u64_key(n))?;
        self.db.flush()?;
        Ok(())
    }

    /// The server sequence up to which changes were pulled.
    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(self.trees[META]
            .get(KEY_CURSOR)?
            .map_or(0, |v| read_u64(&v)))
    }

    /// The server revision a practice was last pulled at.
    pub fn synced(&self, id: PracticeId) -> Result<Option<u32>> {
        Ok(self.trees[SYNCED].get(id.as_bytes())?.map(|v| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&v[..4.min(v.len())]);
            u32::from_be_bytes(b)
        }))
    }
}
