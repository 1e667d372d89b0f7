//! `map_blocks` and `map_overlap`, as Dask's: a flow function applied to each block of arrays.
//! The function is called once per block while the program is checked and run, on that block
//! as a lazy array (a slice of the input on its chunk boundaries, with a halo for
//! `map_overlap`), so what it returns is a graph like any other: each block's result is
//! computed by its own tasks, in parallel, and the results are joined block by block. The
//! shape each block gives is checked against its neighbours' (and against `chunks=`).

use crate::array::build::{self, shape_text, IndexItem};
use crate::array::dtype::DType;
use crate::array::node::{ArrayRef, Scalar};
use crate::array::rearrange::{pad, PadMode};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::signature::ArgumentValue;
use crate::eval::value::{Type, Value};
use crate::source::Span;

/// Most blocks a mapped function is called for (each call adds its graph).
const MAX_BLOCKS: usize = 100_000;

/// One call of the function per block: refuse more than `MAX_BLOCKS`.
fn check_calls(grid: &[usize], span: Span) -> Eval<()> {
    let blocks: usize = grid.iter().product();
    if blocks > MAX_BLOCKS {
        return Err(refused(
            format!("{blocks} blocks, more than {MAX_BLOCKS} calls"),
            span,
            "rechunk to larger blocks first",
        ));
    }
    Ok(())
}

fn refused(message: String, span: Span, help: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("flow::check::map_blocks", message, span)
            .with_label("here")
            .with_help(help.to_string()),
    )
}

/// The arrays given after the function (`*arrays`), of one shape.
fn arrays(args: &Args) -> Eval<Option<Vec<ArrayRef>>> {
    let Value::Tuple(values) = args.value(1) else {
        return Err(args.wrong_type(1, "arrays"));
    };
    if values.iter().any(Value::is_unknown) {
        return Ok(None);
    }
    let arrays = values
        .iter()
        .map(|v| match v {
            Value::Array(a) => Ok(a.clone()),
            Value::Labelled(l) => Ok(l.array.clone()),
            _ => Err(args.wrong_type(1, "arrays")),
        })
        .collect::<Eval<Vec<_>>>()?;
    let Some(first) = arrays.first() else {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "no array to map over".into(),
            1,
            "map_blocks(f, x)",
        ));
    };
    for (k, a) in arrays.iter().enumerate().skip(1) {
        if a.shape != first.shape {
            return Err(refused(
                format!(
                    "array {k} has shape {}, the first {}: blocks are taken at the same places",
                    shape_text(&a.shape),
                    shape_text(&first.shape)
                ),
                args.spans[1],
                "map over arrays of one shape (broadcast_to first)",
            ));
        }
    }
    Ok(Some(arrays))
}

/// The function's result for one block: an array (a labelled one's values), cast to `dtype`.
fn call(
    interpreter: &mut Interpreter,
    args: &Args,
    blocks: Vec<ArrayRef>,
    index: &[usize],
    dtype: Option<DType>,
) -> Eval<ArrayRef> {
    let function = args.value(0).clone();
    let call_args = blocks
        .into_iter()
        .map(|b| ArgumentValue::positional(Value::Array(b), args.spans[1]))
        .collect();
    let result = interpreter.call_value(function, call_args, args.call, args.spans[0])?;
    let array = match result {
        Value::Array(a) => a,
        Value::Labelled(l) => l.array.clone(),
        other => {
            let scalar = crate::eval::kinds::array::scalar_of(&other).ok_or_else(|| {
                refused(
                    format!(
                        "the function gave {} for block {index:?}, not an array",
                        other.type_name()
                    ),
                    args.spans[0],
                    "return an array of the block's shape",
                )
            })?;
            build::full(
                vec![],
                &build::ChunkSpec::Auto,
                scalar,
                scalar.dtype(),
                args.call,
            )?
        }
    };
    Ok(match dtype {
        Some(d) if d != array.dtype => build::cast(&array, d, args.call),
        _ => array,
    })
}

/// `dtype=`: none, or a dtype name.
fn dtype_argument(args: &Args, index: usize) -> Eval<Option<DType>> {
    match args.value(index) {
        Value::None => Ok(None),
        _ => args.dtype(index, DType::F64).map(Some),
    }
}

/// The results of every block joined: each block's shape must agree with its row's and
/// column's (and with `chunks=`, when given).
fn join(
    results: Vec<ArrayRef>,
    grid: &[usize],
    declared: Option<&[Vec<usize>]>,
    span: Span,
) -> Eval<ArrayRef> {
    let ndim = grid.len();
    let mut sizes: Vec<Vec<Option<usize>>> = grid.iter().map(|&n| vec![None; n]).collect();
    let dtype = results
        .iter()
        .map(|r| r.dtype)
        .reduce(DType::promote)
        .expect("a block");
    let mut index = vec![0; ndim];
    for result in &results {
        if result.ndim() != ndim {
            return Err(refused(
                format!(
                    "block {index:?} gave a {}-d array for a {ndim}-d block",
                    result.ndim()
                ),
                span,
                "return an array with the block's dimensions (map_blocks neither drops nor adds axes)",
            ));
        }
        for a in 0..ndim {
            let n = result.shape[a];
            match sizes[a][index[a]] {
                Some(m) if m != n => {
                    return Err(refused(
                        format!(
                            "block {index:?} gave {n} along axis {a}, another block at the same place along it {m}"
                        ),
                        span,
                        "blocks in one row or column must agree along it; give chunks= to say what each gives",
                    ))
                }
                _ => sizes[a][index[a]] = Some(n),
            }
            if let Some(declared) = declared {
                if declared[a][index[a]] != n {
                    return Err(refused(
                        format!(
                            "block {index:?} gave {n} along axis {a}, chunks= says {}",
                            declared[a][index[a]]
                        ),
                        span,
                        "make chunks= what the function returns",
                    ));
                }
            }
        }
        // Row-major order of the grid.
        for a in (0..ndim).rev() {
            index[a] += 1;
            if index[a] < grid[a] {
                break;
            }
            index[a] = 0;
        }
    }
    let results: Vec<ArrayRef> = results
        .into_iter()
        .map(|r| {
            if r.dtype == dtype {
                r
            } else {
                build::cast(&r, dtype, span)
            }
        })
        .collect();
    // Join along the last axis first, then the ones before.
    let mut level = results;
    for a in (0..ndim).rev() {
        let group = grid[a];
        level = level
            .chunks(group)
            .map(|row| {
                if row.len() == 1 {
                    Ok(row[0].clone())
                } else {
                    build::concatenate(row, a as i64, span)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(level.pop().expect("one array"))
}

/// Block `index` of `of` (by its chunk boundaries), taken from `array` — `of` itself, or `of`
/// padded by `depth` on each side, so the block comes with `depth` neighbours each side.
fn block(
    array: &ArrayRef,
    of: &ArrayRef,
    index: &[usize],
    depth: &[usize],
    span: Span,
) -> Eval<ArrayRef> {
    let mut items = Vec::with_capacity(index.len());
    for (a, &i) in index.iter().enumerate() {
        let start: usize = of.chunks.0[a][..i].iter().sum();
        let stop = start + of.chunks.0[a][i] + 2 * depth[a];
        items.push(IndexItem::Slice {
            start: Some(start as i64),
            stop: Some(stop as i64),
            step: None,
        });
    }
    Ok(build::slice(array, &items, span)?)
}

fn grid_indices(grid: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![vec![]];
    for &n in grid {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..n).map(move |i| {
                    let mut next = prefix.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    all
}

/// The declared chunks (`chunks=`): per axis, a block size or the sizes of every block.
fn declared_chunks(args: &Args, index: usize, grid: &[usize]) -> Eval<Option<Vec<Vec<usize>>>> {
    let (Value::Tuple(items) | Value::List(items)) = args.value(index) else {
        return match args.value(index) {
            Value::None => Ok(None),
            _ => Err(args.wrong_type(index, "a tuple of block sizes per axis")),
        };
    };
    if items.len() != grid.len() {
        return Err(args.rejected(
            "flow::check::chunks",
            format!(
                "chunks= for {} axes of a {}-d array",
                items.len(),
                grid.len()
            ),
            index,
            "one entry per axis: a size, or a tuple of every block's",
        ));
    }
    items
        .iter()
        .zip(grid)
        .map(|(v, &n)| match v {
            Value::Int(size) if *size >= 0 => Ok(vec![*size as usize; n]),
            Value::Tuple(sizes) | Value::List(sizes) if sizes.len() == n => sizes
                .iter()
                .map(|s| match s {
                    Value::Int(k) if *k >= 0 => Ok(*k as usize),
                    _ => Err(args.wrong_type(index, "block sizes")),
                })
                .collect(),
            _ => Err(args.rejected(
                "flow::check::chunks",
                "each axis' chunks are one size or every block's, as many as the blocks".into(),
                index,
                "chunks=((2, 2, 1), 5)",
            )),
        })
        .collect::<Eval<Vec<_>>>()
        .map(Some)
}

/// `map_blocks(function, *arrays, dtype=none, chunks=none)`.
pub fn map_blocks(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(arrays) = arrays(args)? else {
        return Ok(Value::Unknown(Type::Array));
    };
    let dtype = dtype_argument(args, 2)?;
    let declared = declared_chunks(args, 3, &arrays[0].chunks.grid())?;
    // Every array over the same letters, the output's too: blockwise with the first's chunks.
    let letters: Vec<char> = ('a'..='z').take(arrays[0].ndim()).collect();
    let operands = arrays.into_iter().map(|a| (a, letters.clone())).collect();
    let joined = over_blocks(
        interpreter,
        args,
        operands,
        &letters,
        dtype,
        declared.as_deref(),
    )?;
    Ok(Value::Array(joined))
}

/// `map_overlap(function, x, depth, boundary="reflect", dtype=none)`: each block with `depth`
/// neighbours on each side along each axis (from the neighbouring blocks, or beyond the array's
/// edge by `boundary`: "reflect", "nearest", "periodic" or a number), the function's result
/// trimmed by `depth` again, as Dask's `map_overlap` with `trim=True`.
pub fn map_overlap(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let x = match args.value(1) {
        Value::Array(a) => a.clone(),
        Value::Labelled(l) => l.array.clone(),
        v if v.is_unknown() => return Ok(Value::Unknown(Type::Array)),
        _ => return Err(args.wrong_type(1, "an array")),
    };
    let ndim = x.ndim();
    let depth: Vec<usize> = match args.value(2) {
        Value::Int(d) if *d >= 0 => vec![*d as usize; ndim],
        Value::Tuple(items) | Value::List(items) if items.len() == ndim => items
            .iter()
            .map(|v| match v {
                Value::Int(d) if *d >= 0 => Ok(*d as usize),
                _ => Err(args.wrong_type(2, "depths")),
            })
            .collect::<Eval<_>>()?,
        _ => return Err(args.wrong_type(2, "a depth, or one per axis")),
    };
    for (a, (&d, sizes)) in depth.iter().zip(&x.chunks.0).enumerate() {
        if sizes.iter().any(|&n| n < d) {
            return Err(refused(
                format!(
                    "a depth of {d} along axis {a}, whose blocks are as short as {}",
                    sizes.iter().min().unwrap_or(&0)
                ),
                args.spans[2],
                "rechunk to blocks at least as long as the depth first (as Dask requires)",
            ));
        }
    }
    let mode = match args.value(3) {
        // Dask's "reflect" repeats the edge: NumPy's "symmetric".
        Value::Str(s) if &**s == "reflect" => PadMode::Symmetric,
        Value::Str(s) if &**s == "nearest" => PadMode::Edge,
        Value::Str(s) if &**s == "periodic" => PadMode::Wrap,
        Value::Int(i) => PadMode::Constant(Scalar::Int(*i)),
        Value::Float(f) => PadMode::Constant(Scalar::Float(*f)),
        _ => {
            return Err(args.rejected(
                "flow::check::argument_value",
                "boundary is \"reflect\", \"nearest\", \"periodic\" or a number".into(),
                3,
                "boundary=\"reflect\"",
            ))
        }
    };
    let dtype = dtype_argument(args, 4)?;
    let widths: Vec<(usize, usize)> = depth.iter().map(|&d| (d, d)).collect();
    let padded = pad(&x, &widths, mode, args.call)?;
    let grid = x.chunks.grid();
    check_calls(&grid, args.spans[1])?;
    let mut results = Vec::new();
    for index in grid_indices(&grid) {
        // The block of the unpadded array, shifted by the padding: its start in the padded
        // array is its start in `x`; with the depth on both sides it is 2 * depth longer.
        let halo = block(&padded, &x, &index, &depth, args.call)?;
        let result = call(interpreter, args, vec![halo.clone()], &index, dtype)?;
        if result.shape != halo.shape {
            return Err(refused(
                format!(
                    "the function gave shape {} for block {index:?} with its halo, of shape {}",
                    shape_text(&result.shape),
                    shape_text(&halo.shape)
                ),
                args.spans[0],
                "map_overlap's function keeps the shape of what it is given (the halo is trimmed after)",
            ));
        }
        let trim: Vec<IndexItem> = depth
            .iter()
            .zip(&result.shape)
            .map(|(&d, &n)| IndexItem::Slice {
                start: Some(d as i64),
                stop: Some((n - d) as i64),
                step: None,
            })
            .collect();
        results.push(build::slice(&result, &trim, args.call)?);
    }
    Ok(Value::Array(join(results, &grid, None, args.call)?))
}

/// `blockwise(function, out_index, *pairs, dtype=none)`: Dask's `blockwise` with
/// `concatenate=True` — `pairs` alternate arrays and their index letters (`x, "ij", y, "j"`);
/// the function is called once per block of the output (its letters `out_index`) with each
/// array's block there: along a letter of the output, the block at that place (arrays sharing a
/// letter are chunked alike along it), along one the output lacks, the whole axis.
pub fn blockwise(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let out_index: Vec<char> = args.str(1)?.chars().collect();
    let Value::Tuple(pairs) = args.value(2) else {
        return Err(args.wrong_type(2, "arrays and their index letters"));
    };
    if pairs.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown(Type::Array));
    }
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        return Err(refused(
            "blockwise takes arrays each followed by its index letters".into(),
            args.spans[2],
            "blockwise(f, \"ij\", x, \"ij\", y, \"j\")",
        ));
    }
    let mut operands: Vec<(ArrayRef, Vec<char>)> = Vec::new();
    for pair in pairs.chunks(2) {
        match (&pair[0], &pair[1]) {
            (Value::Array(a), Value::Str(s)) => operands.push((a.clone(), s.chars().collect())),
            (Value::Labelled(l), Value::Str(s)) => {
                operands.push((l.array.clone(), s.chars().collect()))
            }
            _ => {
                return Err(refused(
                    "blockwise takes arrays each followed by its index letters".into(),
                    args.spans[2],
                    "blockwise(f, \"ij\", x, \"ij\", y, \"j\")",
                ))
            }
        }
    }
    let dtype = dtype_argument(args, 3)?;
    let joined = over_blocks(interpreter, args, operands, &out_index, dtype, None)?;
    Ok(Value::Array(joined))
}

/// The function called on each block of the output (letters `out_index`) with each operand's
/// block there (an array and its index letters): along a letter of the output, the block at
/// that place (arrays sharing a letter rechunked alike, as the first of them), along one the
/// output lacks, the whole axis; the results joined. `declared` are `chunks=`, if given.
fn over_blocks(
    interpreter: &mut Interpreter,
    args: &Args,
    operands: Vec<(ArrayRef, Vec<char>)>,
    out_index: &[char],
    dtype: Option<DType>,
    declared: Option<&[Vec<usize>]>,
) -> Eval<ArrayRef> {
    let span = args.call;
    // Each letter's chunks (the first array's along it).
    let mut chunks_of: Vec<(char, Vec<usize>)> = Vec::new();
    for (array, letters) in &operands {
        if letters.len() != array.ndim() {
            return Err(refused(
                format!(
                    "index \"{}\" names {} axes of a {}-d array",
                    letters.iter().collect::<String>(),
                    letters.len(),
                    array.ndim()
                ),
                args.spans[2],
                "one letter per axis",
            ));
        }
        for (axis, c) in letters.iter().enumerate() {
            match chunks_of.iter().find(|(d, _)| d == c) {
                Some((_, sizes)) if sizes.iter().sum::<usize>() != array.shape[axis] => {
                    return Err(refused(
                        format!("index `{c}` has two lengths among the arrays"),
                        args.spans[2],
                        "arrays sharing a letter are as long along it",
                    ))
                }
                Some(_) => {}
                None => chunks_of.push((*c, array.chunks.0[axis].clone())),
            }
        }
    }
    if let Some(c) = out_index
        .iter()
        .find(|c| !chunks_of.iter().any(|(d, _)| d == *c))
    {
        return Err(refused(
            format!("output index `{c}` is no array's"),
            args.spans[1],
            "the output's letters come from the arrays'",
        ));
    }
    let sizes = |c: &char| {
        chunks_of
            .iter()
            .find(|(d, _)| d == c)
            .expect("known")
            .1
            .clone()
    };
    // Every array in its letters' chunks (the output's) and whole along the others.
    let mut lined = Vec::new();
    for (array, letters) in &operands {
        let chunks: Vec<Vec<usize>> = letters
            .iter()
            .zip(&array.shape)
            .map(|(c, &n)| {
                if out_index.contains(c) {
                    sizes(c)
                } else {
                    vec![n]
                }
            })
            .collect();
        let chunks = crate::array::chunks::Chunks(chunks);
        lined.push(if array.chunks == chunks {
            array.clone()
        } else {
            build::rechunked(array, chunks, span)
        });
    }
    let grid: Vec<usize> = out_index.iter().map(|c| sizes(c).len()).collect();
    check_calls(&grid, args.spans[1])?;
    let mut results = Vec::new();
    for index in grid_indices(&grid) {
        let mut blocks = Vec::new();
        for (array, (_, letters)) in lined.iter().zip(&operands) {
            let at: Vec<usize> = letters
                .iter()
                .map(|c| {
                    out_index
                        .iter()
                        .position(|d| d == c)
                        .map_or(0, |k| index[k])
                })
                .collect();
            blocks.push(block(array, array, &at, &vec![0; at.len()], span)?);
        }
        results.push(call(interpreter, args, blocks, &index, dtype)?);
    }
    join(results, &grid, declared, span)
}
