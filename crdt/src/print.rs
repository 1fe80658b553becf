//! The print room: documents that leave Nabij on paper or as a PDF file (the referral letter
//! for a partner that does not work in Nabij; later the GDPR export, the crisis cell's one-page
//! report, signal lists and call sheets).
//!
//! A document is described as a [`Sheet`]: a title, an optional subtitle, a list of
//! [`Block`]s (headings, paragraphs, label/value fields, tables, PNG images, boxed notes and
//! rules) and a footer line. [`render`] sets it on A4 pages and returns the PDF bytes:
//!
//! - text is wrapped at spaces to the page width (a word wider than a line is cut), and a
//!   newline in a text always starts a new line;
//! - blocks flow over as many pages as they need: a heading stays with what follows it, a table
//!   repeats its header row on every page it continues on, a row or note that does not fit
//!   moves to the next page whole unless it is longer than a page;
//! - every page ends with the footer line and its number ("Pagina 2 van 3", or in English);
//! - the text is set in Liberation Sans (embedded, subset to the glyphs used: a one-page letter
//!   is a few tens of kilobytes), which covers Latin with its extensions (ç, ë, ş, ő, ...),
//!   Greek, Cyrillic, € and typographic quotes. Characters outside it (Arabic script, emoji)
//!   show as an empty box but stay searchable and copyable: every glyph keeps its text.
//!
//! The PDF is written with `krilla` (shaping with rustybuzz, font subsetting, images), and the
//! same shaped glyphs are measured for line breaking and drawn, so what fits, fits. Rendering
//! is deterministic: the same sheet gives the same bytes (no creation date is written).

mod draw;
mod layout;
mod text;

/// The language a sheet is written in: its PDF language tag and the words the print room adds
/// itself (the page numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Dutch as written in Belgium (`nl-BE`).
    #[default]
    Dutch,
    /// English (`en`).
    English,
}

impl Language {
    /// The language tag written into the PDF (`nl-BE`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::Dutch => "nl-BE",
            Language::English => "en",
        }
    }

    /// The page number as the footer shows it: "Pagina 2 van 3", "Page 2 of 3".
    pub fn page_of(self, page: usize, pages: usize) -> String {
        match self {
            Language::Dutch => format!("Pagina {page} van {pages}"),
            Language::English => format!("Page {page} of {pages}"),
        }
    }
}

/// A document to print, from the top of the first page to the last block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// The title, large at the top of the first page (also the PDF's title).
    pub title: String,
    /// A line under the title, if any.
    pub subtitle: Option<String>,
    /// The content, in order.
    pub blocks: Vec<Block>,
    /// A short line at the bottom of every page, left of the page number (who made it, a
    /// confidentiality mark); only its first line is shown.
    pub footer: Option<String>,
    /// The language it is written in.
    pub language: Language,
}

/// One part of a sheet. Texts may hold newlines (each starts a new line).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (bold; never left alone at the bottom of a page).
    Heading(String),
    /// Running text.
    Paragraph(String),
    /// Label and value pairs, labels in a column on the left ("Naam: Marie Dubois").
    Fields(Vec<(String, String)>),
    /// A table: a header row (repeated on every page the table continues on) and rows of
    /// cells. Column widths follow the content; cells wrap. A row shorter than the header is
    /// filled with empty cells.
    Table {
        /// The header cells (none: no header row).
        headers: Vec<String>,
        /// The rows.
        rows: Vec<Vec<String>>,
    },
    /// A PNG image (a chart), `width_mm` wide (at most the text width), its height by its
    /// aspect ratio (scaled down to fit one page).
    Image {
        /// The PNG file's bytes.
        png: Vec<u8>,
        /// The width on paper in millimetres.
        width_mm: f32,
    },
    /// A remark in a shaded box with a bar on its left (a confidentiality note).
    Note(String),
    /// A thin horizontal line across the text width.
    Rule,
}

/// Why a sheet could not be printed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrintError {
    /// An embedded font could not be read (a broken build).
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// The image of block `block` (its index in [`Sheet::blocks`]) is not a readable PNG.
    #[error("block {block} is not a readable PNG image: {reason}")]
    Image {
        /// The index of the block in the sheet.
        block: usize,
        /// What the PNG decoder said.
        reason: String,
    },
    /// The PDF writer refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// Set `sheet` on A4 pages and return the PDF file's bytes.
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, PrintError> {
    let fonts = text::Fonts::load()?;
    let pages = layout::lay_out(sheet, &fonts)?;
    draw::pdf(sheet, &fonts, pages)
}
