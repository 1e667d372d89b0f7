//! Pictures: `plot(x, "out.png" | "out.svg", …)` draws a 1-d array as a line, a histogram's
//! `(counts, edges)` as bars and a 2-d array as a heat map with a colour bar; `save_image` writes
//! a 2-d array as a grey (or colour-mapped) PNG, as the seeds' `Image.fromarray(scale(…))`.
//! Pure Rust (plotters, image) with an embedded font (DejaVu Sans, assets/fonts): nothing to
//! install. Files are written under a temporary name and renamed when complete.

use crate::array::chunk::ChunkData;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::{BlackWhite, Bone, Copper, ViridisRGB};
use std::path::Path;

/// What to draw.
pub enum Figure {
    Line {
        values: Vec<f64>,
        /// Coordinate values along the line (a labelled array's); positions when none.
        x: Option<Axis>,
    },
    Bars {
        counts: Vec<f64>,
        edges: Vec<f64>,
    },
    /// Points (x, y), as a scatter plot (a frame's column pair).
    Points {
        x: Vec<f64>,
        y: Vec<f64>,
    },
    HeatMap {
        rows: usize,
        columns: usize,
        values: Vec<f64>,
        /// Coordinates of the columns and rows; without them row 0 is drawn at the top.
        x: Option<Axis>,
        y: Option<Axis>,
    },
}

/// Coordinate values along an axis, shown as dates when they are CF times.
pub struct Axis {
    pub values: Vec<f64>,
    pub time: Option<super::cftime::TimeUnits>,
}

impl Axis {
    fn label(&self, value: &f64) -> String {
        match &self.time {
            Some(units) => units.format(*value),
            None => tick(value),
        }
    }

    /// Cell boundaries: halfway between neighbours, extended by half a step at the ends.
    fn edges(&self) -> Vec<f64> {
        let v = &self.values;
        if v.len() == 1 {
            return vec![v[0] - 0.5, v[0] + 0.5];
        }
        let mut edges = Vec::with_capacity(v.len() + 1);
        edges.push(v[0] - (v[1] - v[0]) / 2.0);
        edges.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
        edges.push(v[v.len() - 1] + (v[v.len() - 1] - v[v.len() - 2]) / 2.0);
        edges
    }
}

fn span_of(edges: &[f64]) -> std::ops::Range<f64> {
    let (lo, hi) = edges
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &e| {
            (lo.min(e), hi.max(e))
        });
    lo..hi
}

pub struct Options {
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    pub size: (u32, u32),
    pub vmin: Option<f64>,
    pub vmax: Option<f64>,
    pub cmap: ColorMapName,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMapName {
    Viridis,
    Grey,
    Bone,
    Copper,
}

impl ColorMapName {
    pub fn parse(name: &str) -> Option<ColorMapName> {
        Some(match name {
            "viridis" => ColorMapName::Viridis,
            "grey" | "gray" | "greys" | "binary" => ColorMapName::Grey,
            "bone" => ColorMapName::Bone,
            "copper" => ColorMapName::Copper,
            _ => return None,
        })
    }

    pub const NAMES: &'static str = "\"viridis\", \"grey\", \"bone\", \"copper\"";

    /// The colour of `t` in [0, 1].
    fn color(self, t: f64) -> RGBColor {
        let t = t.clamp(0.0, 1.0);
        match self {
            ColorMapName::Viridis => ViridisRGB.get_color(t),
            ColorMapName::Grey => BlackWhite.get_color(t),
            ColorMapName::Bone => Bone.get_color(t),
            ColorMapName::Copper => Copper.get_color(t),
        }
    }
}

/// NaN cells are drawn in this neutral grey.
const MISSING: RGBColor = RGBColor(200, 200, 200);

fn register_font() {
    static FONT: std::sync::Once = std::sync::Once::new();
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        );
    });
}

/// The figure of a computed value, or why it cannot be drawn.
pub fn figure_of(data: &[ChunkData]) -> Result<Figure, String> {
    match data {
        [single] => {
            let shape = single.shape().to_vec();
            let values: Vec<f64> = single.to_f64().iter().copied().collect();
            if values.is_empty() {
                return Err("the array is empty: there is nothing to draw".into());
            }
            if values.iter().all(|v| v.is_nan()) {
                return Err("every value is NaN: there is nothing to draw".into());
            }
            match shape.len() {
                1 => Ok(Figure::Line { values, x: None }),
                2 => Ok(Figure::HeatMap { rows: shape[0], columns: shape[1], values, x: None, y: None }),
                n => Err(format!("plot draws 1-d arrays as lines and 2-d arrays as heat maps, not {n}-d arrays; reduce or slice it first")),
            }
        }
        [counts, edges] => {
            let counts: Vec<f64> = counts.to_f64().iter().copied().collect();
            let edges: Vec<f64> = edges.to_f64().iter().copied().collect();
            if counts.is_empty() || edges.len() != counts.len() + 1 {
                return Err("a bar chart takes (counts, edges) as histogram returns them: n counts and n + 1 edges".into());
            }
            Ok(Figure::Bars { counts, edges })
        }
        _ => Err("plot takes an array, or the (counts, edges) of a histogram".into()),
    }
}

/// Draw `figure` into `target` (PNG or SVG by its extension), atomically.
/// A missing directory, said plainly (the drawing libraries' errors are not).
fn check_directory(target: &Path) -> Result<(), String> {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => Err(format!(
            "the directory `{}` does not exist",
            parent.display()
        )),
        _ => Ok(()),
    }
}

/// The picture as PNG bytes (for a notebook to show inline).
pub fn png_bytes(figure: &Figure, options: &Options) -> Result<Vec<u8>, String> {
    register_font();
    let (width, height) = options.size;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, options.size).into_drawing_area();
        draw(area, figure, options)?;
    }
    let picture = image::RgbImage::from_raw(width, height, pixels).ok_or("a picture's size")?;
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}

/// The picture as SVG text, for a notebook to show beside the PNG (a map's cells are one
/// embedded image, so it stays small).
pub fn svg_text(figure: &Figure, options: &Options) -> Result<String, String> {
    register_font();
    let mut text = String::new();
    draw(
        SVGBackend::with_string(&mut text, options.size).into_drawing_area(),
        figure,
        options,
    )?;
    // plotters names an embedded image's type `png`; browsers want a MIME type.
    Ok(text.replace("href=\"data:png;base64,", "href=\"data:image/png;base64,"))
}

pub fn plot(figure: &Figure, options: &Options, target: &Path) -> Result<(), String> {
    register_font();
    check_directory(target)?;
    let extension = target
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(extension.as_str(), "svg" | "png") {
        return Err(format!(
            "cannot tell the format of `{}`: give a file ending in .png or .svg",
            target.display()
        ));
    }
    let draw_at = |path: &Path| match extension.as_str() {
        "svg" => {
            let text = svg_text(figure, options)?;
            std::fs::write(path, text).map_err(|e| e.to_string())
        }
        _ => draw(
            BitMapBackend::new(path, options.size).into_drawing_area(),
            figure,
            options,
        ),
    };
    super::write_file(target, draw_at, |e| e.to_string())
}

/// Tick labels as people write them: `80000`, `0.25`, `1e-05`.
fn tick(value: &f64) -> String {
    // Rounding noise at zero (-2.8e-17 between ticks -0.1 and 0.1) shows as 0.
    let value = if value.abs() < 1e-12 { 0.0 } else { *value };
    crate::text::general(value, 6)
}

fn range_of(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    }
}

/// A chart with labelled x and y axes over `x` × `y`, the title and axis names of `options`, the
/// y labels `y_area` pixels wide.
fn axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    options: &Options,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_area: u32,
    x_label: &dyn Fn(&f64) -> String,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    let mut chart = ChartBuilder::on(root)
        .caption(&options.title, ("sans-serif", 16).into_font())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x, y)
        .map_err(error)?;
    chart
        .configure_mesh()
        .x_desc(&options.xlabel)
        .y_desc(&options.ylabel)
        .x_label_formatter(x_label)
        .y_label_formatter(&tick)
        .label_style(("sans-serif", 13).into_font())
        .draw()
        .map_err(error)?;
    Ok(chart)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    figure: &Figure,
    options: &Options,
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    root.fill(&WHITE).map_err(error)?;
    match figure {
        Figure::Line { values, x } => draw_line(&root, options, values, x)?,
        Figure::Points { x, y } => draw_points(&root, options, x, y)?,
        Figure::Bars { counts, edges } => draw_bars(&root, options, counts, edges)?,
        Figure::HeatMap {
            rows,
            columns,
            values,
            x,
            y,
        } => draw_heat_map(&root, options, (*rows, *columns), values, (x, y))?,
    }
    root.present().map_err(error)
}

/// A line through the values (at their coordinates), broken where a value is NaN.
fn draw_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    options: &Options,
    values: &[f64],
    x: &Option<Axis>,
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");

    let (lo, hi) = range_of(values.iter().copied());
    let position = |i: usize| x.as_ref().map_or(i as f64, |x| x.values[i]);
    let x_range = match x {
        Some(x) if x.values.len() > 1 => span_of(&x.values),
        Some(x) => x.values[0] - 0.5..x.values[0] + 0.5,
        None => 0f64..(values.len().max(2) - 1) as f64,
    };
    let x_label = |v: &f64| x.as_ref().map_or_else(|| tick(v), |x| x.label(v));
    let mut chart = axes(root, options, x_range, lo..hi, 64, &x_label)?;
    // A NaN breaks the line, as matplotlib draws it.
    let mut segment: Vec<(f64, f64)> = Vec::new();
    let mut segments = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        if v.is_finite() {
            segment.push((position(i), v));
        } else if !segment.is_empty() {
            segments.push(std::mem::take(&mut segment));
        }
    }
    segments.push(segment);
    for segment in segments.into_iter().filter(|s| !s.is_empty()) {
        chart
            .draw_series(LineSeries::new(segment, BLUE.stroke_width(2)))
            .map_err(error)?;
    }
    Ok(())
}

/// A scatter of the points (x, y) with both finite.
fn draw_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    options: &Options,
    x: &[f64],
    y: &[f64],
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");

    let (xlo, xhi) = range_of(x.iter().copied());
    let (ylo, yhi) = range_of(y.iter().copied());
    let mut chart = axes(root, options, xlo..xhi, ylo..yhi, 64, &tick)?;
    let points = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| Circle::new((a, b), 3, BLUE.mix(0.6).filled()));
    chart.draw_series(points).map_err(error)?;
    Ok(())
}

/// A histogram's bars between its edges.
fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    options: &Options,
    counts: &[f64],
    edges: &[f64],
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");

    let (_, hi) = range_of(counts.iter().copied().chain([0.0]));
    let mut chart = axes(
        root,
        options,
        edges[0]..edges[edges.len() - 1],
        0f64..hi,
        72,
        &tick,
    )?;
    let bars = counts.iter().enumerate().map(|(i, &c)| {
        Rectangle::new([(edges[i], 0.0), (edges[i + 1], c)], BLUE.mix(0.7).filled())
    });
    chart.draw_series(bars).map_err(error)?;
    Ok(())
}

/// A map of `rows` × `columns` cells coloured by value, and its colour bar.
fn draw_heat_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    options: &Options,
    (rows, columns): (usize, usize),
    values: &[f64],
    (x, y): (&Option<Axis>, &Option<Axis>),
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    let font = ("sans-serif", 16).into_font();
    let axis_font = ("sans-serif", 13).into_font();

    let (width, _) = root.dim_in_pixel();
    let (map_area, bar_area) = root.split_horizontally(width.saturating_sub(90));
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let lo = options
        .vmin
        .unwrap_or_else(|| finite().fold(f64::INFINITY, f64::min));
    let hi = options
        .vmax
        .unwrap_or_else(|| finite().fold(f64::NEG_INFINITY, f64::max));
    let span = if hi > lo { hi - lo } else { 1.0 };
    // Cell boundaries: by coordinates (rows upward, as xarray draws them), or by
    // position with row 0 at the top (as an image).
    let x_edges: Vec<f64> = match x {
        Some(x) => x.edges(),
        None => (0..=columns).map(|c| c as f64).collect(),
    };
    let y_edges: Vec<f64> = match y {
        Some(y) => y.edges(),
        None => (0..=rows).map(|r| r as f64).collect(),
    };
    let y_range = match y {
        Some(_) => span_of(&y_edges),
        None => rows as f64..0f64,
    };
    let x_label = |v: &f64| x.as_ref().map_or_else(|| tick(v), |x| x.label(v));
    let y_label = |v: &f64| y.as_ref().map_or_else(|| tick(v), |y| y.label(v));
    let mut chart = ChartBuilder::on(&map_area)
        .caption(&options.title, font)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(span_of(&x_edges), y_range)
        .map_err(error)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&options.xlabel)
        .y_desc(&options.ylabel)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(axis_font.clone())
        .draw()
        .map_err(error)?;
    // The cells as one image of the plotting area's pixels (in SVG, one embedded PNG rather
    // than a rectangle per cell): each cell fills the pixels its edges cover.
    let (x_pixels, y_pixels) = chart.plotting_area().get_pixel_range();
    let (left, top) = (x_pixels.start, y_pixels.start);
    let (width, height) = (
        (x_pixels.end - left).max(1) as usize,
        (y_pixels.end - top).max(1) as usize,
    );
    let mut image = vec![255u8; width * height * 3];
    // Each edge's pixel; neighbouring cells share one, and the outermost reach the area's sides.
    let spans = |pixels: Vec<i32>, origin: i32, size: usize| -> Vec<std::ops::Range<usize>> {
        let (lo, hi) = (
            *pixels.iter().min().unwrap_or(&origin),
            *pixels.iter().max().unwrap_or(&origin),
        );
        let at = |p: i32| match p {
            p if p == lo => 0,
            p if p == hi => size,
            p => ((p - origin).max(0) as usize).min(size),
        };
        pixels
            .windows(2)
            .map(|w| {
                let (a, b) = (at(w[0].min(w[1])), at(w[0].max(w[1])));
                a..b.max((a + 1).min(size))
            })
            .collect()
    };
    // Every cell's pixel span along each axis, from its edges' pixels.
    let (x_any, y_any) = (x_edges[0], y_edges[0]);
    let pixels_x: Vec<i32> = x_edges
        .iter()
        .map(|&x| chart.backend_coord(&(x, y_any)).0)
        .collect();
    let pixels_y: Vec<i32> = y_edges
        .iter()
        .map(|&y| chart.backend_coord(&(x_any, y)).1)
        .collect();
    let (column_spans, row_spans) = (spans(pixels_x, left, width), spans(pixels_y, top, height));
    for (r, rows_covered) in row_spans.iter().enumerate() {
        for (c, columns_covered) in column_spans.iter().enumerate() {
            let v = values[r * columns + c];
            let color = if v.is_nan() {
                MISSING
            } else {
                options.cmap.color((v - lo) / span)
            };
            for py in rows_covered.clone() {
                let row = py * width * 3;
                for px in columns_covered.clone() {
                    image[row + px * 3..row + px * 3 + 3]
                        .copy_from_slice(&[color.0, color.1, color.2]);
                }
            }
        }
    }
    let picture =
        BitMapElement::with_owned_buffer((left, top), (width as u32, height as u32), image)
            .ok_or("a map's image")?;
    root.draw(&picture).map_err(error)?;
    // The colour bar: the map's colours from vmin (bottom) to vmax (top).
    let mut bar = ChartBuilder::on(&bar_area)
        .margin_top(40)
        .margin_bottom(52)
        .margin_right(8)
        .y_label_area_size(0)
        .right_y_label_area_size(52)
        .build_cartesian_2d(0f64..1f64, lo..lo + span)
        .map_err(error)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&tick)
        .label_style(axis_font)
        .draw()
        .map_err(error)?;
    let steps = 64;
    let swatches = (0..steps).map(|k| {
        let (a, b) = (
            lo + span * k as f64 / steps as f64,
            lo + span * (k + 1) as f64 / steps as f64,
        );
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            options.cmap.color((k as f64 + 0.5) / steps as f64).filled(),
        )
    });
    bar.draw_series(swatches).map_err(error)?;
    Ok(())
}

/// A 2-d array as an image, one pixel per value: min → 0, max → 255 (as the seeds' `scale`),
/// in grey or through a colour map; NaN in the neutral grey.
pub fn save_image(data: &ChunkData, cmap: ColorMapName, target: &Path) -> Result<(), String> {
    let shape = data.shape().to_vec();
    if shape.len() != 2 {
        return Err(format!(
            "save_image takes a 2-d array, not a {}-d one",
            shape.len()
        ));
    }
    check_directory(target)?;
    if shape[0] == 0 || shape[1] == 0 {
        return Err("the array is empty: there is nothing to draw".into());
    }
    let values: Vec<f64> = data.to_f64().iter().copied().collect();
    let (lo, hi) = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return Err("every value is NaN: there is nothing to draw".into());
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (height, width) = (shape[0] as u32, shape[1] as u32);
    let mut image = image::RgbImage::new(width, height);
    for (k, &v) in values.iter().enumerate() {
        let pixel = if v.is_nan() {
            image::Rgb([MISSING.0, MISSING.1, MISSING.2])
        } else if cmap == ColorMapName::Grey {
            let level = (255.0 * (v - lo) / span) as u8;
            image::Rgb([level, level, level])
        } else {
            let c = cmap.color((v - lo) / span);
            image::Rgb([c.0, c.1, c.2])
        };
        image.put_pixel(k as u32 % width, k as u32 / width, pixel);
    }
    let save_at = |path: &Path| {
        image
            .save_with_format(path, image::ImageFormat::Png)
            .map_err(|e| e.to_string())
    };
    super::write_file(target, save_at, |e| e.to_string())
}
