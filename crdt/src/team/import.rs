//! Reading a partner directory ("sociale kaart") from a CSV file, as a spreadsheet saves it.
//!
//! The first line names the columns, in any order; only `naam` is required:
//!
//! | column           | holds                                                          |
//! |------------------|----------------------------------------------------------------|
//! | `naam`           | the organisation's name (once per file)                        |
//! | `diensten`       | what it offers, separated by `;`                               |
//! | `themas`         | theme slugs (`housing`) or labels (`Wonen`), separated by `;`  |
//! | `adres`          | address                                                        |
//! | `telefoon`       | phone number                                                   |
//! | `email`          | e-mail address                                                 |
//! | `website`        | web address                                                    |
//! | `openingsuren`   | opening hours                                                  |
//! | `contactpersoon` | whom to ask for                                                |
//! | `beroepsgeheim`  | `ja` or `nee` (empty: `nee`)                                   |
//!
//! Column names are matched without accents, case, spaces or punctuation (`Thema's`, `E-mail`
//! and `Telefoon` do). Fields are separated by `,`, `;` or a tab, whichever the first line uses
//! most (a Dutch-language spreadsheet saves with `;`; a list inside a field is then quoted, which
//! spreadsheets do by themselves). Reading checks the file's shape, the themes and `ja`/`nee`;
//! the other fields are checked by the editor when the rows are written
//! (`Store::import_partners`), and an error there is reported at its line and column too.

use std::collections::BTreeMap;

use super::edit::NewPartner;
use crate::input::Problem;

/// The example directory shipped with Nabij: 27 fictional organisations of the kinds a
/// Flemish social team works with (a new team can load it on its first start).
pub const EXAMPLE_DIRECTORY: &str = include_str!("../../assets/sociale-kaart-voorbeeld.csv");

/// A column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Services,
    Themes,
    Address,
    Phone,
    Email,
    Website,
    OpeningHours,
    ContactPerson,
    Secrecy,
}

/// Every column, with its name in the file and the names it is also known by (all folded).
const COLUMNS: &[(Column, &str, &[&str])] = &[
    (Column::Name, "naam", &["name", "organisatie"]),
    (
        Column::Services,
        "diensten",
        &["dienst", "services", "aanbod"],
    ),
    (Column::Themes, "themas", &["thema", "themes"]),
    (Column::Address, "adres", &["address"]),
    (
        Column::Phone,
        "telefoon",
        &["tel", "telefoonnummer", "phone"],
    ),
    (Column::Email, "email", &["mail", "emailadres"]),
    (Column::Website, "website", &["webadres", "site", "url"]),
    (
        Column::OpeningHours,
        "openingsuren",
        &["openingstijden", "openinghours"],
    ),
    (Column::ContactPerson, "contactpersoon", &["contact"]),
    (Column::Secrecy, "beroepsgeheim", &["boundbysecrecy"]),
];

impl Column {
    /// The column's name in the file (as the README documents it).
    fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("", |(_, name, _)| name)
    }

    /// The column a header names, if any.
    fn of_header(header: &str) -> Option<Column> {
        let key: String = crate::store::fold(header)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        COLUMNS
            .iter()
            .find(|(_, name, aliases)| *name == key || aliases.contains(&key.as_str()))
            .map(|(c, _, _)| *c)
    }
}

/// The column in the file that holds the partner field `field` (as the editor names it).
pub fn column_of_field(field: &str) -> &'static str {
    let column = match field {
        "services" => Column::Services,
        "themes" => Column::Themes,
        "address" => Column::Address,
        "phone" => Column::Phone,
        "email" => Column::Email,
        "website" => Column::Website,
        "opening_hours" => Column::OpeningHours,
        "contact_person" => Column::ContactPerson,
        "bound_by_secrecy" => Column::Secrecy,
        _ => Column::Name,
    };
    column.name()
}

/// What is wrong at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// A field does not pass the directory's rule for it (too long, not an e-mail address, ...).
    Field(Problem),
    /// The first line has no `naam` column (or the file is empty).
    MissingColumn,
    /// The first line names a column this importer does not know.
    UnknownColumn,
    /// The first line names a column twice.
    RepeatedColumn,
    /// The row has more fields than the first line has columns.
    TooManyFields,
    /// A theme that is not one of the team's.
    UnknownTheme,
    /// `beroepsgeheim` is not `ja` or `nee`.
    NotYesNo,
    /// The name is already on an earlier line of the file.
    RepeatedName,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportProblem::Field(problem) => write!(f, "{problem}"),
            ImportProblem::MissingColumn => f.write_str("is missing"),
            ImportProblem::UnknownColumn => f.write_str("is not a known column"),
            ImportProblem::RepeatedColumn => f.write_str("appears twice"),
            ImportProblem::TooManyFields => f.write_str("the row has more fields than columns"),
            ImportProblem::UnknownTheme => f.write_str("names a theme the team does not have"),
            ImportProblem::NotYesNo => f.write_str("is not ja or nee"),
            ImportProblem::RepeatedName => f.write_str("is on an earlier line already"),
        }
    }
}

/// A line of the file that cannot be imported; nothing of the file is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {problem}{}", .detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
pub struct ImportError {
    /// The line in the file (1 is the line of column names).
    pub line: u64,
    /// The column, as the README names it (an unknown column as the file writes it; empty for
    /// the row as a whole).
    pub column: String,
    /// What is wrong.
    pub problem: ImportProblem,
    /// The value concerned, where that helps (the unknown theme, the earlier line).
    pub detail: Option<String>,
}

impl ImportError {
    fn at(line: u64, column: impl Into<String>, problem: ImportProblem) -> Self {
        Self {
            line,
            column: column.into(),
            problem,
            detail: None,
        }
    }

    fn with(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One partner read from the file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line the row starts on.
    pub line: u64,
    /// The partner as written (not yet checked by the editor).
    pub partner: NewPartner,
}

/// The field separator the first line uses most (outside quotes): `,`, `;` or a tab.
fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'\n' if !quoted => break,
            b'"' => quoted = !quoted,
            _ if !quoted => {
                for (d, n) in &mut counts {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // The first of the most used wins, so a line without any separator reads as `,`.
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// The parts of a list field (`a; b;;c`), trimmed, empty ones left out.
fn list(field: &str) -> Vec<String> {
    field
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// At most this many bad lines are reported for one file.
pub const MAX_REPORTED: usize = 50;

/// What reading a file gave: the rows it could read, and the lines it could not (a file with
/// any is not imported at all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    /// The rows read.
    pub rows: Vec<ImportRow>,
    /// The bad lines, in file order (the first line's problems alone when the first line is
    /// bad: the rows cannot be read without it).
    pub errors: Vec<ImportError>,
}

/// The bad lines of a file that was not imported (nothing of it was stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad lines in the file: {}; the first at {}", .total, .errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct BadFile {
    /// The bad lines in file order, at most [`MAX_REPORTED`].
    pub errors: Vec<ImportError>,
    /// How many there were in all.
    pub total: usize,
}

impl BadFile {
    /// The report of `errors` (sorted by line, the first [`MAX_REPORTED`] kept).
    pub fn of(mut errors: Vec<ImportError>) -> Self {
        errors.sort_by_key(|e| e.line);
        let total = errors.len();
        errors.truncate(MAX_REPORTED);
        Self { errors, total }
    }
}

/// Read the partners of a CSV file; themes are matched against the team's (`themes`: slug to
/// label), by slug or by label, accents and case aside.
pub fn read(text: &str, themes: &BTreeMap<String, String>) -> Read {
    match read_rows(text, themes) {
        Ok(read) => read,
        Err(error) => Read {
            rows: Vec::new(),
            errors: vec![error],
        },
    }
}

/// The columns the first line names, or why they cannot be read.
fn header(headers: &csv::StringRecord, line: u64) -> Result<Vec<Column>, ImportError> {
    let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
    for header in headers {
        let column = Column::of_header(header)
            .ok_or_else(|| ImportError::at(line, header, ImportProblem::UnknownColumn))?;
        if columns.contains(&column) {
            return Err(ImportError::at(
                line,
                column.name(),
                ImportProblem::RepeatedColumn,
            ));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Name) {
        return Err(ImportError::at(
            line,
            Column::Name.name(),
            ImportProblem::MissingColumn,
        ));
    }
    Ok(columns)
}

/// [`read`], failing at once when the first line is bad.
fn read_rows(text: &str, themes: &BTreeMap<String, String>) -> Result<Read, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let unreadable = |e: csv::Error| {
        let line = e.position().map_or(1, csv::Position::line);
        ImportError::at(line, "", ImportProblem::TooManyFields).with(e.to_string())
    };
    let headers = reader.headers().map_err(unreadable)?.clone();
    let columns = header(&headers, headers.position().map_or(1, csv::Position::line))?;
    let theme_of = theme_index(themes);
    let mut read = Read::default();
    let mut names: BTreeMap<String, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                read.errors.push(unreadable(e));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue; // a row of empty fields (a spreadsheet's trailing rows)
        }
        match row(&columns, &record, line, &theme_of, &mut names) {
            Ok(partner) => read.rows.push(ImportRow { line, partner }),
            Err(error) => read.errors.push(error),
        }
    }
    Ok(read)
}

/// One row as a partner (the first problem of the row, if any).
fn row(
    columns: &[Column],
    record: &csv::StringRecord,
    line: u64,
    theme_of: &impl Fn(&str) -> Option<String>,
    names: &mut BTreeMap<String, u64>,
) -> Result<NewPartner, ImportError> {
    if record.len() > columns.len() {
        return Err(
            ImportError::at(line, "", ImportProblem::TooManyFields).with(format!(
                "{} > {}",
                record.len(),
                columns.len()
            )),
        );
    }
    let mut partner = NewPartner::default();
    for (column, field) in columns.iter().zip(record.iter()) {
        let text = || (!field.is_empty()).then(|| field.to_string());
        match column {
            Column::Name => partner.name = field.to_string(),
            Column::Services => partner.services = list(field),
            Column::Themes => {
                for theme in list(field) {
                    let slug = theme_of(&theme).ok_or_else(|| {
                        ImportError::at(line, column.name(), ImportProblem::UnknownTheme)
                            .with(theme.clone())
                    })?;
                    partner.themes.push(slug);
                }
            }
            Column::Address => partner.address = text(),
            Column::Phone => partner.phone = text(),
            Column::Email => partner.email = text(),
            Column::Website => partner.website = text(),
            Column::OpeningHours => partner.opening_hours = text(),
            Column::ContactPerson => partner.contact_person = text(),
            Column::Secrecy => {
                partner.bound_by_secrecy = yes_no(field).ok_or_else(|| {
                    ImportError::at(line, column.name(), ImportProblem::NotYesNo)
                        .with(field.to_string())
                })?;
            }
        }
    }
    let key = super::name_key(&partner.name);
    if !key.is_empty() {
        if let Some(first) = names.get(&key) {
            return Err(
                ImportError::at(line, Column::Name.name(), ImportProblem::RepeatedName)
                    .with(first.to_string()),
            );
        }
        names.insert(key, line);
    }
    Ok(partner)
}

/// A function from a theme as written in the file to the team's slug: by slug or label.
fn theme_index(themes: &BTreeMap<String, String>) -> impl Fn(&str) -> Option<String> + '_ {
    let fold = |text: &str| super::name_key(text);
    let mut by_key: BTreeMap<String, &String> = BTreeMap::new();
    for (slug, label) in themes {
        by_key.insert(fold(slug), slug);
        by_key.insert(fold(label), slug);
        // What the app calls a default theme where it differs from the team's label.
        for (known, name) in ALSO_CALLED {
            if known == slug {
                by_key.entry(fold(name)).or_insert(slug);
            }
        }
    }
    move |theme| by_key.get(&fold(theme)).map(|slug| (*slug).clone())
}

/// Names of default themes as the app shows them, where they differ from the label a new team
/// starts with (`team::DEFAULT_THEMES`).
const ALSO_CALLED: &[(&str, &str)] = &[("isolation", "Eenzaamheid")];

/// `ja` / `nee` (also `yes`/`no`, `j`/`n`, `x`, `1`/`0`, `waar`/`onwaar`); empty is `nee`.
fn yes_no(field: &str) -> Option<bool> {
    match crate::store::fold(field).as_str() {
        "ja" | "j" | "yes" | "y" | "x" | "1" | "waar" | "true" => Some(true),
        "nee" | "n" | "neen" | "no" | "0" | "onwaar" | "false" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::DEFAULT_THEMES;

    fn themes() -> BTreeMap<String, String> {
        DEFAULT_THEMES
            .iter()
            .map(|(s, l)| (s.to_string(), l.to_string()))
            .collect()
    }

    #[test]
    fn the_separator_is_the_one_the_first_line_uses_most() {
        assert_eq!(delimiter("naam,diensten\nA,\"b;c\""), b',');
        assert_eq!(delimiter("naam;diensten;themas\nA;\"b,c\";d"), b';');
        assert_eq!(delimiter("naam\tadres\n"), b'\t');
        assert_eq!(delimiter("naam\n"), b',');
        assert_eq!(delimiter("\"naam;x\",adres\n"), b',');
    }

    #[test]
    fn rows_are_read_by_column_name_in_any_order() {
        let csv = "\u{feff}Thema's;Naam;E-mail;Beroepsgeheim;Diensten\n\
                   \"Wonen; geld\";CAW Noord;info@caw.be;ja;\"budget; schulden\"\n\
                   ;;;;\n\
                   housing;Huurdersbond;;nee\n";
        let read = read(csv, &themes());
        assert_eq!(read.errors, []);
        let rows = read.rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].partner.name, "CAW Noord");
        assert_eq!(rows[0].partner.themes, ["housing", "money"]);
        assert_eq!(rows[0].partner.services, ["budget", "schulden"]);
        assert_eq!(rows[0].partner.email.as_deref(), Some("info@caw.be"));
        assert!(rows[0].partner.bound_by_secrecy);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].partner.phone, None);
        assert!(!rows[1].partner.bound_by_secrecy);
    }

    #[test]
    fn a_bad_line_is_named_with_its_column() {
        let at = |csv: &str| {
            let read = read(csv, &themes());
            assert_eq!(read.errors.len(), 1, "{read:?}");
            let e = read.errors[0].clone();
            (e.line, e.column, e.problem)
        };
        assert_eq!(
            at("naam,themas\nA,wonen\nB,astrologie\n"),
            (3, "themas".into(), ImportProblem::UnknownTheme)
        );
        assert_eq!(
            at("naam,beroepsgeheim\nA,misschien\n"),
            (2, "beroepsgeheim".into(), ImportProblem::NotYesNo)
        );
        assert_eq!(
            at("naam,emial\n"),
            (1, "emial".into(), ImportProblem::UnknownColumn)
        );
        assert_eq!(
            at("adres\nStraat 1\n"),
            (1, "naam".into(), ImportProblem::MissingColumn)
        );
        assert_eq!(at(""), (1, "naam".into(), ImportProblem::MissingColumn));
        assert_eq!(
            at("naam,Name\n"),
            (1, "naam".into(), ImportProblem::RepeatedColumn)
        );
        assert_eq!(
            at("naam,adres\nA,x\nB,y,z\n"),
            (3, "".into(), ImportProblem::TooManyFields)
        );
        assert_eq!(
            at("naam\nCAW Noord\n\"caw  noord\"\n"),
            (3, "naam".into(), ImportProblem::RepeatedName)
        );
        // A quoted field over two lines: the next row's line is counted right.
        assert_eq!(
            at("naam,adres\nA,\"Straat 1\n9000 Gent\"\nB,x,y\n"),
            (4, "".into(), ImportProblem::TooManyFields)
        );
    }

    #[test]
    fn every_bad_line_is_reported_but_a_bad_first_line_alone() {
        let read = read(
            "naam,themas,beroepsgeheim\nA,wonen,ja\nB,x,ja\nC,geld,soms\nD,eenzaamheid,\n",
            &themes(),
        );
        let lines: Vec<u64> = read.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.rows[1].partner.themes, ["isolation"]);
        let read = super::read("naam,x,y\nB,x,ja\n", &themes());
        assert_eq!(read.errors.len(), 1);
        assert_eq!(read.errors[0].problem, ImportProblem::UnknownColumn);
        let many: String = std::iter::once("naam,beroepsgeheim\n".to_string())
            .chain((0..60).map(|i| format!("P{i},soms\n")))
            .collect();
        let bad = BadFile::of(super::read(&many, &themes()).errors);
        assert_eq!((bad.errors.len(), bad.total), (MAX_REPORTED, 60));
        assert_eq!(bad.errors[0].line, 2);
    }

    #[test]
    fn every_column_of_the_example_is_known_and_its_rows_read() {
        let read = read(EXAMPLE_DIRECTORY, &themes());
        assert_eq!(read.errors, []);
        let rows = read.rows;
        assert!((25..=30).contains(&rows.len()), "{}", rows.len());
        assert!(rows.iter().all(|r| !r.partner.themes.is_empty()));
    }

    #[test]
    fn every_field_of_the_editor_has_a_column() {
        for field in [
            "name",
            "services",
            "themes",
            "address",
            "phone",
            "email",
            "website",
            "opening_hours",
            "contact_person",
            "bound_by_secrecy",
        ] {
            let column = column_of_field(field);
            assert!(Column::of_header(column).is_some(), "{field}");
            assert!(field == "name" || column != "naam", "{field}");
        }
    }
}
