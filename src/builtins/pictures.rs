//! The picture builtins: `plot` and `save_image` (drawing lives in `crate::io::plot`).

use crate::diagnostic::{Diagnostic, Phase};
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter, Picture};
use crate::eval::value::Value;
use crate::io::plot::{self, ColorMapName};

/// What `plot` accepts, known before running: an array of 1 or 2 dimensions with elements, or a
/// pair of 1-d arrays (a histogram's counts and edges).
fn check_plottable(args: &Args) -> Eval<()> {
    let help =
        "plot a 1-d array (a line), a 2-d array (a heat map) or histogram(…)'s (counts, edges)";
    let value = match args.value(0) {
        Value::Labelled(l) => Value::Array(l.array.clone()),
        Value::Frame(frame) => return check_frame_columns(args, frame),
        other => other.clone(),
    };
    match &value {
        Value::Array(a) if a.ndim() == 0 || a.ndim() > 2 => Err(args.rejected(
            "flow::check::plot",
            format!("cannot plot a {}-d array", a.ndim()),
            0,
            "reduce it (`.mean(axis=0)`) or slice it (`x[0]`) to 1 or 2 dimensions first",
        )),
        Value::Array(a) if a.size() == 0 => Err(args.rejected(
            "flow::check::plot",
            "cannot plot an empty array".into(),
            0,
            help,
        )),
        Value::Array(_) | Value::Unknown(_) => Ok(()),
        Value::Tuple(items)
            if items.len() == 2
                && items
                    .iter()
                    .all(|i| matches!(i, Value::Array(a) if a.ndim() == 1)) =>
        {
            Ok(())
        }
        other => Err(args.rejected(
            "flow::check::plot",
            format!("cannot plot {}", other.type_name()),
            0,
            help,
        )),
    }
}

/// A frame is drawn by a pair of its numeric columns: `x="Year", y="DepDelay"`.
fn check_frame_columns(args: &Args, frame: &crate::frame::Frame) -> Eval<()> {
    for index in [9, 10] {
        let Value::Str(name) = args.value(index) else {
            return Err(args.rejected(
                "flow::check::plot",
                "a frame is drawn by two of its columns, x= and y=".into(),
                index,
                "plot(df, \"out.png\", x=\"Year\", y=\"DepDelay\")",
            ));
        };
        let ty = frame.check_column(name, args.spans[index])?;
        if !matches!(
            ty,
            crate::frame::ColType::Int | crate::frame::ColType::Float
        ) {
            return Err(args.rejected(
                "flow::check::plot",
                format!("column `{name}` holds {}, not numbers", ty.describe()),
                index,
                "draw numeric columns",
            ));
        }
    }
    match &*args.str(11)? {
        "line" | "scatter" => Ok(()),
        other => Err(args.rejected(
            "flow::check::plot",
            format!("unknown kind `{other}`"),
            11,
            "kind is \"line\" or \"scatter\"",
        )),
    }
}

/// The figure of a frame's column pair: a line through the points in order of x, or a scatter.
fn frame_figure(
    interpreter: &mut Interpreter,
    args: &Args,
    frame: &crate::frame::Frame,
) -> Eval<plot::Figure> {
    let names = [args.str(9)?.to_string(), args.str(10)?.to_string()];
    let rows = interpreter.frame_rows(frame)?;
    let column = |name: &str| -> Eval<Vec<f64>> {
        let values = rows
            .column(name)
            .and_then(|c| c.cast(&polars::prelude::DataType::Float64))
            .map_err(|e| e.to_string())
            .map(|c| {
                c.f64()
                    .map(|a| a.iter().map(|v| v.unwrap_or(f64::NAN)).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .map_err(|m| data_error(args, m))?;
        Ok(values)
    };
    let (mut x, mut y) = (column(&names[0])?, column(&names[1])?);
    if x.iter().chain(&y).all(|v| v.is_nan()) {
        return Err(data_error(
            args,
            "every value is missing: there is nothing to draw".into(),
        ));
    }
    if &*args.str(11)? == "scatter" {
        return Ok(plot::Figure::Points { x, y });
    }
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    (x, y) = (
        order.iter().map(|&i| x[i]).collect(),
        order.iter().map(|&i| y[i]).collect(),
    );
    Ok(plot::Figure::Line {
        values: y,
        x: Some(plot::Axis {
            values: x,
            time: None,
        }),
    })
}

fn target(args: &Args, interpreter: &Interpreter, extensions: &[&str]) -> Eval<std::path::PathBuf> {
    let path = args.str(1)?;
    let extension = std::path::Path::new(&*path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !extensions.contains(&extension.as_str()) {
        return Err(args.rejected(
            "flow::check::plot",
            format!("cannot tell the picture format of `{path}`"),
            1,
            &format!(
                "give a file ending in {}",
                extensions
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ));
    }
    let path =
        crate::eval::modules::resolve_path(&interpreter.sources.get(args.call.source).name, &path);
    interpreter.permit(&path, crate::eval::sandbox::Access::Write, args.spans[1])?;
    Ok(path)
}

fn colormap(args: &Args, index: usize) -> Eval<ColorMapName> {
    let name = args.str(index)?;
    ColorMapName::parse(&name).ok_or_else(|| {
        args.rejected(
            "flow::check::plot",
            format!("unknown colour map `{name}`"),
            index,
            &format!("colour maps: {}", ColorMapName::NAMES),
        )
    })
}

fn data_error(args: &Args, message: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::eval::plot",
            format!("cannot draw: {message}"),
            args.spans[0],
        )
        .with_label("this value")
        .with_help("the computed values decide what can be drawn")
        .in_phase(Phase::Runtime),
    )
}

fn number(args: &Args, index: usize) -> Eval<Option<f64>> {
    match args.value(index) {
        Value::None => Ok(None),
        _ => args.float(index).map(Some),
    }
}

/// `plot(x, path, title="", xlabel="", ylabel="", size=(800, 500), vmin=none, vmax=none, cmap="viridis")`
pub fn plot(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    check_plottable(args)?;
    let inline = drawn_inline(
        interpreter,
        args,
        ("flow::check::plot", "a picture"),
        "give the file to draw to: plot(x, \"x.png\") (or .svg)",
    )?;
    let target = match inline {
        true => None,
        false => Some(target(args, interpreter, &["png", "svg"])?),
    };
    let size = match args.shape(5)?.as_slice() {
        [w, h] if *w >= 100 && *h >= 100 && *w <= 10_000 && *h <= 10_000 => (*w as u32, *h as u32),
        _ => {
            return Err(args.rejected(
                "flow::check::plot",
                "size must be (width, height) in pixels, 100 to 10000".into(),
                5,
                "size=(800, 500)",
            ))
        }
    };
    let mut options = plot::Options {
        title: args.str(2)?.to_string(),
        xlabel: args.str(3)?.to_string(),
        ylabel: args.str(4)?.to_string(),
        size,
        vmin: number(args, 6)?,
        vmax: number(args, 7)?,
        cmap: colormap(args, 8)?,
    };
    if interpreter.is_checking() {
        return Ok(Value::None);
    }
    if let Value::Frame(frame) = args.value(0) {
        let frame = frame.clone();
        let figure = frame_figure(interpreter, args, &frame)?;
        let names = [args.str(9)?.to_string(), args.str(10)?.to_string()];
        if options.xlabel.is_empty() {
            options.xlabel = names[0].clone();
        }
        if options.ylabel.is_empty() {
            options.ylabel = names[1].clone();
        }
        return draw(interpreter, args, &figure, &options, target.as_deref());
    }
    let chunks = computed_chunks(interpreter, args.value(0).clone())?;
    let mut figure = plot::figure_of(&chunks).map_err(|m| data_error(args, m))?;
    if let Value::Labelled(l) = args.value(0) {
        label_figure(l, &mut figure, &mut options);
    }
    draw(interpreter, args, &figure, &options, target.as_deref())
}

/// Draw to the file `target`, or inline (PNG bytes kept for the notebook) without one.
fn draw(
    interpreter: &mut Interpreter,
    args: &Args,
    figure: &plot::Figure,
    options: &plot::Options,
    target: Option<&std::path::Path>,
) -> Eval<Value> {
    match target {
        Some(target) => plot::plot(figure, options, target).map_err(|m| args.write_error(1, m))?,
        None => {
            let png = plot::png_bytes(figure, options).map_err(|m| data_error(args, m))?;
            let svg = plot::svg_text(figure, options).map_err(|m| data_error(args, m))?;
            show_inline(
                interpreter,
                Picture {
                    png: Some(png),
                    svg: Some(svg),
                },
            )?;
        }
    }
    Ok(Value::None)
}

/// Is the picture drawn inline (no path, `args[1]`, in a notebook)? Without a path outside a
/// notebook it has nowhere to go: `code`, saying so of `what`, with `help`.
pub fn drawn_inline(
    interpreter: &Interpreter,
    args: &Args,
    (code, what): (&'static str, &str),
    help: &str,
) -> Eval<bool> {
    match args.value(1) {
        Value::None if interpreter.inline_pictures.is_some() => Ok(true),
        Value::None => Err(args.rejected(
            code,
            format!("{what} without a path shows only in a notebook"),
            0,
            help,
        )),
        _ => Ok(false),
    }
}

/// Hand a picture to the notebook where it is drawn, after the lines printed before it.
pub fn show_inline(interpreter: &mut Interpreter, picture: Picture) -> Eval<()> {
    interpreter.flush_output()?;
    if let Some(sink) = &interpreter.inline_pictures {
        sink(picture);
    }
    Ok(())
}

/// A labelled array draws along its coordinates, with its dimension names (and the
/// coordinates' units) on the axes and its long name (or name) and units as the title, unless
/// the call gives them.
fn label_figure(
    l: &crate::dataset::Labelled,
    figure: &mut plot::Figure,
    options: &mut plot::Options,
) {
    use crate::io::layout::Attr;
    let text = |attrs: &crate::dataset::Attrs, key: &str| match crate::dataset::attr(attrs, key) {
        Some(Attr::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let axis = |dim: &str| {
        l.coord(dim).map(|c| plot::Axis {
            values: c.f64_values(),
            time: c.time_units(),
        })
    };
    let described = |dim: &str| match l.coord(dim).and_then(|c| text(&c.attrs, "units")) {
        Some(units) if l.coord(dim).is_some_and(|c| c.time_units().is_none()) => {
            format!("{dim} [{units}]")
        }
        _ => dim.to_string(),
    };
    let (x_dim, y_dim) = match figure {
        plot::Figure::Line { x, .. } => {
            *x = axis(&l.dims[0]);
            (Some(&l.dims[0]), None)
        }
        plot::Figure::HeatMap { x, y, .. } => {
            *x = axis(&l.dims[1]);
            *y = axis(&l.dims[0]);
            (Some(&l.dims[1]), Some(&l.dims[0]))
        }
        plot::Figure::Bars { .. } | plot::Figure::Points { .. } => (None, None),
    };
    let name = text(&l.attrs, "long_name").or_else(|| l.name.clone());
    let units = text(&l.attrs, "units");
    let quantity = match (name, units) {
        (Some(n), Some(u)) => format!("{n} [{u}]"),
        (Some(n), None) => n,
        (None, Some(u)) => format!("[{u}]"),
        (None, None) => String::new(),
    };
    if options.xlabel.is_empty() {
        if let Some(dim) = x_dim {
            options.xlabel = described(dim);
        }
    }
    if options.ylabel.is_empty() {
        match y_dim {
            Some(dim) => options.ylabel = described(dim),
            None => options.ylabel = quantity.clone(),
        }
    }
    if options.title.is_empty() && y_dim.is_some() {
        options.title = quantity;
    }
}

/// `save_image(frame, path, cmap="grey")`
pub fn save_image(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    match args.value(0) {
        Value::Array(a) if a.ndim() != 2 => {
            return Err(args.rejected(
                "flow::check::plot",
                format!("save_image takes a 2-d array, not a {}-d one", a.ndim()),
                0,
                "slice one frame first: frames[0]",
            ))
        }
        Value::Array(_) | Value::Unknown(_) => {}
        other => {
            return Err(args.rejected(
                "flow::check::plot",
                format!("save_image takes a 2-d array, not {}", other.type_name()),
                0,
                "save_image(frame, \"frame.png\")",
            ))
        }
    }
    let target = target(args, interpreter, &["png"])?;
    let cmap = colormap(args, 2)?;
    if interpreter.is_checking() {
        return Ok(Value::None);
    }
    let chunks = computed_chunks(interpreter, args.value(0).clone())?;
    plot::save_image(&chunks[0], cmap, &target).map_err(|m| {
        if m.contains("nothing to draw") {
            data_error(args, m)
        } else {
            args.write_error(1, m)
        }
    })?;
    Ok(Value::None)
}

/// Compute the value (only what it needs: a reduction's result, not its input) and return the
/// arrays in it as whole chunks.
fn computed_chunks(
    interpreter: &mut Interpreter,
    value: Value,
) -> Eval<Vec<crate::array::chunk::ChunkData>> {
    let value = interpreter.force_value(value)?;
    let arrays: Vec<Value> = match value {
        Value::Tuple(items) => items.to_vec(),
        other => vec![other],
    };
    Ok(arrays
        .iter()
        .filter_map(|v| match v {
            Value::Array(a) => a.whole(),
            Value::Labelled(l) => l.array.whole(),
            _ => None,
        })
        .collect())
}
