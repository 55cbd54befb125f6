//! Token amounts on the command line: parsing `1.5ARC`, `1.5 ARC`, `1.5` (ARC),
//! `1500000000000000000units`, and formatting balances back as ARC.
//!
//! 1 ARC = 10^18 units ([`archive_primitives::TOKEN_DECIMALS`]). Parsing is exact (no floating
//! point): a value with more decimals than the unit has, a negative value, an empty string, an
//! unknown unit or a value above `u128::MAX` units is refused with a message saying which.

use archive_primitives::{Balance, ARC, TOKEN_DECIMALS, TOKEN_SYMBOL};

/// Why an amount did not parse. `Display` is a one-line message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Nothing (or only spaces) was given.
    Empty,
    /// A leading minus sign.
    Negative,
    /// The number part is malformed (no digits, two dots, stray characters...).
    Malformed(String),
    /// The unit after the number is not known.
    UnknownUnit(String),
    /// More fractional digits than the unit allows.
    TooManyDecimals { unit: &'static str, max: u8 },
    /// Above `u128::MAX` units.
    Overflow,
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountError::Empty => write!(f, "empty amount: expected a number such as 1.5 or 1.5ARC"),
            AmountError::Negative => write!(f, "negative amounts are not allowed"),
            AmountError::Malformed(s) => {
                write!(f, "invalid amount `{s}`: expected a number such as 1.5, 1.5ARC or 1500000000000000000units")
            }
            AmountError::UnknownUnit(u) => write!(f, "unknown unit `{u}`: expected ARC or units"),
            AmountError::TooManyDecimals { unit, max: 0 } => {
                write!(f, "{unit} must be a whole number (it is the smallest unit)")
            }
            AmountError::TooManyDecimals { unit, max } => {
                write!(f, "too many decimal places: {unit} has at most {max} decimals")
            }
            AmountError::Overflow => {
                write!(f, "amount too large: the maximum is {}", format_arc(u128::MAX))
            }
        }
    }
}

impl std::error::Error for AmountError {}

/// The units an amount may be written in: (accepted names, lower case; display name; decimals).
const UNITS: [(&[&str], &str, u8); 2] =
    [(&["arc", ""], TOKEN_SYMBOL, TOKEN_DECIMALS), (&["units", "unit", "wei"], "units", 0)];

/// Parses an amount into the smallest unit. See the module documentation for the syntax.
///
/// # Errors
/// [`AmountError`], one variant per kind of mistake.
pub fn parse_amount(input: &str) -> Result<Balance, AmountError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(s.len());
    let (number, unit) = (&s[..split], s[split..].trim());
    let unit_lower = unit.to_ascii_lowercase();
    let (_, unit_name, decimals) =
        UNITS.iter().find(|(names, _, _)| names.contains(&unit_lower.as_str())).copied().ok_or_else(|| {
            if number.is_empty() {
                AmountError::Malformed(s.to_owned())
            } else {
                AmountError::UnknownUnit(unit.to_owned())
            }
        })?;

    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let valid_digits = |d: &str| {
        // Underscores may separate digits (`1_000`), never lead, trail or double up.
        !d.starts_with('_')
            && !d.ends_with('_')
            && !d.contains("__")
            && d.chars().all(|c| c.is_ascii_digit() || c == '_')
    };
    let frac_part = frac_part.unwrap_or("");
    if (int_part.is_empty() && frac_part.is_empty())
        || !valid_digits(int_part)
        || !valid_digits(frac_part)
        || frac_part.contains('.')
    {
        return Err(AmountError::Malformed(s.to_owned()));
    }
    let int_digits: String = int_part.chars().filter(|c| *c != '_').collect();
    let frac_digits: String = frac_part.chars().filter(|c| *c != '_').collect();
    // Trailing zeros of the fraction carry no value: `1.50` has as many decimals as `1.5`.
    let frac_digits = frac_digits.trim_end_matches('0');
    if frac_digits.len() > usize::from(decimals) {
        return Err(AmountError::TooManyDecimals { unit: unit_name, max: decimals });
    }
    let scale = 10u128.pow(u32::from(decimals));
    let whole =
        if int_digits.is_empty() { 0 } else { int_digits.parse::<u128>().map_err(|_| AmountError::Overflow)? };
    let frac = if frac_digits.is_empty() {
        0
    } else {
        let padded = format!("{frac_digits:0<width$}", width = usize::from(decimals));
        padded.parse::<u128>().map_err(|_| AmountError::Malformed(s.to_owned()))?
    };
    whole.checked_mul(scale).and_then(|w| w.checked_add(frac)).ok_or(AmountError::Overflow)
}

/// A clap value parser for amounts.
pub fn parse_amount_arg(s: &str) -> Result<Balance, String> {
    parse_amount(s).map_err(|e| e.to_string())
}

/// Formats units as ARC with all 18 decimals, trailing zeros trimmed: `1.5 ARC`, `0 ARC`,
/// `0.000000000000000001 ARC`.
pub fn format_arc(units: Balance) -> String {
    format!("{} {TOKEN_SYMBOL}", format_arc_number(units))
}

/// As [`format_arc`], without the symbol: `1.5`.
pub fn format_arc_number(units: Balance) -> String {
    let whole = units / ARC;
    let frac = units % ARC;
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = usize::from(TOKEN_DECIMALS));
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arc_with_and_without_unit() {
        assert_eq!(parse_amount("1.5ARC"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("1.5 ARC"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("1.5"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("1.5arc"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("  2 "), Ok(2 * ARC));
        assert_eq!(parse_amount("0.000001ARC"), Ok(1_000_000_000_000));
        assert_eq!(parse_amount("0.000000000000000001"), Ok(1));
        assert_eq!(parse_amount(".5"), Ok(ARC / 2));
        assert_eq!(parse_amount("5."), Ok(5 * ARC));
        assert_eq!(parse_amount("1_000ARC"), Ok(1_000 * ARC));
        assert_eq!(parse_amount("0"), Ok(0));
        assert_eq!(parse_amount("1.500000000000000000000"), Ok(ARC + ARC / 2));
    }

    #[test]
    fn parses_units() {
        assert_eq!(parse_amount("1500000000000000000units"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("1500000000000000000 units"), Ok(1_500_000_000_000_000_000));
        assert_eq!(parse_amount("1unit"), Ok(1));
        assert_eq!(parse_amount("340282366920938463463374607431768211455units"), Ok(u128::MAX));
        assert_eq!(parse_amount("1.0units"), Ok(1));
    }

    #[test]
    fn rejects_bad_input_with_clear_messages() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("   "), Err(AmountError::Empty));
        assert_eq!(parse_amount("-1"), Err(AmountError::Negative));
        assert_eq!(parse_amount("-1.5ARC"), Err(AmountError::Negative));
        assert_eq!(parse_amount("0.0000000000000000001"), Err(AmountError::TooManyDecimals { unit: "ARC", max: 18 }));
        assert_eq!(parse_amount("1.5units"), Err(AmountError::TooManyDecimals { unit: "units", max: 0 }));
        assert_eq!(parse_amount("340282366920938463463374607431768211456units"), Err(AmountError::Overflow));
        assert_eq!(parse_amount("340282366920938463464ARC"), Err(AmountError::Overflow));
        assert_eq!(parse_amount("1000000000000000000000000000000000000000000"), Err(AmountError::Overflow));
        assert_eq!(parse_amount("1.5DOT"), Err(AmountError::UnknownUnit("DOT".into())));
        assert_eq!(parse_amount("1e18"), Err(AmountError::UnknownUnit("e18".into())));
        for bad in ["ARC", "abc", ".", "1.2.3", "1..2", "_1", "1_", "1__0", "1._5", "+1"] {
            assert!(matches!(parse_amount(bad), Err(AmountError::Malformed(_))), "{bad}: {:?}", parse_amount(bad));
        }
        // Every message is one line and names the problem.
        for bad in ["", "-1", "1.2.3", "1XYZ", "0.0000000000000000001", "1.5units", "999999999999999999999999ARC"] {
            let msg = parse_amount(bad).expect_err(bad).to_string();
            assert!(!msg.contains('\n') && !msg.is_empty(), "{msg}");
        }
        assert!(AmountError::Overflow.to_string().contains("340282366920938463463.374607431768211455 ARC"));
    }

    #[test]
    fn formats_with_trimmed_decimals() {
        assert_eq!(format_arc(0), "0 ARC");
        assert_eq!(format_arc(ARC), "1 ARC");
        assert_eq!(format_arc(ARC + ARC / 2), "1.5 ARC");
        assert_eq!(format_arc(1), "0.000000000000000001 ARC");
        assert_eq!(format_arc(1_000_000_000_000), "0.000001 ARC");
        assert_eq!(format_arc(123_456_789 * ARC + 10), "123456789.00000000000000001 ARC");
        for v in [0, 1, 10, ARC - 1, ARC, 12_345_678_901_234_567_890, u128::MAX] {
            assert_eq!(parse_amount(&format_arc(v)), Ok(v), "{v}");
        }
    }
}
