//! netCDF files: the header of a file (read while checking: dimensions, variables, attributes,
//! and how each variable decodes), one block read per task across files concatenated along an
//! axis, and files written variable by variable, block by block. Values are decoded as xarray's
//! `decode_cf` does (fill and missing values masked to NaN, then scale and offset), so numbers
//! match what Python users see. netCDF shares HDF5's one lock, which serialises its calls;
//! converting and decoding happen outside it.

use super::layout::{Attr, BlockWriter, DimHeader, FileHeader, FileLayout, HeaderError, VarHeader};
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::source::{Decode, FileFormat, FileSource};
use ndarray::{ArrayD, IxDyn};
use netcdf::types::{FloatType, IntType, NcVariableType};
use netcdf::{AttributeValue, Extents, NcTypeDescriptor};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

// ---------------------------------------------------------------------------------------------
// Errors

/// The text of a netCDF error without the crate's "netcdf error(-101): " prefix, so messages read
/// like the library's own ("NetCDF: HDF error").
fn message(error: netcdf::Error) -> String {
    let text = error.to_string();
    match text
        .strip_prefix("netcdf error(")
        .and_then(|rest| rest.split_once("): "))
    {
        Some((_, library)) => library.to_string(),
        None => text,
    }
}

/// The netcdf crate unwraps some library errors and panics on names it cannot pass to C (longer
/// than 256 bytes, or holding a NUL); such names are refused here instead.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 256 || name.contains('\0') {
        Err(format!(
            "`{}` is not a valid netCDF name",
            name.escape_debug()
        ))
    } else {
        Ok(())
    }
}

/// Run `f`, turning a panic inside the netcdf crate (it unwraps some library errors) into an
/// error message: a damaged file must not bring the program down.
fn guard<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the netCDF library failed".into())),
    }
}

// ---------------------------------------------------------------------------------------------
// Types and decoding rules

/// The numeric types a netCDF variable can be stored as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl Stored {
    fn of(kind: &NcVariableType) -> Result<Stored, String> {
        Ok(match kind {
            NcVariableType::Int(IntType::I8) => Stored::I8,
            NcVariableType::Int(IntType::U8) => Stored::U8,
            NcVariableType::Int(IntType::I16) => Stored::I16,
            NcVariableType::Int(IntType::U16) => Stored::U16,
            NcVariableType::Int(IntType::I32) => Stored::I32,
            NcVariableType::Int(IntType::U32) => Stored::U32,
            NcVariableType::Int(IntType::I64) => Stored::I64,
            NcVariableType::Int(IntType::U64) => Stored::U64,
            NcVariableType::Float(FloatType::F32) => Stored::F32,
            NcVariableType::Float(FloatType::F64) => Stored::F64,
            NcVariableType::Char => return Err("char".into()),
            NcVariableType::String => return Err("string".into()),
            NcVariableType::Compound(_) => return Err("compound".into()),
            NcVariableType::Opaque(_) => return Err("opaque".into()),
            NcVariableType::Enum(_) => return Err("enum".into()),
            NcVariableType::Vlen(_) => return Err("vlen".into()),
        })
    }

    /// The same width with the other signedness (what `_Unsigned` asks to read), for integers.
    fn flipped(self) -> Option<Stored> {
        Some(match self {
            Stored::I8 => Stored::U8,
            Stored::U8 => Stored::I8,
            Stored::I16 => Stored::U16,
            Stored::U16 => Stored::I16,
            Stored::I32 => Stored::U32,
            Stored::U32 => Stored::I32,
            Stored::I64 => Stored::U64,
            Stored::U64 => Stored::I64,
            Stored::F32 | Stored::F64 => return None,
        })
    }

    /// The integer `x` of this type seen with the bits of `view` (−1 as i8 is 255 as u8); other
    /// numbers (a fill value that does not fit) are left as they are.
    fn viewed_as(self, view: Stored, x: f64) -> f64 {
        let fits = |lo: f64, hi: f64| x.fract() == 0.0 && x >= lo && x <= hi;
        let bits = match self {
            Stored::I8 if fits(-128.0, 127.0) => x as i8 as u8 as u64,
            Stored::U8 if fits(0.0, 255.0) => x as u8 as u64,
            Stored::I16 if fits(-32768.0, 32767.0) => x as i16 as u16 as u64,
            Stored::U16 if fits(0.0, 65535.0) => x as u16 as u64,
            Stored::I32 if fits(i32::MIN as f64, i32::MAX as f64) => x as i32 as u32 as u64,
            Stored::U32 if fits(0.0, u32::MAX as f64) => x as u32 as u64,
            Stored::I64 if fits(i64::MIN as f64, i64::MAX as f64) => x as i64 as u64,
            Stored::U64 if fits(0.0, u64::MAX as f64) => x as u64,
            _ => return x,
        };
        match view {
            Stored::I8 => bits as u8 as i8 as f64,
            Stored::U8 => bits as u8 as f64,
            Stored::I16 => bits as u16 as i16 as f64,
            Stored::U16 => bits as u16 as f64,
            Stored::I32 => bits as u32 as i32 as f64,
            Stored::U32 => bits as u32 as f64,
            Stored::I64 => bits as i64 as f64,
            Stored::U64 => bits as f64,
            Stored::F32 | Stored::F64 => x,
        }
    }

    fn is_small_int(self) -> bool {
        matches!(self, Stored::I8 | Stored::U8 | Stored::I16 | Stored::U16)
    }
}

/// The type of a `scale_factor` or `add_offset` attribute, which decides the decoded dtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    F32,
    F64,
    Int,
}

/// The dtype flow gives a variable stored as `stored`, as xarray's `decode_cf` decides it:
/// masking turns integers into floats, and packed integers decode to f32 only when small and
/// packed with f32 attributes (f32 cannot hold larger integers exactly).
fn decoded_dtype(stored: Stored, masked: bool, scale: Option<Kind>, offset: Option<Kind>) -> DType {
    let packing: Vec<Kind> = scale.into_iter().chain(offset).collect();
    match stored {
        Stored::F64 => DType::F64,
        Stored::F32 if packing.contains(&Kind::F64) => DType::F64,
        Stored::F32 => DType::F32,
        _ if !packing.is_empty() => {
            if stored.is_small_int() && packing.iter().all(|&k| k == Kind::F32) {
                DType::F32
            } else {
                DType::F64
            }
        }
        // Masked integers become floats, as in xarray: f32 for 8/16-bit ones, f64 otherwise.
        _ if masked && stored.is_small_int() => DType::F32,
        _ if masked => DType::F64,
        Stored::I64 | Stored::U32 | Stored::U64 => DType::I64,
        _ => DType::I32,
    }
}

/// Every number of a list attribute.
fn list_numbers(value: &AttributeValue) -> Vec<f64> {
    use AttributeValue as V;
    fn all<T: Copy + Into<f64>>(v: &[T]) -> Vec<f64> {
        v.iter().map(|&x| x.into()).collect()
    }
    match value {
        V::Uchars(v) => all(v),
        V::Schars(v) => all(v),
        V::Ushorts(v) => all(v),
        V::Shorts(v) => all(v),
        V::Uints(v) => all(v),
        V::Ints(v) => all(v),
        V::Ulonglongs(v) => v.iter().map(|&x| x as f64).collect(),
        V::Longlongs(v) => v.iter().map(|&x| x as f64).collect(),
        V::Floats(v) => all(v),
        V::Doubles(v) => v.clone(),
        _ => Vec::new(),
    }
}

/// The first number of an attribute and its type (a `missing_value` may be a list).
fn number(value: &AttributeValue) -> Option<(f64, Kind)> {
    use AttributeValue as V;
    Some(match value {
        V::Uchar(x) => (*x as f64, Kind::Int),
        V::Schar(x) => (*x as f64, Kind::Int),
        V::Ushort(x) => (*x as f64, Kind::Int),
        V::Short(x) => (*x as f64, Kind::Int),
        V::Uint(x) => (*x as f64, Kind::Int),
        V::Int(x) => (*x as f64, Kind::Int),
        V::Ulonglong(x) => (*x as f64, Kind::Int),
        V::Longlong(x) => (*x as f64, Kind::Int),
        V::Float(x) => (*x as f64, Kind::F32),
        V::Double(x) => (*x, Kind::F64),
        V::Uchars(v) => (*v.first()? as f64, Kind::Int),
        V::Schars(v) => (*v.first()? as f64, Kind::Int),
        V::Ushorts(v) => (*v.first()? as f64, Kind::Int),
        V::Shorts(v) => (*v.first()? as f64, Kind::Int),
        V::Uints(v) => (*v.first()? as f64, Kind::Int),
        V::Ints(v) => (*v.first()? as f64, Kind::Int),
        V::Ulonglongs(v) => (*v.first()? as f64, Kind::Int),
        V::Longlongs(v) => (*v.first()? as f64, Kind::Int),
        V::Floats(v) => (*v.first()? as f64, Kind::F32),
        V::Doubles(v) => (*v.first()?, Kind::F64),
        V::Str(_) | V::Strs(_) => return None,
    })
}

/// The decoding and decoded dtype of a variable stored as `stored` with attributes `attrs`.
fn decoding(stored: Stored, attrs: &[(String, AttributeValue)]) -> (Decode, DType) {
    // `_Unsigned = "true"` on a signed integer (NETCDF3 has no unsigned types) reads it as
    // unsigned, `"false"` on an unsigned one as signed; its fill values are given in the stored
    // type and are seen the same way (xarray's UnsignedIntegerCoder).
    let unsigned = attrs.iter().find_map(|(n, v)| match v {
        AttributeValue::Str(s) if n == "_Unsigned" => Some(s.as_str()),
        _ => None,
    });
    let signed_stored = matches!(stored, Stored::I8 | Stored::I16 | Stored::I32 | Stored::I64);
    let view = match (unsigned, stored.flipped()) {
        (Some("true"), Some(flipped)) if signed_stored => flipped,
        (Some("false"), Some(flipped)) if !signed_stored => flipped,
        _ => stored,
    };
    let find = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| number(v))
            .map(|(x, kind)| (stored.viewed_as(view, x), kind))
    };
    let (fill, missing) = (find("_FillValue"), find("missing_value"));
    let mut more_missing = [None; 3];
    if let Some((_, list)) = attrs.iter().find(|(n, _)| n == "missing_value") {
        for (slot, value) in more_missing
            .iter_mut()
            .zip(list_numbers(list).into_iter().skip(1))
        {
            *slot = Some(stored.viewed_as(view, value));
        }
    }
    let (scale, offset) = (find("scale_factor"), find("add_offset"));
    let decode = Decode {
        fill: fill.map(|f| f.0),
        missing: missing.map(|m| m.0),
        more_missing,
        scale: scale.map(|s| s.0),
        offset: offset.map(|o| o.0),
        flip_sign: view != stored,
    };
    let masked = fill.is_some() || missing.is_some();
    // Bools are stored as bytes marked `dtype = "bool"` (as xarray writes them).
    let marked_bool = attrs
        .iter()
        .any(|(n, v)| n == "dtype" && matches!(v, AttributeValue::Str(s) if s == "bool"));
    if marked_bool && matches!(stored, Stored::I8 | Stored::U8) && !masked {
        return (decode, DType::Bool);
    }
    let dtype = decoded_dtype(view, masked, scale.map(|s| s.1), offset.map(|o| o.1));
    (decode, dtype)
}

fn attr_of(value: AttributeValue) -> Attr {
    use AttributeValue as V;
    fn ints<T: Into<i64>>(v: Vec<T>) -> Attr {
        Attr::Ints(v.into_iter().map(Into::into).collect())
    }
    match value {
        V::Uchar(x) => Attr::Int(x.into()),
        V::Schar(x) => Attr::Int(x.into()),
        V::Ushort(x) => Attr::Int(x.into()),
        V::Short(x) => Attr::Int(x.into()),
        V::Uint(x) => Attr::Int(x.into()),
        V::Int(x) => Attr::Int(x.into()),
        V::Longlong(x) => Attr::Int(x),
        V::Ulonglong(x) => i64::try_from(x).map_or(Attr::Float(x as f64), Attr::Int),
        V::Float(x) => Attr::Float(x.into()),
        V::Double(x) => Attr::Float(x),
        V::Uchars(v) => ints(v),
        V::Schars(v) => ints(v),
        V::Ushorts(v) => ints(v),
        V::Shorts(v) => ints(v),
        V::Uints(v) => ints(v),
        V::Ints(v) => ints(v),
        V::Longlongs(v) => Attr::Ints(v),
        V::Ulonglongs(v) => match v.iter().map(|&x| i64::try_from(x)).collect() {
            Ok(v) => Attr::Ints(v),
            Err(_) => Attr::Floats(v.into_iter().map(|x| x as f64).collect()),
        },
        V::Floats(v) => Attr::Floats(v.into_iter().map(Into::into).collect()),
        V::Doubles(v) => Attr::Floats(v),
        V::Str(s) => Attr::Str(s),
        // Attr has no list of strings; a list (rare: NC_STRING arrays) is shown joined.
        V::Strs(v) => Attr::Str(v.join(", ")),
    }
}

/// Integers go in as 32-bit when they fit (what CF tools expect), floats as doubles, text as
/// chars: the types xarray writes.
fn attribute_value(attr: &Attr) -> AttributeValue {
    match attr {
        Attr::Str(s) => AttributeValue::Str(s.clone()),
        Attr::Int(x) => i32::try_from(*x).map_or(AttributeValue::Longlong(*x), AttributeValue::Int),
        Attr::Float(x) => AttributeValue::Double(*x),
        Attr::Ints(v) => match v.iter().map(|&x| i32::try_from(x)).collect() {
            Ok(small) => AttributeValue::Ints(small),
            Err(_) => AttributeValue::Longlongs(v.clone()),
        },
        Attr::Floats(v) => AttributeValue::Doubles(v.clone()),
    }
}

/// Attributes the crate can read; others (user-defined types) cannot be shown and are left out.
fn raw_attributes<'a>(
    attributes: impl Iterator<Item = netcdf::Attribute<'a>>,
) -> Vec<(String, AttributeValue)> {
    attributes
        .filter_map(|a| Some((a.name().to_string(), a.value().ok()?)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Header

/// Read the header (dims, variables, attributes) and the coordinate values of the file at
/// `path`. Headers are kept for the rest of the process, keyed by the file's identity (device,
/// inode, size and modification time), so checking a script and then running it reads each
/// file's header once, and a file replaced in between is read again.
pub fn header(path: &Path) -> Result<Arc<FileHeader>, HeaderError> {
    static HEADERS: OnceLock<Mutex<HashMap<PathBuf, (super::Stamp, Arc<FileHeader>)>>> =
        OnceLock::new();
    let Some(stamp) = super::Stamp::of(path) else {
        return Err(HeaderError::Missing);
    };
    let cache = HEADERS.get_or_init(Default::default);
    if let Some((known, header)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        if *known == stamp {
            return Ok(header.clone());
        }
    }
    // The library reads the missing part of a truncated classic file as zeros, and calls a
    // truncated netCDF-4 file an HDF error: refuse it first, saying what is wrong.
    let promised = super::promised::promised_length(path);
    if let Some(promised) = promised.filter(|&promised| stamp.len < promised) {
        return Err(HeaderError::Truncated {
            length: stamp.len,
            promised,
        });
    }
    let file = netcdf::open(path).map_err(|e| HeaderError::Unreadable(message(e)))?;
    let mut header = guard(|| read_header(&file, path)).map_err(HeaderError::Unreadable)?;
    header.length = Some(promised.unwrap_or(stamp.len));
    let header = Arc::new(header);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), (stamp, header.clone()));
    Ok(header)
}

fn read_header(file: &netcdf::File, path: &Path) -> Result<FileHeader, String> {
    let dims = file
        .dimensions()
        .map(|d| DimHeader {
            name: d.name(),
            len: d.len(),
            unlimited: d.is_unlimited(),
        })
        .collect();
    let variables = file
        .variables()
        .map(|v| {
            let raw = raw_attributes(v.attributes());
            let stored = Stored::of(&v.vartype());
            let (decode, dtype) = match stored {
                Ok(stored) => {
                    let (decode, dtype) = decoding(stored, &raw);
                    (decode, Ok(dtype))
                }
                Err(name) => (Decode::default(), Err(name)),
            };
            VarHeader {
                name: v.name(),
                dims: v.dimensions().iter().map(|d| d.name()).collect(),
                shape: v.dimensions().iter().map(|d| d.len()).collect(),
                dtype,
                decode,
                chunk: v.chunking().ok().flatten(),
                attrs: raw.into_iter().map(|(n, a)| (n, attr_of(a))).collect(),
                values: None,
            }
        })
        .collect::<Vec<VarHeader>>();
    let mut variables = variables;
    for var in &mut variables {
        let coordinate = var.dims.len() == 1 && var.dims[0] == var.name;
        // 0-d variables too: they may be scalar coordinates (`coordinates = "time"`).
        if (coordinate || var.dims.is_empty()) && var.dtype.is_ok() {
            var.values = Some(read_variable_of(file, path, var)?);
        }
    }
    let attrs = raw_attributes(file.attributes())
        .into_iter()
        .map(|(n, a)| (n, attr_of(a)))
        .collect();
    Ok(FileHeader {
        dims,
        variables,
        attrs,
        length: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A stored value, converted as NumPy's `astype` does.
trait Value: NcTypeDescriptor + Copy + Default + 'static {
    fn f64(self) -> f64;
    fn f32(self) -> f32;
    fn i64(self) -> i64;
    fn i32(self) -> i32;
    /// Whether this value is the fill or missing value `x` (given as f64).
    fn is(self, x: f64) -> bool {
        self.f64() == x
    }
}

macro_rules! value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn f64(self) -> f64 { self as f64 }
            fn f32(self) -> f32 { self as f32 }
            fn i64(self) -> i64 { self as i64 }
            fn i32(self) -> i32 { self as i32 }
        }
    )*};
}
value!(i8, u8, i16, u16, i32, u32, i64, u64, f64);

impl Value for f32 {
    fn f64(self) -> f64 {
        self as f64
    }
    fn f32(self) -> f32 {
        self
    }
    fn i64(self) -> i64 {
        self as i64
    }
    fn i32(self) -> i32 {
        self as i32
    }
    /// Compared in f32, so a double `missing_value` of 1e20 masks the f32 1e20 stored.
    fn is(self, x: f64) -> bool {
        self == x as f32
    }
}

/// A `Decode` ready for the inner loop: NaN fill values dropped (nothing equals NaN; stored NaNs
/// stay NaN anyway), f32 copies of scale and offset for f32 results.
struct Prepared {
    fill: Option<f64>,
    missing: Option<f64>,
    more_missing: [Option<f64>; 3],
    scale: Option<f64>,
    offset: Option<f64>,
    scale32: Option<f32>,
    offset32: Option<f32>,
    flip_sign: bool,
}

impl Prepared {
    fn new(decode: &Decode) -> Prepared {
        let mask = |v: Option<f64>| v.filter(|x| !x.is_nan());
        Prepared {
            fill: mask(decode.fill),
            missing: mask(decode.missing),
            more_missing: decode.more_missing.map(mask),
            scale: decode.scale,
            offset: decode.offset,
            scale32: decode.scale.map(|x| x as f32),
            offset32: decode.offset.map(|x| x as f32),
            flip_sign: decode.flip_sign,
        }
    }

    fn active(&self) -> bool {
        self.fill.is_some()
            || self.missing.is_some()
            || self.scale.is_some()
            || self.offset.is_some()
    }

    fn masks<S: Value>(&self, s: S) -> bool {
        self.fill.is_some_and(|x| s.is(x))
            || self.missing.is_some_and(|x| s.is(x))
            || self.more_missing.iter().flatten().any(|&x| s.is(x))
    }
}

/// A dtype flow reads into.
trait Element: Value + Send {
    /// The stored type read into this element type without any conversion.
    const SAME: Stored;
    fn decode<S: Value>(s: S, d: &Prepared) -> Self;
}

impl Element for f64 {
    const SAME: Stored = Stored::F64;
    fn decode<S: Value>(s: S, d: &Prepared) -> f64 {
        if d.masks(s) {
            return f64::NAN;
        }
        let mut v = s.f64();
        if let Some(scale) = d.scale {
            v *= scale;
        }
        if let Some(offset) = d.offset {
            v += offset;
        }
        v
    }
}

impl Element for f32 {
    const SAME: Stored = Stored::F32;
    fn decode<S: Value>(s: S, d: &Prepared) -> f32 {
        if d.masks(s) {
            return f32::NAN;
        }
        let mut v = s.f32();
        if let Some(scale) = d.scale32 {
            v *= scale;
        }
        if let Some(offset) = d.offset32 {
            v += offset;
        }
        v
    }
}

/// Integers are read only when nothing is to be decoded (the header gives masked or packed
/// integers a float dtype): the values are converted, never decoded.
impl Element for i64 {
    const SAME: Stored = Stored::I64;
    fn decode<S: Value>(s: S, _: &Prepared) -> i64 {
        s.i64()
    }
}

impl Element for i32 {
    const SAME: Stored = Stored::I32;
    fn decode<S: Value>(s: S, _: &Prepared) -> i32 {
        s.i32()
    }
}

/// Read the hyperslab `extents` of `var` (stored as `stored`) into `dst`, decoded. The same type
/// is read straight into `dst` and decoded in place; another type goes through one buffer of the
/// stored type, converted outside the library's lock.
fn read_into<O: Element>(
    var: &netcdf::Variable,
    stored: Stored,
    extents: &Extents,
    dst: &mut [O],
    d: &Prepared,
) -> Result<(), netcdf::Error> {
    /// Through a buffer of the stored type `S`, each value seen as `V` (the same, or the other
    /// signedness for `_Unsigned`).
    fn via<S: Value, V: Value, O: Element>(
        var: &netcdf::Variable,
        extents: &Extents,
        dst: &mut [O],
        d: &Prepared,
        view: impl Fn(S) -> V,
    ) -> Result<(), netcdf::Error> {
        let mut buffer = vec![S::default(); dst.len()];
        var.get_values_into(&mut buffer, extents)?;
        for (o, &s) in dst.iter_mut().zip(&buffer) {
            *o = O::decode(view(s), d);
        }
        Ok(())
    }
    if d.flip_sign {
        return match stored {
            Stored::I8 => via::<i8, u8, O>(var, extents, dst, d, |s| s as u8),
            Stored::U8 => via::<u8, i8, O>(var, extents, dst, d, |s| s as i8),
            Stored::I16 => via::<i16, u16, O>(var, extents, dst, d, |s| s as u16),
            Stored::U16 => via::<u16, i16, O>(var, extents, dst, d, |s| s as i16),
            Stored::I32 => via::<i32, u32, O>(var, extents, dst, d, |s| s as u32),
            Stored::U32 => via::<u32, i32, O>(var, extents, dst, d, |s| s as i32),
            Stored::I64 => via::<i64, u64, O>(var, extents, dst, d, |s| s as u64),
            Stored::U64 => via::<u64, i64, O>(var, extents, dst, d, |s| s as i64),
            Stored::F32 => via::<f32, f32, O>(var, extents, dst, d, |s| s),
            Stored::F64 => via::<f64, f64, O>(var, extents, dst, d, |s| s),
        };
    }
    if stored == O::SAME {
        var.get_values_into(dst, extents)?;
        if d.active() {
            for v in dst.iter_mut() {
                *v = O::decode(*v, d);
            }
        }
        return Ok(());
    }
    match stored {
        Stored::I8 => via::<i8, i8, O>(var, extents, dst, d, |s| s),
        Stored::U8 => via::<u8, u8, O>(var, extents, dst, d, |s| s),
        Stored::I16 => via::<i16, i16, O>(var, extents, dst, d, |s| s),
        Stored::U16 => via::<u16, u16, O>(var, extents, dst, d, |s| s),
        Stored::I32 => via::<i32, i32, O>(var, extents, dst, d, |s| s),
        Stored::U32 => via::<u32, u32, O>(var, extents, dst, d, |s| s),
        Stored::I64 => via::<i64, i64, O>(var, extents, dst, d, |s| s),
        Stored::U64 => via::<u64, u64, O>(var, extents, dst, d, |s| s),
        Stored::F32 => via::<f32, f32, O>(var, extents, dst, d, |s| s),
        Stored::F64 => via::<f64, f64, O>(var, extents, dst, d, |s| s),
    }
}

/// Read the part of `source` in the file at `path` at `start` of `count` into `dst`.
fn read_part<O: Element>(
    source: &FileSource,
    path: &Path,
    start: &[usize],
    count: &[usize],
    dst: &mut [O],
    d: &Prepared,
    opened: Option<&netcdf::File>,
) -> Result<(), String> {
    let fail = |m: String| {
        format!(
            "cannot read `{}` in `{}`: {m}",
            source.variable,
            path.display()
        )
    };
    check_name(&source.variable).map_err(fail)?;
    let owned;
    let file = match opened {
        Some(file) => file,
        None => {
            owned = netcdf::open(path).map_err(|e| fail(message(e)))?;
            &owned
        }
    };
    let var = file
        .variable(&source.variable)
        .ok_or_else(|| fail("there is no such variable".into()))?;
    let ndim = var.dimensions().len();
    if ndim != start.len() {
        return Err(fail(format!(
            "it has {ndim} dimensions, not {} (has the file changed?)",
            start.len()
        )));
    }
    let stored = Stored::of(&var.vartype())
        .map_err(|t| fail(format!("values of type {t} cannot be read")))?;
    let extents = Extents::try_from((start, count)).map_err(|e| fail(message(e)))?;
    read_into(&var, stored, &extents, dst, d).map_err(|e| fail(message(e)))
}

/// `opened`: the file, already open, when the source is one file.
fn read_typed<O: Element>(
    source: &FileSource,
    start: &[usize],
    shape: &[usize],
    opened: Option<&netcdf::File>,
) -> Result<ArrayD<O>, String> {
    let fail = |m: String| format!("cannot read `{}`: {m}", source.variable);
    let d = Prepared::new(&source.decode);
    let ndim = shape.len();
    if start.len() != ndim {
        return Err(fail(format!(
            "a block start {start:?} does not match its shape {shape:?}"
        )));
    }
    let first = source
        .files
        .first()
        .ok_or_else(|| fail("no files".into()))?;
    let len = shape
        .iter()
        .try_fold(1usize, |n, &m| n.checked_mul(m))
        .ok_or_else(|| fail(format!("a block of shape {shape:?} is too large")))?;
    let mut out = vec![O::default(); len];
    let array =
        |out: Vec<O>| ArrayD::from_shape_vec(IxDyn(shape), out).map_err(|e| fail(e.to_string()));
    if ndim == 0 {
        read_part(source, first, &[], &[], &mut out, &d, opened)?;
        return array(out);
    }
    let axis = source.axis;
    if axis >= ndim || source.starts.len() != source.files.len() + 1 {
        return Err(fail(format!(
            "axis {axis} and {} starts do not fit {} files of {ndim} dimensions",
            source.starts.len(),
            source.files.len()
        )));
    }
    let total = source.starts[source.files.len()];
    let (lo, hi) = (start[axis], start[axis].saturating_add(shape[axis]));
    if hi > total {
        return Err(fail(format!(
            "the block at {start:?} of shape {shape:?} is outside it (length {total} along axis {axis})"
        )));
    }
    if len == 0 {
        return array(out);
    }
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    for (i, path) in source.files.iter().enumerate() {
        let (f0, f1) = (source.starts[i], source.starts[i + 1]);
        let (a, b) = (lo.max(f0), hi.min(f1));
        if a >= b {
            continue;
        }
        let mut part_start = start.to_vec();
        part_start[axis] = a - f0;
        let mut part_shape = shape.to_vec();
        part_shape[axis] = b - a;
        let run = (b - a) * inner;
        let offset = (a - lo) * inner;
        if outer == 1 {
            // The part is one contiguous run of the output (always so along axis 0).
            let dst = &mut out[offset..offset + run];
            read_part(source, path, &part_start, &part_shape, dst, &d, opened)?;
        } else {
            let mut part = vec![O::default(); outer * run];
            read_part(
                source,
                path,
                &part_start,
                &part_shape,
                &mut part,
                &d,
                opened,
            )?;
            let row = shape[axis] * inner;
            for (o, piece) in part.chunks_exact(run).enumerate() {
                let at = o * row + offset;
                out[at..at + run].copy_from_slice(piece);
            }
        }
    }
    array(out)
}

/// netCDF in the table of formats (`io::format`).
pub struct NetCdf;

impl super::ArrayFormat for NetCdf {
    fn describe(&self, path: &Path) -> Result<Arc<FileHeader>, HeaderError> {
        header(path)
    }

    fn create(&self, path: &Path, layout: &FileLayout) -> Result<Box<dyn BlockWriter>, String> {
        let writer = Writer::create(path)?;
        for dim in &layout.dims {
            writer.add_dimension(&dim.name, dim.len, dim.unlimited)?;
        }
        for (key, value) in &layout.attrs {
            writer.add_attribute(None, key, value)?;
        }
        for v in &layout.variables {
            writer.add_variable(&v.name, &v.dims, v.dtype, v.chunk.as_deref(), v.gzip)?;
            for (key, value) in &v.attrs {
                writer.add_attribute(Some(&v.name), key, value)?;
            }
        }
        Ok(Box::new(writer))
    }

    /// Read the block at `start` of `shape` (in the concatenated coordinates) decoded to the
    /// source's dtype: opens each file the block touches, reads its hyperslab, applies the
    /// decoding (masking → NaN, scale, offset), assembles.
    fn read_block(
        &self,
        source: &FileSource,
        start: &[usize],
        shape: &[usize],
        _: &super::Handles,
    ) -> Result<ChunkData, String> {
        guard(|| read_dispatch(source, start, shape, None))
    }
}

fn read_dispatch(
    source: &FileSource,
    start: &[usize],
    shape: &[usize],
    opened: Option<&netcdf::File>,
) -> Result<ChunkData, String> {
    Ok(match source.dtype {
        DType::F64 => ChunkData::F64(read_typed(source, start, shape, opened)?),
        DType::F32 => ChunkData::F32(read_typed(source, start, shape, opened)?),
        DType::I64 => ChunkData::I64(read_typed(source, start, shape, opened)?),
        DType::I32 => ChunkData::I32(read_typed(source, start, shape, opened)?),
        DType::Bool => {
            let bytes: ArrayD<i32> = read_typed(source, start, shape, opened)?;
            ChunkData::Bool(bytes.mapv(|b| b != 0))
        }
    })
}

fn read_variable_of(
    file: &netcdf::File,
    path: &Path,
    header: &VarHeader,
) -> Result<ChunkData, String> {
    let dtype = header.dtype.clone().map_err(|t| {
        format!(
            "cannot read `{}` in `{}`: values of type {t} cannot be read",
            header.name,
            path.display()
        )
    })?;
    let source = FileSource {
        format: FileFormat::NetCdf,
        files: vec![path.to_path_buf()],
        starts: vec![0, header.shape.first().copied().unwrap_or(1)],
        axis: 0,
        variable: header.name.clone(),
        decode: header.decode,
        dtype,
        lengths: Vec::new(),
    };
    read_dispatch(
        &source,
        &vec![0; header.shape.len()],
        &header.shape,
        Some(file),
    )
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A netCDF-4 file being written: define everything first, then write blocks (from several
/// threads: the methods take &self), then close.
pub struct Writer {
    path: PathBuf,
    file: Mutex<netcdf::FileMut>,
}

impl Writer {
    /// A new file in the netCDF-4 (HDF5-based) format, which chunks and compresses, replacing any
    /// file at `path`.
    pub fn create(path: &Path) -> Result<Writer, String> {
        let file = netcdf::create(path)
            .map_err(|e| format!("cannot create `{}`: {}", path.display(), message(e)))?;
        Ok(Writer {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    fn file(&self) -> std::sync::MutexGuard<'_, netcdf::FileMut> {
        // A panic while writing is caught by `guard` and the file stays usable; poisoning adds nothing.
        self.file.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fail(&self, what: &str, e: impl Into<String>) -> String {
        format!("cannot {what} in `{}`: {}", self.path.display(), e.into())
    }

    /// An unlimited dimension grows as records are written; its `len` is not used.
    pub fn add_dimension(&self, name: &str, len: usize, unlimited: bool) -> Result<(), String> {
        let fail = |e: String| self.fail(&format!("add dimension `{name}`"), e);
        check_name(name).map_err(fail)?;
        guard(|| {
            let mut file = self.file();
            // netCDF has no empty fixed dimension: an empty one is written unlimited, as
            // netCDF4-python (and so xarray) writes it.
            let added = if unlimited || len == 0 {
                file.add_unlimited_dimension(name).map(drop)
            } else {
                file.add_dimension(name, len).map(drop)
            };
            added.map_err(|e| fail(message(e)))
        })
    }

    /// Floats get `_FillValue = NaN` (as xarray writes them); `chunk` sets on-disk chunking, `gzip` deflate level 4 + shuffle.
    /// Bool is stored as bytes with `dtype = "bool"`, as xarray stores it.
    pub fn add_variable(
        &self,
        name: &str,
        dims: &[String],
        dtype: DType,
        chunk: Option<&[usize]>,
        gzip: bool,
    ) -> Result<(), String> {
        let fail = |e: String| self.fail(&format!("add variable `{name}`"), e);
        check_name(name).map_err(fail)?;
        for dim in dims {
            check_name(dim).map_err(fail)?;
        }
        let dims: Vec<&str> = dims.iter().map(String::as_str).collect();
        guard(|| {
            let mut file = self.file();
            let defined = (|| {
                let mut var = match dtype {
                    DType::F64 => {
                        let mut var = file.add_variable::<f64>(name, &dims)?;
                        var.set_fill_value(f64::NAN)?;
                        var
                    }
                    DType::F32 => {
                        let mut var = file.add_variable::<f32>(name, &dims)?;
                        var.set_fill_value(f32::NAN)?;
                        var
                    }
                    DType::I64 => file.add_variable::<i64>(name, &dims)?,
                    DType::I32 => file.add_variable::<i32>(name, &dims)?,
                    DType::Bool => {
                        let mut var = file.add_variable::<i8>(name, &dims)?;
                        var.put_attribute("dtype", "bool")?;
                        var
                    }
                };
                if let Some(chunk) = chunk {
                    var.set_chunking(chunk)?;
                }
                if gzip {
                    var.set_compression(4, true)?;
                }
                Ok::<(), netcdf::Error>(())
            })();
            defined.map_err(|e| fail(message(e)))
        })
    }

    /// Set attribute `name` of `variable`, or of the file when `variable` is None.
    pub fn add_attribute(
        &self,
        variable: Option<&str>,
        name: &str,
        value: &Attr,
    ) -> Result<(), String> {
        let fail = |e: String| match variable {
            Some(v) => self.fail(&format!("set attribute `{name}` of `{v}`"), e),
            None => self.fail(&format!("set attribute `{name}`"), e),
        };
        check_name(name).map_err(fail)?;
        if let Some(v) = variable {
            check_name(v).map_err(fail)?;
        }
        guard(|| {
            let mut file = self.file();
            let value = attribute_value(value);
            let set = match variable {
                None => file.add_attribute(name, value).map(drop),
                Some(v) => match file.variable_mut(v) {
                    Some(mut var) => var.put_attribute(name, value).map(drop),
                    None => return Err(fail("there is no such variable".into())),
                },
            };
            set.map_err(|e| fail(message(e)))
        })
    }

    /// Write `block` into `variable` at `start`.
    pub fn write(&self, variable: &str, start: &[usize], block: &ChunkData) -> Result<(), String> {
        let fail = |e: String| self.fail(&format!("write `{variable}`"), e);
        check_name(variable).map_err(fail)?;
        fn put<T: NcTypeDescriptor + Clone>(
            var: &mut netcdf::VariableMut,
            a: &ArrayD<T>,
            extents: &Extents,
        ) -> Result<(), netcdf::Error> {
            match a.as_slice() {
                Some(values) => var.put_values(values, extents),
                None => var.put_values(&a.iter().cloned().collect::<Vec<T>>(), extents),
            }
        }
        guard(|| {
            let extents =
                Extents::try_from((start, block.shape())).map_err(|e| fail(message(e)))?;
            let mut file = self.file();
            let mut var = file
                .variable_mut(variable)
                .ok_or_else(|| fail("there is no such variable".into()))?;
            let written = match block {
                ChunkData::F64(a) => put(&mut var, a, &extents),
                ChunkData::F32(a) => put(&mut var, a, &extents),
                ChunkData::I64(a) => put(&mut var, a, &extents),
                ChunkData::I32(a) => put(&mut var, a, &extents),
                ChunkData::Bool(a) => {
                    let bytes: Vec<i8> = a.iter().map(|&b| b as i8).collect();
                    var.put_values(&bytes, &extents)
                }
            };
            written.map_err(|e| fail(message(e)))
        })
    }

    /// Flush and close the file; errors that only show when the file is completed appear here.
    pub fn close(self) -> Result<(), String> {
        let path = self.path;
        let file = self.file.into_inner().unwrap_or_else(|e| e.into_inner());
        guard(|| {
            file.close()
                .map_err(|e| format!("cannot write `{}`: {}", path.display(), message(e)))
        })
    }
}

impl BlockWriter for Writer {
    fn write(&self, variable: &str, start: &[usize], block: &ChunkData) -> Result<(), String> {
        Writer::write(self, variable, start, block)
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    /// A block of a source, as a read task reads it.
    fn read_block(
        source: &FileSource,
        start: &[usize],
        shape: &[usize],
    ) -> Result<ChunkData, String> {
        crate::io::ArrayFormat::read_block(&NetCdf, source, start, shape, &Default::default())
    }

    use super::*;

    /// A whole variable of one file, decoded.
    fn read_variable(path: &Path, header: &VarHeader) -> Result<ChunkData, String> {
        guard(|| {
            let file = netcdf::open(path).map_err(|e| {
                format!(
                    "cannot read `{}` in `{}`: {}",
                    header.name,
                    path.display(),
                    message(e)
                )
            })?;
            read_variable_of(&file, path, header)
        })
    }
    use ndarray::Array;

    fn dir() -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/netcdf-tests");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn path(name: &str) -> PathBuf {
        dir().join(name)
    }

    fn ok_header(path: &Path) -> Arc<FileHeader> {
        match header(path) {
            Ok(h) => h,
            Err(HeaderError::Missing) => panic!("missing {}", path.display()),
            Err(HeaderError::Unreadable(m)) => panic!("not netcdf: {m}"),
            Err(HeaderError::Truncated { length, promised }) => {
                panic!("truncated: {length} of {promised} bytes")
            }
        }
    }

    fn var<'a>(h: &'a FileHeader, name: &str) -> &'a VarHeader {
        h.variables.iter().find(|v| v.name == name).unwrap()
    }

    fn source(files: Vec<PathBuf>, starts: Vec<usize>, axis: usize, v: &VarHeader) -> FileSource {
        FileSource {
            format: FileFormat::NetCdf,
            files,
            starts,
            axis,
            variable: v.name.clone(),
            decode: v.decode,
            dtype: v.dtype.clone().unwrap(),
            lengths: Vec::new(),
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn f64s(c: ChunkData) -> ArrayD<f64> {
        match c {
            ChunkData::F64(a) => a,
            other => panic!("expected f64, got {:?}", other.dtype()),
        }
    }

    fn f32s(c: ChunkData) -> ArrayD<f32> {
        match c {
            ChunkData::F32(a) => a,
            other => panic!("expected f32, got {:?}", other.dtype()),
        }
    }

    /// The values of a block as f64 (exact for the values the tests use).
    fn flat(c: &ChunkData) -> Vec<f64> {
        match c {
            ChunkData::Bool(a) => a.iter().map(|&x| x as u8 as f64).collect(),
            ChunkData::I32(a) => a.iter().map(|&x| x as f64).collect(),
            ChunkData::I64(a) => a.iter().map(|&x| x as f64).collect(),
            ChunkData::F32(a) => a.iter().map(|&x| x as f64).collect(),
            ChunkData::F64(a) => a.iter().copied().collect(),
        }
    }

    fn same_f64(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn round_trip_each_dtype() {
        let p = path("round_trip_each_dtype.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("y", 3, false).unwrap();
        w.add_dimension("x", 4, false).unwrap();
        let dims = strings(&["y", "x"]);
        w.add_variable("a64", &dims, DType::F64, Some(&[2, 2]), true)
            .unwrap();
        w.add_variable("a32", &dims, DType::F32, None, false)
            .unwrap();
        w.add_variable("i64", &dims, DType::I64, Some(&[3, 4]), false)
            .unwrap();
        w.add_variable("i32", &dims, DType::I32, None, true)
            .unwrap();
        let base = Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 - 5.5).into_dyn();
        let blocks = [
            ("a64", ChunkData::F64(base.clone())),
            ("a32", ChunkData::F32(base.mapv(|v| v as f32))),
            ("i64", ChunkData::I64(base.mapv(|v| (v * 1e10) as i64))),
            ("i32", ChunkData::I32(base.mapv(|v| (v * 2.0) as i32))),
        ];
        // Two row blocks each, the second written first.
        for (name, block) in &blocks {
            let rows = |r: std::ops::Range<usize>| match block {
                ChunkData::F64(a) => {
                    ChunkData::F64(a.slice(ndarray::s![r, ..]).to_owned().into_dyn())
                }
                ChunkData::F32(a) => {
                    ChunkData::F32(a.slice(ndarray::s![r, ..]).to_owned().into_dyn())
                }
                ChunkData::I64(a) => {
                    ChunkData::I64(a.slice(ndarray::s![r, ..]).to_owned().into_dyn())
                }
                ChunkData::I32(a) => {
                    ChunkData::I32(a.slice(ndarray::s![r, ..]).to_owned().into_dyn())
                }
                ChunkData::Bool(_) => unreachable!(),
            };
            w.write(name, &[2, 0], &rows(2..3)).unwrap();
            w.write(name, &[0, 0], &rows(0..2)).unwrap();
        }
        w.close().unwrap();

        let h = ok_header(&p);
        assert_eq!(h.dims.len(), 2);
        assert_eq!(
            (h.dims[0].name.as_str(), h.dims[0].len, h.dims[0].unlimited),
            ("y", 3, false)
        );
        let expected = [
            ("a64", DType::F64),
            ("a32", DType::F32),
            ("i64", DType::I64),
            ("i32", DType::I32),
        ];
        for ((name, dtype), (_, block)) in expected.iter().zip(&blocks) {
            let v = var(&h, name);
            assert_eq!(v.dtype, Ok(*dtype), "{name}");
            assert_eq!(v.shape, vec![3, 4]);
            assert_eq!(v.dims, strings(&["y", "x"]));
            let s = source(vec![p.clone()], vec![0, 3], 0, v);
            let whole = read_block(&s, &[0, 0], &[3, 4]).unwrap();
            assert_eq!(whole.dtype(), *dtype);
            assert_eq!(whole.shape(), &[3, 4]);
            assert_eq!(flat(&whole), flat(block), "{name}");
            assert_eq!(flat(&read_variable(&p, v).unwrap()), flat(block), "{name}");
            // An inner block that crosses the chunks on disk.
            let inner = read_block(&s, &[1, 1], &[2, 2]).unwrap();
            let all = flat(block);
            let expect: Vec<f64> = [5, 6, 9, 10].iter().map(|&i| all[i]).collect();
            assert_eq!(flat(&inner), expect, "{name}");
        }
        assert_eq!(var(&h, "a64").chunk, Some(vec![2, 2]));
        assert_eq!(var(&h, "i64").chunk, Some(vec![3, 4]));
        // Floats carry a NaN fill value (as xarray writes them), which masks nothing.
        let d = var(&h, "a32").decode;
        assert!(d.fill.unwrap().is_nan());
        assert!(var(&h, "a32")
            .attrs
            .iter()
            .any(|(n, a)| n == "_FillValue" && matches!(a, Attr::Float(x) if x.is_nan())));
        assert_eq!(var(&h, "i32").decode, Decode::default());
    }

    /// Three daily files of one record each along an unlimited `time`, read as one variable.
    #[test]
    fn block_across_daily_files() {
        let mut files = Vec::new();
        let value = |t: usize, y: usize, x: usize| (t * 100 + y * 10 + x) as f32;
        for day in 0..3 {
            let p = path(&format!("block_across_daily_files_{day}.nc"));
            let w = Writer::create(&p).unwrap();
            w.add_dimension("time", 0, true).unwrap();
            w.add_dimension("lat", 4, false).unwrap();
            w.add_dimension("lon", 5, false).unwrap();
            w.add_variable("time", &strings(&["time"]), DType::F64, None, false)
                .unwrap();
            w.add_variable(
                "adt",
                &strings(&["time", "lat", "lon"]),
                DType::F32,
                Some(&[1, 4, 5]),
                true,
            )
            .unwrap();
            w.add_attribute(
                Some("time"),
                "units",
                &Attr::Str("days since 2000-01-01".into()),
            )
            .unwrap();
            w.write(
                "time",
                &[0],
                &ChunkData::F64(ArrayD::from_elem(IxDyn(&[1]), day as f64)),
            )
            .unwrap();
            let a = Array::from_shape_fn((1, 4, 5), |(_, y, x)| value(day, y, x)).into_dyn();
            w.write("adt", &[0, 0, 0], &ChunkData::F32(a)).unwrap();
            w.close().unwrap();
            files.push(p);
        }
        let h = ok_header(&files[1]);
        let time = h.dims.iter().find(|d| d.name == "time").unwrap();
        assert!(time.unlimited);
        assert_eq!(time.len, 1);
        let adt = var(&h, "adt");
        assert_eq!(adt.shape, vec![1, 4, 5]);
        assert_eq!(adt.chunk, Some(vec![1, 4, 5]));
        let s = source(files.clone(), vec![0, 1, 2, 3], 0, adt);
        for (start, shape) in [
            ([0, 0, 0], [3, 4, 5]),
            ([0, 1, 1], [3, 2, 3]),
            ([1, 0, 2], [2, 4, 3]),
            ([2, 3, 4], [1, 1, 1]),
        ] {
            let got = f32s(read_block(&s, &start, &shape).unwrap());
            let expect = Array::from_shape_fn((shape[0], shape[1], shape[2]), |(t, y, x)| {
                value(start[0] + t, start[1] + y, start[2] + x)
            })
            .into_dyn();
            assert_eq!(got, expect, "{start:?} {shape:?}");
        }
        let time = var(&h, "time");
        let times = f64s(
            read_block(
                &source(files.clone(), vec![0, 1, 2, 3], 0, time),
                &[0],
                &[3],
            )
            .unwrap(),
        );
        assert_eq!(times.as_slice().unwrap(), &[0.0, 1.0, 2.0]);
        let units = time.attrs.iter().find(|(n, _)| n == "units");
        assert_eq!(
            units.map(|u| &u.1),
            Some(&Attr::Str("days since 2000-01-01".into()))
        );
    }

    /// Files split along an inner axis: each file's part is interleaved in the block.
    #[test]
    fn block_across_files_along_inner_axis() {
        let widths = [3, 2, 4];
        let mut files = Vec::new();
        let mut starts = vec![0];
        for (k, &w) in widths.iter().enumerate() {
            let p = path(&format!("block_across_files_along_inner_axis_{k}.nc"));
            let writer = Writer::create(&p).unwrap();
            writer.add_dimension("y", 3, false).unwrap();
            writer.add_dimension("x", w, false).unwrap();
            writer
                .add_variable("v", &strings(&["y", "x"]), DType::I64, None, false)
                .unwrap();
            let x0 = *starts.last().unwrap();
            let a = Array::from_shape_fn((3, w), |(y, x)| (y * 100 + x0 + x) as i64).into_dyn();
            writer.write("v", &[0, 0], &ChunkData::I64(a)).unwrap();
            writer.close().unwrap();
            starts.push(x0 + w);
            files.push(p);
        }
        let h = ok_header(&files[0]);
        let s = source(files, starts, 1, var(&h, "v"));
        for (start, shape) in [([0, 0], [3, 9]), ([1, 2], [2, 5]), ([0, 4], [3, 1])] {
            let got = read_block(&s, &start, &shape).unwrap();
            let expect: Vec<f64> = (0..shape[0])
                .flat_map(|y| {
                    (0..shape[1]).map(move |x| ((start[0] + y) * 100 + start[1] + x) as f64)
                })
                .collect();
            assert_eq!(flat(&got), expect, "{start:?} {shape:?}");
        }
    }

    #[test]
    fn attributes_round_trip() {
        let p = path("attributes_round_trip.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("x", 2, false).unwrap();
        w.add_variable("v", &strings(&["x"]), DType::I32, None, false)
            .unwrap();
        let attrs = vec![
            ("title".to_string(), Attr::Str("sea level — ü".into())),
            ("empty".to_string(), Attr::Str(String::new())),
            ("count".to_string(), Attr::Int(-7)),
            ("big".to_string(), Attr::Int(1 << 40)),
            ("ratio".to_string(), Attr::Float(0.1)),
            ("flags".to_string(), Attr::Ints(vec![1, 2, 4])),
            ("bigs".to_string(), Attr::Ints(vec![1, 1 << 40])),
            ("range".to_string(), Attr::Floats(vec![-1.5, 2.25, 1e300])),
        ];
        for (name, value) in &attrs {
            w.add_attribute(None, name, value).unwrap();
            w.add_attribute(Some("v"), name, value).unwrap();
        }
        assert!(w
            .add_attribute(Some("nope"), "a", &Attr::Int(1))
            .unwrap_err()
            .contains("`nope`"));
        w.write(
            "v",
            &[0],
            &ChunkData::I32(ArrayD::from_elem(IxDyn(&[2]), 3)),
        )
        .unwrap();
        w.close().unwrap();
        let h = ok_header(&p);
        assert_eq!(h.attrs, attrs);
        assert_eq!(var(&h, "v").attrs, attrs);
        // Attributes that are not about decoding leave the values alone.
        assert_eq!(var(&h, "v").dtype, Ok(DType::I32));
    }

    /// A packed i16 variable as data providers write it (through the crate itself): masked, then
    /// scaled and offset, as xarray decodes it.
    #[test]
    fn packed_i16_decodes() {
        let p = path("packed_i16_decodes.nc");
        {
            let mut f = netcdf::create(&p).unwrap();
            f.add_dimension("x", 5).unwrap();
            let mut v = f.add_variable::<i16>("sla", &["x"]).unwrap();
            v.set_fill_value(-32767i16).unwrap();
            v.put_attribute("scale_factor", 0.01f64).unwrap();
            v.put_attribute("add_offset", 10.0f64).unwrap();
            v.put_attribute("units", "m").unwrap();
            v.put_values(&[0i16, 100, -32767, -200, 32767], 0..5)
                .unwrap();
            let mut v = f.add_variable::<i16>("sst", &["x"]).unwrap();
            v.put_attribute("_FillValue", -1i16).unwrap();
            v.put_attribute("scale_factor", 0.5f32).unwrap();
            v.put_attribute("add_offset", 20.0f32).unwrap();
            v.put_values(&[0i16, 1, -1, 3, 4], 0..5).unwrap();
            let mut v = f.add_variable::<i32>("count", &["x"]).unwrap();
            v.put_attribute("missing_value", vec![-9i32, -8]).unwrap();
            v.put_values(&[1i32, -9, -8, 4, 5], 0..5).unwrap();
            let mut v = f.add_variable::<f32>("temp", &["x"]).unwrap();
            v.put_attribute("missing_value", 1e20f64).unwrap();
            v.put_attribute("scale_factor", 2.0f64).unwrap();
            v.put_values(&[1f32, 1e20, 2.5, f32::NAN, 0.0], 0..5)
                .unwrap();
            let mut v = f.add_variable::<u8>("flag", &["x"]).unwrap();
            v.put_values(&[0u8, 1, 200, 255, 7], 0..5).unwrap();
            let mut v = f.add_variable::<u64>("id", &["x"]).unwrap();
            v.put_values(&[0u64, 1, 2, 3, 1 << 40], 0..5).unwrap();
            f.close().unwrap();
        }
        let h = ok_header(&p);
        let read = |name: &str| {
            let v = var(&h, name);
            read_block(&source(vec![p.clone()], vec![0, 5], 0, v), &[0], &[5]).unwrap()
        };

        let sla = var(&h, "sla");
        assert_eq!(sla.dtype, Ok(DType::F64));
        assert_eq!(
            sla.decode,
            Decode {
                fill: Some(-32767.0),
                missing: None,
                more_missing: [None; 3],
                scale: Some(0.01),
                offset: Some(10.0),
                flip_sign: false,
            }
        );
        assert!(sla
            .attrs
            .contains(&("_FillValue".into(), Attr::Int(-32767))));
        assert!(sla.attrs.contains(&("units".into(), Attr::Str("m".into()))));
        let got = f64s(read("sla"));
        let expect = [
            10.0,
            100.0 * 0.01 + 10.0,
            f64::NAN,
            -200.0 * 0.01 + 10.0,
            32767.0 * 0.01 + 10.0,
        ];
        assert!(same_f64(got.as_slice().unwrap(), &expect), "{got:?}");

        assert_eq!(var(&h, "sst").dtype, Ok(DType::F32));
        let got = f32s(read("sst"));
        let got: Vec<f64> = got.iter().map(|&x| x as f64).collect();
        assert!(
            same_f64(&got, &[20.0, 20.5, f64::NAN, 21.5, 22.0]),
            "{got:?}"
        );

        // Masked integers become floats; every value of a missing_value list masks.
        assert_eq!(var(&h, "count").dtype, Ok(DType::F64));
        assert_eq!(var(&h, "count").decode.missing, Some(-9.0));
        assert_eq!(
            var(&h, "count").decode.more_missing,
            [Some(-8.0), None, None]
        );
        assert!(same_f64(
            f64s(read("count")).as_slice().unwrap(),
            &[1.0, f64::NAN, f64::NAN, 4.0, 5.0]
        ));

        // f32 with a double scale decodes to f64; the double missing value masks the f32 1e20.
        assert_eq!(var(&h, "temp").dtype, Ok(DType::F64));
        assert!(same_f64(
            f64s(read("temp")).as_slice().unwrap(),
            &[2.0, f64::NAN, 5.0, f64::NAN, 0.0]
        ));

        assert_eq!(var(&h, "flag").dtype, Ok(DType::I32));
        assert_eq!(flat(&read("flag")), vec![0.0, 1.0, 200.0, 255.0, 7.0]);
        assert_eq!(var(&h, "id").dtype, Ok(DType::I64));
        assert_eq!(
            flat(&read("id")),
            vec![0.0, 1.0, 2.0, 3.0, (1u64 << 40) as f64]
        );
        assert!(matches!(read("id"), ChunkData::I64(_)));
    }

    #[test]
    fn decoded_dtype_rules() {
        use Kind::{Int, F32 as K32, F64 as K64};
        use Stored::*;
        let all_ints = [I8, U8, I16, U16, I32, U32, I64, U64];
        // Floats: f64 stays f64; f32 stays f32 unless a scale or offset is a double.
        for (masked, scale, offset) in [
            (false, None, None),
            (true, Some(K32), Some(K64)),
            (true, Some(K32), None),
        ] {
            assert_eq!(
                decoded_dtype(Stored::F64, masked, scale, offset),
                DType::F64
            );
        }
        assert_eq!(decoded_dtype(Stored::F32, false, None, None), DType::F32);
        assert_eq!(decoded_dtype(Stored::F32, true, None, None), DType::F32);
        assert_eq!(
            decoded_dtype(Stored::F32, false, Some(K32), Some(K32)),
            DType::F32
        );
        assert_eq!(
            decoded_dtype(Stored::F32, false, Some(Int), None),
            DType::F32
        );
        assert_eq!(
            decoded_dtype(Stored::F32, false, Some(K64), None),
            DType::F64
        );
        assert_eq!(
            decoded_dtype(Stored::F32, false, None, Some(K64)),
            DType::F64
        );
        assert_eq!(
            decoded_dtype(Stored::F32, true, Some(K32), Some(K64)),
            DType::F64
        );
        // Plain integers: i32 when they fit, else i64.
        for s in [I8, U8, I16, U16, I32] {
            assert_eq!(decoded_dtype(s, false, None, None), DType::I32, "{s:?}");
        }
        for s in [U32, I64, U64] {
            assert_eq!(decoded_dtype(s, false, None, None), DType::I64, "{s:?}");
        }
        // Masked integers: f32 for 8/16-bit ones, f64 for wider ones.
        for s in all_ints {
            let expected = if s.is_small_int() {
                DType::F32
            } else {
                DType::F64
            };
            assert_eq!(decoded_dtype(s, true, None, None), expected, "{s:?}");
        }
        // Packed: f32 only for 8/16-bit integers with f32 scale/offset.
        for s in [I8, U8, I16, U16] {
            assert_eq!(
                decoded_dtype(s, false, Some(K32), None),
                DType::F32,
                "{s:?}"
            );
            assert_eq!(decoded_dtype(s, true, None, Some(K32)), DType::F32, "{s:?}");
            assert_eq!(
                decoded_dtype(s, false, Some(K32), Some(K32)),
                DType::F32,
                "{s:?}"
            );
            assert_eq!(
                decoded_dtype(s, false, Some(K32), Some(K64)),
                DType::F64,
                "{s:?}"
            );
            assert_eq!(
                decoded_dtype(s, false, Some(K64), None),
                DType::F64,
                "{s:?}"
            );
            assert_eq!(
                decoded_dtype(s, false, Some(Int), None),
                DType::F64,
                "{s:?}"
            );
        }
        for s in [I32, U32, I64, U64] {
            assert_eq!(
                decoded_dtype(s, false, Some(K32), Some(K32)),
                DType::F64,
                "{s:?}"
            );
            assert_eq!(decoded_dtype(s, true, Some(K64), None), DType::F64, "{s:?}");
        }
    }

    #[test]
    fn decoding_values() {
        let d = |fill, missing, scale, offset| {
            Prepared::new(&Decode {
                fill,
                missing,
                more_missing: [None; 3],
                scale,
                offset,
                flip_sign: false,
            })
        };
        // Fill and missing mask, then scale, then offset.
        let p = d(Some(-1.0), Some(99.0), Some(2.0), Some(0.5));
        assert!(f64::decode(-1i16, &p).is_nan());
        assert!(f64::decode(99u8, &p).is_nan());
        assert_eq!(f64::decode(3i32, &p), 6.5);
        assert!(f32::decode(-1i8, &p).is_nan());
        assert_eq!(f32::decode(3u16, &p), 6.5);
        // A NaN fill masks nothing (and is not compared): values pass, NaNs stay NaN.
        let p = d(Some(f64::NAN), None, None, None);
        assert!(!p.active());
        assert_eq!(f32::decode(1.5f32, &p), 1.5);
        assert!(f32::decode(f32::NAN, &p).is_nan());
        // f32 values are compared in f32.
        let p = d(None, Some(1e20), None, None);
        assert!(f32::decode(1e20f32, &p).is_nan());
        assert!(f64::decode(1e20f32, &p).is_nan());
        // Integers are converted only.
        assert_eq!(i32::decode(200u8, &Prepared::new(&Decode::default())), 200);
        assert_eq!(
            i64::decode(u32::MAX, &Prepared::new(&Decode::default())),
            u32::MAX as i64
        );
    }

    #[test]
    fn fill_values_are_seen_in_the_other_signedness() {
        assert_eq!(Stored::I8.viewed_as(Stored::U8, -1.0), 255.0);
        assert_eq!(Stored::I8.viewed_as(Stored::U8, -128.0), 128.0);
        assert_eq!(Stored::I16.viewed_as(Stored::U16, -1.0), 65535.0);
        assert_eq!(Stored::U8.viewed_as(Stored::I8, 200.0), -56.0);
        assert_eq!(Stored::I32.viewed_as(Stored::U32, -2.0), 4294967294.0);
        // What does not fit the stored type is left alone.
        assert_eq!(Stored::I8.viewed_as(Stored::U8, 1000.0), 1000.0);
        assert_eq!(Stored::I8.viewed_as(Stored::U8, 0.5), 0.5);
        let unsigned = |value: &str| {
            decoding(
                Stored::I8,
                &[
                    ("_Unsigned".into(), AttributeValue::Str(value.into())),
                    ("_FillValue".into(), AttributeValue::Schar(-1)),
                ],
            )
        };
        let (decode, dtype) = unsigned("true");
        assert!(decode.flip_sign);
        assert_eq!((decode.fill, dtype), (Some(255.0), DType::F32));
        let (decode, _) = unsigned("false");
        assert!(!decode.flip_sign);
        assert_eq!(decode.fill, Some(-1.0));
    }

    #[test]
    fn decode_eq_and_hash_agree() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |d: &Decode| {
            let mut h = DefaultHasher::new();
            d.hash(&mut h);
            h.finish()
        };
        let nan = Decode {
            fill: Some(f64::NAN),
            ..Decode::default()
        };
        assert_eq!(nan, nan);
        assert_eq!(hash(&nan), hash(&nan.clone()));
        let zero = Decode {
            offset: Some(0.0),
            ..Decode::default()
        };
        let minus = Decode {
            offset: Some(-0.0),
            ..Decode::default()
        };
        assert_ne!(zero, minus);
        assert_ne!(zero, Decode::default());
    }

    #[test]
    fn header_of_garbage_is_not_netcdf() {
        let p = path("header_of_garbage_is_not_netcdf.nc");
        std::fs::write(&p, b"this is not a netCDF file at all, just some bytes\n").unwrap();
        match header(&p) {
            Err(HeaderError::Unreadable(m)) => assert!(!m.is_empty()),
            _ => panic!("garbage read as netCDF"),
        }
        let empty = path("header_of_garbage_is_not_netcdf_empty.nc");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(header(&empty), Err(HeaderError::Unreadable(_))));
    }

    /// A file cut short is found by its length, whether the header can be read or not; never a
    /// panic.
    #[test]
    fn truncated_file_is_an_error() {
        let p = path("truncated_file_is_an_error.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("x", 5000, false).unwrap();
        w.add_variable("v", &strings(&["x"]), DType::F64, Some(&[500]), false)
            .unwrap();
        let a = Array::from_shape_fn(5000, |i| i as f64).into_dyn();
        w.write("v", &[0], &ChunkData::F64(a)).unwrap();
        w.close().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        for keep in [bytes.len() / 2, bytes.len() - 100, 600] {
            std::fs::write(&p, &bytes[..keep]).unwrap();
            match header(&p) {
                Err(HeaderError::Truncated { length, promised }) => {
                    assert_eq!((length, promised), (keep as u64, bytes.len() as u64))
                }
                Err(HeaderError::Unreadable(m)) => panic!("not found truncated: {m}"),
                Err(HeaderError::Missing) => panic!("missing"),
                Ok(h) => {
                    let v = var(&h, "v");
                    let s = source(vec![p.clone()], vec![0, 5000], 0, v);
                    let e = read_block(&s, &[0], &[5000]).unwrap_err();
                    assert!(
                        e.contains("truncated_file_is_an_error.nc") && e.contains("`v`"),
                        "{e}"
                    );
                }
            }
        }
    }

    #[test]
    fn header_of_missing_path_is_missing() {
        assert!(matches!(
            header(&path("no_such_file.nc")),
            Err(HeaderError::Missing)
        ));
        assert!(matches!(header(&dir()), Err(HeaderError::Missing)));
    }

    #[test]
    fn read_after_delete_names_the_path() {
        let p = path("read_after_delete_names_the_path.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("x", 3, false).unwrap();
        w.add_variable("adt", &strings(&["x"]), DType::F32, None, false)
            .unwrap();
        w.close().unwrap();
        let h = ok_header(&p);
        // Never written: the fill value (NaN) reads back.
        let s = source(vec![p.clone()], vec![0, 3], 0, var(&h, "adt"));
        assert!(f32s(read_block(&s, &[0], &[3]).unwrap())
            .iter()
            .all(|x| x.is_nan()));
        std::fs::remove_file(&p).unwrap();
        let e = read_block(&s, &[0], &[3]).unwrap_err();
        assert!(
            e.contains(&p.display().to_string()) && e.contains("`adt`"),
            "{e}"
        );
    }

    #[test]
    fn bad_blocks_and_names_are_errors() {
        let p = path("bad_blocks_and_names_are_errors.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("y", 2, false).unwrap();
        w.add_dimension("x", 3, false).unwrap();
        w.add_variable("v", &strings(&["y", "x"]), DType::F64, None, false)
            .unwrap();
        // Writes that do not fit are errors, not panics.
        let block = ChunkData::F64(ArrayD::zeros(IxDyn(&[2, 2])));
        assert!(w.write("v", &[1, 0], &block).is_err());
        assert!(w.write("v", &[0], &block).is_err());
        assert!(w.write("w", &[0, 0], &block).unwrap_err().contains("`w`"));
        assert!(w
            .add_variable("u", &strings(&["z"]), DType::F64, None, false)
            .is_err());
        assert!(w.add_dimension("y", 4, false).is_err());
        assert!(w.add_dimension("bad\0name", 4, false).is_err());
        assert!(w
            .add_variable(&"n".repeat(300), &strings(&["x"]), DType::F64, None, false)
            .is_err());
        w.close().unwrap();

        let h = ok_header(&p);
        let s = source(vec![p.clone()], vec![0, 2], 0, var(&h, "v"));
        let name = p.display().to_string();
        // Past the end along the axis, past the end of another dimension, wrong rank.
        assert!(read_block(&s, &[1, 0], &[2, 3])
            .unwrap_err()
            .contains("`v`"));
        let e = read_block(&s, &[0, 1], &[2, 3]).unwrap_err();
        assert!(e.contains(&name) && e.contains("`v`"), "{e}");
        assert!(read_block(&s, &[0], &[2]).is_err());
        assert!(read_block(&s, &[0, 0], &[2]).is_err());
        let wrong = FileSource {
            format: FileFormat::NetCdf,
            variable: "nope".into(),
            ..s.clone()
        };
        assert!(read_block(&wrong, &[0, 0], &[1, 1])
            .unwrap_err()
            .contains("`nope`"));
        let long = FileSource {
            format: FileFormat::NetCdf,
            variable: "n".repeat(300),
            ..s.clone()
        };
        assert!(read_block(&long, &[0, 0], &[1, 1]).is_err());
        let bad_starts = FileSource {
            format: FileFormat::NetCdf,
            starts: vec![0],
            ..s.clone()
        };
        assert!(read_block(&bad_starts, &[0, 0], &[1, 1]).is_err());
        // An empty block is empty, not an error.
        assert_eq!(read_block(&s, &[0, 0], &[0, 3]).unwrap().shape(), &[0, 3]);
    }

    /// Blocks written and read from several threads at once.
    #[test]
    fn threads_write_and_read() {
        let p = path("threads_write_and_read.nc");
        let w = Writer::create(&p).unwrap();
        w.add_dimension("t", 0, true).unwrap();
        w.add_dimension("x", 64, false).unwrap();
        w.add_variable("v", &strings(&["t", "x"]), DType::F64, Some(&[1, 64]), true)
            .unwrap();
        w.add_variable("b", &strings(&["t", "x"]), DType::Bool, None, false)
            .unwrap();
        std::thread::scope(|scope| {
            for t in 0..16usize {
                let w = &w;
                scope.spawn(move || {
                    let a = Array::from_shape_fn((1, 64), |(_, x)| (t * 64 + x) as f64).into_dyn();
                    w.write("v", &[t, 0], &ChunkData::F64(a)).unwrap();
                    let b = Array::from_shape_fn((1, 64), |(_, x)| (t + x) % 2 == 0).into_dyn();
                    w.write("b", &[t, 0], &ChunkData::Bool(b)).unwrap();
                });
            }
        });
        w.close().unwrap();
        let h = ok_header(&p);
        assert_eq!(var(&h, "v").shape, vec![16, 64]);
        // Bools are stored as bytes marked as xarray marks them, and read back as bools.
        let b = var(&h, "b");
        assert!(b
            .attrs
            .contains(&("dtype".into(), Attr::Str("bool".into()))));
        assert_eq!(b.dtype, Ok(DType::Bool));
        let s = source(vec![p.clone()], vec![0, 16], 0, var(&h, "v"));
        std::thread::scope(|scope| {
            for t in 0..16usize {
                let s = &s;
                scope.spawn(move || {
                    for _ in 0..10 {
                        let got = f64s(read_block(s, &[t, 8], &[1, 16]).unwrap());
                        let expect: Vec<f64> = (8..24).map(|x| (t * 64 + x) as f64).collect();
                        assert_eq!(got.as_slice().unwrap(), &expect[..]);
                    }
                });
            }
        });
    }
}
