//! Grouped reductions: the partial of a chunk holds one slot per group present in it (along the
//! grouped axis), so a chunk of one day costs one slot, not one per month of the year; combining
//! merges the groups of its partials, and the last one is spread over every group.

use super::reduce::{self, Partial, Position};
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::{Reduction, NO_GROUP};
use ndarray::{ArrayD, Axis, IxDyn};

/// The partial of `chunk` per group: `labels` give the group of each position along `axis`.
pub fn partial(
    chunk: &ChunkData,
    reduction: Reduction,
    axis: usize,
    labels: &[u32],
    start: usize,
) -> Partial {
    let mut present: Vec<u32> = labels.iter().copied().filter(|&g| g != NO_GROUP).collect();
    present.sort_unstable();
    present.dedup();
    let all_in_one = present.len() == 1 && labels.iter().all(|&g| g == present[0]);
    let inner = if all_in_one && !reduction.is_positional() {
        reduce::partial(chunk, reduction, &[axis], &origin(chunk))
    } else {
        // Each present group's positions, in one pass over the labels.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); present.len()];
        for (i, g) in labels.iter().enumerate() {
            if let Ok(k) = present.binary_search(g) {
                members[k].push(i);
            }
        }
        let parts: Vec<Partial> = members
            .iter()
            .map(|positions| {
                if reduction.is_positional() {
                    positional(chunk, reduction, axis, positions, start)
                } else {
                    let sub = select(chunk, axis, positions);
                    reduce::partial(&sub, reduction, &[axis], &origin(chunk))
                }
            })
            .collect();
        concatenate(&parts, axis, chunk, reduction)
    };
    Partial::Grouped {
        axis,
        groups: present,
        inner: Box::new(inner),
    }
}

/// The first or last value (not NaN, for the NaN-skipping ones) of each lane among
/// `positions` along `axis`, with its position in the whole axis (`NONE` where there is none).
fn positional(
    chunk: &ChunkData,
    reduction: Reduction,
    axis: usize,
    positions: &[usize],
    origin: usize,
) -> Partial {
    let values = chunk.to_f64();
    let skip = reduction.skips_nan();
    let last = matches!(reduction, Reduction::Last | Reduction::NanLast);
    let mut shape = values.shape().to_vec();
    shape[axis] = 1;
    let mut value = ArrayD::from_elem(IxDyn(&shape), f64::NAN);
    let mut index = ArrayD::from_elem(IxDyn(&shape), NONE);
    for ((lane, v), i) in values
        .lanes(Axis(axis))
        .into_iter()
        .zip(value.iter_mut())
        .zip(index.iter_mut())
    {
        let mut pick = |p: usize| {
            if skip && lane[p].is_nan() {
                return false;
            }
            *v = lane[p];
            *i = (origin + p) as i64;
            true
        };
        if last {
            positions.iter().rev().any(|&p| pick(p));
        } else {
            positions.iter().any(|&p| pick(p));
        }
    }
    Partial::Arg { value, index }
}

/// The position of a lane that has no first or last value.
pub const NONE: i64 = -1;

/// A chunk's place for `reduce::partial`, which needs one only for arg-reductions (not grouped).
fn origin(chunk: &ChunkData) -> Position {
    Position {
        origin: vec![0; chunk.shape().len()],
        array_shape: chunk.shape().into(),
    }
}

/// The positions `positions` of `chunk` along `axis`.
fn select(chunk: &ChunkData, axis: usize, positions: &[usize]) -> ChunkData {
    crate::array::chunk::map_chunk!(chunk, a => a.select(Axis(axis), positions))
}

/// The partials of consecutive groups side by side along `axis` (none: an empty partial of
/// the kind `chunk` reduced by `reduction` gives).
fn concatenate(parts: &[Partial], axis: usize, chunk: &ChunkData, reduction: Reduction) -> Partial {
    if parts.is_empty() && reduction.is_positional() {
        let mut shape = chunk.shape().to_vec();
        shape[axis] = 0;
        return Partial::Arg {
            value: ArrayD::from_elem(IxDyn(&shape), f64::NAN),
            index: ArrayD::from_elem(IxDyn(&shape), NONE),
        };
    }
    if parts.is_empty() {
        let kind = reduce::partial(
            &select(chunk, axis, &[]),
            reduction,
            &[axis],
            &origin(chunk),
        );
        return map_arrays(
            &kind,
            |a| standard(a.select(Axis(axis), &[])),
            |a| standard(a.select(Axis(axis), &[])),
        );
    }
    let floats = |pick: fn(&Partial) -> &ArrayD<f64>| {
        let views: Vec<_> = parts.iter().map(|p| pick(p).view()).collect();
        standard(ndarray::concatenate(Axis(axis), &views).expect("partials of one shape"))
    };
    match &parts[0] {
        Partial::Float(_) => Partial::Float(floats(|p| match p {
            Partial::Float(a) => a,
            _ => unreachable!("one kind"),
        })),
        Partial::Int(_) => {
            let views: Vec<_> = parts
                .iter()
                .map(|p| match p {
                    Partial::Int(a) => a.view(),
                    _ => unreachable!("one kind"),
                })
                .collect();
            Partial::Int(standard(
                ndarray::concatenate(Axis(axis), &views).expect("one shape"),
            ))
        }
        Partial::Moments { .. } => Partial::Moments {
            count: floats(|p| match p {
                Partial::Moments { count, .. } => count,
                _ => unreachable!("one kind"),
            }),
            mean: floats(|p| match p {
                Partial::Moments { mean, .. } => mean,
                _ => unreachable!("one kind"),
            }),
            m2: floats(|p| match p {
                Partial::Moments { m2, .. } => m2,
                _ => unreachable!("one kind"),
            }),
        },
        Partial::Arg { .. } => {
            let (values, indices): (Vec<_>, Vec<_>) = parts
                .iter()
                .map(|p| match p {
                    Partial::Arg { value, index } => (value.view(), index.view()),
                    _ => unreachable!("one kind"),
                })
                .unzip();
            Partial::Arg {
                value: standard(ndarray::concatenate(Axis(axis), &values).expect("one shape")),
                index: standard(ndarray::concatenate(Axis(axis), &indices).expect("one shape")),
            }
        }
        _ => unreachable!("grouped reductions are of values, moments and positions"),
    }
}

/// The array in row-major layout (combining and finalizing read partials as flat slices).
fn standard<T: Clone>(a: ArrayD<T>) -> ArrayD<T> {
    if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    }
}

/// The partial with every array mapped.
fn map_arrays(
    p: &Partial,
    floats: impl Fn(&ArrayD<f64>) -> ArrayD<f64>,
    ints: impl Fn(&ArrayD<i64>) -> ArrayD<i64>,
) -> Partial {
    match p {
        Partial::Float(a) => Partial::Float(floats(a)),
        Partial::Int(a) => Partial::Int(ints(a)),
        Partial::Moments { count, mean, m2 } => Partial::Moments {
            count: floats(count),
            mean: floats(mean),
            m2: floats(m2),
        },
        Partial::Arg { value, index } => Partial::Arg {
            value: floats(value),
            index: ints(index),
        },
        _ => unreachable!("grouped reductions are of values, moments and positions"),
    }
}

/// The partial over the groups `to` (sorted, a superset of `from`): the slots of `from` moved
/// to their places, the others filled with `reduction`'s identity (or NaN with `nan_fill`).
fn spread(
    p: &Partial,
    axis: usize,
    from: &[u32],
    to: &[u32],
    reduction: Reduction,
    nan_fill: bool,
) -> Partial {
    if from == to {
        return p.clone();
    }
    // Where each slot of `to` comes from: a slot of `from`, or the appended identity slot.
    let filler = from.len();
    let sources: Vec<usize> = to
        .iter()
        .map(|g| from.binary_search(g).unwrap_or(filler))
        .collect();
    let (float_fill, int_fill) = if nan_fill {
        (f64::NAN, 0)
    } else {
        (
            reduce::identity_f64(reduction),
            reduce::identity_i64(reduction),
        )
    };
    let fill = |a: &ArrayD<f64>, value: f64| placed(a, value, axis, &sources);
    match p {
        Partial::Float(a) => Partial::Float(fill(a, float_fill)),
        Partial::Int(a) => Partial::Int(placed(a, int_fill, axis, &sources)),
        // An empty slot has no values: count 0 (a mean of NaN when finalized).
        Partial::Moments { count, mean, m2 } => Partial::Moments {
            count: fill(count, 0.0),
            mean: fill(mean, 0.0),
            m2: fill(m2, 0.0),
        },
        // An empty slot has no value: NaN at no position.
        Partial::Arg { value, index } => Partial::Arg {
            value: fill(value, f64::NAN),
            index: placed(index, NONE, axis, &sources),
        },
        _ => unreachable!("grouped reductions are of values, moments and positions"),
    }
}

/// The slots `sources` of `a` along `axis`, where a source one past its end is `filler`.
fn placed<T: Clone>(a: &ArrayD<T>, filler: T, axis: usize, sources: &[usize]) -> ArrayD<T> {
    let mut shape = a.shape().to_vec();
    shape[axis] = 1;
    let extra = ArrayD::from_elem(IxDyn(&shape), filler);
    standard(
        ndarray::concatenate(Axis(axis), &[a.view(), extra.view()])
            .expect("one shape")
            .select(Axis(axis), sources),
    )
}

/// Combine grouped partials: the union of their groups, each combined from the partials that
/// hold it.
pub fn combine(reduction: Reduction, partials: &[&Partial]) -> Partial {
    let parts: Vec<(usize, &[u32], &Partial)> = partials
        .iter()
        .map(|p| match p {
            Partial::Grouped {
                axis,
                groups,
                inner,
            } => (*axis, groups.as_slice(), &**inner),
            _ => unreachable!("grouped partials combine with grouped partials"),
        })
        .collect();
    let axis = parts[0].0;
    let mut union: Vec<u32> = parts.iter().flat_map(|p| p.1.iter().copied()).collect();
    union.sort_unstable();
    union.dedup();
    let spread_parts: Vec<Partial> = parts
        .iter()
        .map(|(_, groups, inner)| spread(inner, axis, groups, &union, reduction, false))
        .collect();
    let refs: Vec<&Partial> = spread_parts.iter().collect();
    Partial::Grouped {
        axis,
        groups: union,
        inner: Box::new(reduce::combine(reduction, &refs)),
    }
}

/// The result chunk of a grouped partial over all groups (`shape[axis]` of them); a group no
/// chunk held is NaN.
pub fn finalize(
    partial: &Partial,
    reduction: Reduction,
    ddof: usize,
    dtype: DType,
    shape: &[usize],
) -> ChunkData {
    let Partial::Grouped {
        axis,
        groups,
        inner,
    } = partial
    else {
        unreachable!("a grouped partial")
    };
    let all: Vec<u32> = (0..shape[*axis] as u32).collect();
    let missing = groups.len() < all.len();
    let whole = spread(inner, *axis, groups, &all, reduction, true);
    let chunk = reduce::finalize(&whole, reduction, ddof, dtype, shape);
    if !missing {
        return chunk;
    }
    // Ints have no NaN: an empty group's slot of an int partial is filled after finalizing
    // (the result is float whenever a group is empty).
    let mut values = chunk.to_f64();
    if matches!(whole, Partial::Int(_)) {
        let sources: Vec<bool> = all
            .iter()
            .map(|g| groups.binary_search(g).is_ok())
            .collect();
        for (k, mut lane) in values.axis_iter_mut(Axis(*axis)).enumerate() {
            if !sources[k] {
                lane.fill(f64::NAN);
            }
        }
    }
    ChunkData::F64(values).into_dtype(dtype)
}
