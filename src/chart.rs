//! Charts as PNG images: counts over time beside a ranking, drawn with plotters in an
//! embedded font so a chart looks the same on a server with no fonts installed, and
//! Chinese labels render (see `assets/fonts/README.md`).

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The chart's size in pixels.
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 540;

/// The font family charts ask for; it is registered once, from the embedded font.
const FAMILY: &str = "sans-serif";
const FONT: &[u8] = include_bytes!("../assets/fonts/wqy-microhei.ttf");

/// Colours of the series, in order (colour-blind safe: Okabe–Ito).
const PALETTE: [RGBColor; 4] =
    [RGBColor(0, 114, 178), RGBColor(230, 159, 0), RGBColor(0, 158, 115), RGBColor(204, 121, 167)];
const INK: RGBColor = RGBColor(40, 40, 40);
const GRID: RGBColor = RGBColor(225, 225, 225);

/// A chart: its title, counts over time on the left, a ranking on the right.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub timeline: Timeline,
    pub ranking: Ranking,
}

/// Counts per bucket of time (a day, a week, a month): a column per series in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub caption: String,
    /// A label per bucket, e.g. `11-28`.
    pub buckets: Vec<String>,
    pub series: Vec<Series>,
}

/// One series: its name in the legend, and a count per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub counts: Vec<u64>,
}

/// Bars, largest first as given: a label and a count each.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub caption: String,
    pub bars: Vec<(String, u64)>,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("drawing the chart: {0}")]
    Draw(String),
    #[error("encoding the chart: {0}")]
    Encode(#[from] png::EncodingError),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// The chart as a PNG image of [`WIDTH`] × [`HEIGHT`].
pub fn png(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    register_font();
    let mut pixels = vec![0_u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let body = root.titled(&chart.title, (FAMILY, 26).into_font().color(&INK))?;
        let (left, right) = body.split_horizontally(WIDTH * 3 / 5);
        timeline(&left, &chart.timeline)?;
        ranking(&right, &chart.ranking)?;
        root.present()?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(out)
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is ours and checked by the tests; a failure here would only mean
        // labels are not drawn.
        if plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the embedded chart font could not be read");
        }
    });
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// Columns side by side per bucket, a colour per series, with a legend.
fn timeline(area: &Area<'_>, t: &Timeline) -> Result<(), ChartError> {
    let buckets = t.buckets.len().max(1);
    let top = t.series.iter().flat_map(|s| s.counts.iter().copied()).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(&t.caption, (FAMILY, 18).into_font().color(&INK))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..buckets as f64, 0.0..headroom(top))?;
    // Whole numbers only: as many lines as there are counts, up to six.
    let lines = (headroom(top) as usize + 1).min(6);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_x_axis()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .y_labels(lines)
        .y_label_formatter(&|v| if v.fract() == 0.0 { format!("{v:.0}") } else { String::new() })
        .label_style((FAMILY, 14).into_font().color(&INK))
        .draw()?;
    let width = 0.8 / t.series.len().max(1) as f64;
    for (k, series) in t.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        chart
            .draw_series(series.counts.iter().enumerate().map(|(i, &n)| {
                let x = i as f64 + 0.1 + k as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, n as f64)], colour.filled())
            }))?
            .label(&series.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FAMILY, 14).into_font().color(&INK))
        .draw()?;
    // Bucket labels under the axis, thinned so they never overlap.
    let every = buckets.div_ceil(12);
    let style = TextStyle::from((FAMILY, 13).into_font()).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in t.buckets.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        area.draw(&Text::new(label.as_str(), (x - area.get_base_pixel().0, y - area.get_base_pixel().1 + 6), &style))?;
    }
    Ok(())
}

/// Horizontal bars, top to bottom, each labelled with its name and count.
fn ranking(area: &Area<'_>, r: &Ranking) -> Result<(), ChartError> {
    // Room for six bars at least, so a few are not drawn as slabs.
    let rows = r.bars.len().max(6);
    let top = r.bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(&r.caption, (FAMILY, 18).into_font().color(&INK))
        .margin(12)
        .margin_right(24)
        .build_cartesian_2d(0.0..top as f64 * 1.45, 0.0..rows as f64)?;
    let colour = PALETTE[2];
    chart.draw_series(r.bars.iter().enumerate().map(|(i, (_, n))| {
        let y = (rows - i) as f64;
        Rectangle::new([(0.0, y - 0.2), (*n as f64, y - 0.8)], colour.filled())
    }))?;
    let style = TextStyle::from((FAMILY, 14).into_font()).color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(r.bars.iter().enumerate().map(|(i, (label, n))| {
        let y = (rows - i) as f64 - 0.5;
        Text::new(format!("{label} ({n})"), (*n as f64 + top as f64 * 0.03, y), style.clone())
    }))?;
    Ok(())
}

/// The y axis's top: a little above the highest column, so the legend has room.
fn headroom(top: u64) -> f64 {
    (top as f64 * 1.25).ceil().max(top as f64 + 1.0)
}

#[cfg(test)]
mod tests {
    use ab_glyph::Font;

    /// Every Chinese character and punctuation mark of every catalog is in the embedded
    /// font: whatever a chart's labels say in Chinese, they are drawn, not boxes.
    #[test]
    fn the_font_covers_every_chinese_catalog() {
        let font = ab_glyph::FontRef::try_from_slice(super::FONT).expect("the embedded font reads");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = std::collections::BTreeSet::new();
        let mut checked = 0;
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.to_string_lossy().ends_with("zh-CN.ftl") {
                    let text = std::fs::read_to_string(&path).expect("readable");
                    for c in text
                        .chars()
                        .filter(|c| matches!(*c as u32, 0x3000..=0x303F | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF))
                    {
                        checked += 1;
                        if font.glyph_id(c).0 == 0 {
                            missing.insert(c);
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} characters found: are the catalogs where they were?");
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }
}
