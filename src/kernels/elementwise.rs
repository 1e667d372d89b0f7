//! Fused elementwise kernels. A [`Kernel`] is a small expression tree over a task's input chunks,
//! constants and generators (ones, arange, random). It is evaluated block by block (a few
//! thousand elements at a time) into the output chunk, so a chain of operators allocates no
//! intermediate chunk per operator: only small block buffers.

use super::random;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::{BinaryFunction, Distribution, MapFunction, Scalar, UnaryFunction};
use ndarray::{ArrayD, IxDyn};

/// Elements evaluated at a time.
const BLOCK: usize = 4096;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// The task's input chunk `k` (broadcast to the output shape if it is smaller).
    Input(usize),
    Constant(Scalar, DType),
    /// `start + (offset + i) * step` along a 1-d chunk: in integers when both are integers.
    Arange {
        start: Scalar,
        step: Scalar,
        offset: usize,
        dtype: DType,
    },
    /// Random values of the chunk at `origin` of an array of `shape`.
    Random {
        distribution: Distribution,
        seed: u64,
        shape: Vec<usize>,
        origin: Vec<usize>,
    },
    Map {
        function: MapFunction,
        args: Vec<Kernel>,
        dtype: DType,
    },
}

impl Kernel {
    pub fn dtype(&self, inputs: &[&ChunkData]) -> DType {
        match self {
            Kernel::Input(k) => inputs[*k].dtype(),
            Kernel::Constant(_, dtype)
            | Kernel::Arange { dtype, .. }
            | Kernel::Map { dtype, .. } => *dtype,
            Kernel::Random { distribution, .. } => match distribution {
                Distribution::Integers { .. } => DType::I64,
                _ => DType::F64,
            },
        }
    }

    /// Number of operators in the tree (for statistics and graph labels).
    pub fn operator_count(&self) -> usize {
        match self {
            Kernel::Map { args, .. } => 1 + args.iter().map(Kernel::operator_count).sum::<usize>(),
            _ => 0,
        }
    }

    /// A compact text form: `cos(in0) ** 2`.
    pub fn describe(&self) -> String {
        match self {
            Kernel::Input(k) => format!("in{k}"),
            Kernel::Constant(s, _) => match s {
                Scalar::Bool(b) => b.to_string(),
                Scalar::Int(i) => i.to_string(),
                Scalar::Float(f) => crate::text::float_repr(*f),
            },
            Kernel::Arange { .. } => "arange".into(),
            Kernel::Random { .. } => "random".into(),
            Kernel::Map { function, args, .. } => match function {
                MapFunction::Binary(f) if !f.is_named() => format!(
                    "({} {} {})",
                    args[0].describe(),
                    f.symbol(),
                    args[1].describe()
                ),
                other => format!(
                    "{}({})",
                    other.name(),
                    args.iter()
                        .map(Kernel::describe)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        }
    }

    /// Replace `Input(k)` leaves: `Input(k)` becomes `replacement(k)`.
    pub fn substitute(&self, replacement: &dyn Fn(usize) -> Kernel) -> Kernel {
        match self {
            Kernel::Input(k) => replacement(*k),
            Kernel::Map {
                function,
                args,
                dtype,
            } => Kernel::Map {
                function: *function,
                args: args.iter().map(|a| a.substitute(replacement)).collect(),
                dtype: *dtype,
            },
            other => other.clone(),
        }
    }
}

/// A column of values for one block, in the lane type of its dtype.
enum Lane {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

impl Lane {
    fn into_f64(self) -> Vec<f64> {
        match self {
            Lane::F64(v) => v,
            Lane::I64(v) => v.into_iter().map(|x| x as f64).collect(),
            Lane::Bool(v) => v.into_iter().map(|x| x as i64 as f64).collect(),
        }
    }

    fn into_i64(self) -> Vec<i64> {
        match self {
            Lane::F64(v) => v.into_iter().map(|x| x as i64).collect(),
            Lane::I64(v) => v,
            Lane::Bool(v) => v.into_iter().map(|x| x as i64).collect(),
        }
    }

    fn into_bool(self) -> Vec<bool> {
        match self {
            Lane::F64(v) => v.into_iter().map(|x| x != 0.0).collect(),
            Lane::I64(v) => v.into_iter().map(|x| x != 0).collect(),
            Lane::Bool(v) => v,
        }
    }

    fn is_float(&self) -> bool {
        matches!(self, Lane::F64(_))
    }

    /// Convert to the lane of `dtype`, rounding to its precision (f32, i32) as NumPy would
    /// store it.
    fn into_dtype(self, dtype: DType) -> Lane {
        match dtype {
            DType::F64 => Lane::F64(self.into_f64()),
            DType::F32 => Lane::F64(
                self.into_f64()
                    .into_iter()
                    .map(|x| x as f32 as f64)
                    .collect(),
            ),
            DType::I64 => Lane::I64(self.into_i64()),
            DType::I32 => Lane::I64(
                self.into_i64()
                    .into_iter()
                    .map(|x| x as i32 as i64)
                    .collect(),
            ),
            DType::Bool => Lane::Bool(self.into_bool()),
        }
    }
}

/// A leaf made ready for block reads: a contiguous buffer of the output's length, a constant,
/// or an arange.
enum Source<'a> {
    Chunk(&'a ChunkData),
    Owned(ChunkData),
    Constant(Scalar),
    Arange {
        start: Scalar,
        step: Scalar,
        offset: usize,
        dtype: DType,
    },
}

/// Evaluate `kernel` into a chunk of `shape`, reading `inputs`.
pub fn evaluate(kernel: &Kernel, inputs: &[&ChunkData], shape: &[usize]) -> ChunkData {
    let size: usize = shape.iter().product();
    let dtype = kernel.dtype(inputs);
    // A bare input of the right shape, or a bare generator, needs no block loop.
    match kernel {
        Kernel::Input(k) if inputs[*k].shape() == shape => return inputs[*k].clone(),
        Kernel::Random {
            distribution,
            seed,
            shape: global,
            origin,
        } => {
            return random::generate(*distribution, *seed, global, origin, shape);
        }
        _ => {}
    }
    let mut sources: Vec<Source> = Vec::new();
    let tree = prepare(kernel, inputs, shape, &mut sources);
    let mut out_f64: Vec<f64> = Vec::new();
    let mut out_i64: Vec<i64> = Vec::new();
    let mut out_bool: Vec<bool> = Vec::new();
    let mut start = 0;
    while start < size {
        let len = BLOCK.min(size - start);
        match evaluate_block(&tree, &sources, start, len).into_dtype(dtype) {
            Lane::F64(v) => out_f64.extend_from_slice(&v),
            Lane::I64(v) => out_i64.extend_from_slice(&v),
            Lane::Bool(v) => out_bool.extend_from_slice(&v),
        }
        start += len;
    }
    let shape = IxDyn(shape);
    let build =
        |v| ArrayD::from_shape_vec(shape.clone(), v).expect("block lengths add up to the chunk");
    match dtype {
        DType::F64 => ChunkData::F64(build(out_f64)),
        DType::F32 => ChunkData::F32(
            ArrayD::from_shape_vec(
                shape.clone(),
                out_f64.into_iter().map(|x| x as f32).collect(),
            )
            .expect("chunk length"),
        ),
        DType::I64 => {
            ChunkData::I64(ArrayD::from_shape_vec(shape.clone(), out_i64).expect("chunk length"))
        }
        DType::I32 => ChunkData::I32(
            ArrayD::from_shape_vec(
                shape.clone(),
                out_i64.into_iter().map(|x| x as i32).collect(),
            )
            .expect("chunk length"),
        ),
        DType::Bool => {
            ChunkData::Bool(ArrayD::from_shape_vec(shape.clone(), out_bool).expect("chunk length"))
        }
    }
}

/// A kernel tree whose leaves point into `sources`.
enum Prepared {
    Leaf(usize),
    Map {
        function: MapFunction,
        args: Vec<Prepared>,
        dtype: DType,
    },
}

fn prepare<'a>(
    kernel: &Kernel,
    inputs: &[&'a ChunkData],
    shape: &[usize],
    sources: &mut Vec<Source<'a>>,
) -> Prepared {
    let leaf = match kernel {
        Kernel::Map {
            function,
            args,
            dtype,
        } => {
            let args = args
                .iter()
                .map(|a| prepare(a, inputs, shape, sources))
                .collect();
            return Prepared::Map {
                function: *function,
                args,
                dtype: *dtype,
            };
        }
        Kernel::Input(k) => {
            let chunk = inputs[*k];
            if chunk.shape() == shape && chunk.len() == shape.iter().product::<usize>() {
                Source::Chunk(chunk)
            } else if chunk.len() == 1 {
                Source::Constant(first_scalar(chunk))
            } else {
                Source::Owned(broadcast(chunk, shape))
            }
        }
        Kernel::Constant(value, dtype) => Source::Constant(match dtype {
            // An f32 constant is the f32 nearest the value (full(1, 0.1, dtype="f32") is not 0.1).
            DType::F32 => Scalar::Float(value.as_f64() as f32 as f64),
            DType::F64 => Scalar::Float(value.as_f64()),
            DType::I32 => Scalar::Int(value.as_i64() as i32 as i64),
            DType::I64 => Scalar::Int(value.as_i64()),
            DType::Bool => Scalar::Bool(value.as_f64() != 0.0),
        }),
        Kernel::Arange {
            start,
            step,
            offset,
            dtype,
        } => Source::Arange {
            start: *start,
            step: *step,
            offset: *offset,
            dtype: *dtype,
        },
        Kernel::Random {
            distribution,
            seed,
            shape: global,
            origin,
        } => Source::Owned(random::generate(
            *distribution,
            *seed,
            global,
            origin,
            shape,
        )),
    };
    sources.push(leaf);
    Prepared::Leaf(sources.len() - 1)
}

fn first_scalar(chunk: &ChunkData) -> Scalar {
    match chunk {
        ChunkData::Bool(a) => Scalar::Bool(*a.iter().next().unwrap()),
        ChunkData::I32(a) => Scalar::Int(*a.iter().next().unwrap() as i64),
        ChunkData::I64(a) => Scalar::Int(*a.iter().next().unwrap()),
        ChunkData::F32(a) => Scalar::Float(*a.iter().next().unwrap() as f64),
        ChunkData::F64(a) => Scalar::Float(*a.iter().next().unwrap()),
    }
}

/// A smaller chunk broadcast (NumPy rules) to `shape`, as a contiguous chunk.
pub fn broadcast(chunk: &ChunkData, shape: &[usize]) -> ChunkData {
    crate::array::chunk::map_chunk!(chunk, a => a
        .broadcast(IxDyn(shape))
        .expect("the checker only lets broadcastable shapes through")
        .as_standard_layout()
        .into_owned())
}

fn read_block(source: &Source, start: usize, len: usize) -> Lane {
    let slice_of = |chunk: &ChunkData| -> Lane {
        match chunk {
            ChunkData::F64(a) => {
                Lane::F64(a.as_slice().expect("standard layout")[start..start + len].to_vec())
            }
            ChunkData::F32(a) => Lane::F64(
                a.as_slice().expect("standard layout")[start..start + len]
                    .iter()
                    .map(|&x| x as f64)
                    .collect(),
            ),
            ChunkData::I64(a) => {
                Lane::I64(a.as_slice().expect("standard layout")[start..start + len].to_vec())
            }
            ChunkData::I32(a) => Lane::I64(
                a.as_slice().expect("standard layout")[start..start + len]
                    .iter()
                    .map(|&x| x as i64)
                    .collect(),
            ),
            ChunkData::Bool(a) => {
                Lane::Bool(a.as_slice().expect("standard layout")[start..start + len].to_vec())
            }
        }
    };
    match source {
        Source::Chunk(chunk) => slice_of(chunk),
        Source::Owned(chunk) => slice_of(chunk),
        Source::Constant(Scalar::Float(f)) => Lane::F64(vec![*f; len]),
        Source::Constant(Scalar::Int(i)) => Lane::I64(vec![*i; len]),
        Source::Constant(Scalar::Bool(b)) => Lane::Bool(vec![*b; len]),
        Source::Arange {
            start: first,
            step,
            offset,
            dtype,
        } => {
            let indices = (offset + start..offset + start + len).map(|i| i as i128);
            match (first, step) {
                // f32 as NumPy fills it: in f32 arithmetic from the first two values.
                _ if *dtype == DType::F32 => {
                    let first32 = first.as_f64() as f32;
                    let delta = (first.as_f64() + step.as_f64()) as f32 - first32;
                    Lane::F64(
                        indices
                            .map(|i| (first32 + i as f32 * delta) as f64)
                            .collect(),
                    )
                }
                _ if dtype.is_float() => {
                    let (first, step) = (first.as_f64(), step.as_f64());
                    Lane::F64(indices.map(|i| first + i as f64 * step).collect())
                }
                (Scalar::Int(first), Scalar::Int(step)) => Lane::I64(
                    indices
                        .map(|i| (*first as i128 + i * *step as i128) as i64)
                        .collect(),
                ),
                // NumPy's rule for an integer arange of floats: the first element and the
                // difference of the first two, each truncated, then exact integer steps.
                _ => {
                    let first_value = first.as_f64() as i64;
                    let delta = ((first.as_f64() + step.as_f64()) as i64).wrapping_sub(first_value);
                    Lane::I64(
                        indices
                            .map(|i| (first_value as i128 + i * delta as i128) as i64)
                            .collect(),
                    )
                }
            }
        }
    }
}

fn evaluate_block(tree: &Prepared, sources: &[Source], start: usize, len: usize) -> Lane {
    match tree {
        Prepared::Leaf(k) => read_block(&sources[*k], start, len),
        Prepared::Map {
            function,
            args,
            dtype,
        } => {
            let mut values: Vec<Lane> = args
                .iter()
                .map(|a| evaluate_block(a, sources, start, len))
                .collect();
            let lane = match function {
                MapFunction::Unary(f) => unary(*f, values.pop().unwrap(), *dtype),
                MapFunction::Binary(f) => {
                    let b = values.pop().unwrap();
                    let a = values.pop().unwrap();
                    binary(*f, a, b, *dtype)
                }
                MapFunction::Cast => values.pop().unwrap(),
                MapFunction::Where => {
                    let otherwise = values.pop().unwrap().into_dtype(*dtype);
                    let then = values.pop().unwrap().into_dtype(*dtype);
                    let condition = values.pop().unwrap().into_bool();
                    match (then, otherwise) {
                        (Lane::F64(t), Lane::F64(o)) => Lane::F64(select(&condition, t, o)),
                        (Lane::I64(t), Lane::I64(o)) => Lane::I64(select(&condition, t, o)),
                        (Lane::Bool(t), Lane::Bool(o)) => Lane::Bool(select(&condition, t, o)),
                        _ => unreachable!("both converted to one dtype"),
                    }
                }
                MapFunction::Clip => {
                    let high = values.pop().unwrap();
                    let low = values.pop().unwrap();
                    let x = values.pop().unwrap();
                    if dtype.is_float() {
                        let (x, low, high) = (x.into_f64(), low.into_f64(), high.into_f64());
                        Lane::F64(
                            x.iter()
                                .zip(&low)
                                .zip(&high)
                                // NumPy's minimum(maximum(x, low), high): NaN stays NaN,
                                // and low > high gives high.
                                .map(|((&x, &l), &h)| {
                                    let above = if x.is_nan() || x >= l { x } else { l };
                                    if above.is_nan() || above <= h {
                                        above
                                    } else {
                                        h
                                    }
                                })
                                .collect(),
                        )
                    } else {
                        let (x, low, high) = (x.into_i64(), low.into_i64(), high.into_i64());
                        Lane::I64(
                            x.iter()
                                .zip(&low)
                                .zip(&high)
                                .map(|((&x, &l), &h)| x.max(l).min(h))
                                .collect(),
                        )
                    }
                }
            };
            lane.into_dtype(*dtype)
        }
    }
}

fn select<T: Copy>(condition: &[bool], then: Vec<T>, otherwise: Vec<T>) -> Vec<T> {
    condition
        .iter()
        .zip(then)
        .zip(otherwise)
        .map(|((&c, t), o)| if c { t } else { o })
        .collect()
}

fn unary(function: UnaryFunction, x: Lane, dtype: DType) -> Lane {
    use UnaryFunction::*;
    let float = |x: Lane, f: fn(f64) -> f64| Lane::F64(x.into_f64().into_iter().map(f).collect());
    match function {
        Negate => match x {
            Lane::I64(v) => Lane::I64(v.into_iter().map(i64::wrapping_neg).collect()),
            other => float(other, |x| -x),
        },
        Abs => match x {
            Lane::I64(v) => Lane::I64(v.into_iter().map(i64::wrapping_abs).collect()),
            Lane::Bool(v) => Lane::Bool(v),
            other => float(other, f64::abs),
        },
        Floor | Ceil | Trunc if !dtype.is_float() => x,
        Trunc => float(x, f64::trunc),
        // Halves to even, as NumPy's rint and round.
        Rint => float(x, f64::round_ties_even),
        Tanh => float(x, f64::tanh),
        Sinh => float(x, f64::sinh),
        Cosh => float(x, f64::cosh),
        Arcsinh => float(x, f64::asinh),
        Arccosh => float(x, f64::acosh),
        Arctanh => float(x, f64::atanh),
        Log2 => float(x, f64::log2),
        Log1p => float(x, f64::ln_1p),
        Expm1 => float(x, f64::exp_m1),
        Exp2 => float(x, f64::exp2),
        Cbrt => float(x, f64::cbrt),
        Square => match x {
            Lane::I64(v) => Lane::I64(v.into_iter().map(|x| x.wrapping_mul(x)).collect()),
            Lane::Bool(v) => Lane::Bool(v),
            other => float(other, |x| x * x),
        },
        // NumPy's sign: -1, 0 or 1 (NaN stays NaN, and -0.0 is 0).
        Sign => match x {
            Lane::I64(v) => Lane::I64(v.into_iter().map(i64::signum).collect()),
            Lane::Bool(v) => Lane::Bool(v),
            other => float(other, |x| {
                if x.is_nan() {
                    x
                } else if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }),
        },
        IsFinite => match x {
            Lane::F64(v) => Lane::Bool(v.into_iter().map(f64::is_finite).collect()),
            other => Lane::Bool(vec![true; other.into_i64().len()]),
        },
        IsInf => match x {
            Lane::F64(v) => Lane::Bool(v.into_iter().map(f64::is_infinite).collect()),
            other => Lane::Bool(vec![false; other.into_i64().len()]),
        },
        Floor => float(x, f64::floor),
        Ceil => float(x, f64::ceil),
        Sqrt => float(x, f64::sqrt),
        Exp => float(x, f64::exp),
        Log => float(x, f64::ln),
        Log10 => float(x, f64::log10),
        Sin => float(x, f64::sin),
        Cos => float(x, f64::cos),
        Tan => float(x, f64::tan),
        Arcsin => float(x, f64::asin),
        Arccos => float(x, f64::acos),
        Arctan => float(x, f64::atan),
        Deg2rad => float(x, f64::to_radians),
        Rad2deg => float(x, f64::to_degrees),
        IsNan => match x {
            Lane::F64(v) => Lane::Bool(v.into_iter().map(f64::is_nan).collect()),
            other => Lane::Bool(vec![false; other.into_i64().len()]),
        },
        Not => Lane::Bool(x.into_bool().into_iter().map(|b| !b).collect()),
        Invert if dtype == DType::Bool => {
            Lane::Bool(x.into_bool().into_iter().map(|b| !b).collect())
        }
        Invert => Lane::I64(x.into_i64().into_iter().map(|v| !v).collect()),
    }
}

fn binary(function: BinaryFunction, a: Lane, b: Lane, dtype: DType) -> Lane {
    use BinaryFunction::*;
    if function.is_comparison() {
        let compare = |a: &[f64], b: &[f64], f: fn(f64, f64) -> bool| {
            Lane::Bool(a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect())
        };
        if a.is_float() || b.is_float() {
            let (a, b) = (a.into_f64(), b.into_f64());
            return match function {
                Equal => compare(&a, &b, |x, y| x == y),
                NotEqual => compare(&a, &b, |x, y| x != y),
                Less => compare(&a, &b, |x, y| x < y),
                LessEqual => compare(&a, &b, |x, y| x <= y),
                Greater => compare(&a, &b, |x, y| x > y),
                _ => compare(&a, &b, |x, y| x >= y),
            };
        }
        let (a, b) = (a.into_i64(), b.into_i64());
        let f: fn(&i64, &i64) -> bool = match function {
            Equal => |x, y| x == y,
            NotEqual => |x, y| x != y,
            Less => |x, y| x < y,
            LessEqual => |x, y| x <= y,
            Greater => |x, y| x > y,
            _ => |x, y| x >= y,
        };
        return Lane::Bool(a.iter().zip(&b).map(|(x, y)| f(x, y)).collect());
    }
    if matches!(function, And | Or | Xor) {
        if dtype == DType::Bool {
            let (a, b) = (a.into_bool(), b.into_bool());
            let f: fn(bool, bool) -> bool = match function {
                And => |x, y| x && y,
                Or => |x, y| x || y,
                _ => |x, y| x != y,
            };
            return Lane::Bool(a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect());
        }
        let (a, b) = (a.into_i64(), b.into_i64());
        let f: fn(i64, i64) -> i64 = match function {
            And => |x, y| x & y,
            Or => |x, y| x | y,
            _ => |x, y| x ^ y,
        };
        return Lane::I64(a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect());
    }
    if matches!(function, ShiftLeft | ShiftRight) {
        let (a, b) = (a.into_i64(), b.into_i64());
        let left = function == ShiftLeft;
        // As NumPy's: a negative count or one of the type's width or more shifts everything
        // out (0, or -1 for a negative number shifted right).
        let width = if dtype == DType::I32 { 32 } else { 64 };
        return Lane::I64(
            a.iter()
                .zip(&b)
                .map(|(&x, &y)| {
                    if (0..width).contains(&y) {
                        if left {
                            x.wrapping_shl(y as u32)
                        } else {
                            x >> y
                        }
                    } else if !left && x < 0 {
                        -1
                    } else {
                        0
                    }
                })
                .collect(),
        );
    }
    if dtype.is_float() {
        let (a, b) = (a.into_f64(), b.into_f64());
        let f: fn(f64, f64) -> f64 = match function {
            Add => |x, y| x + y,
            Subtract => |x, y| x - y,
            Multiply => |x, y| x * y,
            Divide => |x, y| x / y,
            FloorDivide => super::arithmetic::floor_divide_f64,
            Modulo => super::arithmetic::modulo_f64,
            // NumPy's maximum and minimum propagate NaN (and of 0.0 and -0.0 give the second);
            // fmax and fmin ignore a NaN.
            Maximum => |x, y| if x > y || x.is_nan() { x } else { y },
            Minimum => |x, y| if x < y || x.is_nan() { x } else { y },
            Fmax => f64::max,
            Fmin => f64::min,
            Arctan2 => f64::atan2,
            Hypot => f64::hypot,
            Copysign => f64::copysign,
            Logaddexp => logaddexp,
            _ => power_f64,
        };
        return Lane::F64(a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect());
    }
    let (a, b) = (a.into_i64(), b.into_i64());
    let f: fn(i64, i64) -> i64 = match function {
        Add => i64::wrapping_add,
        Subtract => i64::wrapping_sub,
        Multiply => i64::wrapping_mul,
        // NumPy gives 0 (with a warning) for integer division by zero, and wraps on overflow.
        FloorDivide => |x, y| {
            super::arithmetic::floor_divmod_i64(x, y)
                .map_or(if y == -1 { x.wrapping_neg() } else { 0 }, |(q, _)| q)
        },
        Modulo => |x, y| super::arithmetic::floor_divmod_i64(x, y).map_or(0, |(_, r)| r),
        Maximum | Fmax => i64::max,
        Minimum | Fmin => i64::min,
        _ => |x, y| {
            if y < 0 {
                // NumPy refuses too; the checker catches a literal negative exponent earlier.
                super::fail("integers to negative integer powers are not allowed (use a float exponent, e.g. x ** -1.0)")
            }
            x.wrapping_pow(y.min(u32::MAX as i64) as u32)
        },
    };
    Lane::I64(a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect())
}

/// log(exp(x) + exp(y)) without overflow, as NumPy computes it.
fn logaddexp(x: f64, y: f64) -> f64 {
    if x == y {
        // Also infinities of one sign.
        x + std::f64::consts::LN_2
    } else {
        let larger = x.max(y);
        let difference = (x - y).abs();
        if difference.is_nan() {
            f64::NAN
        } else {
            larger + (-difference).exp().ln_1p()
        }
    }
}

/// `x ** y`, with the common small exponents exact and fast.
fn power_f64(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        x * x
    } else if y == 0.5 {
        x.sqrt()
    } else {
        x.powf(y)
    }
}
