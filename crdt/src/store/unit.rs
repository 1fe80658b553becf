//! Work that writes more than one document (or a document and this device's settings) is all or
//! nothing: [`Store::all_or_nothing`] runs it inside one SQLite savepoint (one transaction, one
//! fsync, when it is the outermost), and when any step fails, everything it wrote is rolled back
//! and every document loaded into the cache during it is forgotten, so a rolled-back write
//! never leaves a changed copy in memory (they are read from disk again when needed).
//!
//! The document writes inside (`edit_document`, `insert_documents`, `set_profile`, ...) keep
//! their own savepoints, which nest inside the unit's.

use super::{Store, StoreError};

/// The open units of work: how deep they nest, and which documents were put into the cache
/// since the outermost one began (with where each nested unit's part starts).
#[derive(Debug, Default)]
pub(crate) struct Units {
    /// For each open unit, the length of `kept` when it began.
    starts: Vec<usize>,
    /// Documents put into the cache while a unit is open.
    kept: Vec<String>,
    /// Tests only: the number of writes that may still succeed before one fails.
    #[cfg(test)]
    fail_after: Option<usize>,
}

impl Units {
    /// Note that document `id` was put into the cache (only remembered inside a unit).
    pub(crate) fn kept(&mut self, id: &str) {
        if !self.starts.is_empty() {
            self.kept.push(id.to_string());
        }
    }

    /// A point just before a write is committed. In tests a write can be made to fail here
    /// (see `Store::fail_writes_after`); otherwise it does nothing.
    #[cfg(not(test))]
    #[inline]
    pub(crate) fn write_point(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// A point just before a write is committed: fails when the test said so.
    #[cfg(test)]
    pub(crate) fn write_point(&mut self) -> Result<(), StoreError> {
        match self.fail_after {
            Some(0) => {
                self.fail_after = None;
                Err(StoreError::Corrupt {
                    id: "test".into(),
                    detail: "injected write failure".into(),
                })
            }
            Some(n) => {
                self.fail_after = Some(n - 1);
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Store {
    /// Run `work` all or nothing: inside one savepoint; when it fails (or the commit fails),
    /// everything it wrote is rolled back, the documents it loaded are dropped from the cache,
    /// and its error is returned. Units nest (an inner unit is part of the outer one).
    pub(crate) fn all_or_nothing<T>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let depth = self.units.starts.len();
        let name = format!("nabij_unit_{depth}");
        self.conn.execute_batch(&format!("SAVEPOINT {name}"))?;
        self.units.starts.push(self.units.kept.len());
        let outcome = work(self).and_then(|value| {
            self.conn.execute_batch(&format!("RELEASE {name}"))?;
            Ok(value)
        });
        let start = self.units.starts.pop().unwrap_or(0);
        if outcome.is_err() {
            // Undo what the unit wrote; if the savepoint is gone (a failed commit may have
            // rolled the transaction back already), there is nothing left to undo.
            let _ = self
                .conn
                .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"));
            if depth == 0 && !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            for id in self.units.kept.split_off(start.min(self.units.kept.len())) {
                self.forget_document(&id);
            }
        }
        if self.units.starts.is_empty() {
            self.units.kept.clear();
        }
        outcome
    }

    /// Tests only: let `n` more writes succeed, then make the next one fail (once); `None`
    /// turns this off.
    #[cfg(test)]
    pub(crate) fn fail_writes_after(&mut self, n: Option<usize>) {
        self.units.fail_after = n;
    }
}

#[cfg(test)]
mod tests;
