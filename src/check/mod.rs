//! Stage 2: check. Everything that can be known before running is found here, all at once:
//! names (this module's `names` pass), then types, arities, shapes and file schemas by running
//! the program abstractly (the interpreter in check mode, which computes what the source fixes
//! and treats what data decides as unknown values of known type).

mod names;

pub use names::resolve_names;

pub use crate::text::{closest, did_you_mean, edit_distance};
