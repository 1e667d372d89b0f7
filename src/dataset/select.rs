//! Selecting positions of a dimension by the values of its coordinate (`sel`): a value, a date
//! (which names a period: "2010-03" is March), the nearest value, or a range — with errors that
//! say what the coordinate holds.

use super::Coord;
use crate::array::build::IndexItem;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// A coordinate value asked for, as the script wrote it.
#[derive(Clone, Debug)]
pub struct Label {
    pub value: LabelValue,
    /// How the script wrote it, for messages.
    pub shown: String,
}

#[derive(Clone, Debug)]
pub enum LabelValue {
    Number(f64),
    /// A date (on a time coordinate).
    Text(String),
}

/// What `sel` selects along one dimension (`Coord::position_of` finds it).
#[derive(Clone, Debug)]
pub enum Selector {
    Value(Label),
    /// `slice(low, high, step)`: the values from `low` through `high`.
    Range {
        low: Option<Label>,
        high: Option<Label>,
        step: Option<i64>,
    },
}

impl Coord {
    /// The position (or positions) `selector` names along this coordinate.
    pub fn position_of(
        &self,
        selector: &Selector,
        nearest: bool,
        span: Span,
    ) -> Result<IndexItem, Box<Diagnostic>> {
        let label = match selector {
            Selector::Range { low, high, step } => {
                return self.range_of(low.as_ref(), high.as_ref(), *step, span)
            }
            Selector::Value(label) => label,
        };
        let coord = self;
        let values = coord.f64_values();
        let (target, period) = coordinate_number(coord, label, span)?;
        if period > 0.0 && !nearest {
            if let Some(item) = self.period_of(&values, label, target, period, span)? {
                return Ok(item);
            }
        }
        if nearest {
            return self.nearest_to(&values, target, span);
        }
        let range_text = range_text(coord, &values);
        let matches: Vec<usize> = (0..values.len())
            .filter(|&i| same_value(coord, values[i], target))
            .collect();
        match matches[..] {
            [i] => Ok(IndexItem::Int(i as i64)),
            [_, _, ..] => self.all_of(&matches, label, span),
            [] => Err(Box::new(
                Diagnostic::error(
                    "flow::check::not_in_coordinate",
                    format!(
                        "no `{}` equal to {} (the coordinate runs {range_text})",
                        coord.name,
                        label.shown
                    ),
                    span,
                )
                .with_label("not a coordinate value")
                .with_help(
                    "take the closest one with method=\"nearest\", or a range with slice(start, stop)",
                ),
            )),
        }
    }

    /// Every position of a value the coordinate holds more than once, as xarray selects them
    /// (the dimension stays): a range with a step, or an error when they are spaced unevenly.
    fn all_of(
        &self,
        positions: &[usize],
        label: &Label,
        span: Span,
    ) -> Result<IndexItem, Box<Diagnostic>> {
        let step = positions[1] - positions[0];
        if positions.windows(2).any(|w| w[1] - w[0] != step) {
            let listed: Vec<String> = positions.iter().map(|p| p.to_string()).collect();
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::duplicate_coordinate",
                    format!(
                        "`{}` holds {} at positions {}, which are not evenly spaced",
                        self.name,
                        label.shown,
                        listed.join(", ")
                    ),
                    span,
                )
                .with_label("a value held more than once")
                .with_help("select the positions with .isel, one range at a time"),
            ));
        }
        Ok(IndexItem::Slice {
            start: Some(positions[0] as i64),
            stop: Some(*positions.last().expect("two or more") as i64 + 1),
            step: Some(step as i64),
        })
    }

    /// The positions of the values from `low` through `high` (a date's whole period when
    /// `high` is a date), by `step`.
    fn range_of(
        &self,
        low: Option<&Label>,
        high: Option<&Label>,
        step: Option<i64>,
        span: Span,
    ) -> Result<IndexItem, Box<Diagnostic>> {
        let coord = self;
        let values = coord.f64_values();
        let ascending = values.windows(2).all(|w| w[0] <= w[1]);
        let descending = values.windows(2).all(|w| w[0] >= w[1]);
        if !(ascending || descending) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::unsorted_coordinate",
                    format!(
                        "coordinate `{}` is not sorted, so it has no ranges",
                        coord.name
                    ),
                    span,
                )
                .with_label("a range of values")
                .with_help("select single values, or positions with .isel"),
            ));
        }
        let low = match low {
            None => None,
            Some(label) => Some(coordinate_number(coord, label, span)?.0),
        };
        // A date names a period: its end closes the range ("2010-03" runs to the end of March).
        let closed_end = !high
            .as_ref()
            .is_some_and(|h| matches!(h.value, LabelValue::Text(_)));
        let high = match high {
            None => None,
            Some(label) => {
                let (x, period) = coordinate_number(coord, label, span)?;
                Some(if period > 0.0 { x + period } else { x })
            }
        };
        let inside = |x: f64| {
            let above = low.is_none_or(|l| {
                if ascending {
                    x >= l || same_value(coord, x, l)
                } else {
                    x <= l || same_value(coord, x, l)
                }
            });
            let below = high.is_none_or(|h| {
                let before = if ascending { x < h } else { x > h };
                before || (closed_end && same_value(coord, x, h))
            });
            above && below
        };
        let first = values.iter().position(|&x| inside(x));
        let last = values.iter().rposition(|&x| inside(x));
        Ok(match (first, last) {
            (Some(a), Some(b)) => IndexItem::Slice {
                start: Some(a as i64),
                stop: Some(b as i64 + 1),
                step,
            },
            _ => IndexItem::Slice {
                start: Some(0),
                stop: Some(0),
                step,
            },
        })
    }

    /// A date coarser than the axis ("2010-03" on daily data, "2010-03-01" on times at noon)
    /// selects its whole period, as pandas' partial-string indexing does: a range, even of one
    /// value. None when the period is no coarser than the finest field the times set.
    fn period_of(
        &self,
        values: &[f64],
        label: &Label,
        target: f64,
        period: f64,
        span: Span,
    ) -> Result<Option<IndexItem>, Box<Diagnostic>> {
        let coord = self;
        let Some(units) = coord.time_units() else {
            return Ok(None);
        };
        if period > units.resolution(values) * (1.0 + 1e-9) {
            let inside: Vec<usize> = (0..values.len())
                .filter(|&i| values[i] >= target && values[i] < target + period)
                .collect();
            let (a, b) = match (inside.first(), inside.last()) {
                (Some(&a), Some(&b)) if b - a + 1 == inside.len() => (a, b + 1),
                // As pandas' partial-string indexing: a period with no value is a KeyError.
                (None, _) => {
                    let range_text = range_text(coord, values);
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::not_in_coordinate",
                            format!(
                                "no `{}` in {} (the coordinate runs {range_text})",
                                coord.name, label.shown
                            ),
                            span,
                        )
                        .with_label("a period without values")
                        .with_help(
                            "take the closest one with method=\"nearest\", or a range with slice(start, stop)",
                        ),
                    ));
                }
                _ => {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::unsorted_coordinate",
                            format!(
                                "the values of `{}` in {} are not together",
                                coord.name, label.shown
                            ),
                            span,
                        )
                        .with_label("a period")
                        .with_help("select single values, or positions with .isel"),
                    ))
                }
            };
            return Ok(Some(IndexItem::Slice {
                start: Some(a as i64),
                stop: Some(b as i64),
                step: None,
            }));
        }
        Ok(None)
    }

    /// The position of the value nearest `target` (ties to the later, as pandas does).
    fn nearest_to(
        &self,
        values: &[f64],
        target: f64,
        span: Span,
    ) -> Result<IndexItem, Box<Diagnostic>> {
        let coord = self;
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::duplicate_coordinate",
                    format!(
                        "`{}` holds {} more than once, so no value is the nearest (as in xarray)",
                        coord.name,
                        show(coord, pair[0])
                    ),
                    span,
                )
                .with_label("method=\"nearest\"")
                .with_help("select exact values, or positions with .isel"),
            ));
        }
        if target.is_nan() {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::not_in_coordinate",
                    format!("no `{}` is nearest to NaN", coord.name),
                    span,
                )
                .with_label("NaN")
                .with_help("select by a number or a date"),
            ));
        }
        // Ties go to the later value, as pandas' nearest does.
        let mut best: Option<(usize, f64)> = None;
        for (i, v) in values.iter().enumerate().filter(|(_, v)| !v.is_nan()) {
            let distance = (v - target).abs();
            if best.is_none_or(|(_, d)| distance <= d) {
                best = Some((i, distance));
            }
        }
        let best = best.map(|(i, _)| i);
        best.map(|i| IndexItem::Int(i as i64)).ok_or_else(|| {
            Box::new(
                Diagnostic::error(
                    "flow::check::not_in_coordinate",
                    format!("coordinate `{}` is empty", coord.name),
                    span,
                )
                .with_label("nothing to select")
                .with_help("check the selection made before this one"),
            )
        })
    }
}

/// The number a label is on the coordinate's axis, and the length of the period it names
/// (0 for a number or a full date-time).
fn coordinate_number(
    coord: &Coord,
    label: &Label,
    span: Span,
) -> Result<(f64, f64), Box<Diagnostic>> {
    match &label.value {
        LabelValue::Number(x) => Ok((*x, 0.0)),
        LabelValue::Text(text) => {
            if let Some(meanings) = super::flag_meanings(&coord.attrs) {
                return match super::flag_value(&coord.attrs, text) {
                    Some(flag) => Ok((flag as f64, 0.0)),
                    None => Err(Box::new(
                        Diagnostic::error(
                            "flow::check::not_in_coordinate",
                            format!("no `{}` equal to {}", coord.name, label.shown),
                            span,
                        )
                        .with_label("not a coordinate value")
                        .with_help(crate::text::did_you_mean(
                            text,
                            meanings.split_whitespace(),
                            "values",
                        )),
                    )),
                };
            }
            let Some(units) = coord.time_units() else {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        format!("coordinate `{}` holds numbers, not dates", coord.name),
                        span,
                    )
                    .with_label("a string")
                    .with_help("select with a number"),
                ));
            };
            units.encode(text).ok_or_else(|| {
                Box::new(
                    Diagnostic::error(
                        "flow::check::bad_date",
                        format!("`{text}` is not a date"),
                        span,
                    )
                    .with_label("not YYYY[-MM[-DD[ HH[:MM[:SS]]]]]")
                    .with_help(
                        "write dates as \"2010-03-01\", \"2010-03\" or \"2010-03-01 12:00\"",
                    ),
                )
            })
        }
    }
}

/// Is `a` the same coordinate value as `b`, compared in the coordinate's own precision?
fn same_value(coord: &Coord, a: f64, b: f64) -> bool {
    match coord.values.dtype() {
        crate::array::dtype::DType::F32 => a as f32 == b as f32,
        _ => a == b,
    }
}

/// "from 2000-01-01 to 2000-12-31", for messages.
fn range_text(coord: &Coord, values: &[f64]) -> String {
    match (values.first(), values.last()) {
        (Some(a), Some(b)) => format!("from {} to {}", show(coord, *a), show(coord, *b)),
        _ => "empty".into(),
    }
}

fn show(coord: &Coord, value: f64) -> String {
    match coord.time_units() {
        Some(units) => units.format(value),
        None => crate::text::float_repr(value),
    }
}
