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
    // An element to embed in a page (no XML prolog), in the sans-serif face DOT asks for.
    let text = svg.finalize();
    let start = text.find("<svg").unwrap_or(0);
    Ok(text[start..].replace(
        "font-family: Times, serif",
        "font-family: Helvetica, Arial, sans-serif",
    ))
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
    fn too_many_nodes_are_refused_not_laid_out() {
        let mut dot = String::from("digraph g {\n");
        for i in 0..=MOST_NODES {
            dot.push_str(&format!("  t{i} [label=\"task {i}\"];\n"));
        }
        dot.push_str("}\n");
        assert!(svg_of_dot(&dot).unwrap_err().contains("too many"));
    }
}
