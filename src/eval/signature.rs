//! Parameters and argument binding, shared by user functions and builtins, so both report
//! arity and keyword mistakes the same way.

use super::interpreter::Eval;
use super::value::Value;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{Function, Ident};

#[derive(Clone, Debug)]
pub struct Signature {
    pub params: Vec<ParamSpec>,
}

#[derive(Clone, Debug)]
pub struct ParamSpec {
    pub name: String,
    pub default: Option<Value>,
    /// `*values`: collects the remaining positional arguments into a tuple (builtins only).
    pub variadic: bool,
    /// `**indexers`: collects the keywords no other parameter takes into a record (builtins
    /// only: `ds.isel(time=0)`).
    pub keywords: bool,
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.repr())
    }
}

#[derive(Clone)]
pub struct ArgumentValue {
    pub name: Option<Ident>,
    pub value: Value,
    pub span: Span,
}

impl ArgumentValue {
    pub fn positional(value: Value, span: Span) -> ArgumentValue {
        ArgumentValue {
            name: None,
            value,
            span,
        }
    }
}

/// Arguments in parameter order, defaults filled in; the span of each (the call's for defaults).
pub struct Bound {
    pub values: Vec<Value>,
    pub spans: Vec<Span>,
    /// The span of each keyword a `**` parameter collected.
    pub keyword_spans: Vec<(String, Span)>,
}

impl Signature {
    pub fn of_function(function: &Function, defaults: Vec<Option<Value>>) -> Signature {
        Signature {
            params: function
                .params
                .iter()
                .zip(defaults)
                .map(|(p, default)| ParamSpec {
                    name: p.name.name.clone(),
                    default,
                    variadic: false,
                    keywords: false,
                })
                .collect(),
        }
    }

    /// `name(a, b=1, *rest)` as text, for help and messages.
    pub fn describe(&self, name: &str) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match (&p.default, p.variadic) {
                _ if p.keywords => format!("**{}", p.name),
                (_, true) => format!("*{}", p.name),
                (Some(default), _) => format!("{}={}", p.name, default.repr()),
                (None, _) => p.name.clone(),
            })
            .collect();
        format!("{name}({})", params.join(", "))
    }
}

pub fn bind_arguments(
    signature: &Signature,
    name: &str,
    args: Vec<ArgumentValue>,
    call: Span,
) -> Eval<Bound> {
    let params = &signature.params;
    let mut values: Vec<Option<Value>> = vec![None; params.len()];
    let mut spans = vec![call; params.len()];
    let variadic = params.iter().position(|p| p.variadic);
    let keywords = params.iter().position(|p| p.keywords);
    let mut collected: Vec<(String, Value)> = Vec::new();
    let mut keyword_spans: Vec<(String, Span)> = Vec::new();
    let mut rest = Vec::new();
    let mut rest_span: Option<Span> = None;
    let mut position = 0;
    let positional_count = args.iter().filter(|a| a.name.is_none()).count();
    for arg in args {
        match &arg.name {
            None => {
                if Some(position) == variadic {
                    rest_span = Some(rest_span.map_or(arg.span, |s| s.to(arg.span)));
                    rest.push(arg.value);
                    continue;
                }
                if position >= params.len() {
                    let takes = params.len();
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::arity",
                            format!(
                                "`{name}` takes {takes} positional argument{} but {positional_count} were given",
                                if takes == 1 { "" } else { "s" }
                            ),
                            arg.span,
                        )
                        .with_label("one too many")
                        .with_help(format!("call it as {}", signature.describe(name))),
                    ));
                }
                values[position] = Some(arg.value);
                spans[position] = arg.span;
                position += 1;
            }
            Some(keyword) => {
                let index = params
                    .iter()
                    .position(|p| p.name == keyword.name && !p.variadic && !p.keywords);
                if let (None, Some(_)) = (index, keywords) {
                    if keyword_spans.iter().any(|(k, _)| *k == keyword.name) {
                        return Err(Box::new(
                            Diagnostic::error(
                                "flow::check::duplicate_argument",
                                format!("`{}` is given twice", keyword.name),
                                keyword.span,
                            )
                            .with_label("given again"),
                        ));
                    }
                    keyword_spans.push((keyword.name.clone(), arg.span));
                    collected.push((keyword.name.clone(), arg.value));
                    continue;
                }
                let Some(index) = index else {
                    let names = params
                        .iter()
                        .filter(|p| !p.variadic)
                        .map(|p| p.name.as_str());
                    let help = match crate::text::closest(&keyword.name, names) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("call it as {}", signature.describe(name)),
                    };
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::unknown_keyword",
                            format!("`{name}` has no parameter `{}`", keyword.name),
                            keyword.span,
                        )
                        .with_label("unknown keyword")
                        .with_help(help),
                    ));
                };
                if values[index].is_some() {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::duplicate_argument",
                            format!("`{}` is given twice", keyword.name),
                            keyword.span,
                        )
                        .with_label("already given by position")
                        .with_note(spans[index], "first given here")
                        .with_help(format!("call it as {}", signature.describe(name))),
                    ));
                }
                values[index] = Some(arg.value);
                spans[index] = arg.span;
            }
        }
    }
    let mut out = Vec::with_capacity(params.len());
    for (index, (param, value)) in params.iter().zip(values).enumerate() {
        if param.keywords {
            if let (Some(first), Some(last)) = (keyword_spans.first(), keyword_spans.last()) {
                spans[index] = first.1.to(last.1);
            }
            out.push(Value::Record(std::sync::Arc::new(std::mem::take(
                &mut collected,
            ))));
            continue;
        }
        if param.variadic {
            spans[index] = rest_span.unwrap_or(call);
            out.push(Value::tuple(std::mem::take(&mut rest)));
            continue;
        }
        match value.or_else(|| param.default.clone()) {
            Some(value) => out.push(value),
            None => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::missing_argument",
                        format!("`{name}` needs argument `{}`", param.name),
                        call,
                    )
                    .with_label(format!("`{}` is missing", param.name))
                    .with_help(format!("call it as {}", signature.describe(name))),
                ))
            }
        }
    }
    Ok(Bound {
        values: out,
        spans,
        keyword_spans,
    })
}
