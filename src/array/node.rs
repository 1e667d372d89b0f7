//! The high-level array graph: each lazy array is a node that knows its dtype, shape and chunks
//! (so the checker knows them before anything runs), the operation that makes it, and the span
//! of source that created it. Nodes are shared (`Arc`), so a graph is a DAG; lowering turns the
//! part of it that a computation needs into per-chunk tasks.

use super::chunk::ChunkData;
use super::chunks::Chunks;
use super::dtype::DType;
use super::source::FileSource;
use crate::key::{Key, KeyBuilder};
use crate::source::Span;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub type ArrayRef = Arc<ArrayNode>;

#[derive(Debug)]
pub struct ArrayNode {
    /// Unique per node (a node built twice has two ids; see `content_key` for what it computes).
    pub id: u64,
    pub op: ArrayOp,
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub chunks: Chunks,
    pub span: Span,
    content: OnceLock<Key>,
}

/// Chunks in memory (computed, or written in the source), with the key they are known by: the
/// key of the computation that made them, or a hash of their values.
#[derive(Debug)]
pub struct Stored {
    pub chunks: Vec<ChunkData>,
    pub key: Key,
}

impl Stored {
    /// Chunks a computation with key `made_by` made.
    pub fn computed(chunks: Vec<ChunkData>, made_by: Key) -> Arc<Stored> {
        let key = KeyBuilder::new("computed").key(made_by).finish();
        Arc::new(Stored { chunks, key })
    }

    /// Chunks known by their values (literals, a delayed call's result).
    pub fn of_values(chunks: Vec<ChunkData>) -> Arc<Stored> {
        let mut key = KeyBuilder::new("values");
        for chunk in &chunks {
            key.value(&chunk.dtype())
                .value(chunk.shape())
                .bytes(&chunk.to_le_bytes());
        }
        let key = key.finish();
        Arc::new(Stored { chunks, key })
    }
}

/// The call a `from_delayed` chunk waits for. Only the evaluator can make it; the array graph
/// keeps it opaque.
pub trait PendingCall: std::fmt::Debug + Send + Sync {
    /// Unique per call.
    fn id(&self) -> u64;
    fn into_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync>;
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(#[serde(with = "crate::text::float")] f64),
}

impl Scalar {
    /// The dtype a number of this kind makes on its own (`full((), 2)` is i64).
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F64,
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as i64 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Normal with mean and standard deviation.
    Normal {
        #[serde(with = "crate::text::float")]
        mean: f64,
        #[serde(with = "crate::text::float")]
        std: f64,
    },
    /// Uniform on [low, high).
    Uniform {
        #[serde(with = "crate::text::float")]
        low: f64,
        #[serde(with = "crate::text::float")]
        high: f64,
    },
    /// Integers uniform on [low, high).
    Integers { low: i64, high: i64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryFunction {
    Negate,
    Abs,
    Sqrt,
    Exp,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Deg2rad,
    Rad2deg,
    Floor,
    Ceil,
    IsNan,
    Not,
    Tanh,
    Sinh,
    Cosh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Log2,
    Log1p,
    Expm1,
    Exp2,
    Cbrt,
    Square,
    Sign,
    Trunc,
    IsFinite,
    IsInf,
    Rint,
    /// `~`: bitwise not of ints, not of bools (NumPy's `invert`).
    Invert,
}

impl UnaryFunction {
    pub fn name(self) -> &'static str {
        use UnaryFunction::*;
        match self {
            Negate => "negative",
            Abs => "abs",
            Sqrt => "sqrt",
            Exp => "exp",
            Log => "log",
            Log10 => "log10",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Deg2rad => "deg2rad",
            Rad2deg => "rad2deg",
            Floor => "floor",
            Ceil => "ceil",
            Tanh => "tanh",
            Sinh => "sinh",
            Cosh => "cosh",
            Arcsinh => "arcsinh",
            Arccosh => "arccosh",
            Arctanh => "arctanh",
            Log2 => "log2",
            Log1p => "log1p",
            Expm1 => "expm1",
            Exp2 => "exp2",
            Cbrt => "cbrt",
            Square => "square",
            Sign => "sign",
            Trunc => "trunc",
            IsFinite => "isfinite",
            IsInf => "isinf",
            Rint => "rint",
            Invert => "invert",
            IsNan => "isnan",
            Not => "not",
        }
    }

    pub fn from_name(name: &str) -> Option<UnaryFunction> {
        use UnaryFunction::*;
        Some(match name {
            "abs" => Abs,
            "sqrt" => Sqrt,
            "exp" => Exp,
            "log" => Log,
            "log10" => Log10,
            "sin" => Sin,
            "cos" => Cos,
            "tan" => Tan,
            "arcsin" => Arcsin,
            "arccos" => Arccos,
            "arctan" => Arctan,
            "deg2rad" => Deg2rad,
            "rad2deg" => Rad2deg,
            "floor" => Floor,
            "ceil" => Ceil,
            "isnan" => IsNan,
            "tanh" => Tanh,
            "sinh" => Sinh,
            "cosh" => Cosh,
            "arcsinh" => Arcsinh,
            "arccosh" => Arccosh,
            "arctanh" => Arctanh,
            "log2" => Log2,
            "log1p" => Log1p,
            "expm1" => Expm1,
            "exp2" => Exp2,
            "cbrt" => Cbrt,
            "square" => Square,
            "sign" => Sign,
            "trunc" => Trunc,
            "isfinite" => IsFinite,
            "isinf" => IsInf,
            "rint" => Rint,
            "invert" => Invert,
            _ => return None,
        })
    }

    /// The result dtype for an input dtype.
    pub fn result(self, input: DType) -> DType {
        use UnaryFunction::*;
        match self {
            Negate | Abs | Sign | Invert => input,
            // NumPy: the square of bools is bools (and), of integers integers.
            Square => input,
            IsNan | IsFinite | IsInf | Not => DType::Bool,
            // NumPy's rint of integers is a float (floor, ceil and trunc keep them).
            Floor | Ceil | Trunc if !input.is_float() => input,
            _ => input.float_result(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryFunction {
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or,
    Maximum,
    Minimum,
    Fmax,
    Fmin,
    Arctan2,
    Hypot,
    Copysign,
    Logaddexp,
    /// `^`: exclusive or (bitwise of ints).
    Xor,
    /// `<<`, `>>` of ints.
    ShiftLeft,
    ShiftRight,
}

impl BinaryFunction {
    pub fn symbol(self) -> &'static str {
        use BinaryFunction::*;
        match self {
            Add => "+",
            Subtract => "-",
            Multiply => "*",
            Divide => "/",
            FloorDivide => "//",
            Modulo => "%",
            Power => "**",
            Equal => "==",
            NotEqual => "!=",
            Less => "<",
            LessEqual => "<=",
            Greater => ">",
            GreaterEqual => ">=",
            And => "&",
            Or => "|",
            Maximum => "maximum",
            Minimum => "minimum",
            Fmax => "fmax",
            Fmin => "fmin",
            Arctan2 => "arctan2",
            Hypot => "hypot",
            Copysign => "copysign",
            Logaddexp => "logaddexp",
            Xor => "^",
            ShiftLeft => "<<",
            ShiftRight => ">>",
        }
    }

    /// The functions called by name (`maximum(a, b)`), not written between their operands.
    pub fn from_name(name: &str) -> Option<BinaryFunction> {
        use BinaryFunction::*;
        [
            Maximum, Minimum, Fmax, Fmin, Arctan2, Hypot, Copysign, Logaddexp,
        ]
        .into_iter()
        .find(|f| f.symbol() == name)
    }

    pub fn is_named(self) -> bool {
        self.symbol().starts_with(|c: char| c.is_ascii_alphabetic())
    }

    pub fn is_comparison(self) -> bool {
        use BinaryFunction::*;
        matches!(
            self,
            Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapFunction {
    Unary(UnaryFunction),
    Binary(BinaryFunction),
    /// where(condition, a, b)
    Where,
    /// clip(x, low, high)
    Clip,
    /// astype
    Cast,
}

impl MapFunction {
    pub fn name(self) -> String {
        match self {
            MapFunction::Unary(f) => f.name().to_string(),
            MapFunction::Binary(f) => f.symbol().to_string(),
            MapFunction::Where => "where".into(),
            MapFunction::Clip => "clip".into(),
            MapFunction::Cast => "astype".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Operand {
    Array(ArrayRef),
    Scalar(Scalar),
}

/// How a quantile between two values is taken (NumPy's `method=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileMethod {
    Linear,
    Lower,
    Higher,
    Nearest,
    Midpoint,
    /// The median's: the mean of the two middle values (not a method name; `median` uses it).
    MiddleMean,
}

impl QuantileMethod {
    pub fn parse(name: &str) -> Option<QuantileMethod> {
        use QuantileMethod::*;
        Some(match name {
            "linear" => Linear,
            "lower" => Lower,
            "higher" => Higher,
            "nearest" => Nearest,
            "midpoint" => Midpoint,
            _ => return None,
        })
    }
}

/// A cumulative operation along an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scan {
    Sum,
    Prod,
    /// NaN counted as 0.
    NanSum,
    /// NaN counted as 1.
    NanProd,
}

impl Scan {
    pub fn name(self) -> &'static str {
        match self {
            Scan::Sum => "cumsum",
            Scan::Prod => "cumprod",
            Scan::NanSum => "nancumsum",
            Scan::NanProd => "nancumprod",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    Sum,
    Prod,
    Min,
    Max,
    Mean,
    Var,
    Std,
    Any,
    All,
    ArgMin,
    ArgMax,
    NanSum,
    NanMean,
    NanMin,
    NanMax,
    NanVar,
    NanStd,
    NanProd,
    /// The first or last value along the axis (of a group: `groupby(…).first()`), or the first or
    /// last that is not NaN. Only grouped reductions take them.
    First,
    Last,
    NanFirst,
    NanLast,
    /// Approximate quantiles of all values: partials are t-digests, merged (`kernels/sketch.rs`);
    /// only `ArrayOp::Sketch` makes it.
    Sketch,
}

impl Reduction {
    pub fn name(self) -> &'static str {
        use Reduction::*;
        match self {
            Sum => "sum",
            Prod => "prod",
            Min => "min",
            Max => "max",
            Mean => "mean",
            Var => "var",
            Std => "std",
            Any => "any",
            All => "all",
            ArgMin => "argmin",
            ArgMax => "argmax",
            NanSum => "nansum",
            NanMean => "nanmean",
            NanMin => "nanmin",
            NanMax => "nanmax",
            NanVar => "nanvar",
            NanStd => "nanstd",
            NanProd => "nanprod",
            First | NanFirst => "first",
            Last | NanLast => "last",
            Sketch => "quantile sketch",
        }
    }

    pub fn from_name(name: &str) -> Option<Reduction> {
        use Reduction::*;
        [
            Sum, Prod, Min, Max, Mean, Var, Std, Any, All, ArgMin, ArgMax, NanSum, NanMean, NanMin,
            NanMax, NanVar, NanStd, NanProd,
        ]
        .into_iter()
        .find(|r| r.name() == name)
    }

    /// The result dtype (NumPy's: sums of ints are i64, means are floats).
    pub fn result(self, input: DType) -> DType {
        use Reduction::*;
        match self {
            Sum | Prod | NanSum | NanProd => match input {
                DType::Bool | DType::I32 | DType::I64 => DType::I64,
                other => other,
            },
            Min | Max | NanMin | NanMax | First | Last | NanFirst | NanLast => input,
            Mean | Var | Std | NanMean | NanVar | NanStd | Sketch => input.float_result(),
            Any | All => DType::Bool,
            ArgMin | ArgMax => DType::I64,
        }
    }

    /// Partials are (count, mean, M2) triples, combined with Chan's formula.
    pub fn uses_moments(self) -> bool {
        use Reduction::*;
        matches!(self, Mean | Var | Std | NanMean | NanVar | NanStd)
    }

    pub fn skips_nan(self) -> bool {
        use Reduction::*;
        matches!(
            self,
            NanSum | NanMean | NanMin | NanMax | NanVar | NanStd | NanProd | NanFirst | NanLast
        )
    }

    /// First or last: partials are a value and its position along the axis.
    pub fn is_positional(self) -> bool {
        use Reduction::*;
        matches!(self, First | Last | NanFirst | NanLast)
    }

    pub fn is_arg(self) -> bool {
        matches!(self, Reduction::ArgMin | Reduction::ArgMax)
    }
}

/// What one axis of a slice keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AxisSelection {
    /// One position; the axis is dropped.
    Index(usize),
    /// `count` positions from `start` by `step` (which may be negative).
    Range {
        start: usize,
        step: isize,
        count: usize,
    },
    /// `none`: a new axis of length 1.
    NewAxis,
}

#[derive(Debug)]
pub enum ArrayOp {
    /// Every element the same: ones, zeros, full.
    Full(Scalar),
    /// start + i * step along the only axis (arange, linspace); exact when both are integers.
    Arange {
        start: Scalar,
        step: Scalar,
    },
    /// Counter-based random numbers keyed by the global element index: the same values whatever
    /// the chunking or thread count.
    Random {
        distribution: Distribution,
        seed: u64,
    },
    /// Chunks in memory, in row-major grid order (from compute or persist, or literals).
    Data(Arc<Stored>),
    /// Elementwise, with NumPy broadcasting; operands' chunks are aligned when the node is built.
    Map {
        function: MapFunction,
        operands: Vec<Operand>,
    },
    Slice {
        input: ArrayRef,
        selection: Vec<AxisSelection>,
    },
    Reduce {
        input: ArrayRef,
        reduction: Reduction,
        axes: Vec<usize>,
        keepdims: bool,
        ddof: usize,
        split_every: usize,
    },
    /// The same values with this node's chunks.
    Rechunk {
        input: ArrayRef,
    },
    Concatenate {
        inputs: Vec<ArrayRef>,
        axis: usize,
    },
    Transpose {
        input: ArrayRef,
        axes: Vec<usize>,
    },
    /// A variable of one or more files, decoded as its source says, one hyperslab per chunk.
    Read(Arc<FileSource>),
    /// One chunk made by a delayed call (`from_delayed`); `None` while checking, when the call
    /// has not been made.
    FromDelayed(Option<Arc<dyn PendingCall>>),
    /// A column of a frame, one chunk per partition: `plan` makes each partition's values as
    /// one f64 column; `parts` are the partitions that have rows (in chunk order).
    FrameColumn {
        plan: crate::frame::plan::PlanRef,
        parts: Vec<usize>,
    },
    /// The same elements in row-major order in this node's shape; each block is one block of
    /// `input` (chunked for it, see `reshape.rs`), whose index along input axis `a` is this
    /// block's along output axis `block_of[a]` (none: 0).
    Reshape {
        input: ArrayRef,
        block_of: Vec<Option<usize>>,
    },
    /// Cumulative sums or products along `axis` (each block continued from the one before).
    Scan {
        input: ArrayRef,
        scan: Scan,
        axis: usize,
    },
    /// Quantiles `q` along `axis` (one chunk long) of each lane; with `q_axis`, a leading axis
    /// of the quantiles, else one quantile and no such axis.
    Quantile {
        input: ArrayRef,
        axis: usize,
        q: Vec<f64>,
        q_axis: bool,
        method: QuantileMethod,
        skip_nan: bool,
    },
    /// Approximate quantiles `q` (in [0, 1]) of all of `input`'s values, from t-digests of its
    /// chunks merged up a tree; with `q_axis` one axis of the quantiles, else a 0-d result.
    Sketch {
        input: ArrayRef,
        q: Vec<f64>,
        q_axis: bool,
        method: QuantileMethod,
        skip_nan: bool,
    },
    /// The matrix product of two 2-d arrays whose contracted axis is chunked alike.
    MatMul {
        lhs: ArrayRef,
        rhs: ArrayRef,
    },
    /// Counts of values in `bins` equal bins over [low, high], as NumPy's histogram.
    Histogram {
        input: ArrayRef,
        bins: usize,
        low: f64,
        high: f64,
    },
    /// A moving window along `axis`: value `i` is `how` of `input[i .. i + window]` along it
    /// (the input padded so), NaN where fewer than `min_periods` values are not NaN. Each block
    /// reads its range and the `window - 1` values after it (the halo), see `rolling.rs`.
    Rolling {
        input: ArrayRef,
        axis: usize,
        window: usize,
        min_periods: usize,
        how: Moving,
        ddof: usize,
    },
    /// The positions `positions` of `input` along `axis`, in that order (repeats allowed):
    /// NumPy's `take` with an index array, and a grouped result spread back over the positions
    /// of its groups (`x.groupby("time.month") - clim`).
    Take {
        input: ArrayRef,
        axis: usize,
        positions: Arc<[usize]>,
    },
    /// A reduction of each group of positions along `axis`: position `i` belongs to group
    /// `groups[i]` (`NO_GROUP` for none); the axis becomes one value per group. Each chunk gives
    /// a partial of the groups it holds, combined exactly per group (never by loading the axis).
    GroupReduce {
        input: ArrayRef,
        axis: usize,
        groups: Arc<[u32]>,
        reduction: Reduction,
        ddof: usize,
    },
    /// Each lane along `axis` sorted (see `Sorting`), block by block: each block holds its
    /// lanes' values along the axis (a whole lane for `sort`/`argsort`; for `topk`, a block's
    /// candidates, merged by a second `Sort` over them).
    Sort {
        input: ArrayRef,
        axis: usize,
        sorting: Sorting,
    },
}

/// What a sort along an axis gives: the values in order, the positions that order them
/// (stable), or the `k` largest in descending order (the `-k` smallest in ascending order when
/// negative), as Dask's `topk`. NaN orders last, as NumPy's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sorting {
    Values,
    Indices,
    Top(i64),
}

/// A position of a grouped axis that belongs to no group (a value outside every bin).
pub const NO_GROUP: u32 = u32::MAX;

/// The reductions of a moving window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moving {
    Sum,
    Mean,
    Min,
    Max,
    Var,
    Std,
}

impl Moving {
    pub fn name(self) -> &'static str {
        match self {
            Moving::Sum => "sum",
            Moving::Mean => "mean",
            Moving::Min => "min",
            Moving::Max => "max",
            Moving::Var => "var",
            Moving::Std => "std",
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl ArrayNode {
    pub fn new(
        op: ArrayOp,
        dtype: DType,
        shape: Vec<usize>,
        chunks: Chunks,
        span: Span,
    ) -> ArrayRef {
        Arc::new(ArrayNode {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            op,
            dtype,
            shape,
            chunks,
            span,
            content: OnceLock::new(),
        })
    }

    /// A hash of the operation, its parameters, the node's type and its inputs' keys: equal for
    /// nodes that compute the same values in the same chunks, whatever wrote them where, so
    /// lowering makes their tasks once (`compute(x.sum(), x.sum() / 2)` sums `x` once).
    pub fn content_key(&self) -> Key {
        *self.content.get_or_init(|| {
            let mut key = KeyBuilder::new("array");
            key.value(&self.dtype)
                .value(&self.shape)
                .value(&self.chunks);
            match &self.op {
                ArrayOp::Full(value) => key.value("full").value(value),
                ArrayOp::Arange { start, step } => key.value("arange").value(&(start, step)),
                ArrayOp::Random { distribution, seed } => {
                    key.value("random").value(distribution).value(seed)
                }
                ArrayOp::Data(stored) => key.value("data").key(stored.key),
                ArrayOp::Map { function, operands } => {
                    key.value("map").value(function);
                    for operand in operands {
                        match operand {
                            Operand::Array(array) => key.value(&0u8).key(array.content_key()),
                            Operand::Scalar(scalar) => key.value(&1u8).value(scalar),
                        };
                    }
                    &mut key
                }
                ArrayOp::Slice { selection, .. } => key.value("slice").value(selection),
                ArrayOp::Reduce {
                    reduction,
                    axes,
                    keepdims,
                    ddof,
                    split_every,
                    ..
                } => key
                    .value("reduce")
                    .value(&(reduction, axes, keepdims, ddof, split_every)),
                ArrayOp::Rechunk { .. } => key.value("rechunk"),
                ArrayOp::Concatenate { axis, .. } => key.value("concatenate").value(axis),
                ArrayOp::Transpose { axes, .. } => key.value("transpose").value(axes),
                ArrayOp::MatMul { .. } => key.value("matmul"),
                ArrayOp::Quantile {
                    axis,
                    q,
                    q_axis,
                    method,
                    skip_nan,
                    ..
                } => key
                    .value("quantile")
                    .value(&(axis, q, q_axis, method, skip_nan)),
                ArrayOp::Scan { scan, axis, .. } => key.value("scan").value(&(scan, axis)),
                ArrayOp::Reshape { block_of, .. } => key.value("reshape").value(block_of),
                ArrayOp::Read(source) => key.value("read").value(&**source),
                // A call is only the same as itself (its result is keyed by value once made).
                ArrayOp::FromDelayed(call) => key
                    .value("from_delayed")
                    .value(&call.as_ref().map_or(self.id, |c| c.id())),
                ArrayOp::FrameColumn { plan, parts } => key
                    .value("frame column")
                    .key(plan.content_key())
                    .value(parts),
                ArrayOp::Histogram {
                    bins, low, high, ..
                } => key.value("histogram").value(&(bins, low, high)),
                ArrayOp::Sketch {
                    q,
                    q_axis,
                    method,
                    skip_nan,
                    ..
                } => key.value("sketch").value(&(q, q_axis, method, skip_nan)),
                ArrayOp::Rolling {
                    axis,
                    window,
                    min_periods,
                    how,
                    ddof,
                    ..
                } => key
                    .value("rolling")
                    .value(&(axis, window, min_periods, how, ddof)),
                ArrayOp::Take {
                    axis, positions, ..
                } => key.value("take").value(axis).value(&positions[..]),
                ArrayOp::Sort { axis, sorting, .. } => key.value("sort").value(&(axis, sorting)),
                ArrayOp::GroupReduce {
                    axis,
                    groups,
                    reduction,
                    ddof,
                    ..
                } => key
                    .value("group reduce")
                    .value(&(axis, reduction, ddof))
                    .value(&groups[..]),
            };
            if !matches!(self.op, ArrayOp::Map { .. }) {
                for input in self.inputs() {
                    key.key(input.content_key());
                }
            }
            key.finish()
        })
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn nbytes(&self) -> usize {
        self.size() * self.dtype.itemsize()
    }

    /// The nodes this one reads.
    pub fn inputs(&self) -> Vec<ArrayRef> {
        match &self.op {
            ArrayOp::Full(_)
            | ArrayOp::Arange { .. }
            | ArrayOp::Random { .. }
            | ArrayOp::Data(_)
            | ArrayOp::Read(_)
            | ArrayOp::FromDelayed(_)
            | ArrayOp::FrameColumn { .. } => vec![],
            ArrayOp::Map { operands, .. } => operands
                .iter()
                .filter_map(|o| match o {
                    Operand::Array(a) => Some(a.clone()),
                    Operand::Scalar(_) => None,
                })
                .collect(),
            ArrayOp::Slice { input, .. }
            | ArrayOp::Reduce { input, .. }
            | ArrayOp::Rechunk { input }
            | ArrayOp::Transpose { input, .. }
            | ArrayOp::Reshape { input, .. }
            | ArrayOp::Scan { input, .. }
            | ArrayOp::Quantile { input, .. }
            | ArrayOp::Rolling { input, .. }
            | ArrayOp::Take { input, .. }
            | ArrayOp::GroupReduce { input, .. }
            | ArrayOp::Sort { input, .. }
            | ArrayOp::Histogram { input, .. }
            | ArrayOp::Sketch { input, .. } => vec![input.clone()],
            ArrayOp::Concatenate { inputs, .. } => inputs.clone(),
            ArrayOp::MatMul { lhs, rhs } => vec![lhs.clone(), rhs.clone()],
        }
    }

    /// A short name of the operation, for graphs and `explain`.
    pub fn label(&self) -> String {
        match &self.op {
            ArrayOp::Full(value) => match value {
                Scalar::Float(f) if *f == 1.0 => "ones".into(),
                Scalar::Float(f) if *f == 0.0 => "zeros".into(),
                Scalar::Int(1) | Scalar::Bool(true) => "ones".into(),
                Scalar::Int(0) | Scalar::Bool(false) => "zeros".into(),
                _ => "full".into(),
            },
            ArrayOp::Arange { .. } => "arange".into(),
            ArrayOp::Random { distribution, .. } => match distribution {
                Distribution::Normal { .. } => "random.normal".into(),
                Distribution::Uniform { .. } => "random.uniform".into(),
                Distribution::Integers { .. } => "random.integers".into(),
            },
            ArrayOp::Data(_) => "data".into(),
            ArrayOp::FromDelayed(_) => "from_delayed".into(),
            ArrayOp::FrameColumn { plan, .. } => plan.label.clone(),
            ArrayOp::Read(source) => match source.format {
                super::source::FileFormat::Hdf5 => "read_hdf5".into(),
                super::source::FileFormat::NetCdf => format!("read {}", source.variable),
            },
            ArrayOp::Map { function, .. } => function.name(),
            ArrayOp::Slice { .. } => "getitem".into(),
            ArrayOp::Reduce { reduction, .. } => reduction.name().into(),
            ArrayOp::Rechunk { .. } => "rechunk".into(),
            ArrayOp::Concatenate { .. } => "concatenate".into(),
            ArrayOp::Transpose { .. } => "transpose".into(),
            ArrayOp::MatMul { .. } => "matmul".into(),
            ArrayOp::Reshape { .. } => "reshape".into(),
            ArrayOp::Scan { scan, .. } => scan.name().into(),
            ArrayOp::Quantile { .. } => "quantile".into(),
            ArrayOp::Histogram { .. } => "histogram".into(),
            ArrayOp::Sketch { .. } => "quantile sketch".into(),
            ArrayOp::Rolling { how, .. } => format!("rolling {}", how.name()),
            ArrayOp::Take { .. } => "take".into(),
            ArrayOp::GroupReduce { reduction, .. } => format!("grouped {}", reduction.name()),
            ArrayOp::Sort { sorting, .. } => match sorting {
                Sorting::Values => "sort".into(),
                Sorting::Indices => "argsort".into(),
                Sorting::Top(_) => "topk".into(),
            },
        }
    }

    /// The whole of a computed array as one chunk (for printing and conversion); `None` when it
    /// is not computed.
    pub fn whole(&self) -> Option<ChunkData> {
        let ArrayOp::Data(stored) = &self.op else {
            return None;
        };
        let offsets: Vec<Vec<usize>> = (0..self.ndim()).map(|a| self.chunks.offsets(a)).collect();
        Some(super::chunk::assemble(
            &stored.chunks,
            &self.chunks.grid(),
            &offsets,
            &self.shape,
            self.dtype,
        ))
    }

    /// `array<f64>[200000, 4000] chunks (1000, 1000)`
    pub fn type_text(&self) -> String {
        let shape: Vec<String> = self.shape.iter().map(usize::to_string).collect();
        format!(
            "array<{}>[{}] chunks {}",
            self.dtype,
            shape.join(", "),
            self.chunks.describe()
        )
    }

    /// The REPL's display of a lazy array: type and cost.
    pub fn summary(&self) -> String {
        format!(
            "{} · {} chunk{} · {} · lazy",
            self.type_text(),
            self.chunks.count(),
            if self.chunks.count() == 1 { "" } else { "s" },
            human_bytes(self.nbytes())
        )
    }
}

pub use crate::text::human_bytes;
