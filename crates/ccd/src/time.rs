//! Calendar arithmetic for DATE-OBS values (UTC, proleptic Gregorian), without time zones.

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a FITS date `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss[.fff]` into seconds since
/// 1970-01-01T00:00:00 (UTC). `None` when the text is not such a date.
pub fn parse_date_obs(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut seconds = days_from_civil(y, m, d) as f64 * 86400.0;
    if let Some(t) = time {
        let t = t.trim_end_matches('Z');
        let mut hms = t.split(':');
        let h: f64 = hms.next()?.parse().ok()?;
        let mi: f64 = hms.next().unwrap_or("0").parse().ok()?;
        let s: f64 = hms.next().unwrap_or("0").parse().ok()?;
        if hms.next().is_some() || !(0.0..24.0).contains(&h) || !(0.0..60.0).contains(&mi) || !(0.0..61.0).contains(&s)
        {
            return None;
        }
        seconds += h * 3600.0 + mi * 60.0 + s;
    }
    Some(seconds)
}

/// The date `YYYY-MM-DD` of a time in seconds since 1970-01-01 (UTC).
pub fn format_date(seconds: f64) -> String {
    let (y, m, d) = civil_from_days((seconds / 86400.0).floor() as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDThh:mm:ss.sss` of a time in seconds since 1970-01-01 (UTC), millisecond precision.
pub fn format_datetime(seconds: f64) -> String {
    let ms_total = (seconds * 1000.0).round() as i64;
    let days = ms_total.div_euclid(86_400_000);
    let ms = ms_total.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (mi, rest) = (rest / 60_000, rest % 60_000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{:02}.{:03}", rest / 1000, rest % 1000)
}

/// The current UTC time as `YYYY-MM-DDThh:mm:ss` (for DATE and CALDATE keywords).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut s = format_datetime(secs as f64);
    s.truncate(19);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_date_obs("2025-03-14T19:25:00.250").unwrap();
        assert_eq!(format_datetime(t), "2025-03-14T19:25:00.250");
        assert_eq!(format_date(parse_date_obs("2000-02-29").unwrap()), "2000-02-29");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert!(parse_date_obs("14/03/25").is_none());
        assert!(parse_date_obs("2025-13-01").is_none());
    }
}
