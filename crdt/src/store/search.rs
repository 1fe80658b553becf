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
    fts_query_min(typed, 1)
}

/// [`fts_query`] of the words of at least `min_chars` characters.
pub fn fts_query_min(typed: &str, min_chars: usize) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= min_chars.max(1))
        .take(8)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Cases whose names or journal text match `typed`, one hit per case. When few rows match
    /// (a name, a rare word) they are ranked by relevance (BM25); when many match (a common word
    /// typed as the first letters of a search) ranking them all would cost hundreds of
    /// milliseconds, so the newest matching rows come first instead.
    pub fn search(&self, typed: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        let matches: i64 = self.conn.prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM search_text WHERE search_text MATCH ?1 LIMIT ?2)",
        )?
        .query_row(rusqlite::params![query, RANK_AT_MOST], |r| r.get(0))?;
        // Lower sorts first: relevance (BM25 rank) or the newest row.
        let (key, order) = if matches < RANK_AT_MOST {
            ("search_text.rank", "search_text.rank")
        } else {
            // Literally `rowid DESC`, so FTS5 streams the newest rows and stops at the limit.
            ("-search_text.rowid", "search_text.rowid DESC")
        };
        let sql = format!(
            "WITH matches AS (
                 SELECT s.doc_id, s.field,
                        snippet(search_text, 0, char(2), char(3), '…', 12) AS snip,
                        {key} AS position
                 FROM search_text JOIN search_source s ON s.rowid = search_text.rowid
                 WHERE search_text MATCH ?1
                 ORDER BY {order} LIMIT ?2 * 8
             ), best AS (
                 SELECT doc_id, field, snip, position,
                        row_number() OVER (PARTITION BY doc_id ORDER BY position) AS n
                 FROM matches
             )
             SELECT best.doc_id, coalesce(c.client_name, ''), best.field, best.snip
             FROM best LEFT JOIN case_list c ON c.case_id = best.doc_id
             WHERE n = 1 ORDER BY position LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
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

/// Up to this many matching rows are ranked by relevance; beyond it, newest first.
const RANK_AT_MOST: i64 = 2_000;

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
        assert_eq!(fts_query_min("jan p", 2).as_deref(), Some("\"jan\"*"));
        assert_eq!(fts_query_min("j p", 2), None);
    }
}
