//! What a file holds, as flow sees any array format: its dimensions, variables (dtype, shape,
//! on-disk chunks, decoding, attributes, and the values of small coordinates) and attributes,
//! read while checking; and how a file to write is laid out, and written block by block.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::source::Decode;

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    Str(String),
    Int(i64),
    Float(f64),
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

#[derive(Debug, Clone)]
pub struct DimHeader {
    pub name: String,
    pub len: usize,
    pub unlimited: bool,
}

#[derive(Debug, Clone)]
pub struct VarHeader {
    pub name: String,
    pub dims: Vec<String>,
    pub shape: Vec<usize>,
    /// The dtype flow gives the decoded values; `Err(type name)` for types flow does not read (char, string, compound, ...).
    pub dtype: Result<DType, String>,
    pub decode: Decode,
    /// On-disk chunk shape if chunked.
    pub chunk: Option<Vec<usize>>,
    /// Every attribute, as in the file (including _FillValue, scale_factor, add_offset, units...).
    pub attrs: Vec<(String, Attr)>,
    /// The decoded values of a coordinate variable (1-d, named after its dimension) or of a 0-d
    /// variable, read with the header: opening a file costs more than reading a few hundred
    /// numbers from it.
    pub values: Option<ChunkData>,
}

#[derive(Debug, Clone)]
pub struct FileHeader {
    pub dims: Vec<DimHeader>,
    pub variables: Vec<VarHeader>,
    pub attrs: Vec<(String, Attr)>,
    /// The length in bytes the file had when its header was read, or (classic netCDF) the
    /// length its header says it must have: a file shorter than this when it is read has been
    /// truncated. `None` when unknown (a header planned from a save).
    pub length: Option<u64>,
}

pub enum HeaderError {
    Missing,
    /// Shorter than its header says it must be.
    Truncated {
        length: u64,
        promised: u64,
    },
    /// Not a file of the format (the library's reason).
    Unreadable(String),
}

impl FileHeader {
    pub fn variable(&self, name: &str) -> Option<&VarHeader> {
        self.variables.iter().find(|v| v.name == name)
    }
}

/// A file to write: its dimensions, attributes and variables (whose blocks are written next).
pub struct FileLayout {
    pub dims: Vec<DimHeader>,
    pub attrs: Vec<(String, Attr)>,
    pub variables: Vec<VariableLayout>,
}

pub struct VariableLayout {
    pub name: String,
    pub dims: Vec<String>,
    pub dtype: DType,
    /// On-disk chunks.
    pub chunk: Option<Vec<usize>>,
    /// Compressed (deflate).
    pub gzip: bool,
    pub attrs: Vec<(String, Attr)>,
}

/// A file being written: each variable's blocks (from several threads), then finished —
/// errors that only show when the file is completed appear there.
pub trait BlockWriter: Sync {
    fn write(&self, variable: &str, start: &[usize], block: &ChunkData) -> Result<(), String>;
    fn finish(self: Box<Self>) -> Result<(), String>;
}
