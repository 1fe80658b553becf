//! `partner`: the team's partner directory ("sociale kaart"), one row per partner of the team
//! document, with what the directory shows and searches: `words` holds the folded words of its
//! name, services and themes (slug and label), each after a space, so that a typed word is a
//! prefix of one of them when ` word` occurs in it. Read by `Store::directory` (`directory.rs`),
//! with the member count from `member_partner`.

use rusqlite::{Connection, params};

use super::Step;
use crate::store::fold;
use crate::team::{Partner, Team, name_key};

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    7,
    "CREATE TABLE IF NOT EXISTS partner (
        partner_id       TEXT PRIMARY KEY,
        team_doc         TEXT NOT NULL,
        name             TEXT NOT NULL,
        name_key         TEXT NOT NULL,
        words            TEXT NOT NULL,
        themes           TEXT NOT NULL,
        services         TEXT NOT NULL,
        address          TEXT,
        phone            TEXT,
        email            TEXT,
        website          TEXT,
        opening_hours    TEXT,
        contact_person   TEXT,
        bound_by_secrecy INTEGER NOT NULL,
        changed_by       TEXT,
        changed_at       INTEGER
    ) STRICT;
    CREATE INDEX IF NOT EXISTS partner_by_name ON partner (name_key, partner_id);",
)];

/// Separates the services in the `services` column.
const SEPARATOR: char = '\u{1f}';

/// ` word` for every folded word (letters and digits) of `text`, appended to `out`.
fn push_words(out: &mut String, text: &str) {
    for word in fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push(' ');
        out.push_str(word);
    }
}

/// The searchable words of a partner: name, services, and each theme's slug and label.
fn words(partner: &Partner, team: &Team) -> String {
    let mut out = String::new();
    push_words(&mut out, &partner.name);
    for service in &partner.services {
        push_words(&mut out, service);
    }
    for theme in &partner.themes {
        push_words(&mut out, theme);
        if let Some(label) = team.themes.get(theme) {
            push_words(&mut out, label);
        }
    }
    out.push(' ');
    out
}

/// Rewrite the rows of team document `id`: one per partner.
pub(crate) fn write(tx: &Connection, id: &str, team: &Team) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM partner WHERE team_doc = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO partner (partner_id, team_doc, name, name_key, words, themes,
             services, address, phone, email, website, opening_hours, contact_person,
             bound_by_secrecy, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for (partner_id, p) in &team.partners {
        let themes = format!(" {} ", p.themes.join(" "));
        let services = p.services.join(&SEPARATOR.to_string());
        insert.execute(params![
            partner_id,
            id,
            p.name,
            name_key(&p.name),
            words(p, team),
            themes,
            services,
            p.address,
            p.phone,
            p.email,
            p.website,
            p.opening_hours,
            p.contact_person,
            p.bound_by_secrecy,
            p.changed_by.as_ref().or(p.added_by.as_ref()),
            p.changed_at.or(p.added_at),
        ])?;
    }
    Ok(())
}

/// A partner of the directory, as listed (without its figures, see `Store::directory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) services: Vec<String>,
    pub(crate) themes: Vec<String>,
    pub(crate) address: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) website: Option<String>,
    pub(crate) opening_hours: Option<String>,
    pub(crate) contact_person: Option<String>,
    pub(crate) bound_by_secrecy: bool,
    pub(crate) changed_by: Option<String>,
    pub(crate) changed_at: Option<i64>,
    pub(crate) members: u32,
}

/// At most this many typed words are searched for (the rest are left out).
pub(crate) const MAX_WORDS: usize = 8;

/// The partners whose words start with every word of `query` (folded), of theme `theme` if
/// given; those of `first` first, then by folded name.
pub(crate) fn search(
    conn: &Connection,
    query: &str,
    theme: Option<&str>,
    first: Option<&str>,
) -> rusqlite::Result<Vec<Listed>> {
    let folded = fold(query);
    let typed: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!(" {w}"))
        .collect();
    let mut sql = String::from(
        "SELECT partner_id, name, services, themes, address, phone, email, website,
                opening_hours, contact_person, bound_by_secrecy, changed_by, changed_at,
                (SELECT count(*) FROM member_partner m WHERE m.partner_id = p.partner_id)
         FROM partner p
         WHERE (?1 IS NULL OR instr(themes, ' ' || ?1 || ' ') > 0)",
    );
    for i in 0..typed.len() {
        sql.push_str(&format!(" AND instr(words, ?{}) > 0", i + 3));
    }
    sql.push_str(
        " ORDER BY (?2 IS NOT NULL AND instr(themes, ' ' || ?2 || ' ') > 0) DESC,
                   name_key, partner_id",
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut values: Vec<Option<&str>> = vec![theme, first];
    values.extend(typed.iter().map(|w| Some(w.as_str())));
    let rows = stmt.query_map(rusqlite::params_from_iter(values), listed)?;
    rows.collect()
}

/// The partner `id`, if the directory has it.
pub(crate) fn one(conn: &Connection, id: &str) -> rusqlite::Result<Option<Listed>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT partner_id, name, services, themes, address, phone, email, website,
                opening_hours, contact_person, bound_by_secrecy, changed_by, changed_at,
                (SELECT count(*) FROM member_partner m WHERE m.partner_id = p.partner_id)
         FROM partner p WHERE partner_id = ?1",
    )?
    .query_row([id], listed)
    .optional()
}

/// A row of the queries above.
fn listed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Listed> {
    let services: String = r.get(2)?;
    let themes: String = r.get(3)?;
    Ok(Listed {
        id: r.get(0)?,
        name: r.get(1)?,
        services: services
            .split(SEPARATOR)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        themes: themes.split_whitespace().map(str::to_string).collect(),
        address: r.get(4)?,
        phone: r.get(5)?,
        email: r.get(6)?,
        website: r.get(7)?,
        opening_hours: r.get(8)?,
        contact_person: r.get(9)?,
        bound_by_secrecy: r.get(10)?,
        changed_by: r.get(11)?,
        changed_at: r.get(12)?,
        members: r.get(13)?,
    })
}
