//! Element types of arrays and NumPy's promotion rules between them.

use std::fmt;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    Bool,
    I32,
    I64,
    F32,
    F64,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    pub fn parse(name: &str) -> Option<DType> {
        Some(match name {
            "bool" => DType::Bool,
            "i32" | "int32" => DType::I32,
            "i64" | "int64" | "int" => DType::I64,
            "f32" | "float32" => DType::F32,
            "f64" | "float64" | "float" => DType::F64,
            _ => return None,
        })
    }

    pub fn itemsize(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }

    /// The type two array operands are computed in (NumPy: i32 with f32 gives f64).
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        match (a, b) {
            (x, y) if x == y => x,
            (Bool, x) | (x, Bool) => x,
            (I32, I64) | (I64, I32) => I64,
            (F32, F64) | (F64, F32) => F64,
            (I32, F32) | (F32, I32) | (I64, F32) | (F32, I64) => F64,
            (I32 | I64, F64) | (F64, I32 | I64) => F64,
            _ => F64,
        }
    }

    /// The type of an array operand combined with a Python-like scalar: the scalar is "weak"
    /// (NEP 50), so `f32 array * 2.0` stays f32 and `i32 array + 1` stays i32; only a float
    /// scalar lifts an integer or bool array to f64.
    pub fn promote_with_scalar(array: DType, scalar_is_float: bool, scalar_is_bool: bool) -> DType {
        match (array, scalar_is_float, scalar_is_bool) {
            (_, false, true) => array,
            (DType::Bool, false, false) => DType::I64,
            (DType::Bool | DType::I32 | DType::I64, true, _) => DType::F64,
            _ => array,
        }
    }

    /// Result of a float function (sqrt, cos, /): floats keep their width, others become f64.
    pub fn float_result(self) -> DType {
        if self == DType::F32 {
            DType::F32
        } else {
            DType::F64
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
