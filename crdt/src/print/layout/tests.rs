use super::*;

fn pages(sheet: &Sheet) -> Vec<Page> {
    lay_out(sheet, &Fonts::load().unwrap()).unwrap()
}

#[test]
fn a_long_table_continues_on_new_pages_under_its_header() {
    let rows: Vec<Vec<String>> = (1..=150)
        .map(|n| vec![format!("rij {n}"), format!("Ayşe Çelik, € {n},00")])
        .collect();
    let sheet = Sheet {
        title: "Lijst".into(),
        blocks: vec![Block::Table {
            headers: vec!["Nummer".into(), "Wie".into()],
            rows,
        }],
        ..Sheet::default()
    };
    let pages = pages(&sheet);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let mut seen = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let texts = page.texts();
        assert!(texts.contains(&"Nummer"), "page {} has no header", n + 1);
        let label = format!("Pagina {} van {}", n + 1, pages.len());
        assert!(
            texts.contains(&label.as_str()),
            "page {} lacks {label}",
            n + 1
        );
        seen.extend(
            texts
                .iter()
                .filter(|t| t.starts_with("rij "))
                .map(|t| t.to_string()),
        );
        for item in &page.items {
            if let Item::Text { baseline, run, .. } = item {
                assert!(
                    *baseline <= PAGE_HEIGHT - 30.0,
                    "{:?} off the page",
                    run.text
                );
            }
        }
    }
    let expected: Vec<String> = (1..=150).map(|n| format!("rij {n}")).collect();
    assert_eq!(seen, expected, "every row once, in order");
}

#[test]
fn a_heading_is_not_left_alone_at_the_bottom_of_a_page() {
    // Some count of paragraphs before it puts the heading on the last lines of page 1.
    let mut broke = false;
    for count in 25..45 {
        let mut blocks: Vec<Block> = (0..count)
            .map(|_| Block::Paragraph("regel".into()))
            .collect();
        blocks.push(Block::Heading("Doel van de doorverwijzing".into()));
        blocks.push(Block::Paragraph("Budgetbegeleiding opstarten.".into()));
        let sheet = Sheet {
            blocks,
            ..Sheet::default()
        };
        let pages = pages(&sheet);
        let page_of = |text: &str| pages.iter().position(|p| p.texts().contains(&text));
        assert_eq!(
            page_of("Doel van de doorverwijzing"),
            page_of("Budgetbegeleiding opstarten."),
            "after {count} paragraphs"
        );
        let first: Vec<&str> = pages[0].texts();
        let all_regel_first = first.iter().filter(|t| **t == "regel").count() == count;
        broke |= all_regel_first && page_of("Doel van de doorverwijzing") == Some(1);
    }
    assert!(broke, "no count moved the heading to the next page");
}

#[test]
fn a_note_longer_than_a_page_is_split_with_its_box() {
    let text = "Deze gegevens vallen onder het gedeeld beroepsgeheim. ".repeat(600);
    let sheet = Sheet {
        blocks: vec![Block::Note(text)],
        ..Sheet::default()
    };
    let pages = pages(&sheet);
    assert!(pages.len() >= 2);
    for page in &pages {
        let fills = page
            .items
            .iter()
            .filter(|i| matches!(i, Item::Fill { .. }))
            .count();
        assert_eq!(fills, 2, "a box and its bar on every page");
    }
}

#[test]
fn column_widths_fill_the_width_and_respect_the_least() {
    let w = column_widths(&[50.0, 100.0], &[20.0, 20.0], 300.0);
    assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.01);
    assert!((w[1] - 2.0 * w[0]).abs() < 0.01);
    let w = column_widths(&[60.0, 2000.0], &[60.0, 80.0], 400.0);
    assert!((w.iter().sum::<f32>() - 400.0).abs() < 0.01);
    assert!(w[0] >= 60.0 - 0.01, "{w:?}");
}

#[test]
fn a_broken_png_names_its_block() {
    let sheet = Sheet {
        blocks: vec![
            Block::Rule,
            Block::Image {
                png: b"not a png".to_vec(),
                width_mm: 50.0,
            },
        ],
        ..Sheet::default()
    };
    let result = lay_out(&sheet, &Fonts::load().unwrap());
    assert!(matches!(result, Err(PrintError::Image { block: 1, .. })));
}
