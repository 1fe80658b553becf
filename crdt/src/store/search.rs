//! Full-text search over people's names and journal text (FTS5). Diacritics are folded
//! (`Çelik` finds `celik` and back) and every word is a prefix (`jan pee` finds `Jan Peeters`).
//! Search reads the query tables only; it never loads a document.

use super::{Store, StoreError};

/// Marks the start of a matched word in [`SearchHit::snippet`].
pub const MATCH_START: char = '\u{2}';
/// Marks the end of a matched word in [`SearchHit::snippet`].
pub const MATCH_END: char = '\u{3}';

/// One case that matches a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The case (or other document) id.
    pub doc_id: String,
    /// The client's name, for the result list.
    pub client_name: String,
    /// Which field matched best: `name` or `journal`.
    pub field: String,
    /// The matching text around the match, with matches between [`MATCH_START`] and [`MATCH_END`].
    pub snippet: String,
}

/// Turn what a user typed into an FTS5 query: each word a quoted prefix, all required.
pub fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Cases whose names or journal text match `typed`, best first, one hit per case.
    pub fn search(&self, typed: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "WITH matches AS (
                 SELECT s.doc_id, s.field,
                        snippet(search_text, 0, char(2), char(3), '…', 12) AS snip,
                        search_text.rank AS rank
                 FROM search_text JOIN search_source s ON s.rowid = search_text.rowid
                 WHERE search_text MATCH ?1
                 ORDER BY rank LIMIT ?2 * 8
             ), best AS (
                 SELECT doc_id, field, snip, rank,
                        row_number() OVER (PARTITION BY doc_id ORDER BY rank) AS n
                 FROM matches
             )
             SELECT best.doc_id, coalesce(c.client_name, ''), best.field, best.snip
             FROM best LEFT JOIN case_list c ON c.case_id = best.doc_id
             WHERE n = 1 ORDER BY rank LIMIT ?2",
        )?;
        let hits = stmt
            .query_map(rusqlite::params![query, limit as i64], |r| {
                Ok(SearchHit {
                    doc_id: r.get(0)?,
                    client_name: r.get(1)?,
                    field: r.get(2)?,
                    snippet: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_prefix_query_without_operators() {
        assert_eq!(fts_query("Jan  Pee").as_deref(), Some("\"Jan\"* \"Pee\"*"));
        assert_eq!(
            fts_query("\"OR\" NEAR(").as_deref(),
            Some("\"OR\"* \"NEAR\"*")
        );
        assert_eq!(fts_query(" - "), None);
    }
}
