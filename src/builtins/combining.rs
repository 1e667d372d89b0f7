//! `concat` and `merge` of labelled arrays and datasets (the joining itself is in
//! `crate::dataset::combine`).

use crate::dataset::combine;
use crate::dataset::{Dataset, Labelled, Subject};
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::dataset::wrap;
use crate::eval::value::{Type, Value};
use std::sync::Arc;

/// The items of a list argument, each a labelled array or a dataset.
fn subjects(args: &Args, interpreter: &mut Interpreter) -> Eval<Option<Vec<Subject>>> {
    let items = args.items(interpreter, 0)?;
    if items.iter().any(Value::is_unknown) {
        return Ok(None);
    }
    if items.is_empty() {
        return Err(args.rejected(
            "flow::check::concatenate",
            "nothing to join".into(),
            0,
            "give a list of labelled arrays or datasets",
        ));
    }
    items
        .iter()
        .map(|v| match v {
            Value::Labelled(l) => Ok(Subject::Labelled((**l).clone())),
            Value::Dataset(ds) => Ok(Subject::Dataset(ds.clone())),
            _ => Err(args.wrong_type(0, "a list of labelled arrays or datasets")),
        })
        .collect::<Eval<Vec<_>>>()
        .map(Some)
}

/// `concat([a, b, …], dim)`: labelled arrays (or datasets) joined along `dim`, an existing
/// dimension (its coordinate values joined too) or a new first one.
pub fn concat(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(items) = subjects(args, interpreter)? else {
        return Ok(Value::Unknown(Type::Any));
    };
    let dim = args.str(1)?;
    let labelled: Vec<Labelled> = items
        .iter()
        .filter_map(|s| match s {
            Subject::Labelled(l) => Some(l.clone()),
            Subject::Dataset(_) => None,
        })
        .collect();
    let datasets: Vec<Arc<Dataset>> = items
        .iter()
        .filter_map(|s| match s {
            Subject::Dataset(ds) => Some(ds.clone()),
            Subject::Labelled(_) => None,
        })
        .collect();
    match (labelled.is_empty(), datasets.is_empty()) {
        (false, true) => Ok(wrap(combine::concat_labelled(&labelled, &dim, args.call)?)),
        (true, false) => Ok(Value::Dataset(Arc::new(combine::concat_datasets(
            &datasets, &dim, args.call,
        )?))),
        _ => Err(args.rejected(
            "flow::check::argument_type",
            "concat joins labelled arrays or datasets, not both".into(),
            0,
            "make the labelled arrays datasets first: dataset({adt: x})",
        )),
    }
}

/// `merge([ds1, ds2, x, …])`: datasets and named labelled arrays as one dataset.
pub fn merge(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(items) = subjects(args, interpreter)? else {
        return Ok(Value::Unknown(Type::Dataset));
    };
    Ok(Value::Dataset(Arc::new(combine::merge(&items, args.call)?)))
}
