//! DOT graphs drawn as SVG without Graphviz: flow's own DOT text laid out in layers by the
//! pure-Rust `layout-rs` crate, for a notebook to show `graph(x)` inline.

use ::layout::backends::svg::SVGWriter;
use ::layout::gv::{DotParser, GraphBuilder};

/// Graphs with more nodes than this are not laid out inline: the layered layout's crossing
/// reduction grows faster than linearly, and a picture of thousands of boxes shows nothing.
pub const MOST_NODES: usize = 2000;

/// The SVG picture of a DOT graph that flow wrote (`graph::dot`).
pub fn svg_of_dot(text: &str) -> Result<String, String> {
    let nodes = text.lines().filter(|l| l.contains("[label=")).count();
    if nodes > MOST_NODES {
        return Err(format!(
            "{nodes} nodes are too many to draw inline (at most {MOST_NODES})"
        ));
    }
    let mut parser = DotParser::new(text);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    // The crate's layout asserts on shapes it does not expect; flow's DOT uses none of them,
    // and a panic here must still not take the session down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        visual.do_it(false, false, false, &mut svg)
    }))
    .map_err(|_| "the graph could not be laid out".to_string())?;
    // An element to embed in a page (no XML prolog), in the sans-serif face DOT asks for, the
    // same bytes every time.
    let text = svg.finalize();
    let start = text.find("<svg").unwrap_or(0);
    let text = text[start..].replace(
        "font-family: Times, serif",
        "font-family: Helvetica, Arial, sans-serif",
    );
    Ok(styles_in_order(&text))
}

/// The crate writes its font classes from a hash map, in an order that changes from run to
/// run: sorted, a notebook saved twice is the same file.
fn styles_in_order(svg: &str) -> String {
    let (Some(open), Some(close)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg.to_string();
    };
    let body = open + "<style>\n".len();
    if close < body {
        return svg.to_string();
    }
    let mut classes: Vec<&str> = svg[body..close].lines().collect();
    classes.sort_unstable();
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..body]);
    for class in classes {
        out.push_str(class);
        out.push('\n');
    }
    out.push_str(&svg[close..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_boxes_with_their_lines_and_the_edges() {
        let dot = "digraph flow {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n  \
                   n1 [label=\"ones\\nf64[4]\"];\n  n2 [label=\"sum\\nf64[]\"];\n  n1 -> n2;\n}\n";
        let svg = svg_of_dot(dot).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("sans-serif"),
            "{svg}"
        );
        assert!(svg.contains(">ones<") && svg.contains(">f64[4]<"), "{svg}");
        assert!(svg.contains(">sum<"), "{svg}");
        assert!(svg.contains("<path"), "an edge is drawn: {svg}");
    }

    #[test]
    fn the_same_graph_is_the_same_picture_every_time() {
        let dot =
            "digraph g {\n  node [shape=box, fontsize=9];\n  a [label=\"a\", fontsize=14];\n  \
                   b [label=\"b\"];\n  c [label=\"c\", fontsize=11];\n  a -> b;\n  b -> c;\n}\n";
        let first = svg_of_dot(dot).unwrap();
        for _ in 0..10 {
            assert_eq!(svg_of_dot(dot).unwrap(), first);
        }
        let style = &first[first.find("<style>").unwrap()..first.find("</style>").unwrap()];
        assert!(
            style.find(".a11").unwrap() < style.find(".a14").unwrap(),
            "{style}"
        );
    }

    #[test]
    fn too_many_nodes_are_refused_not_laid_out() {
        let mut dot = String::from("digraph g {\n");
        for i in 0..=MOST_NODES {
            dot.push_str(&format!("  t{i} [label=\"task {i}\"];\n"));
        }
        dot.push_str("}\n");
        assert!(svg_of_dot(&dot).unwrap_err().contains("too many"));
    }
}
