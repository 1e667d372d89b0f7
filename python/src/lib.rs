//! `flowrt._native`: a flow session inside a Python process, for the `%%flow` cell magic.
//!
//! Values cross as plain parts (`flow::embed`): NumPy arrays for blocks of numbers, dicts of
//! dimension names, coordinates and attributes for labelled arrays and datasets (which
//! `flowrt.convert` turns into xarray objects), Arrow IPC bytes for frames (pandas or polars).
//! A cell runs on a thread of its own with the GIL released; the calling thread watches for
//! Ctrl-C (Jupyter's interrupt) and stops the computation, keeping the session.

use flow::array::chunk::ChunkData;
use flow::diagnostic::{render, Diagnostic, RenderOptions};
use flow::embed::{self, CoordParts, DatasetParts, Exported, LabelledParts};
use flow::io::layout::Attr;
use flow::session::Session as FlowSession;
use ndarray::ArrayD;
use numpy::{IntoPyArray, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyNameError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::io::Write;

pyo3::create_exception!(
    _native,
    FlowError,
    PyException,
    "flow's diagnostics for a cell."
);

/// Text written to one of Python's streams (`sys.stdout`, `sys.stderr`), so a notebook shows it.
struct PythonStream(&'static str);

impl Write for PythonStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        Python::attach(|py| -> PyResult<()> {
            let stream = py.import("sys")?.getattr(self.0)?;
            stream.call_method1("write", (text.as_ref(),))?;
            Ok(())
        })
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Python::attach(|py| -> PyResult<()> {
            py.import("sys")?.getattr(self.0)?.call_method0("flush")?;
            Ok(())
        })
        .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// The session moves to the cell's thread and back; only one thread touches it at a time.
struct OneAtATime<T>(T);
// SAFETY: the value is used by one thread at a time: the cell's thread while the caller only
// waits for it (it never touches the value until the scoped thread has ended).
unsafe impl<T> Send for OneAtATime<T> {}

/// One flow session: its bindings live from cell to cell.
#[pyclass(unsendable, module = "flowrt._native")]
struct Session {
    inner: FlowSession,
    cells: u64,
}

fn rendered(session: &FlowSession, diagnostics: &[Diagnostic], colour: bool) -> String {
    let notebook = RenderOptions::for_notebook();
    let options = RenderOptions {
        color: colour && notebook.color,
        ..notebook
    };
    render(diagnostics, &session.sources, options)
}

fn flow_error(session: &FlowSession, diagnostic: Diagnostic, colour: bool) -> PyErr {
    FlowError::new_err(rendered(session, &[diagnostic], colour))
}

#[pymethods]
impl Session {
    #[new]
    fn new() -> Session {
        let mut inner = FlowSession::new(Box::new(PythonStream("stdout")));
        inner.compute_options().progress = flow::runtime::progress::ProgressMode::Never;
        Session { inner, cells: 0 }
    }

    /// Run `code` as the next cell. Returns the display bundle (mime type → text) of its final
    /// expression, or None; raises FlowError with the rendered diagnostics (in colour when
    /// `colour`), KeyboardInterrupt when interrupted.
    #[pyo3(signature = (code, colour=true))]
    fn run(&mut self, py: Python<'_>, code: &str, colour: bool) -> PyResult<Option<Py<PyDict>>> {
        self.cells += 1;
        let name = format!("%%flow[{}]", self.cells);
        let mut errors: Vec<String> = Vec::new();
        let session = OneAtATime(&mut self.inner);
        flow::runtime::clear_interrupt();
        let outcome = std::thread::scope(|scope| {
            let cell = std::thread::Builder::new()
                .name("flow cell".into())
                .stack_size(1 << 29)
                .spawn_scoped(scope, || {
                    let session = session;
                    let mut report = |s: &FlowSession, diagnostics: &[Diagnostic]| {
                        if diagnostics.iter().any(Diagnostic::is_error) {
                            errors.push(rendered(s, diagnostics, colour));
                        } else {
                            let _ = PythonStream("stderr")
                                .write_all(rendered(s, diagnostics, colour).as_bytes());
                        }
                    };
                    let value =
                        flow::frontend::evaluate_reporting(session.0, &name, code, &mut report);
                    value.map(|v| match v {
                        flow::eval::Value::None => None,
                        v => Some(OneAtATime(flow::kernel::display::bundle(&v))),
                    })
                })
                .expect("a thread for the cell");
            // Wait with the GIL released, taking it back now and then to see a Ctrl-C.
            let mut interrupted = false;
            while !cell.is_finished() {
                py.detach(|| std::thread::sleep(std::time::Duration::from_millis(20)));
                if !interrupted && py.check_signals().is_err() {
                    interrupted = true;
                    flow::runtime::interrupt();
                }
            }
            (cell.join(), interrupted)
        });
        flow::runtime::clear_interrupt();
        let (joined, interrupted) = outcome;
        let result = match joined {
            Ok(result) => result,
            Err(_) => return Err(PyException::new_err("flow's cell thread panicked")),
        };
        if interrupted {
            return Err(PyKeyboardInterrupt::new_err("flow cell interrupted"));
        }
        match result {
            Ok(Some(bundle)) => bundle_dict(py, &bundle.0),
            Ok(None) => Ok(None),
            Err(_) => Err(FlowError::new_err(errors.join(""))),
        }
    }

    /// Bind `name` to a Python value: a NumPy array (bool, int32, int64, float32, float64), a
    /// bool, int, float or str.
    fn bind(&mut self, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = scalar_or_array(value)?;
        self.inner.bind(name, value);
        Ok(())
    }

    /// Bind `name` to a labelled array given as
    /// `{"name", "dims", "values", "coords": [{"name", "dim", "values", "attrs"}], "attrs"}`.
    fn bind_labelled(&mut self, name: &str, parts: &Bound<'_, PyDict>) -> PyResult<()> {
        let value = embed::labelled_value(labelled_parts(parts)?)
            .map_err(|d| flow_error(&self.inner, d, false))?;
        self.inner.bind(name, value);
        Ok(())
    }

    /// Bind `name` to a dataset given as `{"variables": [labelled parts], "coords", "attrs"}`.
    fn bind_dataset(&mut self, name: &str, parts: &Bound<'_, PyDict>) -> PyResult<()> {
        let variables = item(parts, "variables")?
            .cast_into::<PyList>()?
            .iter()
            .map(|v| labelled_parts(&v.cast_into::<PyDict>()?))
            .collect::<PyResult<Vec<_>>>()?;
        let dataset = DatasetParts {
            variables,
            coords: coords_of(parts)?,
            attrs: attrs_of(&item(parts, "attrs")?)?,
        };
        let value = embed::dataset_value(dataset).map_err(|d| flow_error(&self.inner, d, false))?;
        self.inner.bind(name, value);
        Ok(())
    }

    /// Bind `name` to a frame of the rows of an Arrow IPC stream.
    fn bind_frame(&mut self, name: &str, ipc: &[u8]) -> PyResult<()> {
        let value = embed::frame_value(ipc).map_err(|d| flow_error(&self.inner, d, false))?;
        self.inner.bind(name, value);
        Ok(())
    }

    /// The names bound in the session.
    fn names(&self) -> Vec<String> {
        self.inner.bound_names()
    }

    /// Compute the value bound to `name` and hand it out as `(kind, parts)`: ("array", ndarray),
    /// ("labelled", dict), ("dataset", dict), ("frame", Arrow IPC bytes), ("value", a Python
    /// scalar, str or None) or ("list", [(kind, parts), …]).
    fn get(&mut self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        let Some(value) = self.inner.value(name) else {
            return Err(PyNameError::new_err(format!(
                "flow has no value named `{name}`"
            )));
        };
        let session = OneAtATime(&mut self.inner);
        let exported = py.detach(move || {
            let session = session;
            embed::export(session.0, value).map_err(OneAtATime)
        });
        let exported = exported.map_err(|d| flow_error(&self.inner, d.0, false))?;
        to_python(py, exported)
    }
}

fn item<'py>(dict: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    dict.get_item(key)?
        .ok_or_else(|| PyTypeError::new_err(format!("parts without `{key}`")))
}

fn chunk_of(values: &Bound<'_, PyAny>) -> PyResult<ChunkData> {
    fn owned<T: numpy::Element + Clone>(a: PyReadonlyArrayDyn<'_, T>) -> ArrayD<T> {
        a.as_array().as_standard_layout().into_owned()
    }
    if let Ok(a) = values.extract::<PyReadonlyArrayDyn<f64>>() {
        return Ok(ChunkData::F64(owned(a)));
    }
    if let Ok(a) = values.extract::<PyReadonlyArrayDyn<f32>>() {
        return Ok(ChunkData::F32(owned(a)));
    }
    if let Ok(a) = values.extract::<PyReadonlyArrayDyn<i64>>() {
        return Ok(ChunkData::I64(owned(a)));
    }
    if let Ok(a) = values.extract::<PyReadonlyArrayDyn<i32>>() {
        return Ok(ChunkData::I32(owned(a)));
    }
    if let Ok(a) = values.extract::<PyReadonlyArrayDyn<bool>>() {
        return Ok(ChunkData::Bool(owned(a)));
    }
    let dtype = match values.cast::<numpy::PyUntypedArray>() {
        Ok(array) => array.dtype().to_string(),
        Err(_) => values.get_type().name()?.to_string(),
    };
    Err(PyTypeError::new_err(format!(
        "flow's arrays hold bool, int32, int64, float32 or float64, not {dtype}"
    )))
}

fn scalar_or_array(value: &Bound<'_, PyAny>) -> PyResult<flow::eval::Value> {
    use flow::eval::Value;
    Ok(if value.is_none() {
        Value::None
    } else if let Ok(b) = value.cast::<PyBool>() {
        Value::Bool(b.is_true())
    } else if value.is_instance_of::<PyInt>() {
        Value::Int(value.extract()?)
    } else if value.is_instance_of::<PyFloat>() {
        Value::Float(value.extract()?)
    } else if value.is_instance_of::<PyString>() {
        Value::Str(value.extract::<String>()?.into())
    } else {
        embed::array_value(chunk_of(value)?)
    })
}

fn attrs_of(attrs: &Bound<'_, PyAny>) -> PyResult<flow::dataset::Attrs> {
    let mut out = Vec::new();
    let Ok(attrs) = attrs.cast::<PyDict>() else {
        return Ok(out);
    };
    for (key, value) in attrs.iter() {
        let key: String = key.extract()?;
        let attr = if value.is_instance_of::<PyString>() {
            Attr::Str(value.extract()?)
        } else if value.is_instance_of::<PyBool>() {
            Attr::Int(i64::from(value.extract::<bool>()?))
        } else if value.is_instance_of::<PyInt>() {
            Attr::Int(value.extract()?)
        } else if value.is_instance_of::<PyFloat>() {
            Attr::Float(value.extract()?)
        } else if let Ok(ints) = value.extract::<Vec<i64>>() {
            Attr::Ints(ints)
        } else if let Ok(floats) = value.extract::<Vec<f64>>() {
            Attr::Floats(floats)
        } else {
            // Attributes flow cannot keep (dicts, objects) are left behind, as netCDF would.
            continue;
        };
        out.push((key, attr));
    }
    Ok(out)
}

fn coords_of(parts: &Bound<'_, PyDict>) -> PyResult<Vec<CoordParts>> {
    let Some(coords) = parts.get_item("coords")? else {
        return Ok(Vec::new());
    };
    coords
        .cast_into::<PyList>()?
        .iter()
        .map(|c| {
            let c = c.cast_into::<PyDict>()?;
            Ok(CoordParts {
                name: item(&c, "name")?.extract()?,
                dim: item(&c, "dim")?.extract()?,
                values: chunk_of(&item(&c, "values")?)?,
                attrs: attrs_of(&item(&c, "attrs")?)?,
            })
        })
        .collect()
}

fn labelled_parts(parts: &Bound<'_, PyDict>) -> PyResult<LabelledParts> {
    Ok(LabelledParts {
        name: item(parts, "name")?.extract()?,
        dims: item(parts, "dims")?.extract()?,
        values: chunk_of(&item(parts, "values")?)?,
        coords: coords_of(parts)?,
        attrs: attrs_of(&item(parts, "attrs")?)?,
    })
}

fn chunk_to_python(py: Python<'_>, chunk: ChunkData) -> Py<PyAny> {
    match chunk {
        ChunkData::Bool(a) => a.into_pyarray(py).into_any().unbind(),
        ChunkData::I32(a) => a.into_pyarray(py).into_any().unbind(),
        ChunkData::I64(a) => a.into_pyarray(py).into_any().unbind(),
        ChunkData::F32(a) => a.into_pyarray(py).into_any().unbind(),
        ChunkData::F64(a) => a.into_pyarray(py).into_any().unbind(),
    }
}

fn attrs_to_python<'py>(
    py: Python<'py>,
    attrs: &flow::dataset::Attrs,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (key, value) in attrs {
        match value {
            Attr::Str(s) => out.set_item(key, s)?,
            Attr::Int(i) => out.set_item(key, i)?,
            Attr::Float(f) => out.set_item(key, f)?,
            Attr::Ints(v) => out.set_item(key, v)?,
            Attr::Floats(v) => out.set_item(key, v)?,
        }
    }
    Ok(out)
}

fn coords_to_python<'py>(py: Python<'py>, coords: Vec<CoordParts>) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for c in coords {
        let d = PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item("dim", c.dim)?;
        d.set_item("values", chunk_to_python(py, c.values))?;
        d.set_item("attrs", attrs_to_python(py, &c.attrs)?)?;
        out.append(d)?;
    }
    Ok(out)
}

fn labelled_to_python<'py>(py: Python<'py>, l: LabelledParts) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", l.name)?;
    d.set_item("dims", l.dims)?;
    d.set_item("values", chunk_to_python(py, l.values))?;
    d.set_item("coords", coords_to_python(py, l.coords)?)?;
    d.set_item("attrs", attrs_to_python(py, &l.attrs)?)?;
    Ok(d)
}

fn to_python(py: Python<'_>, exported: Exported) -> PyResult<Py<PyAny>> {
    let (kind, parts): (&str, Py<PyAny>) = match exported {
        Exported::None => ("value", py.None()),
        Exported::Bool(b) => ("value", PyBool::new(py, b).to_owned().into_any().unbind()),
        Exported::Int(i) => ("value", i.into_pyobject(py)?.into_any().unbind()),
        Exported::Float(f) => ("value", f.into_pyobject(py)?.into_any().unbind()),
        Exported::Str(s) => ("value", s.into_pyobject(py)?.into_any().unbind()),
        Exported::Array(chunk) => ("array", chunk_to_python(py, chunk)),
        Exported::Labelled(l) => ("labelled", labelled_to_python(py, l)?.into_any().unbind()),
        Exported::Dataset(ds) => {
            let d = PyDict::new(py);
            let variables = PyList::empty(py);
            for v in ds.variables {
                variables.append(labelled_to_python(py, v)?)?;
            }
            d.set_item("variables", variables)?;
            d.set_item("coords", coords_to_python(py, ds.coords)?)?;
            d.set_item("attrs", attrs_to_python(py, &ds.attrs)?)?;
            ("dataset", d.into_any().unbind())
        }
        Exported::Frame(ipc) => ("frame", PyBytes::new(py, &ipc).into_any().unbind()),
        Exported::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            ("list", list.into_any().unbind())
        }
    };
    Ok(
        PyTuple::new(py, [kind.into_pyobject(py)?.into_any().unbind(), parts])?
            .into_any()
            .unbind(),
    )
}

fn bundle_dict(py: Python<'_>, bundle: &serde_json::Value) -> PyResult<Option<Py<PyDict>>> {
    let Some(map) = bundle.as_object() else {
        return Ok(None);
    };
    let d = PyDict::new(py);
    for (mime, data) in map {
        if let Some(text) = data.as_str() {
            d.set_item(mime, text)?;
        }
    }
    Ok(Some(d.unbind()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Session>()?;
    m.add("FlowError", m.py().get_type::<FlowError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
