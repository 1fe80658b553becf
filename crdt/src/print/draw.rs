//! Drawing: laid-out pages written as a PDF with krilla (fonts embedded as subsets).

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::layout::{Item, PAGE_HEIGHT, PAGE_WIDTH, Page};
use super::text::Fonts;
use super::{PrintError, Sheet};

fn fill(grey: u8) -> Fill {
    Fill {
        paint: luma::Color::new(grey).into(),
        ..Fill::default()
    }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, item: Item) {
    match item {
        Item::Text {
            x,
            baseline,
            size,
            weight,
            grey,
            run,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(grey)));
            surface.draw_glyphs(
                Point::from_xy(x, baseline),
                &run.glyphs,
                fonts.pdf_font(weight),
                &run.text,
                size,
                false,
            );
        }
        Item::Fill {
            x,
            y,
            width,
            height,
            grey,
        } => {
            let Some(rect) = Rect::from_xywh(x, y, width, height) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(grey)));
                surface.draw_path(&path);
            }
        }
        Item::Line {
            x,
            y,
            length,
            thickness,
            grey,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(x, y);
            path.line_to(x + length, y);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(grey).into(),
                    width: thickness,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Item::Image {
            x,
            y,
            width,
            height,
            image,
        } => {
            if let Some(size) = Size::from_wh(width, height) {
                surface.push_transform(&Transform::from_translate(x, y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
    }
}

/// Write `pages` of `sheet` as a PDF.
pub(super) fn pdf(sheet: &Sheet, fonts: &Fonts, pages: Vec<Page>) -> Result<Vec<u8>, PrintError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(sheet.title.clone())
            .language(sheet.language.tag().to_string())
            .creator("Nabij".to_string()),
    );
    let size = Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PrintError::Pdf("the A4 page size".into()))?;
    for page in pages {
        let mut pdf_page = document.start_page_with(PageSettings::new(size));
        let mut surface = pdf_page.surface();
        for item in page.items {
            draw(&mut surface, fonts, item);
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(e.to_string()))
}
