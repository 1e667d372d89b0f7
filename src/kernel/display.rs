//! Rich displays of a cell's value, each beside its text form: a lazy array as a table of its
//! cost and an SVG picture of its chunk grid (what Dask shows), a labelled array and a dataset
//! as xarray does (collapsible dimensions, coordinates, variables and attributes), a frame as
//! its schema and partitions.

use crate::array::node::ArrayRef;
use crate::dataset::{display as labels, Attrs, Coord, Dataset, Labelled};
use crate::eval::Value;
use crate::text::{human_bytes, plural};
use serde_json::{json, Value as Json};
use std::fmt::Write;

/// The `data` of a display: `text/plain` always, `text/html` for arrays, datasets and frames.
pub fn bundle(value: &Value) -> Json {
    let html = match value {
        Value::Array(array) => Some(array_html(array)),
        Value::Labelled(l) => Some(labelled_html(l)),
        Value::Dataset(ds) => Some(dataset_html(ds)),
        Value::Frame(frame) => Some(match &frame.computed {
            Some(rows) => rows_html(frame, rows),
            None => frame_html(frame),
        }),
        _ => None,
    };
    match html {
        Some(html) => json!({"text/plain": value.repr(), "text/html": html}),
        None => json!({"text/plain": value.repr()}),
    }
}

const STYLE: &str = "<style>.flow-value table{border-collapse:collapse;margin-right:1em}\
.flow-value td,.flow-value th{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}\
.flow-value details{margin-left:1em}.flow-value summary{cursor:pointer;font-weight:bold}\
.flow-value .dims{color:#555}</style>";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Dask's array table: array and chunk sizes side by side, then the chunk grid.
fn array_html(array: &ArrayRef) -> String {
    let chunk_shape = array.chunks.largest_block();
    let chunk_bytes = chunk_shape.iter().product::<usize>() * array.dtype.itemsize();
    let shape = |s: &[usize]| {
        let items: Vec<String> = s.iter().map(usize::to_string).collect();
        format!("({})", items.join(", "))
    };
    let tasks = crate::graph::lower::least_tasks(std::slice::from_ref(array));
    let rows = [
        (
            "Bytes",
            human_bytes(array.nbytes()),
            human_bytes(chunk_bytes),
        ),
        ("Shape", shape(&array.shape), shape(&chunk_shape)),
        (
            "Count",
            format!("{} tasks", tasks),
            format!("{} chunks", array.chunks.count()),
        ),
        ("Type", array.dtype.to_string(), "lazy".into()),
    ];
    let mut out = format!("{STYLE}<div class=\"flow-value\"><table><tr><td><table>");
    out.push_str("<tr><th></th><th>Array</th><th>Chunk</th></tr>");
    for (what, whole, chunk) in rows {
        let _ = write!(
            out,
            "<tr><th>{what}</th><td>{}</td><td>{}</td></tr>",
            escape(&whole),
            escape(&chunk)
        );
    }
    out.push_str("</table></td><td>");
    out.push_str(&chunk_grid(&array.chunks.0));
    out.push_str("</td></tr></table></div>");
    out
}

/// The chunk grid of the last two axes (one row of blocks for a 1-d array) as SVG: a
/// rectangle of the array's proportions (kept readable), a line at every chunk boundary.
pub fn chunk_grid(chunks: &[Vec<usize>]) -> String {
    let axes: Vec<&Vec<usize>> = match chunks.len() {
        0 => return String::new(),
        1 => vec![&chunks[0]],
        n => vec![&chunks[n - 2], &chunks[n - 1]],
    };
    let length = |axis: &Vec<usize>| axis.iter().sum::<usize>().max(1) as f64;
    let (rows, columns) = match axes[..] {
        [only] => (None, only),
        [r, c] => (Some(r), c),
        _ => unreachable!("one or two axes"),
    };
    let width = 160.0;
    let height = match rows {
        None => 24.0,
        Some(r) => (width * length(r) / length(columns)).clamp(24.0, 240.0),
    };
    let mut out = format!(
        "<svg width=\"{}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        width + 2.0,
        height + 2.0
    );
    // Boundaries closer than 2 px draw as a filled band (as Dask draws dense grids).
    let mut lines = |axis: &Vec<usize>, extent: f64, vertical: bool| {
        let scale = extent / length(axis);
        let mut at = 0usize;
        let mut last_drawn = -10.0;
        for &block in axis {
            let x = 1.0 + at as f64 * scale;
            if x - last_drawn >= 2.0 || at == 0 {
                let (x1, y1, x2, y2) = match vertical {
                    true => (x, 1.0, x, height + 1.0),
                    false => (1.0, x, width + 1.0, x),
                };
                let _ = write!(
                    out,
                    "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" \
                     stroke=\"#444\" stroke-width=\"1\"/>"
                );
                last_drawn = x;
            }
            at += block;
        }
    };
    lines(columns, width, true);
    if let Some(r) = rows {
        lines(r, height, false);
    }
    let _ = write!(
        out,
        "<rect x=\"1\" y=\"1\" width=\"{width}\" height=\"{height:.1}\" \
         fill=\"#8db5e8\" fill-opacity=\"0.5\" stroke=\"#444\" stroke-width=\"2\"/>"
    );
    let label = |axis: &Vec<usize>| axis.iter().sum::<usize>().to_string();
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text></svg>",
        1.0 + width / 2.0,
        height / 2.0 + 5.0,
        match rows {
            None => label(columns),
            Some(r) => format!("{} × {}", label(r), label(columns)),
        }
    );
    out
}

fn attrs_html(attrs: &Attrs) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details><summary>Attributes ({})</summary><table>",
        attrs.len()
    );
    for (name, value) in attrs {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(name),
            escape(&labels::attr_text(value))
        );
    }
    out.push_str("</table></details>");
    out
}

fn coords_html(coords: &[std::sync::Arc<Coord>]) -> String {
    if coords.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details open><summary>Coordinates ({})</summary><table>",
        coords.len()
    );
    for c in coords {
        let dims = if c.is_scalar() {
            "()".to_string()
        } else {
            format!("({})", c.dim)
        };
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"dims\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.name),
            escape(&dims),
            escape(&labels::coord_values(c)),
            attrs_html(&c.attrs)
        );
    }
    out.push_str("</table></details>");
    out
}

fn dims_html(dims: &[(String, usize)]) -> String {
    let items: Vec<String> = dims
        .iter()
        .map(|(d, n)| format!("<b>{}</b>: {n}", escape(d)))
        .collect();
    format!("<span class=\"dims\">({})</span>", items.join(", "))
}

fn variable_row(v: &Labelled) -> String {
    let dims = format!("({})", v.dims.join(", "));
    format!(
        "<tr><th>{}</th><td class=\"dims\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(v.name.as_deref().unwrap_or("")),
        escape(&dims),
        escape(&v.array.summary()),
        attrs_html(&v.attrs),
        chunk_grid(&v.array.chunks.0)
    )
}

/// xarray's display of a DataArray: name and dims, the array, coordinates, attributes.
fn labelled_html(l: &Labelled) -> String {
    let dims: Vec<(String, usize)> = l
        .dims
        .iter()
        .cloned()
        .zip(l.array.shape.iter().copied())
        .collect();
    format!(
        "{STYLE}<div class=\"flow-value\"><div><b>labelled array</b> {} {}</div>{}{}{}</div>",
        escape(l.name.as_deref().unwrap_or("")),
        dims_html(&dims),
        array_html(&l.array),
        coords_html(&l.coords),
        attrs_html(&l.attrs)
    )
}

/// xarray's display of a Dataset: dimensions, coordinates, data variables (each with its
/// attributes folded), attributes.
fn dataset_html(ds: &Dataset) -> String {
    let mut variables = format!(
        "<details open><summary>Data variables ({})</summary><table>",
        ds.variables.len()
    );
    for v in &ds.variables {
        variables.push_str(&variable_row(v));
    }
    variables.push_str("</table></details>");
    format!(
        "{STYLE}<div class=\"flow-value\"><div><b>dataset</b> {}</div>{}{}{}</div>",
        dims_html(&ds.dims),
        coords_html(&ds.coords),
        variables,
        attrs_html(&ds.attrs)
    )
}

/// A lazy frame: its files and partitions, and its schema.
fn frame_html(frame: &crate::frame::Frame) -> String {
    let (partitions, files) = (frame.partitions(), frame.plan.files().len());
    let mut out = format!(
        "{STYLE}<div class=\"flow-value\"><div><b>frame</b> · {partitions} partition{} · {files} file{} · lazy</div><table><tr><th>column</th><th>type</th></tr>",
        plural(partitions),
        plural(files),
    );
    out.push_str(&column_cells(frame, |name, kind| {
        format!("<tr><td>{name}</td><td>{kind}</td></tr>")
    }));
    out.push_str("</table></div>");
    out
}

/// A cell for each column of a frame's schema, given its name and type (escaped).
fn column_cells(frame: &crate::frame::Frame, cell: impl Fn(String, String) -> String) -> String {
    frame
        .schema
        .iter()
        .map(|(name, kind)| cell(escape(name), escape(kind.name())))
        .collect()
}

/// Rows shown of a computed frame: all of ten or fewer, else the first and last five.
const ROWS_SHOWN: usize = 5;

/// A computed frame as pandas shows one: its first and last rows under the column names and
/// types, and its shape.
fn rows_html(frame: &crate::frame::Frame, rows: &crate::frame::rows::Rows) -> String {
    use polars::prelude::AnyValue;
    let height = rows.height();
    let columns = rows.columns();
    let mut out = format!("{STYLE}<div class=\"flow-value\"><table><tr><th></th>");
    out.push_str(&column_cells(frame, |name, kind| {
        format!("<th>{name}<br><span class=\"dims\">{kind}</span></th>")
    }));
    out.push_str("</tr>");
    let shown: Vec<usize> = if height <= 2 * ROWS_SHOWN {
        (0..height).collect()
    } else {
        (0..ROWS_SHOWN).chain(height - ROWS_SHOWN..height).collect()
    };
    for (k, &row) in shown.iter().enumerate() {
        if k == ROWS_SHOWN && height > 2 * ROWS_SHOWN {
            let _ = write!(
                out,
                "<tr><th>…</th>{}</tr>",
                "<td>…</td>".repeat(columns.len())
            );
        }
        let _ = write!(out, "<tr><th>{row}</th>");
        for column in columns {
            let text = match column.get(row) {
                Ok(AnyValue::Null) => "null".to_string(),
                Ok(AnyValue::String(s)) => s.to_string(),
                Ok(value) => value.to_string(),
                Err(_) => String::new(),
            };
            let _ = write!(out, "<td>{}</td>", escape(&text));
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</table><div>{height} row{} × {} column{}</div></div>",
        plural(height),
        columns.len(),
        plural(columns.len())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_grids_draw_a_line_per_boundary() {
        let svg = chunk_grid(&[vec![2, 2], vec![3, 3, 3]]);
        assert_eq!(svg.matches("<line").count(), 2 + 3);
        assert!(svg.contains("4 × 9"));
        let dense = chunk_grid(&[vec![1; 10_000]]);
        assert!(dense.matches("<line").count() <= 81);
        assert_eq!(chunk_grid(&[]), "");
    }

    #[test]
    fn a_computed_frame_shows_its_first_and_last_rows_and_shape() {
        use polars::prelude as pl;
        let values: Vec<i64> = (0..12).collect();
        let names: Vec<String> = (0..12).map(|i| format!("<n{i}>")).collect();
        let rows = pl::DataFrame::new_infer_height(vec![
            pl::Column::new("k".into(), values),
            pl::Column::new("name".into(), names),
        ])
        .unwrap();
        let schema = vec![
            ("k".to_string(), crate::frame::ColType::Int),
            ("name".to_string(), crate::frame::ColType::Str),
        ];
        let frame = crate::frame::Frame::of_rows(schema, rows, Default::default());
        let html = bundle(&Value::Frame(std::sync::Arc::new(frame)))["text/html"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            html.contains("<th>4</th>") && html.contains("<th>7</th>"),
            "{html}"
        );
        assert!(
            !html.contains("<th>5</th>") && html.contains("<th>…</th>"),
            "{html}"
        );
        assert!(html.contains("<td>&lt;n11&gt;</td>") && html.contains("12 rows × 2 columns"));
        assert!(
            html.contains("name<br><span class=\"dims\">str</span>"),
            "{html}"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
