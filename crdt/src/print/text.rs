//! Text: the embedded fonts, shaping (rustybuzz, the shaper krilla itself uses) and line
//! breaking. Each line is shaped once; the same glyphs are measured here and drawn by
//! `draw`, so what fits when measured fits when printed.

use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::PrintError;

/// Liberation Sans 2.1.5 (SIL Open Font License 1.1, `assets/fonts/LICENSE-Liberation.txt`):
/// Latin with its extensions (ç, ë, ş, ğ, ő, ...), Greek, Cyrillic, €, and typographic quotes.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold 2.1.5 (same licence).
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// Whether a line may break at `c`: white space, but not a no-break space (U+00A0, U+202F,
/// U+2007), which keeps a phone number or "€ 12" together.
fn breaks(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

/// The two weights a sheet is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// One face: the shaper's view and krilla's (which embeds only the glyphs used).
struct Face {
    shaper: rustybuzz::Face<'static>,
    pdf: Font,
    units_per_em: f32,
    ascender: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, PrintError> {
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(PrintError::Font(name))?;
        let pdf = Font::new(data.into(), 0).ok_or(PrintError::Font(name))?;
        let units_per_em = shaper.units_per_em() as f32;
        let ascender = f32::from(shaper.ascender()) / units_per_em;
        Ok(Self {
            shaper,
            pdf,
            units_per_em,
            ascender,
        })
    }
}

/// The fonts of one rendering.
pub(super) struct Fonts {
    regular: Face,
    bold: Face,
}

/// A shaped piece of text on one line: its glyphs (advances in em), the text they stand for
/// (glyph ranges index into it) and its width in em.
#[derive(Debug, Clone, Default)]
pub(super) struct Run {
    pub(super) text: String,
    pub(super) glyphs: Vec<KrillaGlyph>,
    pub(super) width_em: f32,
}

impl Run {
    /// The width at `size` points.
    pub(super) fn width(&self, size: f32) -> f32 {
        self.width_em * size
    }
}

impl Fonts {
    /// Load the embedded fonts.
    pub(super) fn load() -> Result<Self, PrintError> {
        Ok(Self {
            regular: Face::load(REGULAR, "Liberation Sans")?,
            bold: Face::load(BOLD, "Liberation Sans Bold")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The font krilla draws `weight` with.
    pub(super) fn pdf_font(&self, weight: Weight) -> Font {
        self.face(weight).pdf.clone()
    }

    /// The distance from the top of a line to its baseline, in em.
    pub(super) fn ascender(&self, weight: Weight) -> f32 {
        self.face(weight).ascender
    }

    /// Shape `text` (one line, no line breaks) into a run.
    pub(super) fn shape(&self, text: &str, weight: Weight) -> Run {
        let face = self.face(weight);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&face.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let upem = face.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width_em = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // The cluster ends where the next different cluster starts (left to right).
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let advance = pos.x_advance as f32 / upem;
            width_em += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end.max(start),
                None,
            ));
        }
        Run {
            text: text.to_string(),
            glyphs,
            width_em,
        }
    }

    /// Break `text` into lines no wider than `width` points at `size`: at spaces, or inside a
    /// word that is wider than a whole line. A newline in `text` always starts a new line; an
    /// empty line stays (as an empty run).
    pub(super) fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<Run> {
        let max_em = (width / size).max(0.0);
        let mut lines = Vec::new();
        for hard in text.lines() {
            let words: Vec<&str> = hard.split(breaks).filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                lines.push(Run::default());
                continue;
            }
            let mut current = String::new();
            let mut current_run = Run::default();
            for word in words {
                let candidate = if current.is_empty() {
                    word.to_string()
                } else {
                    format!("{current} {word}")
                };
                let run = self.shape(&candidate, weight);
                if run.width_em <= max_em {
                    current = candidate;
                    current_run = run;
                    continue;
                }
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current_run));
                    current.clear();
                }
                // The word alone: split it while it is wider than a line.
                let mut rest = word.to_string();
                loop {
                    let run = self.shape(&rest, weight);
                    if run.width_em <= max_em {
                        current = rest;
                        current_run = run;
                        break;
                    }
                    let cut = self.fitting_prefix(&rest, weight, max_em);
                    let (head, tail) = rest.split_at(cut);
                    lines.push(self.shape(head, weight));
                    rest = tail.to_string();
                }
            }
            if !current.is_empty() {
                lines.push(current_run);
            }
        }
        if lines.is_empty() {
            lines.push(Run::default());
        }
        lines
    }

    /// The byte length of the longest prefix of `word` (at least one character) that fits in
    /// `max_em`.
    fn fitting_prefix(&self, word: &str, weight: Weight, max_em: f32) -> usize {
        let mut best = word.chars().next().map_or(word.len(), char::len_utf8);
        for (at, _) in word.char_indices().skip(1) {
            if self.shape(&word[..at], weight).width_em > max_em {
                break;
            }
            best = at;
        }
        best
    }

    /// The width in points of the widest word of `text` at `size`.
    pub(super) fn widest_word(&self, text: &str, weight: Weight, size: f32) -> f32 {
        text.split(breaks)
            .filter(|w| !w.is_empty())
            .map(|w| self.shape(w, weight).width(size))
            .fold(0.0, f32::max)
    }

    /// The width in points of the widest line of `text` (split at newlines only) at `size`.
    pub(super) fn natural_width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        text.lines()
            .map(|l| self.shape(l.trim(), weight).width(size))
            .fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_within_the_width_and_keeps_every_word() {
        let fonts = Fonts::load().unwrap();
        let text = "Ayşe Çelik vraagt hulp bij haar energiefactuur van € 1.250 en de huur \
                    die al twee maanden achterstaat.";
        let lines = fonts.wrap(text, Weight::Regular, 10.0, 120.0);
        assert!(lines.len() > 2, "{} lines", lines.len());
        for line in &lines {
            assert!(line.width(10.0) <= 120.0, "{:?} too wide", line.text);
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            joined.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_and_newlines_break() {
        let fonts = Fonts::load().unwrap();
        let word = "BE71096123456769BE71096123456769BE71096123456769";
        let lines = fonts.wrap(word, Weight::Bold, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(
            lines.iter().map(|l| l.text.as_str()).collect::<String>(),
            word
        );
        for line in &lines {
            assert!(line.width(10.0) <= 60.0);
        }
        let kept = "bel 089\u{a0}65\u{a0}44\u{a0}00";
        let lines = fonts.wrap(kept, Weight::Regular, 10.0, 70.0);
        assert_eq!(lines.last().unwrap().text, "089\u{a0}65\u{a0}44\u{a0}00");
        let lines = fonts.wrap("een\n\ntwee", Weight::Regular, 10.0, 300.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["een", "", "twee"]);
    }

    #[test]
    fn non_ascii_text_has_real_glyphs() {
        let fonts = Fonts::load().unwrap();
        let run = fonts.shape("ç ë ş é € „quote”", Weight::Regular);
        assert!(
            run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
            "a .notdef glyph"
        );
        assert_eq!(run.glyphs.last().unwrap().text_range.end, run.text.len());
    }
}
