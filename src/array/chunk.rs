//! One block of an array in memory: an ndarray of one of the five dtypes, always in standard
//! (row-major, contiguous) layout so kernels can treat it as a flat slice.

use crate::array::dtype::DType;
use ndarray::{ArrayD, IxDyn};

#[derive(Clone, Debug)]
pub enum ChunkData {
    Bool(ArrayD<bool>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Apply `$body` to the inner array whatever its dtype, binding it to `$a`.
macro_rules! with_chunk {
    ($chunk:expr, $a:ident => $body:expr) => {
        match $chunk {
            $crate::array::chunk::ChunkData::Bool($a) => $body,
            $crate::array::chunk::ChunkData::I32($a) => $body,
            $crate::array::chunk::ChunkData::I64($a) => $body,
            $crate::array::chunk::ChunkData::F32($a) => $body,
            $crate::array::chunk::ChunkData::F64($a) => $body,
        }
    };
}

/// Like [`with_chunk!`], but the body builds a new chunk of the same dtype (`$wrap(array)`).
macro_rules! map_chunk {
    ($chunk:expr, $a:ident => $body:expr) => {
        match $chunk {
            $crate::array::chunk::ChunkData::Bool($a) => {
                $crate::array::chunk::ChunkData::Bool($body)
            }
            $crate::array::chunk::ChunkData::I32($a) => $crate::array::chunk::ChunkData::I32($body),
            $crate::array::chunk::ChunkData::I64($a) => $crate::array::chunk::ChunkData::I64($body),
            $crate::array::chunk::ChunkData::F32($a) => $crate::array::chunk::ChunkData::F32($body),
            $crate::array::chunk::ChunkData::F64($a) => $crate::array::chunk::ChunkData::F64($body),
        }
    };
}

pub(crate) use {map_chunk, with_chunk};

impl ChunkData {
    pub fn zeros(dtype: DType, shape: &[usize]) -> ChunkData {
        let shape = IxDyn(shape);
        match dtype {
            DType::Bool => ChunkData::Bool(ArrayD::from_elem(shape, false)),
            DType::I32 => ChunkData::I32(ArrayD::zeros(shape)),
            DType::I64 => ChunkData::I64(ArrayD::zeros(shape)),
            DType::F32 => ChunkData::F32(ArrayD::zeros(shape)),
            DType::F64 => ChunkData::F64(ArrayD::zeros(shape)),
        }
    }

    pub fn dtype(&self) -> DType {
        match self {
            ChunkData::Bool(_) => DType::Bool,
            ChunkData::I32(_) => DType::I32,
            ChunkData::I64(_) => DType::I64,
            ChunkData::F32(_) => DType::F32,
            ChunkData::F64(_) => DType::F64,
        }
    }

    pub fn shape(&self) -> &[usize] {
        with_chunk!(self, a => a.shape())
    }

    pub fn len(&self) -> usize {
        with_chunk!(self, a => a.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().itemsize()
    }

    /// The same data with another shape of the same size (standard layout is kept).
    pub fn reshape(self, shape: &[usize]) -> ChunkData {
        map_chunk!(self, a => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            a.into_shape_with_order(IxDyn(shape)).expect("reshape keeps the element count")
        })
    }

    /// Convert to another dtype (floats to ints truncate, as NumPy's astype).
    /// The chunk as `dtype`: itself, borrowed, when it already is (no copy).
    pub fn cast(&self, dtype: DType) -> std::borrow::Cow<'_, ChunkData> {
        if self.dtype() == dtype {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(self.converted(dtype))
    }

    /// The chunk as `dtype`, moved when it already is.
    pub fn into_dtype(self, dtype: DType) -> ChunkData {
        if self.dtype() == dtype {
            return self;
        }
        self.converted(dtype)
    }

    fn converted(&self, dtype: DType) -> ChunkData {
        match dtype {
            DType::Bool => ChunkData::Bool(with_chunk!(self, a => a.mapv(|x| to_f64(x) != 0.0))),
            DType::I32 => ChunkData::I32(with_chunk!(self, a => a.mapv(|x| to_i64(x) as i32))),
            DType::I64 => ChunkData::I64(with_chunk!(self, a => a.mapv(to_i64))),
            DType::F32 => ChunkData::F32(with_chunk!(self, a => a.mapv(|x| to_f64(x) as f32))),
            DType::F64 => ChunkData::F64(with_chunk!(self, a => a.mapv(to_f64))),
        }
    }

    /// Every element as f64 (bools as 0/1).
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            ChunkData::F64(a) => a.clone(),
            other => with_chunk!(other, a => a.mapv(to_f64)),
        }
    }
}

/// Element conversions used by casts and kernels.
pub trait Element: Copy + Send + Sync + 'static {
    fn to_f64(self) -> f64;
    fn to_i64(self) -> i64;
    /// The chunk's values as this type (converted when the chunk holds another).
    fn values_of(chunk: &ChunkData) -> ArrayD<Self>;
    /// A chunk of these values.
    fn chunk_of(values: ArrayD<Self>) -> ChunkData;
}

/// `values_of` and `chunk_of` for the element type of variant `$variant`.
macro_rules! typed_chunk {
    ($variant:ident) => {
        fn values_of(chunk: &ChunkData) -> ArrayD<Self> {
            match chunk.cast(DType::$variant).into_owned() {
                ChunkData::$variant(a) => a,
                _ => unreachable!("cast to {}", DType::$variant),
            }
        }
        fn chunk_of(values: ArrayD<Self>) -> ChunkData {
            ChunkData::$variant(values)
        }
    };
}

impl Element for bool {
    typed_chunk!(Bool);
    fn to_f64(self) -> f64 {
        self as i64 as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}
impl Element for i32 {
    typed_chunk!(I32);
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}
impl Element for i64 {
    typed_chunk!(I64);
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i64(self) -> i64 {
        self
    }
}
impl Element for f32 {
    typed_chunk!(F32);
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}
impl Element for f64 {
    typed_chunk!(F64);
    fn to_f64(self) -> f64 {
        self
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}

pub fn to_f64<T: Element>(x: T) -> f64 {
    x.to_f64()
}

pub fn to_i64<T: Element>(x: T) -> i64 {
    x.to_i64()
}

/// Join blocks (row-major grid order) into one array of `shape`.
pub fn assemble(
    blocks: &[ChunkData],
    grid: &[usize],
    chunk_offsets: &[Vec<usize>],
    shape: &[usize],
    dtype: DType,
) -> ChunkData {
    if blocks.len() == 1 {
        return blocks[0].cast(dtype).into_owned();
    }
    let mut out = ChunkData::zeros(dtype, shape);
    let indices = crate::array::chunks::grid_indices(grid);
    for (block, index) in blocks.iter().zip(indices) {
        let block = block.cast(dtype);
        let region: Vec<ndarray::SliceInfoElem> = index
            .iter()
            .enumerate()
            .map(|(axis, &i)| ndarray::SliceInfoElem::Slice {
                start: chunk_offsets[axis][i] as isize,
                end: Some(chunk_offsets[axis][i + 1] as isize),
                step: 1,
            })
            .collect();
        match (&mut out, &*block) {
            (ChunkData::Bool(o), ChunkData::Bool(b)) => o.slice_mut(region.as_slice()).assign(b),
            (ChunkData::I32(o), ChunkData::I32(b)) => o.slice_mut(region.as_slice()).assign(b),
            (ChunkData::I64(o), ChunkData::I64(b)) => o.slice_mut(region.as_slice()).assign(b),
            (ChunkData::F32(o), ChunkData::F32(b)) => o.slice_mut(region.as_slice()).assign(b),
            (ChunkData::F64(o), ChunkData::F64(b)) => o.slice_mut(region.as_slice()).assign(b),
            _ => unreachable!("cast to the same dtype"),
        }
    }
    out
}

/// A chunk written out: its dtype, shape and values as little-endian bytes (base64 in JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct Encoded {
    dtype: DType,
    shape: Vec<usize>,
    #[serde(
        serialize_with = "crate::text::serialize_bytes",
        deserialize_with = "crate::text::deserialize_bytes"
    )]
    bytes: Vec<u8>,
}

impl ChunkData {
    /// The values as little-endian bytes, in row-major order.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.nbytes());
        match self {
            ChunkData::Bool(a) => bytes.extend(a.iter().map(|&b| b as u8)),
            ChunkData::I32(a) => a.iter().for_each(|v| bytes.extend(v.to_le_bytes())),
            ChunkData::I64(a) => a.iter().for_each(|v| bytes.extend(v.to_le_bytes())),
            ChunkData::F32(a) => a.iter().for_each(|v| bytes.extend(v.to_le_bytes())),
            ChunkData::F64(a) => a.iter().for_each(|v| bytes.extend(v.to_le_bytes())),
        }
        bytes
    }

    /// The chunk of `dtype` and `shape` whose values `bytes` hold (as [`ChunkData::to_le_bytes`]
    /// writes them).
    pub fn from_le_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Result<ChunkData, String> {
        let count: usize = shape.iter().product();
        if bytes.len() != count * dtype.itemsize() {
            return Err(format!(
                "{} bytes for {count} values of {dtype}",
                bytes.len()
            ));
        }
        let shape = IxDyn(shape);
        fn values<const N: usize, T>(bytes: &[u8], from: fn([u8; N]) -> T) -> Vec<T> {
            bytes
                .chunks_exact(N)
                .map(|b| from(b.try_into().expect("N bytes")))
                .collect()
        }
        let build =
            |chunk: Result<ChunkData, ndarray::ShapeError>| chunk.map_err(|e| e.to_string());
        build(match dtype {
            DType::Bool => ArrayD::from_shape_vec(shape, bytes.iter().map(|&b| b != 0).collect())
                .map(ChunkData::Bool),
            DType::I32 => {
                ArrayD::from_shape_vec(shape, values(bytes, i32::from_le_bytes)).map(ChunkData::I32)
            }
            DType::I64 => {
                ArrayD::from_shape_vec(shape, values(bytes, i64::from_le_bytes)).map(ChunkData::I64)
            }
            DType::F32 => {
                ArrayD::from_shape_vec(shape, values(bytes, f32::from_le_bytes)).map(ChunkData::F32)
            }
            DType::F64 => {
                ArrayD::from_shape_vec(shape, values(bytes, f64::from_le_bytes)).map(ChunkData::F64)
            }
        })
    }
}

/// Serde for an ndarray of one of the five element types, written as a chunk is (for fields:
/// `#[serde(with = "crate::array::chunk::as_chunk")]`).
pub mod as_chunk {
    use super::{ChunkData, Element};
    use ndarray::ArrayD;

    pub fn serialize<T: Element, S: serde::Serializer>(
        values: &ArrayD<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&T::chunk_of(values.clone()), serializer)
    }

    pub fn deserialize<'de, T: Element, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ArrayD<T>, D::Error> {
        let chunk: ChunkData = serde::Deserialize::deserialize(deserializer)?;
        Ok(T::values_of(&chunk))
    }
}

impl serde::Serialize for ChunkData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let encoded = Encoded {
            dtype: self.dtype(),
            shape: self.shape().to_vec(),
            bytes: self.to_le_bytes(),
        };
        serde::Serialize::serialize(&encoded, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ChunkData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ChunkData, D::Error> {
        let encoded: Encoded = serde::Deserialize::deserialize(deserializer)?;
        ChunkData::from_le_bytes(encoded.dtype, &encoded.shape, &encoded.bytes)
            .map_err(serde::de::Error::custom)
    }
}
