//! Exact comparison of integers and floating-point numbers, as Python compares `int` and
//! `float` (no rounding of large integers to the nearest float).

use std::cmp::Ordering;

/// A number from a pattern literal, a JSON value or a variable's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// An integer (JSON integers above `i64::MAX` fit too).
    Integer(i128),
    /// A finite floating-point number.
    Float(f64),
}

impl Number {
    /// Reads a variable's value: an integer, else a finite float, surrounding spaces ignored.
    pub(crate) fn parse(text: &str) -> Option<Number> {
        let text = text.trim();
        if let Ok(integer) = text.parse::<i128>() {
            return Some(Number::Integer(integer));
        }
        let float: f64 = text.parse().ok()?;
        float.is_finite().then_some(Number::Float(float))
    }

    /// Reads a JSON number.
    pub(crate) fn from_json(number: &serde_json::Number) -> Option<Number> {
        if let Some(integer) = number.as_i64() {
            Some(Number::Integer(i128::from(integer)))
        } else if let Some(integer) = number.as_u64() {
            Some(Number::Integer(i128::from(integer)))
        } else {
            number
                .as_f64()
                .filter(|float| float.is_finite())
                .map(Number::Float)
        }
    }

    /// Compares exactly; `None` only when a float is NaN.
    pub(crate) fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Integer(left), Number::Integer(right)) => Some(left.cmp(&right)),
            (Number::Float(left), Number::Float(right)) => left.partial_cmp(&right),
            (Number::Integer(left), Number::Float(right)) => compare_integer_float(left, right),
            (Number::Float(left), Number::Integer(right)) => {
                compare_integer_float(right, left).map(Ordering::reverse)
            }
        }
    }
}

fn compare_integer_float(integer: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    // Beyond ±2^126 every float is far outside the i128 values JSON can hold.
    const LIMIT: f64 = 8.507_059_173_023_462e37;
    if float >= LIMIT {
        return Some(Ordering::Less);
    }
    if float <= -LIMIT {
        return Some(Ordering::Greater);
    }
    let floor = float.floor();
    let floor_integer = floor as i128;
    match integer.cmp(&floor_integer) {
        Ordering::Equal if floor < float => Some(Ordering::Less),
        ordering => Some(ordering),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats_compare_exactly() {
        let big = Number::Integer(9_007_199_254_740_993);
        let float = Number::Float(9_007_199_254_740_992.0);
        assert_eq!(big.compare(float), Some(Ordering::Greater));
        assert_eq!(
            Number::Integer(5).compare(Number::Float(4.9)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Number::Integer(5).compare(Number::Float(5.0)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            Number::Integer(-5).compare(Number::Float(-4.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Number::Float(12.0).compare(Number::Integer(12)),
            Some(Ordering::Equal)
        );
        assert_eq!(Number::parse(" 10 "), Some(Number::Integer(10)));
        assert_eq!(Number::parse("nan"), None);
        assert_eq!(Number::parse("abc"), None);
    }
}
