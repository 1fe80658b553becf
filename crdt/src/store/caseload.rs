//! The caseload: cases from the case list, filtered (who may see them, owner, status, theme,
//! conflicts), sorted (last activity or name) and paged, with the total that matches; and
//! search inside that same caseload. Reads the query tables only; never loads a document.

use std::collections::HashMap;

use rusqlite::{Row, params};

use super::search::fts_query_min;
use super::{Store, StoreError};
use crate::case::CaseState;

/// The schema version that added `sort_name` and `conflicts` to the case list; a store opened
/// from before it has its case rows rewritten once.
pub(crate) const CASELOAD_COLUMNS_SINCE: u32 = 4;

/// Words shorter than this are left out of a caseload search: a one-letter prefix matches
/// thousands of words, which the index cannot narrow down quickly.
pub const SEARCH_WORD_MIN: usize = 2;

/// Rows per page when the caller does not say (the whole caseload of one worker fits).
const DEFAULT_LIMIT: u32 = 5_000;

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// The case id.
    pub case_id: String,
    /// The client's name.
    pub client_name: String,
    /// The client's birth year.
    pub birth_year: Option<u16>,
    /// The owner (member id).
    pub owner: String,
    /// Open or closed.
    pub status: CaseState,
    /// Themes, sorted.
    pub themes: Vec<String>,
    /// Date of the last journal entry (or of opening).
    pub last_activity: String,
    /// Tasks not done.
    pub open_tasks: u32,
    /// Fields set differently on two devices, not settled yet.
    pub conflicts: u32,
}

/// The order of a caseload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    /// Most recent activity first.
    #[default]
    Activity,
    /// By client name, accents and case folded (`Çelik` among the C's).
    Name,
}

/// Which cases to list, in which order, which page.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases this member may see (owner or allowed).
    pub visible_to: Option<String>,
    /// Only cases owned by this member.
    pub owner: Option<String>,
    /// Only open or only closed cases.
    pub status: Option<CaseState>,
    /// Only cases with this theme.
    pub theme: Option<String>,
    /// Only cases with fields set differently on two devices.
    pub with_conflicts: bool,
    /// The order.
    pub sort: CaseSort,
    /// Skip this many rows (the rows before the page).
    pub offset: u32,
    /// At most this many rows (default 5,000).
    pub limit: Option<u32>,
}

/// One page of cases and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePage {
    /// The rows of this page.
    pub rows: Vec<CaseSummary>,
    /// Every case that matches the filter, over all pages.
    pub total: u32,
}

/// A case that matches a search: its row and the text that matched best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseHit {
    /// The case's row in the caseload.
    pub case: CaseSummary,
    /// Which field matched best.
    pub field: HitField,
    /// The matching text, with matches between [`super::search::MATCH_START`] and
    /// [`super::search::MATCH_END`].
    pub snippet: String,
}

/// The field of a case a search hit matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitField {
    /// A person's name.
    Name,
    /// A journal entry's text.
    Journal,
}

/// One page of search hits and how many cases match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitPage {
    /// The hits of this page, in the filter's order.
    pub hits: Vec<CaseHit>,
    /// Every case that matches the search and the filter.
    pub total: u32,
}

/// The key the caseload sorts names by: lower case, accents folded.
pub(crate) fn sort_name(name: &str) -> String {
    super::intake::fold(name.trim())
}

/// `items` as a JSON array of strings (for `json_each`).
fn json_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items
        .map(|item| {
            let escaped: String = item
                .chars()
                .flat_map(|c| match c {
                    '"' | '\\' => vec!['\\', c],
                    c if c.is_control() => Vec::new(),
                    c => vec![c],
                })
                .collect();
            format!("\"{escaped}\"")
        })
        .collect();
    format!("[{}]", quoted.join(","))
}

/// Columns of a [`CaseSummary`] from `case_list c`, then the total (a window count).
const COLUMNS: &str = "c.case_id, c.client_name, c.birth_year, c.owner, c.status, c.themes,
     c.last_activity, c.open_tasks, c.conflicts, count(*) OVER ()";

/// The filter over `case_list c`, with parameters ?1 to ?5.
const WHERE: &str =
    "(?1 IS NULL OR c.case_id IN (SELECT case_id FROM case_access WHERE member = ?1))
     AND (?2 IS NULL OR c.owner = ?2)
     AND (?3 IS NULL OR c.status = ?3)
     AND (?4 IS NULL OR (' ' || c.themes || ' ') LIKE ('% ' || ?4 || ' %'))
     AND (?5 = 0 OR c.conflicts > 0)";

fn order_by(sort: CaseSort) -> &'static str {
    match sort {
        CaseSort::Activity => "c.last_activity DESC, c.case_id",
        CaseSort::Name => "c.sort_name, c.case_id",
    }
}

/// A row of [`COLUMNS`]: the summary and the total.
fn summary(r: &Row<'_>) -> rusqlite::Result<(CaseSummary, u32)> {
    let themes: String = r.get(5)?;
    Ok((
        CaseSummary {
            case_id: r.get(0)?,
            client_name: r.get(1)?,
            birth_year: r.get(2)?,
            owner: r.get(3)?,
            status: r.get(4)?,
            themes: themes.split_whitespace().map(str::to_string).collect(),
            last_activity: r.get(6)?,
            open_tasks: r.get(7)?,
            conflicts: r.get(8)?,
        },
        r.get(9)?,
    ))
}

impl Store {
    /// Cases from the case list, in the filter's order (most recent activity first by default).
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        Ok(self.case_page(filter)?.rows)
    }

    /// One page of the caseload and how many cases match the filter in all.
    pub fn case_page(&self, filter: &CaseFilter) -> Result<CasePage, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM case_list c WHERE {WHERE}
             ORDER BY {} LIMIT ?6 OFFSET ?7",
            order_by(filter.sort)
        );
        let found: Vec<(CaseSummary, u32)> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![
                    filter.visible_to,
                    filter.owner,
                    filter.status,
                    filter.theme,
                    filter.with_conflicts,
                    filter.limit.unwrap_or(DEFAULT_LIMIT),
                    filter.offset,
                ],
                summary,
            )?
            .collect::<Result<_, _>>()?;
        let total = match found.first() {
            Some((_, total)) => *total,
            None if filter.offset == 0 => 0,
            None => self.count_cases(filter)?,
        };
        Ok(CasePage {
            rows: found.into_iter().map(|(row, _)| row).collect(),
            total,
        })
    }

    /// How many cases match the filter.
    pub fn count_cases(&self, filter: &CaseFilter) -> Result<u32, StoreError> {
        let sql = format!("SELECT count(*) FROM case_list c WHERE {WHERE}");
        Ok(self.conn.prepare_cached(&sql)?.query_row(
            params![
                filter.visible_to,
                filter.owner,
                filter.status,
                filter.theme,
                filter.with_conflicts,
            ],
            |r| r.get(0),
        )?)
    }

    /// Cases of the caseload whose people's names or journal text match `typed` (every word a
    /// prefix, accents folded), with the same filter, order and paging as [`Store::case_page`];
    /// each hit with the text that matched best (a name before a journal entry). Words shorter
    /// than [`SEARCH_WORD_MIN`] are left out (nothing is found when no word is left).
    pub fn search_cases(&self, typed: &str, filter: &CaseFilter) -> Result<HitPage, StoreError> {
        let Some(query) = fts_query_min(typed, SEARCH_WORD_MIN) else {
            return Ok(HitPage {
                hits: Vec::new(),
                total: 0,
            });
        };
        // The matching rows come from the index; their cases from the small (row, case) index,
        // in that order (CROSS JOIN), then the case list with the filter.
        let sql = format!(
            "WITH matched AS (
                 SELECT DISTINCT s.doc_id AS case_id
                 FROM search_text
                 CROSS JOIN search_source s INDEXED BY search_source_doc_by_row
                   ON s.rowid = search_text.rowid
                 WHERE search_text MATCH ?8)
             SELECT {COLUMNS} FROM matched m CROSS JOIN case_list c ON c.case_id = m.case_id
             WHERE {WHERE}
             ORDER BY {} LIMIT ?6 OFFSET ?7",
            order_by(filter.sort)
        );
        let found: Vec<(CaseSummary, u32)> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![
                    filter.visible_to,
                    filter.owner,
                    filter.status,
                    filter.theme,
                    filter.with_conflicts,
                    filter.limit.unwrap_or(DEFAULT_LIMIT),
                    filter.offset,
                    query,
                ],
                summary,
            )?
            .collect::<Result<_, _>>()?;
        let total = match found.first() {
            Some((_, total)) => *total,
            None if filter.offset == 0 => 0,
            None => {
                self.search_cases(
                    typed,
                    &CaseFilter {
                        offset: 0,
                        limit: Some(1),
                        ..filter.clone()
                    },
                )?
                .total
            }
        };
        // The best text of each case on the page: a name, else the newest matching entry. One
        // pass over the matching rows, a snippet made only for the rows of the page's cases
        // (a query per case would rebuild a long prefix's list of matches each time).
        if found.is_empty() {
            return Ok(HitPage {
                hits: Vec::new(),
                total,
            });
        }
        let page_ids = json_list(found.iter().map(|(case, _)| case.case_id.as_str()));
        let mut best: HashMap<String, (bool, i64, HitField, String)> = HashMap::new();
        let mut rows = self.conn.prepare_cached(
            "SELECT s.doc_id, s.field, s.rowid,
                    snippet(search_text, 0, char(2), char(3), '…', 12)
             FROM search_text CROSS JOIN search_source s ON s.rowid = search_text.rowid
             WHERE search_text MATCH ?1
               AND s.doc_id IN (SELECT value FROM json_each(?2))",
        )?;
        let mut matched = rows.query(params![query, page_ids])?;
        while let Some(r) = matched.next()? {
            let (doc, field, rowid, snippet): (String, String, i64, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let field = if field == "name" {
                HitField::Name
            } else {
                HitField::Journal
            };
            let candidate = (field == HitField::Name, rowid, field, snippet);
            match best.get(&doc) {
                Some(known) if (known.0, known.1) >= (candidate.0, candidate.1) => {}
                _ => {
                    best.insert(doc, candidate);
                }
            }
        }
        let hits = found
            .into_iter()
            .map(|(case, _)| {
                let (field, snippet) = match best.remove(&case.case_id) {
                    Some((_, _, field, snippet)) => (field, snippet),
                    None => (HitField::Name, case.client_name.clone()),
                };
                CaseHit {
                    case,
                    field,
                    snippet,
                }
            })
            .collect();
        Ok(HitPage { hits, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_list_quotes_and_escapes() {
        assert_eq!(json_list([].into_iter()), "[]");
        assert_eq!(
            json_list(["a", "b\"c\\", "d\ne"].into_iter()),
            r#"["a","b\"c\\","de"]"#
        );
    }

    #[test]
    fn sort_names_fold_case_and_accents() {
        assert_eq!(sort_name(" Ayşe Çelik "), "ayse celik");
        assert!(sort_name("Élise") < sort_name("Frank"));
    }
}
