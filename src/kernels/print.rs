//! Printing computed arrays as NumPy does: a common element width, floats with at most 8
//! decimals (fewer when all values need fewer), scientific notation for very large or small
//! magnitudes, nested brackets, and summaries with `...` beyond 1000 elements.

use crate::array::chunk::ChunkData;
use crate::text::float_repr;
use ndarray::{ArrayD, Axis, IxDyn};

const PRECISION: usize = 8;
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 75;

/// The text `print` shows for a computed array.
pub fn format_chunk(data: &ChunkData) -> String {
    if data.shape().is_empty() {
        return format_scalar(data);
    }
    // NumPy prints any array without elements as `[]`, whatever its shape.
    if data.is_empty() {
        return "[]".into();
    }
    // A large array is first cut down to the items shown (three at each end of every long axis),
    // so printing a huge array formats a few dozen numbers, not all of them.
    let (shown, cut_axes) = if data.len() > THRESHOLD {
        edges(data)
    } else {
        (data.clone(), vec![false; data.shape().len()])
    };
    let strings: ArrayD<String> = match &shown {
        ChunkData::F64(a) => format_floats(a, false),
        ChunkData::F32(a) => format_floats(&a.mapv(|x| x as f64), true),
        ChunkData::I64(a) => a.mapv(|x| x.to_string()),
        ChunkData::I32(a) => a.mapv(|x| x.to_string()),
        // As NumPy, `true` is padded to the width of `false` even when no `false` is shown.
        ChunkData::Bool(a) => a.mapv(|x| {
            if x {
                " true".to_string()
            } else {
                "false".to_string()
            }
        }),
    };
    let width = strings.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    write_nested(&mut out, &strings.view(), width, &cut_axes, 1);
    out
}

/// The first and last [`EDGE_ITEMS`] items along every axis longer than twice that, and which
/// axes were cut.
fn edges(data: &ChunkData) -> (ChunkData, Vec<bool>) {
    let shape = data.shape().to_vec();
    let cut: Vec<bool> = shape.iter().map(|&n| n > 2 * EDGE_ITEMS).collect();
    let mut shown = data.clone();
    for (axis, &n) in shape.iter().enumerate() {
        if cut[axis] {
            let kept: Vec<usize> = (0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect();
            shown = crate::array::chunk::map_chunk!(&shown, a => a.select(Axis(axis), &kept));
        }
    }
    (shown, cut)
}

fn format_scalar(data: &ChunkData) -> String {
    match data {
        ChunkData::F64(a) => float_repr(*a.iter().next().unwrap()),
        ChunkData::F32(a) => crate::text::float32_repr(*a.iter().next().unwrap()),
        ChunkData::I64(a) => a.iter().next().unwrap().to_string(),
        ChunkData::I32(a) => a.iter().next().unwrap().to_string(),
        ChunkData::Bool(a) => a.iter().next().unwrap().to_string(),
    }
}

/// `single`: the values are f32, so their shortest text is that of an f32.
fn format_floats(a: &ArrayD<f64>, single: bool) -> ArrayD<String> {
    let shown: Vec<f64> = a.iter().copied().collect();
    let finite: Vec<f64> = shown.iter().copied().filter(|x| x.is_finite()).collect();
    let max = finite.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let min_nonzero = finite
        .iter()
        .filter(|x| **x != 0.0)
        .fold(f64::INFINITY, |m, x| m.min(x.abs()));
    // NumPy's rule, compared in the values' own type (f32 values against f32 thresholds); the
    // cutoff above is 10**min(8, precision): 1e8 for f64, 1e6 for f32 (NumPy 2.x).
    let scientific = min_nonzero.is_finite()
        && if single {
            let (max, min) = (max as f32, min_nonzero as f32);
            max >= 1e6 || min < 1e-4 || max / min > 1e3
        } else {
            max >= 1e8 || min_nonzero < 1e-4 || max / min_nonzero > 1e3
        };
    if scientific {
        let digits = finite
            .iter()
            .map(|&x| mantissa_digits(x, single))
            .max()
            .unwrap_or(0);
        // Every exponent has as many digits as the longest (at least two): `1.0e-005` beside
        // `1.5e+300`, as NumPy pads them.
        let exponent_of = |x: f64| -> i32 {
            let text = format!("{:.*e}", digits, x);
            text.split_once('e').unwrap().1.parse().unwrap()
        };
        let exponent_digits = finite
            .iter()
            .map(|&x| exponent_of(x).unsigned_abs().to_string().len())
            .max()
            .unwrap_or(2)
            .max(2);
        return a.mapv(|x| {
            if !x.is_finite() {
                return special(x);
            }
            let text = format!("{:.*e}", digits, x);
            let (mantissa, exponent) = text.split_once('e').unwrap();
            let exponent: i32 = exponent.parse().unwrap();
            let mantissa = if digits == 0 {
                format!("{mantissa}.")
            } else {
                mantissa.to_string()
            };
            format!(
                "{mantissa}e{}{:0width$}",
                if exponent < 0 { '-' } else { '+' },
                exponent.abs(),
                width = exponent_digits
            )
        });
    }
    let decimals = finite
        .iter()
        .map(|&x| fraction_digits(x, single))
        .max()
        .unwrap_or(0);
    a.mapv(|x| {
        if !x.is_finite() {
            return special(x);
        }
        let digits = fraction_digits(x, single);
        let mut text = format!("{:.*}", digits, x);
        if digits == 0 {
            text.push('.');
        }
        // NumPy pads the fraction with spaces so the decimal points line up.
        text.push_str(&" ".repeat(decimals - digits));
        text
    })
}

fn special(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// Decimals needed to show `x` uniquely, at most [`PRECISION`].
fn fraction_digits(x: f64, single: bool) -> usize {
    let shortest = if single {
        format!("{}", x.abs() as f32)
    } else {
        format!("{}", x.abs())
    };
    let unique = shortest.split_once('.').map_or(0, |(_, f)| f.len());
    if unique <= PRECISION {
        return unique;
    }
    let rounded = format!("{:.*}", PRECISION, x.abs());
    let trimmed = rounded.trim_end_matches('0');
    trimmed.split_once('.').map_or(0, |(_, f)| f.len())
}

/// Mantissa decimals needed in scientific notation, at most [`PRECISION`].
fn mantissa_digits(x: f64, single: bool) -> usize {
    let shortest = if single {
        format!("{:e}", x.abs() as f32)
    } else {
        format!("{:e}", x.abs())
    };
    let mantissa = shortest.split_once('e').unwrap().0;
    let unique = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
    if unique <= PRECISION {
        return unique;
    }
    // Rounded to PRECISION digits, then trailing zeros dropped (1.0000000000000002 is `1.`).
    let rounded = format!("{:.*e}", PRECISION, x.abs());
    let mantissa = rounded.split_once('e').unwrap().0.trim_end_matches('0');
    mantissa.split_once('.').map_or(0, |(_, f)| f.len())
}

/// Write `a` as nested brackets; `cut_axes[k]` says axis k (counted from this level) was cut to
/// its edges, so `...` stands between its halves.
fn write_nested(
    out: &mut String,
    a: &ndarray::ArrayViewD<String>,
    width: usize,
    cut_axes: &[bool],
    indent: usize,
) {
    out.push('[');
    let n = a.shape()[0];
    let cut = cut_axes[0];
    let positions: Vec<Option<usize>> = if cut {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((EDGE_ITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    };
    if a.ndim() == 1 {
        let mut line_length = indent;
        for (k, position) in positions.iter().enumerate() {
            let item = match position {
                Some(i) => format!("{:>width$}", a[IxDyn(&[*i])]),
                None => "...".to_string(),
            };
            if k > 0 {
                // NumPy's width for a row: one column less per enclosing bracket (`indent` is
                // the number of axes here), and one for the row's own closing bracket.
                if line_length + 1 + item.len() > LINE_WIDTH - indent {
                    // NumPy strips the padding at the end of a wrapped line.
                    let kept = out.trim_end_matches(' ').len();
                    out.truncate(kept);
                    out.push('\n');
                    out.push_str(&" ".repeat(indent));
                    line_length = indent;
                } else {
                    out.push(' ');
                    line_length += 1;
                }
            }
            out.push_str(&item);
            line_length += item.len();
        }
    } else {
        let separator = format!("{}{}", "\n".repeat(a.ndim() - 1), " ".repeat(indent));
        for (k, position) in positions.iter().enumerate() {
            if k > 0 {
                out.push_str(&separator);
            }
            match position {
                Some(i) => write_nested(
                    out,
                    &a.index_axis(Axis(0), *i),
                    width,
                    &cut_axes[1..],
                    indent + 1,
                ),
                None => out.push_str("..."),
            }
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(shape: &[usize], values: Vec<f64>) -> String {
        format_chunk(&ChunkData::F64(
            ArrayD::from_shape_vec(IxDyn(shape), values).unwrap(),
        ))
    }

    #[test]
    fn prints_like_numpy() {
        assert_eq!(floats(&[3], vec![1.0, 1.0, 1.0]), "[1. 1. 1.]");
        assert_eq!(floats(&[2], vec![0.5, 0.25]), "[0.5  0.25]");
        assert_eq!(floats(&[2], vec![-1.0, 2.5]), "[-1.   2.5]");
        assert_eq!(
            floats(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]),
            "[[1. 2.]\n [3. 4.]]"
        );
        assert_eq!(floats(&[1], vec![1.0 / 3.0]), "[0.33333333]");
        assert_eq!(floats(&[2], vec![1e-5, 1.0]), "[1.e-05 1.e+00]");
        assert_eq!(floats(&[], vec![1.0]), "1.0");
        assert_eq!(floats(&[2, 0], vec![]), "[]");
        assert_eq!(floats(&[1], vec![1e8]), "[1.e+08]");
        assert_eq!(
            floats(&[2], vec![1.0000000000000002, 1e9]),
            "[1.e+00 1.e+09]"
        );
    }

    #[test]
    fn large_arrays_are_summarised() {
        let text = floats(&[2000], (0..2000).map(|i| i as f64).collect());
        assert_eq!(
            text,
            "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"
        );
    }
}
