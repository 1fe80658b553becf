//! Layout: a sheet's blocks set on A4 pages, as positioned items (text lines, shaded boxes,
//! lines, images) that `draw` writes out. Coordinates are PDF points (1/72 inch) from the top
//! left corner of the page, y downwards.

use krilla::image::Image;

use super::text::{Fonts, Run, Weight};
use super::{Block, PrintError, Sheet};

/// A4 width (210 mm) in points.
pub(super) const PAGE_WIDTH: f32 = 595.276;
/// A4 height (297 mm) in points.
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// Left, right and top margin: 20 mm.
const MARGIN: f32 = 56.693;
/// Where the content ends, above the footer.
const BOTTOM: f32 = PAGE_HEIGHT - 72.0;
/// The footer's rule and baseline.
const FOOTER_RULE: f32 = PAGE_HEIGHT - 54.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 40.0;
/// The width text is set in.
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Body text: size and line distance.
const BODY: f32 = 10.0;
const BODY_LEAD: f32 = 14.0;
/// Tables and notes: a little smaller.
const SMALL: f32 = 9.0;
const SMALL_LEAD: f32 = 12.5;
/// Space between a field's label and its value.
const LABEL_GAP: f32 = 14.0;
/// Space after a block.
const AFTER: f32 = 8.0;

/// Greys (0 black, 255 white).
const INK: u8 = 0x1a;
const MUTED: u8 = 0x55;
const FAINT: u8 = 0x6b;
const RULE: u8 = 0xb4;
const HEADER_FILL: u8 = 0xe8;
const NOTE_FILL: u8 = 0xf1;
const NOTE_BAR: u8 = 0x70;

/// Something placed on a page.
pub(super) enum Item {
    /// One line of text; `baseline` is the y of its baseline.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        grey: u8,
        run: Run,
    },
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        grey: u8,
    },
    /// A horizontal line.
    Line {
        x: f32,
        y: f32,
        length: f32,
        thickness: f32,
        grey: u8,
    },
    /// An image in the box `x`, `y`, `width`, `height`.
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        image: Image,
    },
}

/// One page's items.
#[derive(Default)]
pub(super) struct Page {
    pub(super) items: Vec<Item>,
}

impl Page {
    /// The text of the page's lines, in the order they were placed (for tests).
    #[cfg(test)]
    pub(super) fn texts(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { run, .. } => Some(run.text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A cell: its lines and how they are set.
struct Cell {
    lines: Vec<Run>,
    weight: Weight,
    grey: u8,
}

/// How a row of cells is set.
struct RowStyle {
    size: f32,
    lead: f32,
    pad_x: f32,
    pad_y: f32,
    fill: Option<u8>,
    rule_below: bool,
}

/// A row of cells with their column widths.
struct Row {
    cells: Vec<Cell>,
    widths: Vec<f32>,
}

impl Row {
    fn lines(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    fn height(&self, style: &RowStyle) -> f32 {
        self.lines() as f32 * style.lead + 2.0 * style.pad_y
    }
}

/// The pages being filled.
struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    /// Where the next item goes.
    y: f32,
    /// Nothing placed on this page yet (a page break here would leave an empty page).
    fresh: bool,
    /// The width of the label column of every `Fields` block of the sheet (so their values
    /// line up from block to block).
    label_width: f32,
}

impl<'a> Layout<'a> {
    fn new(fonts: &'a Fonts, sheet: &Sheet) -> Self {
        let natural = sheet
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Fields(fields) => Some(fields),
                _ => None,
            })
            .flatten()
            .map(|(label, _)| fonts.natural_width(label, Weight::Bold, BODY))
            .fold(0.0, f32::max);
        Self {
            fonts,
            pages: vec![Page::default()],
            y: MARGIN,
            fresh: true,
            label_width: (natural + LABEL_GAP).min(TEXT_WIDTH * 0.36),
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.items.push(item);
        }
        self.fresh = false;
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
        self.fresh = true;
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Start a new page unless `height` fits on this one (or this one is still empty).
    fn ensure(&mut self, height: f32) {
        if height > self.room() + 0.01 && !self.fresh {
            self.new_page();
        }
    }

    /// Add space before the next block (none at the top of a page).
    fn gap(&mut self, space: f32) {
        if !self.fresh {
            self.y += space;
        }
    }

    /// Place one line of text whose line box starts at `top` and is `lead` high.
    #[allow(clippy::too_many_arguments)]
    fn line(&mut self, x: f32, top: f32, lead: f32, size: f32, weight: Weight, grey: u8, run: Run) {
        if run.glyphs.is_empty() {
            return;
        }
        let ascender = self.fonts.ascender(weight) * size;
        let baseline = top + (lead - size) / 2.0 + ascender * 0.92;
        self.push(Item::Text {
            x,
            baseline,
            size,
            weight,
            grey,
            run,
        });
    }

    /// Lines of running text, breaking pages between lines.
    fn lines(&mut self, lines: Vec<Run>, size: f32, lead: f32, weight: Weight, grey: u8) {
        for run in lines {
            self.ensure(lead);
            self.line(MARGIN, self.y, lead, size, weight, grey, run);
            self.y += lead;
        }
    }

    fn title(&mut self, sheet: &Sheet) {
        if sheet.title.trim().is_empty() && sheet.subtitle.is_none() {
            return;
        }
        let lines = self
            .fonts
            .wrap(&sheet.title, Weight::Bold, 18.0, TEXT_WIDTH);
        self.lines(lines, 18.0, 23.0, Weight::Bold, INK);
        if let Some(subtitle) = &sheet.subtitle {
            self.y += 2.0;
            let lines = self.fonts.wrap(subtitle, Weight::Regular, 11.0, TEXT_WIDTH);
            self.lines(lines, 11.0, 15.0, Weight::Regular, MUTED);
        }
        self.y += 6.0;
        self.rule(0.8, MUTED);
        self.y += 6.0;
    }

    fn rule(&mut self, thickness: f32, grey: u8) {
        self.push(Item::Line {
            x: MARGIN,
            y: self.y,
            length: TEXT_WIDTH,
            thickness,
            grey,
        });
    }

    fn heading(&mut self, text: &str) {
        self.gap(6.0);
        let lines = self.fonts.wrap(text, Weight::Bold, 12.5, TEXT_WIDTH);
        // Keep the heading with at least three lines of what follows.
        self.ensure(lines.len() as f32 * 17.0 + 3.0 * BODY_LEAD);
        self.lines(lines, 12.5, 17.0, Weight::Bold, INK);
        self.y += 2.0;
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.fonts.wrap(text, Weight::Regular, BODY, TEXT_WIDTH);
        self.lines(lines, BODY, BODY_LEAD, Weight::Regular, INK);
        self.y += AFTER;
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let fonts = self.fonts;
        let label_width = self.label_width;
        let widths = vec![label_width, TEXT_WIDTH - label_width];
        let style = RowStyle {
            size: BODY,
            lead: BODY_LEAD,
            pad_x: 0.0,
            pad_y: 1.5,
            fill: None,
            rule_below: false,
        };
        for (label, value) in fields {
            let row = Row {
                cells: vec![
                    Cell {
                        lines: fonts.wrap(label, Weight::Bold, BODY, label_width - LABEL_GAP),
                        weight: Weight::Bold,
                        grey: MUTED,
                    },
                    Cell {
                        lines: fonts.wrap(value, Weight::Regular, BODY, widths[1]),
                        weight: Weight::Regular,
                        grey: INK,
                    },
                ],
                widths: widths.clone(),
            };
            self.row(&row, &style, None);
        }
        self.y += AFTER;
    }

    fn table(&mut self, headers: &[String], rows: &[Vec<String>]) {
        let fonts = self.fonts;
        let columns = rows.iter().map(Vec::len).chain([headers.len()]).max();
        let Some(columns) = columns.filter(|&n| n > 0) else {
            return;
        };
        let pad_x = 4.0;
        // Each column's natural width (its widest line) and the least it needs (its widest
        // word, but no more than an equal share).
        let mut natural = vec![0.0_f32; columns];
        let mut least = vec![0.0_f32; columns];
        for (row, weight) in std::iter::once((headers, Weight::Bold))
            .chain(rows.iter().map(|r| (r.as_slice(), Weight::Regular)))
        {
            for c in 0..columns {
                let text = cell(row, c);
                natural[c] = natural[c].max(fonts.natural_width(text, weight, SMALL));
                least[c] = least[c].max(fonts.widest_word(text, weight, SMALL));
            }
        }
        let share = TEXT_WIDTH / columns as f32;
        let natural: Vec<f32> = natural.iter().map(|w| w + 2.0 * pad_x).collect();
        let least: Vec<f32> = least.iter().map(|w| (w + 2.0 * pad_x).min(share)).collect();
        let widths = column_widths(&natural, &least, TEXT_WIDTH);
        let make = |row: &[String], weight: Weight| Row {
            cells: (0..columns)
                .map(|c| Cell {
                    lines: fonts.wrap(cell(row, c), weight, SMALL, widths[c] - 2.0 * pad_x),
                    weight,
                    grey: INK,
                })
                .collect(),
            widths: widths.clone(),
        };
        let header_style = RowStyle {
            size: SMALL,
            lead: SMALL_LEAD,
            pad_x,
            pad_y: 3.0,
            fill: Some(HEADER_FILL),
            rule_below: true,
        };
        let body_style = RowStyle {
            fill: None,
            ..header_style
        };
        let header = (!headers.is_empty()).then(|| make(headers, Weight::Bold));
        if let Some(header) = &header {
            // The header with at least its first row.
            let first = rows
                .first()
                .map_or(0.0, |r| make(r, Weight::Regular).height(&body_style));
            self.ensure(header.height(&header_style) + first.min(3.0 * SMALL_LEAD));
            self.row(header, &header_style, None);
        }
        let repeat = header.as_ref().map(|h| (h, &header_style));
        for row in rows {
            self.row(&make(row, Weight::Regular), &body_style, repeat);
        }
        self.y += AFTER;
    }

    /// Place a row: whole on this page, or whole on the next (after the repeated header), or,
    /// when it is longer than a page, in pieces.
    fn row(&mut self, row: &Row, style: &RowStyle, header: Option<(&Row, &RowStyle)>) {
        let total = row.lines();
        let mut from = 0;
        while from < total {
            let take = self.fit_lines(total - from, style, header);
            let height = take as f32 * style.lead + 2.0 * style.pad_y;
            let width: f32 = row.widths.iter().sum();
            if let Some(grey) = style.fill {
                self.push(Item::Fill {
                    x: MARGIN,
                    y: self.y,
                    width,
                    height,
                    grey,
                });
            }
            let mut x = MARGIN;
            for (cell, w) in row.cells.iter().zip(&row.widths) {
                for (i, run) in cell.lines.iter().enumerate().skip(from).take(take) {
                    let top = self.y + style.pad_y + (i - from) as f32 * style.lead;
                    let size = style.size;
                    self.line(
                        x + style.pad_x,
                        top,
                        style.lead,
                        size,
                        cell.weight,
                        cell.grey,
                        run.clone(),
                    );
                }
                x += w;
            }
            self.y += height;
            if style.rule_below {
                self.push(Item::Line {
                    x: MARGIN,
                    y: self.y,
                    length: width,
                    thickness: 0.5,
                    grey: RULE,
                });
            }
            self.fresh = false;
            from += take;
        }
    }

    /// How many of `left` lines of a row to place here, after moving to a new page (and
    /// repeating `header`) when the rest of the row fits there but not here.
    fn fit_lines(
        &mut self,
        left: usize,
        style: &RowStyle,
        header: Option<(&Row, &RowStyle)>,
    ) -> usize {
        let extra = 2.0 * style.pad_y;
        let whole = left as f32 * style.lead + extra;
        if whole <= self.room() + 0.01 {
            return left;
        }
        let header_height = header.map_or(0.0, |(h, s)| h.height(s));
        if !self.fresh {
            let fits_a_page = whole + header_height <= BOTTOM - MARGIN;
            let fits_no_line = self.room() < style.lead + extra;
            if fits_a_page || fits_no_line {
                self.new_page();
                if let Some((h, s)) = header {
                    self.row(h, s, None);
                }
                if whole <= self.room() + 0.01 {
                    return left;
                }
            }
        }
        let fit = ((self.room() - extra) / style.lead).floor();
        (fit.max(1.0) as usize).min(left)
    }

    fn note(&mut self, text: &str) {
        let pad = 8.0;
        let bar = 3.0;
        let inner = TEXT_WIDTH - 2.0 * pad - bar;
        let lines = self.fonts.wrap(text, Weight::Regular, SMALL, inner);
        let style = RowStyle {
            size: SMALL,
            lead: SMALL_LEAD,
            pad_x: 0.0,
            pad_y: pad,
            fill: Some(NOTE_FILL),
            rule_below: false,
        };
        let row = Row {
            cells: vec![
                Cell {
                    lines: Vec::new(),
                    weight: Weight::Regular,
                    grey: INK,
                },
                Cell {
                    lines,
                    weight: Weight::Regular,
                    grey: INK,
                },
            ],
            widths: vec![bar + pad, inner + pad],
        };
        let start = self.items_before();
        self.row(&row, &style, None);
        // A bar on the left of each piece of the box.
        let pieces: Vec<(usize, f32, f32)> = self.fills_since(start);
        for (page, y, height) in pieces {
            if let Some(p) = self.pages.get_mut(page) {
                p.items.push(Item::Fill {
                    x: MARGIN,
                    y,
                    width: bar,
                    height,
                    grey: NOTE_BAR,
                });
            }
        }
        self.y += AFTER;
    }

    /// Where each page's items end now (to find what a block added).
    fn items_before(&self) -> (usize, usize) {
        let page = self.pages.len() - 1;
        (page, self.pages[page].items.len())
    }

    /// The filled boxes added since `start`: page, top and height of each.
    fn fills_since(&self, (page, index): (usize, usize)) -> Vec<(usize, f32, f32)> {
        let mut found = Vec::new();
        for (p, items) in self.pages.iter().enumerate().skip(page) {
            let from = if p == page { index } else { 0 };
            for item in items.items.iter().skip(from) {
                if let Item::Fill { y, height, .. } = item {
                    found.push((p, *y, *height));
                }
            }
        }
        found
    }

    fn image(&mut self, image: Image, width_mm: f32) {
        let (px_width, px_height) = image.size();
        if px_width == 0 || px_height == 0 {
            return;
        }
        let mut width = (width_mm.max(1.0) * 72.0 / 25.4).min(TEXT_WIDTH);
        let mut height = width * px_height as f32 / px_width as f32;
        let page = BOTTOM - MARGIN;
        if height > page {
            width *= page / height;
            height = page;
        }
        self.ensure(height);
        self.push(Item::Image {
            x: MARGIN,
            y: self.y,
            width,
            height,
            image,
        });
        self.y += height + AFTER;
    }

    /// The footer of every page: a rule, the sheet's footer line and the page number.
    fn footers(&mut self, sheet: &Sheet) {
        let fonts = self.fonts;
        let total = self.pages.len();
        for (n, page) in self.pages.iter_mut().enumerate() {
            let number = fonts.shape(&sheet.language.page_of(n + 1, total), Weight::Regular);
            let number_width = number.width(8.0);
            page.items.push(Item::Line {
                x: MARGIN,
                y: FOOTER_RULE,
                length: TEXT_WIDTH,
                thickness: 0.5,
                grey: RULE,
            });
            if let Some(footer) = &sheet.footer {
                let room = TEXT_WIDTH - number_width - 16.0;
                if let Some(run) = fonts
                    .wrap(footer, Weight::Regular, 8.0, room)
                    .into_iter()
                    .next()
                {
                    page.items.push(Item::Text {
                        x: MARGIN,
                        baseline: FOOTER_BASELINE,
                        size: 8.0,
                        weight: Weight::Regular,
                        grey: FAINT,
                        run,
                    });
                }
            }
            page.items.push(Item::Text {
                x: MARGIN + TEXT_WIDTH - number_width,
                baseline: FOOTER_BASELINE,
                size: 8.0,
                weight: Weight::Regular,
                grey: FAINT,
                run: number,
            });
        }
    }
}

/// The text of column `c` of `row` (empty past its end).
fn cell(row: &[String], c: usize) -> &str {
    row.get(c).map_or("", String::as_str)
}

/// Column widths filling `total`: the natural widths, grown in proportion when they leave room;
/// when they do not fit, shares in proportion to them, but each column at least its `least`.
fn column_widths(natural: &[f32], least: &[f32], total: f32) -> Vec<f32> {
    let sum: f32 = natural.iter().sum();
    if sum <= 0.0 {
        return vec![total / natural.len().max(1) as f32; natural.len()];
    }
    if sum <= total {
        return natural.iter().map(|w| w * total / sum).collect();
    }
    let mut widths: Vec<f32> = natural
        .iter()
        .zip(least)
        .map(|(n, l)| (total * n / sum).max(*l))
        .collect();
    let over: f32 = widths.iter().sum::<f32>() - total;
    let slack: f32 = widths.iter().zip(least).map(|(w, l)| w - l).sum();
    if over > 0.0 && slack > 0.0 {
        for (w, l) in widths.iter_mut().zip(least) {
            *w -= over * (*w - l) / slack;
        }
    }
    widths
}

/// Set `sheet` on pages.
pub(super) fn lay_out(sheet: &Sheet, fonts: &Fonts) -> Result<Vec<Page>, PrintError> {
    let mut layout = Layout::new(fonts, sheet);
    layout.title(sheet);
    for (index, block) in sheet.blocks.iter().enumerate() {
        match block {
            Block::Heading(text) => layout.heading(text),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Fields(fields) => layout.fields(fields),
            Block::Table { headers, rows } => layout.table(headers, rows),
            Block::Note(text) => layout.note(text),
            Block::Rule => {
                layout.gap(2.0);
                layout.ensure(1.0);
                layout.rule(0.5, RULE);
                layout.y += AFTER;
            }
            Block::Image { png, width_mm } => {
                let image = Image::from_png(png.clone().into(), true).map_err(|reason| {
                    PrintError::Image {
                        block: index,
                        reason,
                    }
                })?;
                layout.image(image, *width_mm);
            }
        }
    }
    layout.footers(sheet);
    Ok(layout.pages)
}

#[cfg(test)]
#[path = "layout/tests.rs"]
mod tests;
