//! Where a lazy array's values are read from, as data: a variable of one file, or of several
//! files concatenated along an axis, in a file format, with the rules that decode its stored
//! values. Reading it is `io`'s work; here it is only described, so a read task can be written
//! out and run in another process, which opens the files itself.

use super::dtype::DType;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// The file formats arrays are read from; each has one file in `io/` and an entry in its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Hdf5,
    #[serde(rename = "netcdf")]
    NetCdf,
}

/// How stored values become the values flow sees (CF conventions, as xarray decodes them):
/// stored integers are read as the other signedness when `flip_sign` (`_Unsigned`), values equal
/// to `fill` or `missing` (given in that view) become NaN, then value * scale + offset.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Decode {
    #[serde(with = "crate::text::float::option")]
    pub fill: Option<f64>,
    #[serde(with = "crate::text::float::option")]
    pub missing: Option<f64>,
    /// Further entries of a `missing_value` list (CF allows several), up to three.
    #[serde(with = "crate::text::float::option::array")]
    pub more_missing: [Option<f64>; 3],
    #[serde(with = "crate::text::float::option")]
    pub scale: Option<f64>,
    #[serde(with = "crate::text::float::option")]
    pub offset: Option<f64>,
    /// Read signed integers as unsigned ones of the same width (`_Unsigned = "true"`), or
    /// unsigned as signed (`"false"`): the bits are kept, as xarray does.
    #[serde(default)]
    pub flip_sign: bool,
}

impl Decode {
    fn bits(&self) -> [Option<u64>; 7] {
        let [a, b, c] = self.more_missing;
        [self.fill, self.missing, a, b, c, self.scale, self.offset].map(|v| v.map(f64::to_bits))
    }

    pub fn is_identity(&self) -> bool {
        !self.flip_sign && self.bits().iter().all(Option::is_none)
    }
}

/// Compared bit for bit (not as floats), so a NaN fill value equals itself and Eq and Hash agree:
/// a source can key a cache.
impl PartialEq for Decode {
    fn eq(&self, other: &Decode) -> bool {
        self.bits() == other.bits() && self.flip_sign == other.flip_sign
    }
}

impl Eq for Decode {}

impl Hash for Decode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bits().hash(state);
        self.flip_sign.hash(state);
    }
}

/// A variable read across files concatenated along `axis` (one file: `files.len() == 1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileSource {
    pub format: FileFormat,
    pub files: Vec<PathBuf>,
    /// Where each file's part starts along `axis`, plus the total length: files.len() + 1 entries.
    pub starts: Vec<usize>,
    pub axis: usize,
    /// The variable (netCDF) or dataset path (HDF5).
    pub variable: String,
    pub decode: Decode,
    /// The dtype of the decoded values.
    pub dtype: DType,
    /// The length in bytes each file must still have when it is read (what its header promised
    /// while checking; see `io::check_lengths`); empty when unknown.
    #[serde(default)]
    pub lengths: Vec<u64>,
}

impl FileSource {
    /// A variable of one file, of `length` along its first axis (1 for a 0-d variable).
    pub fn single(
        format: FileFormat,
        path: PathBuf,
        variable: String,
        length: usize,
        decode: Decode,
        dtype: DType,
        file_length: Option<u64>,
    ) -> FileSource {
        FileSource {
            format,
            files: vec![path],
            starts: vec![0, length],
            axis: 0,
            variable,
            decode,
            dtype,
            lengths: file_length.into_iter().collect(),
        }
    }

    /// The source of the files a block at `start` of `shape` touches, with the block's start
    /// along the axis counted from the first of them: what a read task carries, whatever the
    /// number of files the whole variable spans.
    pub fn for_block(&self, start: &[usize], shape: &[usize]) -> (FileSource, Vec<usize>) {
        if self.files.len() <= 1 || start.len() <= self.axis {
            return (self.clone(), start.to_vec());
        }
        let (lo, hi) = (start[self.axis], start[self.axis] + shape[self.axis]);
        let touched: Vec<usize> = (0..self.files.len())
            .filter(|&i| self.starts[i] < hi.max(lo + 1) && self.starts[i + 1] > lo)
            .collect();
        let (Some(&first), Some(&last)) = (touched.first(), touched.last()) else {
            return (self.clone(), start.to_vec());
        };
        let base = self.starts[first];
        let mut start = start.to_vec();
        start[self.axis] -= base;
        let source = FileSource {
            files: self.files[first..=last].to_vec(),
            lengths: self
                .lengths
                .get(first..=last)
                .map(<[u64]>::to_vec)
                .unwrap_or_default(),
            starts: self.starts[first..=last + 1]
                .iter()
                .map(|s| s - base)
                .collect(),
            ..self.clone()
        };
        (source, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_carries_only_the_files_it_touches() {
        let source = FileSource {
            format: FileFormat::NetCdf,
            files: ["a", "b", "c", "d"].iter().map(PathBuf::from).collect(),
            starts: vec![0, 10, 20, 30, 40],
            axis: 0,
            variable: "x".into(),
            decode: Decode::default(),
            dtype: DType::F64,
            lengths: vec![1, 2, 3, 4],
        };
        let (block, start) = source.for_block(&[15, 0], &[10, 3]);
        assert_eq!(block.files, vec![PathBuf::from("b"), PathBuf::from("c")]);
        assert_eq!(block.lengths, vec![2, 3]);
        assert_eq!(block.starts, vec![0, 10, 20]);
        assert_eq!(start, vec![5, 0]);
        let (block, start) = source.for_block(&[30, 0], &[10, 3]);
        assert_eq!(block.files, vec![PathBuf::from("d")]);
        assert_eq!((block.starts, start), (vec![0, 10], vec![0, 0]));
    }
}
