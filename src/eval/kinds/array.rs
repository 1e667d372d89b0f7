//! How arrays take part in the language: operators (elementwise, with NumPy broadcasting; `@`),
//! indexing and slicing, properties (`shape`, `chunks`, …), and forcing lazy values — computing
//! arrays (with the delayed calls their chunks wait for), frames and columns, and the values
//! inside tuples and lists — with runtime failures said as diagnostics.

use super::ValueKind;
use crate::array::build::{self, IndexItem};
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::*;
use crate::diagnostic::{Diagnostic, Phase};
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::value::{Env, Type, Value};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::syntax::ast::{Expr, Ident, Subscript};
use std::collections::HashMap;

/// The diagnostic for a failed computation.
pub fn runtime_failure(
    error: crate::runtime::executor::RuntimeError,
    span: Span,
) -> Box<Diagnostic> {
    use crate::runtime::executor::Cause;
    let (code, help) = match error.cause {
        Cause::Interrupted => return crate::eval::jobs::interrupted(span),
        Cause::TooManyTasks => {
            return Box::new(
                crate::runtime::too_many_tasks(
                    "flow::eval::too_many_tasks",
                    error.message,
                    error.span,
                )
                .in_phase(Phase::Runtime),
            )
        }
        Cause::Read => (
            "flow::eval::read_error",
            "the file does not hold what its header promised: it may be damaged, truncated, or changed since the script was checked",
        ),
        Cause::Data => (
            "flow::eval::data_error",
            "the values computed here made an operation fail",
        ),
        Cause::Kernel => (
            "flow::eval::kernel_failed",
            "this is a bug inside a kernel; please report it with the script",
        ),
    };
    Box::new(
        Diagnostic::error(
            code,
            format!("computing failed: {}", error.message),
            error.span,
        )
        .with_label("in the computation of this")
        .with_help(help)
        .in_phase(Phase::Runtime),
    )
}

/// How deep forcing reaches: into arrays and containers (printing), or also into the
/// variables of datasets (`compute`, `persist`; a dataset prints as its summary, as in xarray).
#[derive(Clone, Copy, PartialEq)]
pub enum Reach {
    Values,
    IntoDatasets,
}

/// The lazy arrays inside a value, each once.
pub fn collect_lazy(value: &Value, out: &mut Vec<ArrayRef>, reach: Reach) {
    match value {
        Value::Array(a) if !matches!(a.op, ArrayOp::Data(_)) => {
            if !out.iter().any(|o| o.id == a.id) {
                out.push(a.clone());
            }
        }
        Value::Labelled(l) => collect_lazy(&Value::Array(l.array.clone()), out, reach),

        Value::Tuple(items) | Value::List(items) => {
            items.iter().for_each(|i| collect_lazy(i, out, reach))
        }
        Value::Record(fields) => fields.iter().for_each(|(_, v)| collect_lazy(v, out, reach)),
        Value::Dataset(ds) if reach == Reach::IntoDatasets => ds
            .variables
            .iter()
            .for_each(|v| collect_lazy(&Value::Array(v.array.clone()), out, reach)),
        _ => {}
    }
}

pub fn replace_arrays(value: Value, lazy: &[ArrayRef], computed: &[ArrayRef]) -> Value {
    match value {
        Value::Array(a) => match lazy.iter().position(|l| l.id == a.id) {
            Some(k) => Value::Array(computed[k].clone()),
            None => Value::Array(a),
        },
        Value::Labelled(l) => match lazy.iter().position(|x| x.id == l.array.id) {
            Some(k) => {
                let mut computed_l = (*l).clone();
                computed_l.array = computed[k].clone();
                Value::Labelled(std::sync::Arc::new(computed_l))
            }
            None => Value::Labelled(l),
        },
        Value::Dataset(ds) => {
            let mut computed_ds = (*ds).clone();
            for v in &mut computed_ds.variables {
                if let Some(k) = lazy.iter().position(|x| x.id == v.array.id) {
                    v.array = computed[k].clone();
                }
            }
            Value::Dataset(std::sync::Arc::new(computed_ds))
        }

        Value::Tuple(items) => Value::tuple(
            items
                .iter()
                .map(|i| replace_arrays(i.clone(), lazy, computed))
                .collect(),
        ),
        Value::List(items) => Value::list(
            items
                .iter()
                .map(|i| replace_arrays(i.clone(), lazy, computed))
                .collect(),
        ),
        Value::Record(fields) => Value::Record(std::sync::Arc::new(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), replace_arrays(v.clone(), lazy, computed)))
                .collect(),
        )),
        other => other,
    }
}

/// Evaluate the items of an index on an array.
pub fn index_item(value: &Value) -> Option<IndexItem> {
    match value {
        Value::Int(i) => Some(IndexItem::Int(*i)),
        Value::None => Some(IndexItem::NewAxis),
        Value::Ellipsis => Some(IndexItem::Ellipsis),
        _ => None,
    }
}

/// `array([[1, 2], [3, 4]])`: an array from (nested) lists of numbers.
/// The numbers of a (nested) list as one chunk, in their natural dtype (f64 if any float, bool
/// if all bools, else i64), or why they do not make an array.
pub fn chunk_of_literal(value: &Value) -> Result<crate::array::chunk::ChunkData, String> {
    pub fn walk(
        value: &Value,
        depth: usize,
        shape: &mut Vec<usize>,
        out: &mut Vec<Value>,
    ) -> Result<(), String> {
        match value {
            Value::List(items) | Value::Tuple(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                } else if shape.get(depth) != Some(&items.len()) || shape.len() < depth {
                    return Err("rows of different lengths".into());
                }
                for item in items.iter() {
                    walk(item, depth + 1, shape, out)?;
                }
                Ok(())
            }
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                if shape.len() != depth {
                    return Err("numbers and lists mixed at one level".into());
                }
                out.push(value.clone());
                Ok(())
            }
            Value::Array(array) => match array.whole() {
                Some(_) if depth == 0 => Ok(()),
                _ => Err("arrays inside lists are not supported; use stack or concatenate".into()),
            },
            other => Err(format!("{} is not a number", other.type_name())),
        }
    }
    if let Value::Array(array) = value {
        return array
            .whole()
            .ok_or_else(|| "the array is not computed".to_string());
    }
    let mut shape = Vec::new();
    let mut values = Vec::new();
    walk(value, 0, &mut shape, &mut values)?;
    // A number and a list side by side at one level leave the count short of the shape.
    if values.len() != shape.iter().product::<usize>() {
        return Err("numbers and lists mixed at one level".to_string());
    }
    let natural = if values.iter().any(|v| matches!(v, Value::Float(_))) || values.is_empty() {
        DType::F64
    } else if values.iter().all(|v| matches!(v, Value::Bool(_))) {
        DType::Bool
    } else {
        DType::I64
    };
    // Ints exactly (beyond 2^53 too), not through floats.
    if natural == DType::I64 {
        let ints: Vec<i64> = values
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                other => scalar_of(other).unwrap().as_f64() as i64,
            })
            .collect();
        let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), ints)
            .expect("walk counted the shape");
        return Ok(crate::array::chunk::ChunkData::I64(data));
    }
    let floats: Vec<f64> = values
        .iter()
        .map(|v| scalar_of(v).unwrap().as_f64())
        .collect();
    let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), floats)
        .expect("walk counted the shape");
    Ok(crate::array::chunk::ChunkData::F64(data).into_dtype(natural))
}
impl Interpreter {
    /// Build an array node, reporting the warnings the build produced (while checking).
    pub fn built(
        &mut self,
        built: Result<ArrayRef, Box<Diagnostic>>,
        warnings: Vec<Diagnostic>,
    ) -> Eval<Value> {
        for warning in warnings {
            if self.is_checking() {
                self.report(warning);
            }
        }
        built.map(Value::Array)
    }

    /// `a op b` where at least one side is an array.
    pub fn array_binary(
        &mut self,
        op: BinaryOp,
        lhs: Value,
        rhs: Value,
        span: Span,
    ) -> Eval<Value> {
        let function = match op {
            BinaryOp::Add => BinaryFunction::Add,
            BinaryOp::Subtract => BinaryFunction::Subtract,
            BinaryOp::Multiply => BinaryFunction::Multiply,
            BinaryOp::Divide => BinaryFunction::Divide,
            BinaryOp::FloorDivide => BinaryFunction::FloorDivide,
            BinaryOp::Modulo => BinaryFunction::Modulo,
            BinaryOp::Power => BinaryFunction::Power,
            BinaryOp::Equal => BinaryFunction::Equal,
            BinaryOp::NotEqual => BinaryFunction::NotEqual,
            BinaryOp::Less => BinaryFunction::Less,
            BinaryOp::LessEqual => BinaryFunction::LessEqual,
            BinaryOp::Greater => BinaryFunction::Greater,
            BinaryOp::GreaterEqual => BinaryFunction::GreaterEqual,
            BinaryOp::Both => BinaryFunction::And,
            BinaryOp::Either => BinaryFunction::Or,
            BinaryOp::Xor => BinaryFunction::Xor,
            BinaryOp::ShiftLeft => BinaryFunction::ShiftLeft,
            BinaryOp::ShiftRight => BinaryFunction::ShiftRight,
            BinaryOp::MatMul => return self.matmul(lhs, rhs, span),
            BinaryOp::And | BinaryOp::Or | BinaryOp::In | BinaryOp::NotIn => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::operand_types",
                        format!("`{}` does not apply to arrays", op.symbol()),
                        span,
                    )
                    .with_label("array operand")
                    .with_help("combine boolean arrays elementwise with `&` and `|`"),
                ))
            }
        };
        let operand = |value: &Value| -> Option<Operand> {
            match value {
                Value::Array(a) => Some(Operand::Array(a.clone())),
                other => scalar_of(other).map(Operand::Scalar),
            }
        };
        let (Some(a), Some(b)) = (operand(&lhs), operand(&rhs)) else {
            if lhs.is_unknown() || rhs.is_unknown() {
                return Ok(Value::Unknown(Type::Array));
            }
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!(
                        "cannot apply `{}` to {} and {}",
                        op.symbol(),
                        lhs.type_name(),
                        rhs.type_name()
                    ),
                    span,
                )
                .with_label("here")
                .with_help("arrays combine with arrays and with numbers"),
            ));
        };
        let mut warnings = Vec::new();
        let built = build::map(
            MapFunction::Binary(function),
            vec![a, b],
            span,
            &mut warnings,
        );
        self.built(built, warnings)
    }

    pub fn matmul(&mut self, lhs: Value, rhs: Value, span: Span) -> Eval<Value> {
        match (&lhs, &rhs) {
            (Value::Array(a), Value::Array(b)) => {
                self.built(crate::array::linalg::matmul(a, b, span), vec![])
            }
            _ => Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!(
                        "`@` multiplies arrays, not {} and {}",
                        lhs.type_name(),
                        rhs.type_name()
                    ),
                    span,
                )
                .with_label("matrix product")
                .with_help("multiply a number with `*`; make arrays with array([[…]])"),
            )),
        }
    }

    pub fn array_unary(&mut self, op: UnaryOp, array: &ArrayRef, span: Span) -> Eval<Value> {
        let function = match op {
            UnaryOp::Plus => return Ok(Value::Array(array.clone())),
            UnaryOp::Negate => UnaryFunction::Negate,
            UnaryOp::Not => UnaryFunction::Not,
            UnaryOp::Invert => UnaryFunction::Invert,
        };
        self.elementwise(function, array, span)
    }

    pub fn elementwise(
        &mut self,
        function: UnaryFunction,
        array: &ArrayRef,
        span: Span,
    ) -> Eval<Value> {
        let mut warnings = Vec::new();
        let built = build::map(
            MapFunction::Unary(function),
            vec![Operand::Array(array.clone())],
            span,
            &mut warnings,
        );
        self.built(built, warnings)
    }

    /// `x[…]` on an array.
    /// A list or 1-d array index (`x[[0, 2]]`, `x[i]` of computed ints, `x[[true, false]]`):
    /// its values, computed first when it is lazy (a counting pass: the result's length is known
    /// only then, so while checking it is unknown). `None` for values that are no such index.
    pub fn index_array_item(&mut self, value: &Value, span: Span) -> Eval<Option<IndexItem>> {
        let chunk = match value {
            Value::Labelled(l) => {
                return self.index_array_item(&Value::Array(l.array.clone()), span)
            }
            Value::List(items) if items.is_empty() => {
                return Ok(Some(IndexItem::Positions(vec![])))
            }
            Value::List(_) => match chunk_of_literal(value) {
                Ok(chunk) => chunk,
                Err(_) => return Ok(None),
            },
            // 1-d ints or bools; bools of any shape (`x[x > 0]`, see `array_index`).
            Value::Array(a) if (a.ndim() == 1 && !a.dtype.is_float()) || a.dtype == DType::Bool => {
                match a.whole() {
                    Some(chunk) => chunk,
                    None if self.is_checking() => return Ok(None),
                    None => match self.force_value(value.clone())? {
                        Value::Array(computed) => computed.whole().expect("computed"),
                        _ => return Ok(None),
                    },
                }
            }
            _ => return Ok(None),
        };
        if chunk.shape().len() != 1 && chunk.dtype() != DType::Bool {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    "an index array must be 1-d".to_string(),
                    span,
                )
                .with_label("not 1-d")
                .with_help("index by a list of ints or bools"),
            ));
        }
        let values = chunk.to_f64();
        Ok(Some(match chunk.dtype() {
            DType::Bool if chunk.shape().len() != 1 => IndexItem::ShapedMask(
                chunk.shape().to_vec(),
                values.iter().map(|v| *v != 0.0).collect(),
            ),
            DType::Bool => IndexItem::Mask(values.iter().map(|v| *v != 0.0).collect()),
            d if d.is_float() => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        "array indices must be ints or bools, not floats".to_string(),
                        span,
                    )
                    .with_label("floats")
                    .with_help("x[[0, 2]], or x[mask] with a bool array"),
                ))
            }
            _ => IndexItem::Positions(values.iter().map(|v| *v as i64).collect()),
        }))
    }

    pub fn array_index(
        &mut self,
        array: &ArrayRef,
        items: Vec<IndexItem>,
        span: Span,
    ) -> Eval<Value> {
        // A boolean index of the array's whole shape (`x[x > 0]`): the values where it is true,
        // in row-major order, as NumPy's.
        if let [IndexItem::ShapedMask(shape, mask)] = &items[..] {
            if *shape == array.shape {
                let flat = crate::array::reshape::reshape(array, &[-1], span)?;
                let along = [IndexItem::Mask(mask.clone())];
                return build::slice(&flat, &along, span).map(Value::Array);
            }
        }
        build::slice(array, &items, span).map(Value::Array)
    }

    /// Properties of an array: shape, dtype, ndim, size, nbytes, chunks, T.
    pub fn array_property(
        &mut self,
        array: &ArrayRef,
        name: &str,
        span: Span,
    ) -> Option<Eval<Value>> {
        let ints = |v: &[usize]| Value::tuple(v.iter().map(|&n| Value::Int(n as i64)).collect());
        Some(Ok(match name {
            "shape" => ints(&array.shape),
            "dtype" => Value::str(array.dtype.name()),
            "ndim" => Value::Int(array.ndim() as i64),
            "size" => Value::Int(array.size() as i64),
            "nbytes" => Value::Int(array.nbytes() as i64),
            "chunks" => Value::tuple(array.chunks.0.iter().map(|axis| ints(axis)).collect()),
            "T" => return Some(build::transpose(array, None, span).map(Value::Array)),
            _ => return None,
        }))
    }

    /// Compute every lazy array inside `value` (in one graph, so shared parts run once) and
    /// return the value with computed arrays. While checking, nothing is computed.
    pub fn force_value(&mut self, value: Value) -> Eval<Value> {
        self.force(value, Reach::Values)
    }

    /// Compute the lazy arrays `reach` finds inside `value`.
    pub fn force(&mut self, value: Value, reach: Reach) -> Eval<Value> {
        let value = self.force_delayed(value)?;
        let value = if self.is_checking() {
            value
        } else {
            crate::eval::kinds::frame::force_frames(self, value)?
        };
        if self.is_checking() {
            // Remember what the program computes, for `flow explain` and `flow graph --tasks`.
            let mut forced = Vec::new();
            collect_lazy(&value, &mut forced, reach);
            let span = forced.first().map(|a| a.span).unwrap_or_default();
            self.check_task_count(&forced, span)?;
            for array in forced {
                if !self.forced.iter().any(|o| o.id == array.id) {
                    self.forced.push(array);
                }
            }
            return Ok(value);
        }
        let mut lazy = Vec::new();
        collect_lazy(&value, &mut lazy, reach);
        if lazy.is_empty() {
            return Ok(value);
        }
        let computed = self.compute_arrays(&lazy)?;
        Ok(replace_arrays(value, &lazy, &computed))
    }

    /// While checking: refuse computing `arrays` (asked for at `span`) when the tasks it surely
    /// takes (`graph::lower::least_tasks`) do not fit in the memory limit.
    pub fn check_task_count(&mut self, arrays: &[ArrayRef], span: Span) -> Eval<()> {
        if !self.is_checking() || arrays.is_empty() {
            return Ok(());
        }
        self.check_chunks_fit(arrays, span);
        let budget = crate::runtime::task_budget(self.compute_options.memory_limit);
        let needed = crate::graph::lower::least_tasks(arrays);
        if needed <= budget {
            return Ok(());
        }
        let message =
            format!(
            "computing this takes at least {} tasks; at most {budget} fit in the memory limit ({})",
            if needed == usize::MAX { "2⁶⁴".to_string() } else { needed.to_string() },
            crate::text::human_bytes(self.compute_options.memory_limit),
        );
        let diagnostic =
            crate::runtime::too_many_tasks("flow::check::too_many_tasks", message, span);
        self.value_error(diagnostic).map(|_| ())
    }

    /// While checking: warn (once) when every worker holding one of the largest chunks of
    /// `arrays` (or of what they are made from) is already more than the memory limit — flow
    /// then runs past the limit rather than stall, and says so here.
    fn check_chunks_fit(&mut self, arrays: &[ArrayRef], span: Span) {
        const CODE: &str = "flow::check::chunks_over_memory_limit";
        if self.diagnostics.iter().any(|d| d.code == CODE) {
            return;
        }
        let limit = self.compute_options.memory_limit;
        let workers = self.compute_options.threads.max(1);
        let mut largest = 0usize;
        // Is the largest chunk all the values of an exact quantile over all axes (the 1-d input
        // of a quantile, which is visited after the quantile)?
        let mut whole_quantile = false;
        let mut flattened_quantile_inputs = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<ArrayRef> = arrays.to_vec();
        let bytes_of = |node: &ArrayRef| {
            let block = node.chunks.largest_block().iter().product::<usize>();
            block.saturating_mul(node.dtype.itemsize())
        };
        while let Some(node) = stack.pop() {
            if !seen.insert(std::sync::Arc::as_ptr(&node)) {
                continue;
            }
            let bytes = bytes_of(&node);
            if bytes > largest {
                largest = bytes;
                whole_quantile = flattened_quantile_inputs.contains(&std::sync::Arc::as_ptr(&node));
            }
            if let crate::array::node::ArrayOp::Quantile { input, .. } = &node.op {
                if input.ndim() == 1 {
                    flattened_quantile_inputs.insert(std::sync::Arc::as_ptr(input));
                }
            }
            stack.extend(node.inputs());
        }
        let held = largest.saturating_mul(workers);
        if held <= limit {
            return;
        }
        let bytes = crate::text::human_bytes;
        let warning = Diagnostic::warning(
            CODE,
            format!(
                "chunks of up to {} on {workers} workers hold {}, more than the memory limit ({})",
                bytes(largest),
                bytes(held),
                bytes(limit)
            ),
            span,
        )
        .with_label("computed here")
        .with_help(if whole_quantile {
            "exact quantiles of all the values hold them in one chunk: \
             percentile(x, q, approx=true) estimates them from a t-digest of each chunk instead"
        } else {
            "flow holds at least one chunk per worker whatever the limit: rechunk smaller \
             (x.rechunk(…)), use fewer --threads, or raise --memory-limit"
        });
        self.report(warning);
    }

    pub fn compute_arrays(&mut self, arrays: &[ArrayRef]) -> Eval<Vec<ArrayRef>> {
        let _ = self.flush_output();
        let made = self.make_delayed_chunks(arrays)?;
        match crate::runtime::compute(arrays, self.compute_options.clone(), &made) {
            Ok((computed, statistics)) => {
                self.statistics.add(&statistics);
                Ok(computed)
            }
            Err(error) => Err(runtime_failure(error, arrays[0].span)),
        }
    }

    /// Compute `array`, handing each chunk to `sink` as it is made (see `runtime::stream`).
    pub fn stream_array(
        &mut self,
        array: &ArrayRef,
        sink: crate::runtime::executor::Sink,
    ) -> Eval<()> {
        let _ = self.flush_output();
        let made = self.make_delayed_chunks(std::slice::from_ref(array))?;
        let statistics = crate::runtime::stream(array, self.compute_options.clone(), &made, sink)
            .map_err(|error| runtime_failure(error, array.span))?;
        self.statistics.add(&statistics);
        Ok(())
    }
}

impl Interpreter {
    /// Run the delayed calls of the `from_delayed` arrays under `arrays` (all together, in
    /// parallel) and check each result against the shape and dtype it was declared with.
    pub fn make_delayed_chunks(&mut self, arrays: &[ArrayRef]) -> Eval<HashMap<u64, ChunkData>> {
        let mut pending: Vec<ArrayRef> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<ArrayRef> = arrays.to_vec();
        while let Some(node) = stack.pop() {
            if !seen.insert(node.id) {
                continue;
            }
            if let ArrayOp::FromDelayed(Some(_)) = node.op {
                pending.push(node.clone());
            }
            stack.extend(node.inputs());
        }
        let mut made = HashMap::new();
        if pending.is_empty() {
            return Ok(made);
        }
        let calls: Vec<Value> = pending
            .iter()
            .map(|n| match &n.op {
                ArrayOp::FromDelayed(Some(call)) => Value::Delayed(
                    call.clone()
                        .into_any()
                        .downcast::<crate::eval::delayed::DelayedNode>()
                        .expect("pending calls are delayed nodes"),
                ),
                _ => unreachable!("collected above"),
            })
            .collect();
        let Value::Tuple(results) = self.force_value(Value::tuple(calls))? else {
            unreachable!("a tuple stays a tuple")
        };
        for (node, result) in pending.iter().zip(results.iter()) {
            let chunk = chunk_of_literal(result)
                .map_err(|reason| format!("it returned {}: {reason}", result.type_name()));
            let chunk = chunk.and_then(|c| {
                if c.shape() == node.shape.as_slice() {
                    Ok(c.into_dtype(node.dtype))
                } else {
                    Err(format!(
                        "it returned shape {}, not the declared {}",
                        build::shape_text(c.shape()),
                        build::shape_text(&node.shape)
                    ))
                }
            });
            match chunk {
                Ok(chunk) => {
                    made.insert(node.id, chunk);
                }
                Err(reason) => {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::eval::from_delayed",
                            format!("the chunk of `from_delayed` does not fit: {reason}"),
                            node.span,
                        )
                        .with_label("declared here")
                        .with_help("declare the shape and dtype the call really returns")
                        .in_phase(Phase::Runtime),
                    ))
                }
            }
        }
        Ok(made)
    }

    /// The one value of a 0-d array (computing it), as a flow scalar.
    pub fn array_scalar(&mut self, array: &ArrayRef) -> Eval<Value> {
        let computed = self.compute_arrays(std::slice::from_ref(array))?;
        let data = computed[0].whole().expect("computed");
        Ok(match data.dtype() {
            DType::Bool => Value::Bool(data.to_f64().iter().next().copied().unwrap_or(0.0) != 0.0),
            DType::I32 | DType::I64 => Value::Int(
                data.cast(DType::I64)
                    .to_f64()
                    .iter()
                    .next()
                    .map(|&x| x as i64)
                    .unwrap_or(0),
            ),
            _ => Value::Float(data.to_f64().iter().next().copied().unwrap_or(f64::NAN)),
        })
    }
}

/// A flow scalar as an array operand.
pub fn scalar_of(value: &Value) -> Option<Scalar> {
    match value {
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Int(i) => Some(Scalar::Int(*i)),
        Value::Float(f) => Some(Scalar::Float(*f)),
        _ => None,
    }
}

/// Arrays (and values known only to be arrays while checking).
pub struct ArrayKind;

impl ArrayKind {
    /// The index items of `x[…]` on an array or labelled array; `None` when one is known only
    /// when run.
    pub fn index_items(
        interpreter: &mut Interpreter,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Option<Vec<IndexItem>>> {
        let unknown = Ok(None);
        let mut items = Vec::with_capacity(subscripts.len());
        for subscript in subscripts {
            let item = match subscript {
                Subscript::Index(expr) => {
                    let value = interpreter.eval(expr, env)?;
                    let item = match crate::eval::kinds::array::index_item(&value) {
                        Some(item) => Some(item),
                        None => interpreter.index_array_item(&value, expr.span)?,
                    };
                    let lazy_index = matches!(value, Value::Array(_) | Value::Labelled(_))
                        && interpreter.is_checking();
                    match item {
                        Some(item) => item,
                        None if value.is_unknown() || lazy_index => return unknown,
                        None => return Err(Box::new(
                            Diagnostic::error(
                                "flow::check::index_type",
                                format!("cannot index an array with {}", value.type_name()),
                                expr.span,
                            )
                            .with_label(format!("this is {}", value.type_name()))
                            .with_help(
                                "arrays take ints, slices `a:b:c`, `...`, `none` (a new axis), and one list or 1-d array of ints or bools",
                            ),
                        )),
                    }
                }
                Subscript::Slice {
                    start, stop, step, ..
                } => {
                    let mut bound = |e: &Option<Expr>| -> Eval<Result<Option<i64>, Value>> {
                        match e.as_ref().map(|e| interpreter.eval(e, env)).transpose()? {
                            None | Some(Value::None) => Ok(Ok(None)),
                            Some(Value::Int(i)) => Ok(Ok(Some(i))),
                            Some(other) => Ok(Err(other)),
                        }
                    };
                    let (start, stop, step) = (bound(start)?, bound(stop)?, bound(step)?);
                    match (start, stop, step) {
                        (Ok(start), Ok(stop), Ok(step)) => {
                            crate::array::build::IndexItem::Slice { start, stop, step }
                        }
                        (Err(v), _, _) | (_, Err(v), _) | (_, _, Err(v)) => {
                            if v.is_unknown() {
                                return unknown;
                            }
                            return Err(Box::new(
                                Diagnostic::error(
                                    "flow::check::index_type",
                                    format!("slice bounds must be ints, not {}", v.type_name()),
                                    span,
                                )
                                .with_label("in this index")
                                .with_help("write `x[10:20:2]`"),
                            ));
                        }
                    }
                }
            };
            items.push(item);
        }
        Ok(Some(items))
    }
}

impl ValueKind for ArrayKind {
    fn rank(&self) -> u8 {
        2
    }

    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        if left.is_unknown() || right.is_unknown() {
            return Ok(Value::Unknown(Type::Array));
        }
        interpreter.array_binary(op, left, right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        match &value {
            Value::Array(array) => interpreter.array_unary(op, &array.clone(), span),
            _ => Ok(Value::Unknown(Type::Array)),
        }
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::Array(array) = &value else {
            // An array known only when run (`x[x > 0]`): its methods and `.T` are arrays too.
            if name.name == "T" {
                return Ok(Value::Unknown(Type::Array));
            }
            if interpreter.library.method(&value, &name.name).is_some() {
                return interpreter.method_or_error(value, name);
            }
            return Ok(Value::Unknown(Type::Any));
        };
        if interpreter.library.method(&value, &name.name).is_some() {
            return interpreter.method_or_error(value, name);
        }
        let array = array.clone();

        match interpreter.array_property(&array, &name.name, name.span) {
            Some(result) => result,
            None => {
                let methods = interpreter.library.method_names(&value);
                let properties = ["shape", "dtype", "ndim", "size", "nbytes", "chunks", "T"];
                let candidates = methods.iter().copied().chain(properties);
                let help = match crate::text::closest(&name.name, candidates) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "array methods: {}; properties: {}",
                        methods.join(", "),
                        properties.join(", ")
                    ),
                };
                Err(Box::new(
                    Diagnostic::error(
                        "flow::check::unknown_method",
                        format!("array has no method or attribute `{}`", name.name),
                        name.span,
                    )
                    .with_label("not an array method")
                    .with_help(help),
                ))
            }
        }
    }

    fn index(
        &self,
        interpreter: &mut Interpreter,
        value: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let Value::Array(array) = &value else {
            return Ok(Value::Unknown(Type::Array));
        };
        match ArrayKind::index_items(interpreter, subscripts, span, env)? {
            Some(items) => interpreter.array_index(array, items, span),
            None => Ok(Value::Unknown(Type::Array)),
        }
    }

    fn condition(
        &self,
        interpreter: &mut Interpreter,
        value: &Value,
        span: Span,
    ) -> Eval<Option<bool>> {
        match value {
            // A lazy 0-d bool (`x.mean() > 0`): decided when it is computed.
            Value::Array(array) if array.ndim() == 0 && array.dtype == DType::Bool => {
                if interpreter.is_checking() {
                    return Ok(None);
                }
                match interpreter.array_scalar(array)? {
                    Value::Bool(b) => Ok(Some(b)),
                    _ => unreachable!("a bool array gives a bool"),
                }
            }
            other => Err(super::condition_error(other, span)),
        }
    }
}
