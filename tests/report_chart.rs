//! The report chart: a PNG of the promised size, drawn the same from the same figures
//! (compared with a golden image), with Chinese labels drawn by the embedded font.

use deskmate::chart::{Chart, HEIGHT, Ranking, Series, Timeline, WIDTH, png};

/// A week of tickets, labelled in Chinese and English.
fn fixed() -> Chart {
    let days = ["11-23", "11-24", "11-25", "11-26", "11-27", "11-28", "11-29"];
    Chart {
        title: "工单：2026-11-23 至 2026-11-29 (Tickets)".to_owned(),
        timeline: Timeline {
            caption: "按日".to_owned(),
            buckets: days.iter().map(|d| (*d).to_owned()).collect(),
            series: vec![
                Series { name: "新提交".to_owned(), counts: vec![12, 9, 15, 7, 11, 2, 0] },
                Series { name: "已解决".to_owned(), counts: vec![8, 10, 13, 9, 12, 1, 1] },
            ],
        },
        ranking: Ranking {
            caption: "按类别的新工单".to_owned(),
            bars: vec![("信息技术".to_owned(), 30), ("Facilities".to_owned(), 15), ("无类别".to_owned(), 11)],
        },
    }
}

/// The image's RGB pixels, after checking its size.
fn pixels(png_bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    buf
}

#[test]
fn the_chart_matches_the_golden_image() {
    let golden_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/report-chart.png");
    let drawn = png(&fixed()).expect("drawn");
    if std::env::var_os("DESKMATE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden_path, &drawn).expect("golden written");
    }
    let golden = std::fs::read(&golden_path).expect("the golden image (DESKMATE_UPDATE_GOLDEN=1 writes it)");
    let (got, want) = (pixels(&drawn), pixels(&golden));
    // Anti-aliasing may move by a shade between versions of the rasteriser; a changed
    // layout, colour or missing label moves far more than 0.2 % of the pixels.
    let differ = got
        .chunks(3)
        .zip(want.chunks(3))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    let allowed = (WIDTH * HEIGHT) as usize / 500;
    if differ > allowed {
        let seen = std::env::temp_dir().join("report-chart.seen.png");
        std::fs::write(&seen, &drawn).expect("written");
        panic!("{differ} pixels differ from the golden image (at most {allowed}); this run's is {}", seen.display());
    }
}

#[test]
fn chinese_labels_are_drawn() {
    // The same chart with the Chinese ranking labels blanked: if the font had no
    // glyphs for them, both would look alike.
    let mut blank = fixed();
    for bar in &mut blank.ranking.bars {
        bar.0 = bar.0.chars().map(|c| if c.is_ascii() { c } else { ' ' }).collect();
    }
    let (with, without) = (pixels(&png(&fixed()).expect("drawn")), pixels(&png(&blank).expect("drawn")));
    let inked = |p: &[u8]| p.chunks(3).filter(|px| px.iter().all(|v| *v < 128)).count();
    assert!(inked(&with) > inked(&without) + 200, "{} vs {}", inked(&with), inked(&without));
}

#[test]
fn an_empty_span_still_draws() {
    let chart = Chart {
        title: "Tickets, 2026-11-23 to 2026-11-29".to_owned(),
        timeline: Timeline { caption: "Per day".to_owned(), buckets: Vec::new(), series: Vec::new() },
        ranking: Ranking { caption: "Opened by category".to_owned(), bars: Vec::new() },
    };
    pixels(&png(&chart).expect("drawn"));
}
