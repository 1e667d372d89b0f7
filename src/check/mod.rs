//! Stage 2: check. Everything that can be known before running is found here, all at once:
//! names (this module's `names` pass), then types, arities, shapes and file schemas by running
//! the program abstractly (the interpreter in check mode, which computes what the source fixes
//! and treats what data decides as unknown values of known type).

mod names;

pub use names::resolve_names;

/// The help of an unknown name: the closest known one, or the list.
pub fn did_you_mean<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    kind: &str,
) -> String {
    match closest(name, known.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let all: Vec<&str> = known.collect();
            if all.is_empty() {
                format!("there are no {kind}")
            } else {
                format!("the {kind}: {}", all.join(", "))
            }
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let length = name.chars().count();
    // One-letter names are too short for a typo to be told apart from another name.
    let limit = if length < 3 { 0 } else { (length / 3).max(1) };
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = if c.to_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &c.to_lowercase())
            };
            (distance, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, !c.to_lowercase().starts_with(&lower), c.len()))
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(previous_previous[j - 2] + 1);
            }
        }
        previous_previous = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(closest("pritn", ["print", "range"]), Some("print".into()));
        assert_eq!(closest("totl", ["total", "x"]), Some("total".into()));
        assert_eq!(closest("zzz", ["print"]), None);
        assert_eq!(edit_distance("abc", "acb"), 1);
    }
}
