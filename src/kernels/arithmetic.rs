//! Python's (and NumPy's) division semantics, shared by scalars and array kernels: floor division
//! rounds toward negative infinity and the remainder takes the sign of the divisor (zero too).

/// `x % y` for floats: the sign of `y`, including the sign of a zero result.
pub fn modulo_f64(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r == 0.0 {
        0.0f64.copysign(y)
    } else if (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

/// `x // y` for floats as Python and NumPy define it (`npy_divmod`): the quotient of `x - x % y`
/// rounded, so `x == (x // y) * y + x % y` holds as closely as floats allow. `1.0 // 0.1` is 9
/// (0.1 is a little more than a tenth), which `floor(x / y)` makes 10; `-1.0 // inf` is -1.
pub fn floor_divide_f64(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        return x / y;
    }
    let remainder = x % y;
    let mut quotient = (x - remainder) / y;
    if remainder != 0.0 && (y < 0.0) != (remainder < 0.0) {
        quotient -= 1.0;
    }
    if quotient != 0.0 {
        let floor = quotient.floor();
        if quotient - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        0.0f64.copysign(x / y)
    }
}

/// `(x // y, x % y)` for ints with `y != 0`; `None` on overflow (`i64::MIN // -1`).
pub fn floor_divmod_i64(x: i64, y: i64) -> Option<(i64, i64)> {
    let quotient = x.checked_div_euclid(y)?;
    let remainder = x.rem_euclid(y);
    Some(if y < 0 && remainder != 0 {
        (quotient - 1, remainder + y)
    } else {
        (quotient, remainder)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_python() {
        assert_eq!(floor_divmod_i64(-7, 2), Some((-4, 1)));
        assert_eq!(floor_divmod_i64(7, -2), Some((-4, -1)));
        assert_eq!(floor_divmod_i64(i64::MIN, -1), None);
        assert!(modulo_f64(-3.0, 0.5).is_sign_positive());
        assert!(modulo_f64(3.0, -0.5).is_sign_negative());
        assert_eq!(modulo_f64(-7.0, 2.0), 1.0);
        // NumPy 2: 1.0 // 0.1 == 9.0, -1.0 // inf == -1.0, 1.0 // inf == 0.0, 7.5 // -2 == -4.
        assert_eq!(floor_divide_f64(1.0, 0.1), 9.0);
        assert_eq!(floor_divide_f64(-1.0, f64::INFINITY), -1.0);
        assert_eq!(floor_divide_f64(1.0, f64::INFINITY), 0.0);
        assert_eq!(floor_divide_f64(7.5, -2.0), -4.0);
        assert!(floor_divide_f64(-0.0, 3.0).is_sign_negative());
        assert!(floor_divide_f64(f64::NAN, 3.0).is_nan());
    }
}
