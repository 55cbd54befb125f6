//! UTC time formatting without a calendar crate: RFC 3339 (`WARC-Date`) and the 14-digit
//! CDXJ timestamp, both from unix milliseconds.

/// Milliseconds per second.
const MS_PER_SEC: u64 = 1_000;
/// Seconds per day (UTC has no leap seconds in unix time).
const SECS_PER_DAY: u64 = 86_400;
/// Largest year the formats can express with four digits.
const MAX_YEAR: i64 = 9_999;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Broken-down UTC time of unix milliseconds.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    millis: u64,
}

fn civil(ms: u64) -> Civil {
    let secs = ms / MS_PER_SEC;
    let days = (secs / SECS_PER_DAY) as i64;
    let rem = secs % SECS_PER_DAY;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year: year.min(MAX_YEAR),
        month,
        day,
        hour: rem / 3_600,
        minute: rem % 3_600 / 60,
        second: rem % 60,
        millis: ms % MS_PER_SEC,
    }
}

/// `WARC-Date` form with millisecond precision: `2024-01-02T03:04:05.678Z`.
pub fn rfc3339_ms(ms: u64) -> String {
    let c = civil(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis)
}

/// Second-precision RFC 3339 (`2024-01-02T03:04:05Z`), as used in WACZ `created` and pages.
pub fn rfc3339_secs(ms: u64) -> String {
    let c = civil(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// The 14-digit CDXJ timestamp `YYYYMMDDhhmmss` (sub-second part dropped).
pub fn timestamp14(ms: u64) -> String {
    let c = civil(ms);
    format!("{:04}{:02}{:02}{:02}{:02}{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// Year, month, day, hour, minute, second of unix milliseconds (for zip entry times).
pub(crate) fn ymdhms(ms: u64) -> (u16, u8, u8, u8, u8, u8) {
    let c = civil(ms);
    (u16::try_from(c.year).unwrap_or(1980), c.month as u8, c.day as u8, c.hour as u8, c.minute as u8, c.second as u8)
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn to_ms(y: u64, mo: u64, d: u64, h: u64, mi: u64, s: u64, millis: u64) -> Option<u64> {
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y as i64, mo as u32, d as u32);
    let days = u64::try_from(days).ok()?;
    Some(((days * SECS_PER_DAY) + h * 3_600 + mi * 60 + s) * MS_PER_SEC + millis)
}

/// Parses a UTC RFC 3339 / W3C-DTF date as written in `WARC-Date`
/// (`YYYY-MM-DDThh:mm:ss[.fraction]Z`) to unix milliseconds. Returns `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let s = s.trim();
    let body = s.strip_suffix('Z').or_else(|| s.strip_suffix('z'))?;
    let (date, time) = body.split_once(['T', 't'])?;
    let mut dp = date.split('-');
    let (y, mo, d) = (digits(dp.next()?)?, digits(dp.next()?)?, digits(dp.next()?)?);
    if dp.next().is_some() {
        return None;
    }
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    let mut tp = hms.split(':');
    let (h, mi, sec) = (digits(tp.next()?)?, digits(tp.next()?)?, digits(tp.next()?)?);
    if tp.next().is_some() {
        return None;
    }
    let millis = match frac {
        None => 0,
        Some(f) => {
            digits(f)?;
            let mut padded: String = f.chars().take(3).collect();
            while padded.len() < 3 {
                padded.push('0');
            }
            digits(&padded)?
        }
    };
    to_ms(y, mo, d, h, mi, sec, millis)
}

/// Parses a 4- to 14-digit CDX timestamp (missing parts padded with their minimum) to unix ms.
pub fn parse_timestamp14(s: &str) -> Option<u64> {
    if s.len() < 4 || s.len() > 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Month and day default to 01, the time of day to zeros.
    const TEMPLATE: &str = "00000101000000";
    let mut full = s.to_string();
    full.push_str(TEMPLATE.get(s.len()..).unwrap_or_default());
    let part = |a: usize, b: usize| full.get(a..b).and_then(digits);
    to_ms(part(0, 4)?, part(4, 6)?, part(6, 8)?, part(8, 10)?, part(10, 12)?, part(12, 14)?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-02-29T23:59:58.123Z, checked with `date -u -d @1709251198`.
    const LEAP_DAY_MS: u64 = 1_709_251_198_123;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(LEAP_DAY_MS), "2024-02-29T23:59:58.123Z");
        assert_eq!(rfc3339_secs(LEAP_DAY_MS), "2024-02-29T23:59:58Z");
        assert_eq!(timestamp14(LEAP_DAY_MS), "20240229235958");
        assert_eq!(timestamp14(951_782_400_000), "20000229000000");
    }

    #[test]
    fn parses_what_it_formats() {
        for ms in [0, 1, 999, 951_782_400_000, LEAP_DAY_MS, 4_102_444_800_000] {
            assert_eq!(parse_rfc3339(&rfc3339_ms(ms)), Some(ms));
            assert_eq!(parse_timestamp14(&timestamp14(ms)), Some(ms / 1000 * 1000));
        }
        assert_eq!(parse_rfc3339("2024-02-29T23:59:58Z"), Some(LEAP_DAY_MS / 1000 * 1000));
        assert_eq!(parse_rfc3339("2024-02-29T23:59:58.123456Z"), Some(LEAP_DAY_MS));
        assert_eq!(parse_timestamp14("2024"), parse_rfc3339("2024-01-01T00:00:00Z"));
        assert_eq!(parse_timestamp14("202402"), parse_rfc3339("2024-02-01T00:00:00Z"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2024-02-29",
            "2024-02-29T23:59:58",
            "2024-13-01T00:00:00Z",
            "2024-02-29T24:00:00Z",
            "2024-02-29T23:59:58.abcZ",
            "2024-02-29T23:59:58+01:00",
            "x024-02-29T23:59:58Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(parse_timestamp14("20x4"), None);
        assert_eq!(parse_timestamp14("123"), None);
        assert_eq!(parse_timestamp14("202401010000001"), None);
    }
}
