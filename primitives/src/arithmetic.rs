//! Fixed-point fractions for the runtime (no floats: results must be identical on every node).

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Parts per billion, in `[0, 1_000_000_000]` (Substrate's `sp_arithmetic::Perbill`, same
/// encoding and metadata path). Constructors clamp; arithmetic never overflows.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Default,
    Encode,
    Decode,
    MaxEncodedLen,
    TypeInfo,
    Serialize,
    Deserialize,
)]
#[scale_info(replace_segment("archive_primitives", "sp_arithmetic"), replace_segment("arithmetic", "per_things"))]
pub struct Perbill(pub u32);

impl Perbill {
    /// One billion parts: 100 %.
    pub const ACCURACY: u32 = 1_000_000_000;

    /// 0 %.
    pub const fn zero() -> Self {
        Perbill(0)
    }

    /// 100 %.
    pub const fn one() -> Self {
        Perbill(Self::ACCURACY)
    }

    /// `parts` billionths, clamped to 100 %.
    pub const fn from_parts(parts: u32) -> Self {
        Perbill(if parts > Self::ACCURACY { Self::ACCURACY } else { parts })
    }

    /// `p` percent, clamped to 100 %.
    pub const fn from_percent(p: u32) -> Self {
        Self::from_parts(if p > 100 { Self::ACCURACY } else { p * 10_000_000 })
    }

    /// `num / den`, rounded down and clamped to `[0, 1]`; 0 when `den` is 0.
    pub fn from_rational(num: u128, den: u128) -> Self {
        if den == 0 {
            return Perbill(0);
        }
        if num >= den {
            return Self::one();
        }
        // num < den, so num * ACCURACY / den < ACCURACY; avoid overflow for large values.
        let parts = mul_div(num, u128::from(Self::ACCURACY), den);
        Perbill(parts as u32)
    }

    /// The number of parts.
    pub const fn deconstruct(self) -> u32 {
        self.0
    }

    /// `self × x`, rounded down.
    pub fn mul_floor(self, x: u128) -> u128 {
        mul_div(x, u128::from(self.0), u128::from(Self::ACCURACY))
    }
}

impl core::fmt::Display for Perbill {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let whole = self.0 / 10_000_000;
        let frac = (self.0 % 10_000_000) / 10_000;
        write!(f, "{whole}.{frac:03}%")
    }
}

/// `a × b / c` rounded down (0 when `c` is 0). Exact when `(a mod c) × b` fits in u128 (always
/// for Perbill math on balances); otherwise the lowest bits are dropped. Saturates at u128::MAX.
pub fn mul_div(a: u128, b: u128, c: u128) -> u128 {
    if c == 0 {
        return 0;
    }
    if let Some(p) = a.checked_mul(b) {
        return p / c;
    }
    // Split a = q·c + r: a·b/c = q·b + r·b/c.
    let (q, r) = (a / c, a % c);
    let first = q.saturating_mul(b);
    let second = match r.checked_mul(b) {
        Some(p) => p / c,
        // r < c: halve both until r·b fits (loses only the lowest bits of huge values).
        None => {
            let (mut r, mut c) = (r, c);
            loop {
                r >>= 1;
                c >>= 1;
                if let Some(p) = r.checked_mul(b) {
                    break p / c.max(1);
                }
            }
        }
    };
    first.saturating_add(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rational_and_multiplication_round_down_and_clamp() {
        assert_eq!(Perbill::from_rational(1, 3), Perbill(333_333_333));
        assert_eq!(Perbill::from_rational(5, 3), Perbill::one());
        assert_eq!(Perbill::from_rational(5, 0), Perbill::zero());
        assert_eq!(Perbill::from_percent(10).mul_floor(1_000), 100);
        assert_eq!(Perbill::from_percent(150), Perbill::one());
        assert_eq!(Perbill::from_parts(2_000_000_000), Perbill::one());
        let big = u128::MAX / 3;
        assert_eq!(Perbill::from_percent(50).mul_floor(big), big / 2);
        // Huge operands lose only the lowest bits.
        assert!(Perbill::from_rational(big, big * 2).0.abs_diff(500_000_000) <= 1);
        assert_eq!(Perbill(123_456_789).to_string(), "12.345%");
    }

    #[test]
    fn encoding_is_a_plain_u32() {
        assert_eq!(Perbill(7).encode(), 7u32.encode());
    }
}
