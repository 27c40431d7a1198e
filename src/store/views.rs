//! Saved views: a user's named queries on this store, kept beside its
//! settings (META) under `view` ++ 0 ++ login ++ 0 ++ name.

use super::{META, Result, Store};

fn prefix(login: &str) -> Vec<u8> {
    [b"view\0".as_slice(), login.as_bytes(), b"\0"].concat()
}

impl Store {
    /// `login`'s saved views, (name, query), by name.
    pub fn views(&self, login: &str) -> Result<Vec<(String, String)>> {
        let p = prefix(login);
        self.trees[META]
            .scan_prefix(&p)
            .map(|kv| {
                let (k, v) = kv?;
                Ok((
                    String::from_utf8_lossy(&k[p.len()..]).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }

    /// Saves (or replaces) a view, on disk before returning.
    pub fn save_view(&self, login: &str, name: &str, query: &str) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(
            [prefix(login), name.as_bytes().to_vec()].concat(),
            query.as_bytes(),
        )?;
        self.db.flush()?;
        Ok(())
    }

    /// Deletes a view; whether there was one.
    pub fn delete_view(&self, login: &str, name: &str) -> Result<bool> {
        let _gate = self.write_gate();
        let had = self.trees[META]
            .remove([prefix(login), name.as_bytes().to_vec()].concat())?
            .is_some();
        self.db.flush()?;
        Ok(had)
    }
}
