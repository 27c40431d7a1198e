//! What a first sync brings before the change feed: the catalogue's rows,
//! and one whole practice asked for by a user who opened its row before
//! its passport arrived. Both answer only what the reader may read, as
//! the feed would show it.

use crate::domain::access::as_read_by;
use crate::domain::{Practice, PracticeId, User};
use crate::store::{Store, StoreError};
use crate::sync::protocol::RowsReply;

/// The rows of every practice `reader` may read: what the queues read of
/// it ([`crate::domain::queue::view`]), as the reader may see it.
pub fn rows(store: &Store, reader: &User) -> Result<RowsReply, StoreError> {
    let scope = crate::service::selections::scope_of(store, Some(reader))?;
    let mut rows = Vec::new();
    for s in store.summaries() {
        let s = s?;
        if scope.can_read_row(&s)
            && let Some(p) = store.queue_view(s.id)?
        {
            rows.push(as_read_by(p, Some(reader)));
        }
    }
    Ok(RowsReply { rows })
}

/// One whole practice as `reader` may see it; `None` when there is none
/// or it is not theirs to read.
pub fn whole(store: &Store, reader: &User, id: PracticeId) -> Result<Option<Practice>, StoreError> {
    let scope = crate::service::selections::scope_of(store, Some(reader))?;
    Ok(store
        .practice(id)?
        .filter(|p| scope.can_read(p))
        .map(|p| as_read_by(p, Some(reader))))
}
