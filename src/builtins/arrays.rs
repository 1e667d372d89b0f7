//! Arrays in the interpreter: turning flow values into shapes, chunk requests and dtypes,
//! operators and indexing on arrays, forcing lazy arrays, and the array builtins. The type
//! rules themselves live in `crate::array::build`.

use crate::array::build::{self, AxisChunks, ChunkSpec};
use crate::array::dtype::DType;
use crate::array::node::*;
use crate::array::rearrange;
use crate::diagnostic::{Diagnostic, Phase};
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::array::*;
use crate::eval::value::Value;

/// A size: a non-negative int, or an integral float such as `2e8`.
pub fn size_of(value: &Value) -> Option<usize> {
    match value {
        Value::Int(i) if *i >= 0 => Some(*i as usize),
        Value::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15 => Some(*f as usize),
        _ => None,
    }
}

/// A shape: one size or a tuple/list of sizes.
pub fn shape_of(value: &Value) -> Option<Vec<usize>> {
    match value {
        Value::Tuple(items) | Value::List(items) => items.iter().map(size_of).collect(),
        other => size_of(other).map(|n| vec![n]),
    }
}

fn axis_chunks(value: &Value) -> Option<AxisChunks> {
    match value {
        Value::Int(-1) => Some(AxisChunks::Whole),
        Value::Float(f) if *f == -1.0 => Some(AxisChunks::Whole),
        Value::Str(s) if &**s == "auto" => Some(AxisChunks::Auto),
        Value::None => Some(AxisChunks::Auto),
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(size_of)
            .collect::<Option<Vec<_>>>()
            .map(AxisChunks::Blocks),
        other => size_of(other).map(AxisChunks::Size),
    }
}

/// A `chunks=` request: "auto", one size (or -1), or one per axis.
pub fn chunk_spec(value: &Value) -> Option<ChunkSpec> {
    match value {
        Value::Str(s) if &**s == "auto" => Some(ChunkSpec::Auto),
        Value::None => Some(ChunkSpec::Auto),
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(axis_chunks)
            .collect::<Option<Vec<_>>>()
            .map(ChunkSpec::PerAxis),
        other => axis_chunks(other).map(ChunkSpec::Every),
    }
}

impl Args {
    pub fn shape(&self, index: usize) -> Eval<Vec<usize>> {
        shape_of(self.value(index))
            .ok_or_else(|| self.wrong_type(index, "a shape: a size or a tuple of sizes"))
    }

    pub fn size(&self, index: usize) -> Eval<usize> {
        size_of(self.value(index))
            .ok_or_else(|| self.wrong_type(index, "a non-negative whole number"))
    }

    pub fn chunks(&self, index: usize) -> Eval<ChunkSpec> {
        chunk_spec(self.value(index)).ok_or_else(|| {
            self.wrong_type(index, "chunks: \"auto\", a size, -1, or a tuple of them")
        })
    }

    pub fn dtype(&self, index: usize, default: DType) -> Eval<DType> {
        match self.value(index) {
            Value::None => Ok(default),
            Value::Str(name) => DType::parse(name).ok_or_else(|| {
                Box::new(
                    Diagnostic::error(
                        "flow::check::dtype",
                        format!("unknown dtype `{name}`"),
                        self.spans[index],
                    )
                    .with_label("not a dtype")
                    .with_help("dtypes are \"bool\", \"i32\", \"i64\", \"f32\" and \"f64\""),
                )
            }),
            _ => Err(self.wrong_type(index, "a dtype name such as \"f64\"")),
        }
    }

    pub fn array(&self, index: usize) -> Eval<ArrayRef> {
        match self.value(index) {
            Value::Array(a) => Ok(a.clone()),
            _ => Err(self.wrong_type(index, "an array")),
        }
    }

    /// The receiver of an array method.
    pub fn receiver_array(&self) -> ArrayRef {
        match &self.receiver {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Labelled(l)) => l.array.clone(),
            _ => unreachable!("array methods are called on arrays"),
        }
    }

    /// `axis=`: none, an int, or a tuple of ints.
    pub fn axes(&self, index: usize) -> Eval<Option<Vec<i64>>> {
        match self.value(index) {
            Value::None => Ok(None),
            Value::Int(i) => Ok(Some(vec![*i])),
            Value::Tuple(items) | Value::List(items) => items
                .iter()
                .map(|v| match v {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| self.wrong_type(index, "an int or a tuple of ints")),
            _ => Err(self.wrong_type(index, "an int, a tuple of ints, or none")),
        }
    }
}

// ---------------------------------------------------------------------- builtins

fn creation(
    interpreter: &mut Interpreter,
    args: &Args,
    value: Scalar,
    dtype_index: usize,
    chunks_index: usize,
) -> Eval<Value> {
    let shape = args.shape(0)?;
    let default = match value {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::I64,
        Scalar::Float(_) => DType::F64,
    };
    let dtype = args.dtype(dtype_index, default)?;
    let spec = args.chunks(chunks_index)?;
    interpreter.built(build::full(shape, &spec, value, dtype, args.call), vec![])
}

pub fn ones(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    creation(interpreter, args, Scalar::Float(1.0), 1, 2)
}

pub fn zeros(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    creation(interpreter, args, Scalar::Float(0.0), 1, 2)
}

pub fn full(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let value = scalar_of(args.value(1)).ok_or_else(|| args.wrong_type(1, "a number or bool"))?;
    creation(interpreter, args, value, 2, 3)
}

fn like(interpreter: &mut Interpreter, args: &Args, value: Scalar) -> Eval<Value> {
    let array = args.array(0)?;
    let dtype = args.dtype(1, array.dtype)?;
    let node = ArrayNode::new(
        ArrayOp::Full(value),
        dtype,
        array.shape.clone(),
        array.chunks.clone(),
        args.call,
    );
    interpreter.built(Ok(node), vec![])
}

pub fn ones_like(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    like(interpreter, args, Scalar::Float(1.0))
}

pub fn zeros_like(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    like(interpreter, args, Scalar::Float(0.0))
}

pub fn arange(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    // Integers stay integers: `arange(2**53 + 1, 2**53 + 7)` has six exact elements.
    let number = |index: usize| match args.value(index) {
        Value::Int(i) => Ok(Scalar::Int(*i)),
        _ => args.float(index).map(Scalar::Float),
    };
    let (start, stop) = match args.value(1) {
        Value::None => (Scalar::Int(0), number(0)?),
        _ => (number(0)?, number(1)?),
    };
    let step = number(2)?;
    if step.as_f64() == 0.0 {
        return Err(Box::new(
            Diagnostic::error(
                "flow::check::arange",
                "arange step cannot be zero",
                args.spans[2],
            )
            .with_label("step 0")
            .with_help("give a non-zero step"),
        ));
    }
    let length = build::arange_length(start, stop, step);
    let all_ints = [start, stop, step]
        .iter()
        .all(|s| matches!(s, Scalar::Int(_)));
    let dtype = args.dtype(3, if all_ints { DType::I64 } else { DType::F64 })?;
    let spec = args.chunks(4)?;
    interpreter.built(
        build::arange(start, step, length, dtype, &spec, args.call),
        vec![],
    )
}

pub fn linspace(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (start, stop, num) = (args.float(0)?, args.float(1)?, args.size(2)?);
    let spec = args.chunks(3)?;
    interpreter.built(build::linspace(start, stop, num, &spec, args.call), vec![])
}

fn seed_of(args: &Args, index: usize) -> Eval<u64> {
    match args.value(index) {
        Value::None => Ok(0),
        Value::Int(i) => Ok(*i as u64),
        _ => Err(args.wrong_type(index, "an int")),
    }
}

fn random(interpreter: &mut Interpreter, args: &Args, distribution: Distribution) -> Eval<Value> {
    // random.X(a, b, size=…, chunks=…, seed=…): size, chunks and seed are the last three.
    let n = args.values.len();
    let shape = args.shape(n - 3)?;
    let spec = args.chunks(n - 2)?;
    let seed = seed_of(args, n - 1)?;
    interpreter.built(
        build::random(distribution, seed, shape, &spec, args.call),
        vec![],
    )
}

pub fn random_normal(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (mean, std) = (args.float(0)?, args.float(1)?);
    if std < 0.0 {
        return Err(args.wrong_type(1, "a non-negative standard deviation"));
    }
    random(interpreter, args, Distribution::Normal { mean, std })
}

pub fn random_uniform(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (low, high) = (args.float(0)?, args.float(1)?);
    random(interpreter, args, Distribution::Uniform { low, high })
}

pub fn random_integers(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (low, high) = (args.int(0)?, args.int(1)?);
    if high <= low {
        return Err(Box::new(
            Diagnostic::error(
                "flow::check::random_range",
                format!("random.integers needs low < high, got {low} and {high}"),
                args.call,
            )
            .with_label("empty range")
            .with_help("values are drawn from [low, high)"),
        ));
    }
    random(interpreter, args, Distribution::Integers { low, high })
}

pub fn array(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(stacked) = stack_of_arrays(interpreter, args) {
        return stacked;
    }
    let literal = chunk_of_literal(args.value(0)).map_err(|reason| {
        Box::new(
            Diagnostic::error(
                "flow::check::array_literal",
                format!("cannot make an array: {reason}"),
                args.spans[0],
            )
            .with_label("these values")
            .with_help("give a number, or (nested) lists of numbers with equal lengths"),
        )
    })?;
    let _shape = literal.shape().to_vec();
    let dtype = args.dtype(1, literal.dtype())?;
    let spec = args.chunks(2)?;
    let whole = build::in_memory(literal.into_dtype(dtype), args.call);
    let chunked = build::rechunk(&whole, &spec, args.call);
    interpreter.built(chunked, vec![])
}

/// `array([a, b, c])` of lazy arrays (0-d results such as `x.sum()`, or arrays of one shape),
/// numbers among them: the arrays stacked along a new first axis, as NumPy's `array` of arrays
/// and Dask's `stack`. `None` when the list holds no array.
fn stack_of_arrays(interpreter: &mut Interpreter, args: &Args) -> Option<Eval<Value>> {
    let (Value::List(items) | Value::Tuple(items)) = args.value(0) else {
        return None;
    };
    if !items.iter().any(|v| matches!(v, Value::Array(_))) {
        return None;
    }
    let shape = items.iter().find_map(|v| match v {
        Value::Array(a) => Some(a.shape.clone()),
        _ => None,
    })?;
    // Numbers go only among 0-d arrays (NumPy refuses an inhomogeneous shape).
    if !shape.is_empty() && items.iter().any(|v| !matches!(v, Value::Array(_))) {
        return Some(Err(args.rejected(
            "flow::check::array_literal",
            format!(
                "cannot make an array of arrays of shape {} and numbers",
                build::shape_text(&shape)
            ),
            0,
            "give arrays of one shape, or numbers with 0-d arrays (such as x.sum())",
        )));
    }
    let mut arrays = Vec::with_capacity(items.len());
    for item in items.iter() {
        arrays.push(match item {
            Value::Array(a) => a.clone(),
            other => match scalar_of(other) {
                Some(value) => {
                    let dtype = match value {
                        Scalar::Bool(_) => DType::Bool,
                        Scalar::Int(_) => DType::I64,
                        Scalar::Float(_) => DType::F64,
                    };
                    ArrayNode::new(
                        ArrayOp::Full(value),
                        dtype,
                        shape.clone(),
                        crate::array::chunks::Chunks::single(&shape),
                        args.call,
                    )
                }
                None => return Some(Err(args.wrong_type(0, "arrays and numbers"))),
            },
        });
    }
    let stacked = match build::stack(&arrays, 0, args.call) {
        Ok(stacked) => stacked,
        Err(error) => return Some(Err(error)),
    };
    let dtype = match args.dtype(1, stacked.dtype) {
        Ok(dtype) => dtype,
        Err(error) => return Some(Err(error)),
    };
    let cast = if dtype == stacked.dtype {
        stacked
    } else {
        build::cast(&stacked, dtype, args.call)
    };
    let chunked = match args.value(2) {
        Value::Str(s) if &**s == "auto" => Ok(cast),
        _ => match args.chunks(2) {
            Ok(spec) => build::rechunk(&cast, &spec, args.call),
            Err(error) => return Some(Err(error)),
        },
    };
    Some(interpreter.built(chunked, vec![]))
}

/// Elementwise math on a number or an array.
pub fn math_on_array(interpreter: &mut Interpreter, args: &Args) -> Option<Eval<Value>> {
    let Value::Array(array) = args.value(0) else {
        return None;
    };
    let function = UnaryFunction::from_name(args.builtin.name)
        .expect("array math builtins are unary functions");
    Some(interpreter.elementwise(function, array, args.call))
}

pub fn where_(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    ternary(interpreter, args, MapFunction::Where)
}

pub fn clip(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    ternary(interpreter, args, MapFunction::Clip)
}

/// The first `count` arguments as operands of an elementwise function: arrays or numbers.
fn operands_of(args: &Args, count: usize) -> Eval<Vec<Operand>> {
    (0..count)
        .map(|k| match args.value(k) {
            Value::Array(a) => Ok(Operand::Array(a.clone())),
            other => scalar_of(other)
                .map(Operand::Scalar)
                .ok_or_else(|| args.wrong_type(k, "an array or a number")),
        })
        .collect()
}

fn ternary(interpreter: &mut Interpreter, args: &Args, function: MapFunction) -> Eval<Value> {
    let operands = operands_of(args, 3)?;
    if function == MapFunction::Where {
        let condition_is_bool = match &operands[0] {
            Operand::Array(a) => a.dtype == DType::Bool,
            Operand::Scalar(s) => matches!(s, Scalar::Bool(_)),
        };
        if !condition_is_bool {
            return Err(args.wrong_type(0, "a bool array (a comparison such as `x > 0`)"));
        }
    }
    if !operands.iter().any(|o| matches!(o, Operand::Array(_))) {
        return Err(args.wrong_type(0, "an array"));
    }
    let mut warnings = Vec::new();
    let built = build::map(function, operands, args.call, &mut warnings);
    interpreter.built(built, warnings)
}

fn arrays_of(interpreter: &mut Interpreter, args: &Args, index: usize) -> Eval<Vec<ArrayRef>> {
    let items = args.items(interpreter, index)?;
    items
        .iter()
        .map(|item| match item {
            Value::Array(a) => Ok(a.clone()),
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::argument_type",
                    format!(
                        "`{}` joins unlabelled arrays; one item is {}",
                        args.builtin.name,
                        crate::text::with_article(&other.type_name())
                    ),
                    args.spans[index],
                )
                .with_label("not all unlabelled arrays")
                .with_help(match other {
                    Value::Labelled(_) => "join labelled arrays with `concat([a, b], dim=\"time\")`, which keeps their labels",
                    _ => "give a list of arrays",
                }),
            )),
        })
        .collect()
}

pub fn concatenate(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let arrays = arrays_of(interpreter, args, 0)?;
    let axis = args.int(1)?;
    interpreter.built(build::concatenate(&arrays, axis, args.call), vec![])
}

pub fn stack(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let arrays = arrays_of(interpreter, args, 0)?;
    let axis = args.int(1)?;
    interpreter.built(build::stack(&arrays, axis, args.call), vec![])
}

pub fn histogram(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let bins = args.size(1)?;
    // Every chunk's counts are a whole histogram.
    let what = format!("a histogram of {bins} bins");
    let help = "use fewer bins";
    interpreter.check_fits(bins.saturating_mul(8), &what, help, args.spans[1])?;
    let (low, high) = match args.value(2) {
        Value::Tuple(items) | Value::List(items) if items.len() == 2 => {
            match (scalar_of(&items[0]), scalar_of(&items[1])) {
                (Some(a), Some(b)) => (a.as_f64(), b.as_f64()),
                _ => return Err(args.wrong_type(2, "a pair (low, high)")),
            }
        }
        Value::None => {
            return Err(Box::new(
                Diagnostic::error("flow::check::histogram", "histogram needs `range=(low, high)`", args.call)
                    .with_label("no range given")
                    .with_help("the bins are fixed before any data is read, so give them: histogram(x, bins=100, range=(-5, 5))"),
            ))
        }
        _ => return Err(args.wrong_type(2, "a pair (low, high)")),
    };
    let (counts, edges) = build::histogram(&array, bins, low, high, args.call)?;
    Ok(Value::tuple(vec![
        Value::Array(counts),
        Value::Array(edges),
    ]))
}

/// `graph(x, "x.dot", tasks=false)`: write the DOT graph of `x`.
pub fn graph(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let inline = super::pictures::drawn_inline(
        interpreter,
        args,
        ("flow::check::graph", "a graph"),
        "give the file to write the DOT text to: graph(x, \"x.dot\")",
    )?;
    let path = match inline {
        true => None,
        false => Some(args.str(1)?.to_string()),
    };
    let tasks = args.bool(2)?;
    let arrays = match args.value(0) {
        Value::Array(a) => vec![a.clone()],
        Value::Frame(_) => Vec::new(),
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::Array(a) => Some(a.clone()),
                _ => None,
            })
            .collect(),
        Value::Unknown(_) => return Ok(Value::None),
        _ => return Err(args.wrong_type(0, "an array, a frame, or a tuple of them")),
    };
    let frames = crate::eval::kinds::frame::frames_in(args.value(0));
    if interpreter.is_checking() {
        return Ok(Value::None);
    }
    let named: Vec<(String, ArrayRef)> = arrays
        .iter()
        .enumerate()
        .map(|(k, a)| (format!("output {k}"), a.clone()))
        .collect();
    let memory_limit = interpreter.compute_options.memory_limit;
    let text =
        crate::runtime::report::dot(&named, &frames, tasks, memory_limit).map_err(Box::new)?;
    let Some(path) = path else {
        let svg = crate::io::dot_svg::svg_of_dot(&text).map_err(|message| {
            Box::new(
                Diagnostic::error("flow::eval::graph", message, args.spans[0])
                    .with_label("this value")
                    .with_help("give a path to write the DOT text instead: graph(x, \"x.dot\")")
                    .in_phase(crate::diagnostic::Phase::Runtime),
            )
        })?;
        let picture = crate::eval::interpreter::Picture {
            png: None,
            svg: Some(svg),
        };
        super::pictures::show_inline(interpreter, picture)?;
        return Ok(Value::None);
    };
    let target = super::files::output_path(interpreter, args, &path)?;
    crate::io::write_atomically(&target, text.as_bytes())
        .map_err(|error| args.write_error(1, error.to_string()))?;
    Ok(Value::None)
}

/// `from_delayed(call, shape, dtype="f64")`: an array of one chunk that a (delayed) call makes.
pub fn from_delayed(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let shape = args.shape(1)?;
    let dtype = args.dtype(2, DType::F64)?;
    build::element_count(&shape, dtype, args.call)?;
    let chunks = crate::array::chunks::Chunks::single(&shape);
    let op = match args.value(0) {
        Value::Delayed(call) => ArrayOp::FromDelayed(Some(call.clone())),
        value if interpreter.is_checking() => {
            // The call has run while checking only if it is cheap; its result's shape is
            // checked when it really runs.
            let _ = value;
            ArrayOp::FromDelayed(None)
        }
        value => {
            let value = interpreter.force_value(value.clone())?;
            let chunk = chunk_of_literal(&value).map_err(|reason| {
                Box::new(
                    Diagnostic::error(
                        "flow::eval::from_delayed",
                        format!("`from_delayed` needs numbers: {reason}"),
                        args.spans[0],
                    )
                    .with_label("this value")
                    .with_help("the call must return an array or (nested) lists of numbers")
                    .in_phase(Phase::Runtime),
                )
            })?;
            if chunk.shape() != shape.as_slice() {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::eval::from_delayed",
                        format!(
                            "the value has shape {}, not the declared {}",
                            build::shape_text(chunk.shape()),
                            build::shape_text(&shape)
                        ),
                        args.spans[0],
                    )
                    .with_label("this value")
                    .with_help("declare the shape the call really returns"),
                ));
            }
            ArrayOp::Data(crate::array::node::Stored::of_values(vec![
                chunk.into_dtype(dtype)
            ]))
        }
    };
    interpreter.built(
        Ok(ArrayNode::new(op, dtype, shape, chunks, args.call)),
        vec![],
    )
}

/// `persist(*values)`: compute now and keep the chunks in memory; later expressions that use the
/// returned values read them instead of computing again.
/// `compute(*values)` and `persist(*values)`: the values with their lazy arrays computed (a
/// dataset's variables too), one value or a tuple of several.
pub fn compute(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    match interpreter.force(args.value(0).clone(), Reach::IntoDatasets)? {
        Value::Tuple(values) if values.len() == 1 => Ok(values[0].clone()),
        other => Ok(other),
    }
}

// ---------------------------------------------------------------------- methods

pub fn rechunk(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.receiver_array();
    let spec = args.chunks(0)?;
    interpreter.built(build::rechunk(&array, &spec, args.call), vec![])
}

pub fn astype(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.receiver_array();
    let dtype = args.dtype(0, array.dtype)?;
    if dtype == array.dtype {
        return Ok(Value::Array(array));
    }
    interpreter.built(Ok(build::cast(&array, dtype, args.call)), vec![])
}

/// `x.reshape((2, 3))` or `x.reshape(2, 3)`, one length may be -1.
pub fn reshape(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.receiver_array();
    let Value::Tuple(given) = args.value(0) else {
        unreachable!("a variadic argument is a tuple")
    };
    let lengths = match &given[..] {
        [Value::Tuple(items) | Value::List(items)] => items.to_vec(),
        items => items.to_vec(),
    };
    let spec = lengths
        .iter()
        .map(|v| match v {
            Value::Int(n) => Some(*n),
            _ => None,
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| args.wrong_type(0, "lengths: ints, or a tuple of ints (one may be -1)"))?;
    if given.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "reshape needs the new shape".into(),
            0,
            "give the lengths: x.reshape(2, 3), or x.reshape(()) for a 0-d array",
        ));
    }
    interpreter.built(
        crate::array::reshape::reshape(&array, &spec, args.call),
        vec![],
    )
}

/// `x.ravel()`: the elements as one axis, in row-major order.
pub fn ravel(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.receiver_array();
    interpreter.built(
        crate::array::reshape::reshape(&array, &[-1], args.call),
        vec![],
    )
}

/// `cumsum(x, axis=none)` or `x.cumsum(axis=none)` (and the other scans).
pub fn scan(interpreter: &mut Interpreter, args: &mut Args, how: Scan) -> Eval<Value> {
    let (array, axis_at) = match &args.receiver {
        Some(Value::Array(a)) => (a.clone(), 0),
        _ => (args.array(0)?, 1),
    };
    let axis = match args.value(axis_at) {
        Value::None => None,
        _ => Some(args.int(axis_at)?),
    };
    interpreter.built(
        crate::array::scan::scan(&array, how, axis, args.call),
        vec![],
    )
}

/// `diff(x, n=1, axis=-1)`.
pub fn diff(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let n = args.size(1)?;
    let axis = args.int(2)?;
    let mut warnings = Vec::new();
    let built = crate::array::scan::diff(&array, n, axis, args.call, &mut warnings);
    interpreter.built(built, warnings)
}

/// `maximum(a, b)` and the other binary functions called by name: elementwise with
/// broadcasting on arrays, or on two numbers.
pub fn binary_function(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let function = crate::array::node::BinaryFunction::from_name(args.builtin.name)
        .expect("binary builtins are named binary functions");
    let mut operands = operands_of(args, 2)?;
    // Two numbers: the first as a 0-d array, so the result is one (as NumPy's is a scalar).
    if let [Operand::Scalar(first), Operand::Scalar(_)] = &operands[..] {
        let dtype = match first {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F64,
        };
        let zero_d = ArrayNode::new(
            ArrayOp::Full(*first),
            dtype,
            vec![],
            crate::array::chunks::Chunks(vec![]),
            args.call,
        );
        operands[0] = Operand::Array(zero_d);
    }
    let mut warnings = Vec::new();
    let built = build::map(
        MapFunction::Binary(function),
        operands,
        args.call,
        &mut warnings,
    );
    interpreter.built(built, warnings)
}

/// `median(x, axis=none)`, `percentile(x, q, axis=none, method=)` and `quantile(…)` (each
/// also NaN-skipping): `scale` is what one unit of `q` is (100 for percentiles, 1 for
/// quantiles; 0 for the median, which has no `q`).
pub fn order_statistic(
    interpreter: &mut Interpreter,
    args: &mut Args,
    scale: f64,
    skip_nan: bool,
) -> Eval<Value> {
    use crate::array::node::QuantileMethod;
    let array = args.array(0)?;
    let (q, q_axis, rest) = match scale {
        0.0 => (vec![0.5], false, 1),
        _ => match args.value(1) {
            Value::List(items) | Value::Tuple(items) => {
                let q = items
                    .iter()
                    .map(|v| scalar_of(v).map(|s| s.as_f64()))
                    .collect::<Option<Vec<f64>>>()
                    .ok_or_else(|| args.wrong_type(1, "a number or a list of numbers"))?;
                (q, true, 2)
            }
            _ => (vec![args.float(1)?], false, 2),
        },
    };
    let axis = match args.value(rest) {
        Value::None => None,
        _ => Some(args.int(rest)?),
    };
    let method = match scale {
        // The median is the mean of the middle values.
        0.0 => QuantileMethod::MiddleMean,
        _ => {
            let name = args.str(rest + 1)?;
            QuantileMethod::parse(&name).ok_or_else(|| {
                args.rejected(
                    "flow::check::argument_value",
                    format!("unknown method `{name}`"),
                    rest + 1,
                    "method is \"linear\", \"lower\", \"higher\", \"nearest\" or \"midpoint\"",
                )
            })?
        }
    };
    let approx = match scale {
        0.0 => args.bool(rest + 1)?,
        _ => args.bool(rest + 2)?,
    };
    let statistic = crate::array::order::OrderStatistic {
        q,
        scale: if scale == 0.0 { 1.0 } else { scale },
        q_axis,
        method,
        skip_nan,
        median: scale == 0.0,
        approx,
    };
    let built = crate::array::order::quantile(&array, statistic, axis, args.call);
    interpreter.built(built, vec![])
}

/// `sort(x, axis=-1)`, `argsort(x, axis=-1)` and `topk(x, k, axis=-1)`.
pub fn sort(
    interpreter: &mut Interpreter,
    args: &mut Args,
    sorting: crate::array::node::Sorting,
) -> Eval<Value> {
    use crate::array::node::Sorting;
    let array = args.array(0)?;
    let (sorting, axis) = match sorting {
        Sorting::Top(_) => (Sorting::Top(args.int(1)?), args.int(2)?),
        other => (other, args.int(1)?),
    };
    let built = crate::array::order::sort(&array, axis, sorting, args.call);
    interpreter.built(built, vec![])
}

/// `tensordot(a, b, axes=2)`: `axes` an int (the last of `a` with the first of `b`) or a pair
/// of lists of axes.
pub fn tensordot(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (a, b) = (args.array(0)?, args.array(1)?);
    let ints = |v: &Value| -> Option<Vec<i64>> {
        match v {
            Value::Int(i) => Some(vec![*i]),
            Value::List(items) | Value::Tuple(items) => items
                .iter()
                .map(|v| match v {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    };
    let (axes_a, axes_b) = match args.value(2) {
        Value::Int(n) if *n >= 0 && (*n as usize) <= a.ndim().min(b.ndim()) => {
            let n = *n as usize;
            (
                (a.ndim() - n..a.ndim()).map(|x| x as i64).collect(),
                (0..n).map(|y| y as i64).collect(),
            )
        }
        Value::List(pair) | Value::Tuple(pair) if pair.len() == 2 => {
            match (ints(&pair[0]), ints(&pair[1])) {
                (Some(x), Some(y)) => (x, y),
                _ => return Err(args.wrong_type(2, "an int or a pair of lists of axes")),
            }
        }
        _ => {
            return Err(args.rejected(
                "flow::check::axis",
                "axes must be an int no larger than either array's dimensions, or a pair of lists of axes".into(),
                2,
                "tensordot(a, b, axes=1), or axes=([1, 0], [0, 1])",
            ))
        }
    };
    let built = crate::array::contract::tensordot(&a, &b, &axes_a, &axes_b, args.call);
    interpreter.built(built, vec![])
}

/// `einsum(subscripts, *operands)`.
pub fn einsum(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let spec = args.str(0)?;
    let Value::Tuple(values) = args.value(1) else {
        return Err(args.wrong_type(1, "arrays"));
    };
    let operands = values
        .iter()
        .map(|v| match v {
            Value::Array(a) => Ok(a.clone()),
            _ => Err(args.wrong_type(1, "arrays")),
        })
        .collect::<Eval<Vec<_>>>()?;
    if operands.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "einsum needs at least one array".into(),
            0,
            "einsum(\"ij,jk->ik\", a, b)",
        ));
    }
    let built = crate::array::contract::einsum(&spec, &operands, args.call);
    interpreter.built(built, vec![])
}

/// `matmul(a, b)` and `dot(a, b)`: `a @ b`.
pub fn matmul(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (a, b) = (args.array(0)?, args.array(1)?);
    interpreter.built(crate::array::linalg::matmul(&a, &b, args.call), vec![])
}

/// `outer(a, b)`: every element of `a` (flattened) times every element of `b`.
pub fn outer(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    use crate::array::build::IndexItem;
    let flat = |a: &ArrayRef| crate::array::reshape::reshape(a, &[-1], args.call);
    let (a, b) = (flat(&args.array(0)?)?, flat(&args.array(1)?)?);
    let all = || IndexItem::Slice {
        start: None,
        stop: None,
        step: None,
    };
    let column = build::slice(&a, &[all(), IndexItem::NewAxis], args.call)?;
    let row = build::slice(&b, &[IndexItem::NewAxis, all()], args.call)?;
    let mut warnings = Vec::new();
    let built = build::map(
        MapFunction::Binary(crate::array::node::BinaryFunction::Multiply),
        vec![Operand::Array(column), Operand::Array(row)],
        args.call,
        &mut warnings,
    );
    interpreter.built(built, warnings)
}

pub fn transpose(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.receiver_array();
    let axes = match args.value(0) {
        Value::None => None,
        _ => Some(args.axes(0)?.unwrap_or_default()),
    };
    interpreter.built(build::transpose(&array, axes.as_deref(), args.call), vec![])
}

/// A reduction as a method: `x.mean(axis=0)`; the receiver is the array.
pub fn reduce_method(
    interpreter: &mut Interpreter,
    args: &Args,
    reduction: Reduction,
) -> Eval<Value> {
    let array = args.receiver_array();
    reduce_array(interpreter, args, &array, reduction, 0)
}

/// A reduction of `array` with `axis`, then (for some) `ddof`/`keepdims`, from argument `first`.
pub fn reduce_array(
    interpreter: &mut Interpreter,
    args: &Args,
    array: &ArrayRef,
    reduction: Reduction,
    first: usize,
) -> Eval<Value> {
    let axes = args.axes(first)?;
    let axes = build::normalise_axes(axes.as_deref(), array.ndim(), args.spans[first])?;
    let names = &args.signature.params;
    let find = |name: &str| names.iter().position(|p| p.name == name);
    let keepdims = match find("keepdims") {
        Some(k) => args.bool(k)?,
        None => false,
    };
    let ddof = match find("ddof") {
        Some(k) => args.size(k)?,
        None => 0,
    };
    interpreter.built(
        build::reduce(array, reduction, axes, keepdims, ddof, args.call),
        vec![],
    )
}

// ------------------------------------------------------------------ rearrangements

/// The array a function or method works on, and the index of its first other argument:
/// `squeeze(x, axis)` and `x.squeeze(axis)` alike.
fn subject(args: &Args) -> Eval<(ArrayRef, usize)> {
    match &args.receiver {
        Some(Value::Array(a)) => Ok((a.clone(), 0)),
        _ => Ok((args.array(0)?, 1)),
    }
}

/// Ints given as one int or a tuple/list of them (shifts, repetitions, source axes).
fn ints(args: &Args, index: usize) -> Eval<Vec<i64>> {
    args.axes(index)?
        .ok_or_else(|| args.wrong_type(index, "an int or a tuple of ints"))
}

/// `squeeze(x, axis=none)` / `x.squeeze(axis=none)`.
pub fn squeeze(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (array, first) = subject(args)?;
    let axes = args.axes(first)?;
    interpreter.built(
        rearrange::squeeze(&array, axes.as_deref(), args.call),
        vec![],
    )
}

/// `expand_dims(x, axis)`.
pub fn expand_dims(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let axes = ints(args, 1)?;
    interpreter.built(rearrange::expand_dims(&array, &axes, args.call), vec![])
}

/// `moveaxis(x, source, destination)`.
pub fn moveaxis(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let (source, destination) = (ints(args, 1)?, ints(args, 2)?);
    interpreter.built(
        rearrange::moveaxis(&array, &source, &destination, args.call),
        vec![],
    )
}

/// `swapaxes(x, axis1, axis2)` / `x.swapaxes(axis1, axis2)`.
pub fn swapaxes(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (array, first) = subject(args)?;
    let (a, b) = (args.int(first)?, args.int(first + 1)?);
    interpreter.built(rearrange::swapaxes(&array, a, b, args.call), vec![])
}

/// `flip(x, axis=none)`.
pub fn flip(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let axes = args.axes(1)?;
    interpreter.built(rearrange::flip(&array, axes.as_deref(), args.call), vec![])
}

/// `roll(x, shift, axis=none)`.
pub fn roll(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let shifts = ints(args, 1)?;
    let axes = args.axes(2)?;
    interpreter.built(
        rearrange::roll(&array, &shifts, axes.as_deref(), args.call),
        vec![],
    )
}

/// `broadcast_to(x, shape)`.
pub fn broadcast_to(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let shape = shape_of(args.value(1))
        .ok_or_else(|| args.wrong_type(1, "a shape: a size or a tuple of sizes"))?;
    interpreter.built(rearrange::broadcast_to(&array, &shape, args.call), vec![])
}

/// `tile(x, reps)`.
pub fn tile(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let reps = ints(args, 1)?;
    interpreter.built(rearrange::tile(&array, &reps, args.call), vec![])
}

/// `repeat(x, repeats, axis=none)` / `x.repeat(repeats, axis=none)`.
pub fn repeat(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (array, first) = subject(args)?;
    let repeats = args.int(first)?;
    let axis = match args.value(first + 1) {
        Value::None => None,
        _ => Some(args.int(first + 1)?),
    };
    interpreter.built(rearrange::repeat(&array, repeats, axis, args.call), vec![])
}

/// `pad(x, pad_width, mode="constant", constant_values=0)`: `pad_width` is one width, one
/// `(before, after)` pair for every axis, or a pair per axis, as NumPy takes it.
pub fn pad(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let expected = "a width, a (before, after) pair, or a pair per axis";
    let pair = |v: &Value| -> Option<(usize, usize)> {
        match v {
            Value::Tuple(items) | Value::List(items) => match &items[..] {
                [n] => size_of(n).map(|n| (n, n)),
                [b, a] => Some((size_of(b)?, size_of(a)?)),
                _ => None,
            },
            other => size_of(other).map(|n| (n, n)),
        }
    };
    let per_axis = match args.value(1) {
        Value::Tuple(items) | Value::List(items)
            if items
                .iter()
                .any(|i| matches!(i, Value::Tuple(_) | Value::List(_))) =>
        {
            items.iter().map(pair).collect::<Option<Vec<_>>>()
        }
        other => pair(other).map(|p| vec![p]),
    }
    .ok_or_else(|| args.wrong_type(1, expected))?;
    let widths = match per_axis[..] {
        [one] => vec![one; array.ndim()],
        _ => per_axis,
    };
    let value = scalar_of(args.value(3)).ok_or_else(|| args.wrong_type(3, "a number or bool"))?;
    let mode_name = args.str(2)?;
    let Some(mode) = rearrange::PadMode::from_name(&mode_name, value) else {
        return Err(args.rejected(
            "flow::check::argument_value",
            format!("no pad mode {mode_name:?}"),
            2,
            "mode is \"constant\", \"edge\", \"reflect\", \"symmetric\" or \"wrap\"",
        ));
    };
    interpreter.built(rearrange::pad(&array, &widths, mode, args.call), vec![])
}

/// `round(x, digits)` of an array (NumPy's `round(x, decimals)`), or `None` for a number.
pub fn round_array(interpreter: &mut Interpreter, args: &Args) -> Option<Eval<Value>> {
    let (array, at) = match (&args.receiver, args.value(0)) {
        (Some(Value::Array(a)), _) => (a.clone(), 0),
        (None, Value::Array(a)) => (a.clone(), 1),
        _ => return None,
    };
    let decimals = match args.value(at) {
        Value::None => 0,
        _ => match args.int(at) {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        },
    };
    Some(interpreter.built(
        crate::array::numeric::round(&array, decimals, args.call),
        vec![],
    ))
}

/// `nan_to_num(x, nan=0.0, posinf=none, neginf=none)`.
pub fn nan_to_num(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    let number = |k: usize| -> Eval<Option<f64>> {
        match args.value(k) {
            Value::None => Ok(None),
            _ => args.float(k).map(Some),
        }
    };
    let nan = number(1)?.unwrap_or(0.0);
    let (posinf, neginf) = (number(2)?, number(3)?);
    interpreter.built(
        crate::array::numeric::nan_to_num(&array, nan, posinf, neginf, args.call),
        vec![],
    )
}

/// `reciprocal(x)`.
pub fn reciprocal(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    interpreter.built(crate::array::numeric::reciprocal(&array, args.call), vec![])
}

/// `diagonal(x, offset=0, axis1=0, axis2=1)` and `trace(…)` (also as methods).
pub fn diagonal(interpreter: &mut Interpreter, args: &mut Args, sum: bool) -> Eval<Value> {
    let (array, first) = subject(args)?;
    let (offset, axis1, axis2) = (args.int(first)?, args.int(first + 1)?, args.int(first + 2)?);
    let built = if sum {
        crate::array::linalg::trace(&array, offset, axis1, axis2, args.call)
    } else {
        crate::array::linalg::diagonal(&array, offset, axis1, axis2, args.call)
    };
    interpreter.built(built, vec![])
}

/// `take(x, indices, axis=none)`: indices as an int or a list of ints (known when the script
/// is checked, so the result's shape is).
pub fn take(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (array, first) = subject(args)?;
    let expected = "indices: an int or a list of ints";
    let indices: Vec<i64> = match args.value(first) {
        Value::Int(i) => vec![*i],
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(|v| match v {
                Value::Int(i) => Some(*i),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| args.wrong_type(first, expected))?,
        _ => return Err(args.wrong_type(first, expected)),
    };
    let axis = match args.value(first + 1) {
        Value::None => None,
        _ => Some(args.int(first + 1)?),
    };
    let taken = rearrange::take(&array, &indices, axis, args.call);
    // One int index drops the axis (of the flattened array: a 0-d result), as `x[i]` does.
    let taken = match (args.value(first), taken) {
        (Value::Int(_), Ok(taken)) => {
            let axis = axis.unwrap_or(0);
            rearrange::squeeze(&taken, Some(&[axis]), args.call)
        }
        (_, taken) => taken,
    };
    interpreter.built(taken, vec![])
}

/// `digitize(x, bins, right=false)`: the bin of each value, as NumPy's — for increasing bins
/// the number of edges at or below it (below it with `right=true`), for decreasing ones the
/// number above it (at or above it); NaN after every edge. A lazy sum of one comparison per
/// edge, fused into one kernel.
pub fn digitize(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    use crate::array::node::{BinaryFunction as F, MapFunction, Operand, Scalar};
    let array = args.array(0)?;
    let scalars: Vec<Scalar> = match args.value(1) {
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(scalar_of)
            .collect::<Option<Vec<Scalar>>>()
            .ok_or_else(|| args.wrong_type(1, "a list of numbers"))?,
        _ => return Err(args.wrong_type(1, "a list of numbers")),
    };
    let edges: Vec<f64> = scalars.iter().map(|s| s.as_f64()).collect();
    // NumPy compares in the common type of the values and the bins (an array: f64 if any edge
    // is a float, else i64), not the values' own: f32 values meet edges as f64.
    let float_bins = scalars.iter().any(|s| matches!(s, Scalar::Float(_)));
    let array = if (float_bins || array.dtype.is_float()) && array.dtype != DType::F64 {
        crate::array::build::cast(&array, DType::F64, args.call)
    } else {
        array
    };
    let right = args.bool(2)?;
    let increasing = edges.windows(2).all(|w| w[0] <= w[1]);
    let decreasing = edges.windows(2).all(|w| w[0] >= w[1]);
    if edges.is_empty() || !(increasing || decreasing) || edges.iter().any(|e| e.is_nan()) {
        return Err(args.rejected(
            "flow::check::argument_value",
            "the bins must be a non-empty list, increasing or decreasing".into(),
            1,
            "digitize(x, [0, 10, 20])",
        ));
    }
    let mut warnings = Vec::new();
    let span = args.call;
    let mut map =
        |function, operands| crate::array::build::map(function, operands, span, &mut warnings);
    // Each edge's comparison, as 0 or 1; NaN counts past every increasing edge.
    let function = match (increasing, right) {
        (true, false) => F::GreaterEqual,
        (true, true) => F::Greater,
        (false, false) => F::Less,
        (false, true) => F::LessEqual,
    };
    let mut total = if increasing {
        let nan = map(
            MapFunction::Unary(crate::array::node::UnaryFunction::IsNan),
            vec![Operand::Array(array.clone())],
        )?;
        map(
            MapFunction::Binary(F::Multiply),
            vec![
                Operand::Array(nan),
                Operand::Scalar(Scalar::Int(edges.len() as i64)),
            ],
        )?
    } else {
        map(
            MapFunction::Binary(F::Multiply),
            vec![
                Operand::Array(array.clone()),
                Operand::Scalar(Scalar::Int(0)),
            ],
        )?
    };
    total = crate::array::build::cast(&total, crate::array::dtype::DType::I64, span);
    for &edge in &scalars {
        // Float bins compare as floats (the values were made f64 above), int bins as ints.
        let edge = if float_bins {
            Scalar::Float(edge.as_f64())
        } else {
            edge
        };
        let hit = map(
            MapFunction::Binary(function),
            vec![Operand::Array(array.clone()), Operand::Scalar(edge)],
        )?;
        total = map(
            MapFunction::Binary(F::Add),
            vec![Operand::Array(total), Operand::Array(hit)],
        )?;
    }
    interpreter.built(Ok(total), warnings)
}

/// The values of a computed 1-d array (`what` names it for messages), computing it first.
fn computed_values(
    interpreter: &mut Interpreter,
    array: &ArrayRef,
) -> Eval<crate::array::chunk::ChunkData> {
    match interpreter.force_value(Value::Array(array.clone()))? {
        Value::Array(computed) => Ok(computed.whole().expect("computed")),
        _ => unreachable!("an array computes to an array"),
    }
}

/// `bincount(x, weights=none, minlength=0)`: how many times each int 0, 1, … occurs in `x`
/// (the sum of their `weights`), as NumPy's. The length is the largest value plus one, known
/// only when run: the maximum is computed first, then the counts streamed as a histogram;
/// with weights both arrays are computed whole.
pub fn bincount(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    if array.dtype.is_float() || array.ndim() != 1 {
        return Err(args.rejected(
            "flow::check::dtype",
            format!(
                "bincount counts a 1-d array of ints, not {}-d {}",
                array.ndim(),
                array.dtype.name()
            ),
            0,
            "x.astype(\"i64\") first, or ravel(x)",
        ));
    }
    let weights = match args.value(1) {
        Value::None => None,
        _ => Some(args.array(1)?),
    };
    if let Some(w) = &weights {
        if w.shape != array.shape {
            return Err(args.rejected(
                "flow::check::shape",
                format!(
                    "weights of shape {} for values of shape {}",
                    crate::array::build::shape_text(&w.shape),
                    crate::array::build::shape_text(&array.shape)
                ),
                1,
                "one weight per value",
            ));
        }
    }
    let minlength = args.size(2)?;
    if interpreter.is_checking() {
        return Ok(Value::Unknown(crate::eval::value::Type::Array));
    }
    let span = args.call;
    // One run for what is needed first: the extremes (for the length), or, with weights, the
    // values and the weights themselves.
    let (low, high, weighted) = match &weights {
        _ if array.size() == 0 => (0, -1, None),
        None => {
            let node = |r| crate::array::build::reduce(&array, r, vec![0], false, 0, span);
            let computed =
                interpreter.compute_arrays(&[node(Reduction::Min)?, node(Reduction::Max)?])?;
            let value = |a: &ArrayRef| a.whole().expect("computed").to_f64().sum() as i64;
            (value(&computed[0]), value(&computed[1]), None)
        }
        Some(w) => {
            let computed = interpreter.compute_arrays(&[array.clone(), w.clone()])?;
            let values = computed[0].whole().expect("computed").to_f64();
            let weights = computed[1].whole().expect("computed").to_f64();
            let low = values.iter().fold(f64::INFINITY, |m, &v| m.min(v)) as i64;
            let high = values.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)) as i64;
            (low, high, Some((values, weights)))
        }
    };
    if low < 0 {
        return args.value_error(
            interpreter,
            "flow::eval::negative_count",
            format!("bincount of a negative value ({low})"),
            "count values from 0 up; shift them first",
        );
    }
    let length = ((high + 1) as usize).max(minlength);
    let what = format!("bincount's {length} counts");
    interpreter.check_fits(
        length.saturating_mul(8),
        &what,
        "count fewer distinct values",
        span,
    )?;
    let Some((values, weights)) = weighted else {
        let (counts, _) =
            crate::array::build::histogram(&array, length.max(1), -0.5, length as f64 - 0.5, span)?;
        let counts = if length == 0 {
            crate::array::build::slice(
                &counts,
                &[crate::array::build::IndexItem::Slice {
                    start: Some(0),
                    stop: Some(0),
                    step: None,
                }],
                span,
            )?
        } else {
            counts
        };
        return interpreter.built(Ok(counts), vec![]);
    };
    let mut sums = vec![0.0f64; length];
    for (v, w) in values.iter().zip(weights.iter()) {
        sums[*v as usize] += w;
    }
    let chunk = crate::array::chunk::ChunkData::F64(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[length]), sums).expect("1-d"),
    );
    Ok(Value::Array(build::in_memory(chunk, span)))
}

/// `unique(x)`: the distinct values of `x` (flattened), sorted, NaN once at the end, as
/// NumPy's. Their number is known only when run: `x` is computed first (whole).
pub fn unique(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = args.array(0)?;
    if interpreter.is_checking() {
        return Ok(Value::Unknown(crate::eval::value::Type::Array));
    }
    let values = computed_values(interpreter, &array)?;
    let chunk = crate::array::chunk::map_chunk!(&values, a => {
        let mut all: Vec<_> = a.iter().copied().collect();
        all.sort_by(crate::kernels::order::nan_last);
        all.dedup_by(|x, y| x == y || (x != x && y != y));
        let n = all.len();
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), all).expect("1-d")
    });
    Ok(Value::Array(build::in_memory(chunk, args.call)))
}
