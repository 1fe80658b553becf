//! Read-only views of the store's internals for tests and diagnostics: every query-table row as
//! text (to compare two stores, or a store before and after [`Store::rebuild`]) and a document's
//! stored heads (to tell whether two stores hold the same version of a document).
//!
//! Nothing here loads a document or writes to the store.

use rusqlite::OptionalExtension;
use rusqlite::types::ValueRef;

use super::{Store, StoreError};

/// One column value as text: `NULL`, a number, a quoted string or `x'<hex>'` for a blob.
fn render(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => r.to_string(),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("x'{hex}'")
        }
    }
}

impl Store {
    /// Every row of every query table as `table: column=value, ...`, sorted. Row ids
    /// (`search_source.rowid`) are left out: they depend on the order rows were written, not on
    /// the documents, so two stores holding the same documents give the same dump.
    pub fn dump_query_tables(&self) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        let tables = super::table::TABLES.iter().chain([&"search_source"]);
        for table in tables {
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM {table}"))?;
            let columns: Vec<(usize, String)> = stmt
                .column_names()
                .enumerate()
                .filter(|(_, name)| !name.eq_ignore_ascii_case("rowid"))
                .map(|(i, name)| (i, name.to_string()))
                .collect();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let mut fields = Vec::with_capacity(columns.len());
                for (index, name) in &columns {
                    fields.push(format!("{name}={}", render(row.get_ref(*index)?)));
                }
                lines.push(format!("{table}: {}", fields.join(", ")));
            }
        }
        lines.sort();
        Ok(lines)
    }

    /// The stored heads of document `id` (its change hashes, sorted and concatenated), or
    /// `None` when the store has no such document.
    pub fn document_heads(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT heads FROM document WHERE doc_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::KeySource;

    #[test]
    fn empty_store_dumps_nothing_and_has_no_heads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        assert!(store.dump_query_tables().unwrap().is_empty());
        assert_eq!(store.document_heads("nope").unwrap(), None);
    }

    #[test]
    fn values_render_by_type() {
        assert_eq!(render(ValueRef::Null), "NULL");
        assert_eq!(render(ValueRef::Integer(7)), "7");
        assert_eq!(render(ValueRef::Text(b"a\"b")), "\"a\\\"b\"");
        assert_eq!(render(ValueRef::Blob(&[0, 255])), "x'00ff'");
    }
}
