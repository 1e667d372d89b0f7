//! How labelled arrays and datasets look when printed: like xarray's summaries, with the
//! dimension names, coordinates (dates for CF time axes) and attributes; lazy variables show
//! their type and cost, not their data.

use super::{Attrs, Coord, Dataset, Labelled};
use crate::io::layout::Attr;
use crate::text::float_repr;
use std::fmt::Write;

/// `array<f32>[time: 365, lat: 180, lon: 360]`
pub fn type_text(l: &Labelled) -> String {
    let dims: Vec<String> = l
        .dims
        .iter()
        .zip(&l.array.shape)
        .map(|(d, n)| format!("{d}: {n}"))
        .collect();
    format!("array<{}>[{}]", l.array.dtype, dims.join(", "))
}

/// One line: type, chunks and cost (`… chunks (30, 180, 360) · 13 chunks · 94.6 MB · lazy`).
pub fn summary(l: &Labelled) -> String {
    let count = l.array.chunks.count();
    format!(
        "{} chunks {} · {} chunk{} · {} · {}",
        type_text(l),
        l.array.chunks.describe(),
        count,
        if count == 1 { "" } else { "s" },
        crate::text::human_bytes(l.array.nbytes()),
        if l.array.whole().is_some() {
            "computed"
        } else {
            "lazy"
        }
    )
}

/// The whole display: values when computed (else the summary line), then coordinates and
/// attributes. A 0-d result without labels prints as its number.
pub fn labelled(l: &Labelled) -> String {
    let data = l.array.whole();
    if let (Some(data), Some(units)) = (&data, l.time_units()) {
        // Times show as dates, as NumPy shows datetime64 values.
        let dates: Vec<String> = data.to_f64().iter().map(|&v| units.format(v)).collect();
        if l.dims.is_empty() {
            return dates.join("");
        }
        let mut out = format!("{}\n[{}]", type_text(l), dates.join(" "));
        write_coords(&mut out, &l.coords);
        return out;
    }
    if let Some(data) = &data {
        if l.dims.is_empty() && l.attrs.is_empty() {
            return crate::kernels::print::format_chunk(data);
        }
    }
    let mut out = String::new();
    match &data {
        Some(data) => {
            out.push_str(&type_text(l));
            if let Some(name) = &l.name {
                let _ = write!(out, " {name}");
            }
            out.push('\n');
            out.push_str(&crate::kernels::print::format_chunk(data));
        }
        None => {
            if let Some(name) = &l.name {
                let _ = write!(out, "{name}: ");
            }
            out.push_str(&summary(l));
        }
    }
    write_coords(&mut out, &l.coords);
    write_attrs(&mut out, &l.attrs);
    out
}

pub fn dataset(ds: &Dataset) -> String {
    let mut out = format!("dataset {}", ds.describe_dims());
    write_coords(&mut out, &ds.coords);
    if !ds.variables.is_empty() {
        out.push_str("\nvariables:");
        let width = ds
            .variables
            .iter()
            .map(|v| v.name.as_deref().unwrap_or("").len())
            .max()
            .unwrap_or(0);
        for v in &ds.variables {
            let _ = write!(
                out,
                "\n  {:width$}  ({})  {}",
                v.name.as_deref().unwrap_or(""),
                v.dims.join(", "),
                summary(v)
            );
        }
    }
    write_attrs(&mut out, &ds.attrs);
    out
}

fn write_coords(out: &mut String, coords: &[std::sync::Arc<Coord>]) {
    if coords.is_empty() {
        return;
    }
    out.push_str("\ncoordinates:");
    let width = coords.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let dim_width = coords.iter().map(|c| c.dim.len()).max().unwrap_or(0) + 2;
    for c in coords {
        let _ = write!(
            out,
            "\n  {:width$}  {:dim_width$}  {}",
            c.name,
            format!("({})", c.dim),
            coord_values(c)
        );
    }
}

/// A few of the values: `f32 -89.5 -88.5 -87.5 … 89.5`, or dates for a time axis.
pub fn coord_values(c: &Coord) -> String {
    let values = c.f64_values();
    let units = c.time_units();
    let show = |v: f64| c.show(v);
    let shown: Vec<String> = if values.len() <= 6 {
        values.iter().map(|&v| show(v)).collect()
    } else {
        let mut s: Vec<String> = values[..3].iter().map(|&v| show(v)).collect();
        s.push("…".into());
        s.extend(values[values.len() - 2..].iter().map(|&v| show(v)));
        s
    };
    let kind = if super::flag_meaning(&c.attrs, values.first().copied().unwrap_or(0.0)).is_some() {
        "text".to_string()
    } else if units.is_some() {
        "date".to_string()
    } else {
        c.values.dtype().name().to_string()
    };
    format!("{kind} {}", shown.join(" "))
}

fn write_attrs(out: &mut String, attrs: &Attrs) {
    if attrs.is_empty() {
        return;
    }
    out.push_str("\nattributes:");
    for (name, value) in attrs {
        let _ = write!(out, "\n  {name}: {}", attr_text(value));
    }
}

pub fn attr_text(value: &Attr) -> String {
    match value {
        Attr::Str(s) => crate::text::quote(s),
        Attr::Int(i) => i.to_string(),
        Attr::Float(f) => float_repr(*f),
        Attr::Ints(v) => format!(
            "[{}]",
            v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
        Attr::Floats(v) => format!(
            "[{}]",
            v.iter()
                .map(|f| float_repr(*f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
