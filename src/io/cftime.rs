//! CF time coordinates: numbers with units such as `days since 1950-01-01 00:00:00`, decoded to
//! dates for printing and for selecting by date (`ds.sel(time="2010-03-01")`), and kept as numbers
//! with their units everywhere else (so files written back keep the encoding they came with).
//! Calendars `standard`, `gregorian` and `proleptic_gregorian` (and none) are read as the
//! proleptic Gregorian calendar, as NumPy's datetime64 does; `noleap`/`365_day`,
//! `all_leap`/`366_day`, `360_day` and `julian` as cftime reads them. Values stay numbers in
//! their units, so a file written back keeps its calendar.

/// `units since epoch`: seconds per unit and the epoch in seconds since 1970-01-01 of the
/// calendar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeUnits {
    pub seconds_per_unit: f64,
    pub epoch: f64,
    pub calendar: Calendar,
}

/// A CF calendar: how many days its years and months have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    /// Proleptic Gregorian (`standard`, `gregorian`, `proleptic_gregorian`, none).
    Gregorian,
    /// Every year 365 days (`noleap`, `365_day`).
    NoLeap,
    /// Every year 366 days (`all_leap`, `366_day`).
    AllLeap,
    /// Twelve months of 30 days (`360_day`).
    Day360,
    /// A leap year every four years (`julian`); days count on the same line as Gregorian ones.
    Julian,
}

/// Cumulative days before each month in a year of 365 days.
const BEFORE_MONTH: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/// Days from 1970-01-01 (Gregorian) to the Julian day number 0.
const JULIAN_DAY_OF_1970: i64 = 2_440_588;

impl Calendar {
    pub fn parse(name: &str) -> Option<Calendar> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "gregorian" | "proleptic_gregorian" => Calendar::Gregorian,
            "noleap" | "365_day" => Calendar::NoLeap,
            "all_leap" | "366_day" => Calendar::AllLeap,
            "360_day" => Calendar::Day360,
            "julian" => Calendar::Julian,
            _ => return None,
        })
    }

    fn is_leap(self, year: i64) -> bool {
        match self {
            Calendar::Gregorian => is_leap(year),
            Calendar::Julian => year.rem_euclid(4) == 0,
            Calendar::AllLeap => true,
            Calendar::NoLeap | Calendar::Day360 => false,
        }
    }

    pub fn days_in_month(self, year: i64, month: u32) -> u32 {
        match (self, month) {
            (Calendar::Day360, _) => 30,
            (_, 2) if self.is_leap(year) => 29,
            (_, 2) => 28,
            (_, 4 | 6 | 9 | 11) => 30,
            _ => 31,
        }
    }

    fn days_in_year(self, year: i64) -> u32 {
        match self {
            Calendar::Day360 => 360,
            _ if self.is_leap(year) => 366,
            _ => 365,
        }
    }

    /// Days since 1970-01-01 of the calendar.
    fn days_from_civil(self, year: i64, month: u32, day: u32) -> i64 {
        let (m, d) = (i64::from(month), i64::from(day));
        match self {
            Calendar::Gregorian => days_from_civil(year, month, day),
            Calendar::Day360 => (year - 1970) * 360 + (m - 1) * 30 + d - 1,
            Calendar::NoLeap => (year - 1970) * 365 + BEFORE_MONTH[(m - 1) as usize] + d - 1,
            Calendar::AllLeap => {
                let leap = i64::from(m > 2);
                (year - 1970) * 366 + BEFORE_MONTH[(m - 1) as usize] + leap + d - 1
            }
            Calendar::Julian => {
                let a = (14 - m) / 12;
                let y = year + 4800 - a;
                let mm = m + 12 * a - 3;
                let day_number = d + (153 * mm + 2) / 5 + 365 * y + y.div_euclid(4) - 32_083;
                day_number - JULIAN_DAY_OF_1970
            }
        }
    }

    /// The date of a count of days since 1970-01-01 of the calendar.
    pub fn civil_from_days(self, days: i64) -> (i64, u32, u32) {
        let month_of = |day_of_year: i64, leap: bool| -> (u32, u32) {
            let before = |m: usize| BEFORE_MONTH[m] + i64::from(leap && m >= 2);
            let month = (1..=12)
                .rev()
                .find(|&m| before(m - 1) <= day_of_year)
                .unwrap_or(1);
            (month as u32, (day_of_year - before(month - 1) + 1) as u32)
        };
        match self {
            Calendar::Gregorian => civil_from_days(days),
            Calendar::Day360 => (
                1970 + days.div_euclid(360),
                (days.rem_euclid(360) / 30 + 1) as u32,
                (days.rem_euclid(30) + 1) as u32,
            ),
            Calendar::NoLeap | Calendar::AllLeap => {
                let length = if self == Calendar::AllLeap { 366 } else { 365 };
                let (month, day) = month_of(days.rem_euclid(length), length == 366);
                (1970 + days.div_euclid(length), month, day)
            }
            Calendar::Julian => {
                let c = days + JULIAN_DAY_OF_1970 + 32_082;
                let d = (4 * c + 3).div_euclid(1461);
                let e = c - (1461 * d).div_euclid(4);
                let m = (5 * e + 2) / 153;
                let day = (e - (153 * m + 2) / 5 + 1) as u32;
                let month = (m + 3 - 12 * (m / 10)) as u32;
                (d - 4800 + m / 10, month, day)
            }
        }
    }
}

impl TimeUnits {
    /// Parse CF units (`days since 1950-01-01`, `hours since 2000-1-1 00:00:00`); `None` if they
    /// are not time units or the calendar is not Gregorian.
    pub fn parse(units: &str, calendar: Option<&str>) -> Option<TimeUnits> {
        let calendar = match calendar {
            Some(name) => Calendar::parse(name)?,
            None => Calendar::Gregorian,
        };
        let (unit, epoch) = units.trim().split_once(" since ")?;
        let seconds_per_unit = match unit.trim().to_ascii_lowercase().as_str() {
            "days" | "day" | "d" => 86_400.0,
            "hours" | "hour" | "hr" | "h" => 3_600.0,
            "minutes" | "minute" | "min" => 60.0,
            "seconds" | "second" | "sec" | "s" => 1.0,
            "milliseconds" | "millisecond" | "ms" => 1e-3,
            _ => return None,
        };
        let (local, offset) = zone_offset(epoch.trim())?;
        let (epoch, _) = parse_date_in(local, calendar)?;
        // A time zone other than UTC (`+01:00`): the epoch is that local time, so UTC is
        // earlier by the offset (as cftime and xarray read it).
        let epoch = epoch - offset;
        Some(TimeUnits {
            seconds_per_unit,
            epoch,
            calendar,
        })
    }

    /// The date a coordinate value stands for, as text: `2010-01-01`, with the time of day when
    /// it is not midnight.
    pub fn format(&self, value: f64) -> String {
        let seconds = self.epoch + value * self.seconds_per_unit;
        // NaN, and values no calendar date stands for (netCDF's default fill 9.97e36 in a
        // record never written): not a time.
        if !seconds.is_finite() || seconds.abs() > MAX_SECONDS {
            return "NaT".into();
        }
        format_seconds(seconds, self.calendar)
    }

    /// The finest calendar field any of `values` sets, in units, as pandas' index resolution:
    /// a day when all are at midnight, an hour when some are at 12:00, and so on. A date
    /// coarser than this names a period (`"2000-01-02"` on times at noon is that day).
    pub fn resolution(&self, values: &[f64]) -> f64 {
        let fields = [86_400_000_i64, 3_600_000, 60_000, 1000, 1];
        let millis = values
            .iter()
            .map(|v| self.epoch + v * self.seconds_per_unit)
            .filter(|s| s.is_finite() && s.abs() <= MAX_SECONDS)
            .map(|s| (s * 1000.0).round() as i64);
        let mut finest = 0;
        for m in millis {
            while finest + 1 < fields.len() && m.rem_euclid(fields[finest]) != 0 {
                finest += 1;
            }
        }
        fields[finest] as f64 / 1000.0 / self.seconds_per_unit
    }

    /// The calendar fields of a value (`None` for NaN or a value no date stands for).
    pub fn fields(&self, value: f64) -> Option<DateFields> {
        let seconds = self.epoch + value * self.seconds_per_unit;
        if !seconds.is_finite() || seconds.abs() > MAX_SECONDS {
            return None;
        }
        let millis = (seconds * 1000.0).round() as i64;
        let days = millis.div_euclid(86_400_000);
        let rest = millis.rem_euclid(86_400_000);
        let (year, month, day) = self.calendar.civil_from_days(days);
        let first_of_year = self.calendar.days_from_civil(year, 1, 1);
        Some(DateFields {
            year,
            month,
            day,
            hour: (rest / 3_600_000) as u32,
            minute: (rest / 60_000 % 60) as u32,
            second: (rest / 1000 % 60) as u32,
            dayofyear: (days - first_of_year + 1) as u32,
            // 1970-01-01 was a Thursday; Monday is 0, as pandas counts.
            dayofweek: (days + 3).rem_euclid(7) as u32,
        })
    }

    /// The coordinate value of midnight on `day` of month `month` (counted from January of
    /// `year`, so 13 is the next January; a day past the month's end rolls into the next).
    pub fn value_of_date(&self, year: i64, month: i64, day: i64) -> f64 {
        let months = year * 12 + month - 1;
        let (year, month) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
        let days = self.calendar.days_from_civil(year, month, 1) + day - 1;
        self.value_of_seconds(days as f64 * 86_400.0)
    }

    /// The coordinate value of a time given in seconds since 1970-01-01.
    pub fn value_of_seconds(&self, seconds: f64) -> f64 {
        (seconds - self.epoch) / self.seconds_per_unit
    }

    /// Seconds since 1970-01-01 of a coordinate value.
    pub fn seconds_of_value(&self, value: f64) -> f64 {
        self.epoch + value * self.seconds_per_unit
    }

    /// The number of days in a month (`month` 1–12).
    pub fn days_in_month(&self, year: i64, month: u32) -> u32 {
        self.calendar.days_in_month(year, month)
    }

    /// The coordinate value of a date given as text, and the length of the period it names in
    /// units (`"2010-03"` names all of March), or `None` if it is not a date.
    pub fn encode(&self, text: &str) -> Option<(f64, f64)> {
        let (seconds, period) = parse_date_in(text.trim(), self.calendar)?;
        Some((
            (seconds - self.epoch) / self.seconds_per_unit,
            period / self.seconds_per_unit,
        ))
    }
}

/// A date's calendar fields, as pandas' `.dt` names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateFields {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub dayofyear: u32,
    pub dayofweek: u32,
}

impl DateFields {
    /// The field named `name` (`year`, `month`, …, `dayofweek` or `weekday`).
    pub fn field(&self, name: &str) -> Option<i64> {
        Some(match name {
            "year" => self.year,
            "month" => self.month.into(),
            "day" => self.day.into(),
            "hour" => self.hour.into(),
            "minute" => self.minute.into(),
            "second" => self.second.into(),
            "dayofyear" => self.dayofyear.into(),
            "dayofweek" | "weekday" => self.dayofweek.into(),
            "season" => season_code(self.month),
            _ => return None,
        })
    }
}

/// The fields `.dt` has.
pub const DATE_FIELDS: [&str; 10] = [
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "dayofyear",
    "dayofweek",
    "weekday",
    "season",
];

/// The meteorological seasons, in xarray's (alphabetical) order: `season` is a position in it.
pub const SEASONS: [&str; 4] = ["DJF", "JJA", "MAM", "SON"];

/// The position in [`SEASONS`] of the season `month` (1–12) falls in.
fn season_code(month: u32) -> i64 {
    match month {
        12 | 1 | 2 => 0,
        6..=8 => 1,
        3..=5 => 2,
        _ => 3,
    }
}

/// Dates are kept within ±1,000,000 years.
const MAX_SECONDS: f64 = 1e6 * 366.0 * 86_400.0;

/// The epoch without its time zone (`Z`, ` UTC`, ` GMT`, `+01:00`, ` -0530`, `+1`) and the
/// zone's offset east of UTC in seconds; `None` for an offset that is no time zone.
fn zone_offset(epoch: &str) -> Option<(&str, f64)> {
    let mut text = epoch.trim_end_matches('Z').trim_end();
    for zone in ["UTC", "GMT"] {
        if let Some(rest) = text.strip_suffix(zone) {
            text = rest.trim_end();
        }
    }
    // An offset follows the time of day after a space (`00:00:00 +01:00`), or is glued to it
    // (`00:00:00+01:00`, `00:00-05`); a date's own `-` (`2000-01-01`) is not one.
    let Some((date, time)) = text.split_once(['T', ' ']) else {
        return Some((text, 0.0));
    };
    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Some((text, 0.0));
    };
    let zone = &time[sign_at + 1..];
    let sign = if time[sign_at..].starts_with('-') {
        -1.0
    } else {
        1.0
    };
    let (hours, minutes) = match zone.split_once(':') {
        Some((h, m)) => (h, m),
        None if zone.len() == 4 => zone.split_at(2),
        None => (zone, "0"),
    };
    let hours: u32 = hours.trim().parse().ok()?;
    let minutes: u32 = minutes.trim().parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    let local = text[..date.len() + 1 + sign_at].trim_end();
    Some((local, sign * f64::from(hours * 3600 + minutes * 60)))
}

fn format_seconds(seconds: f64, calendar: Calendar) -> String {
    // To the millisecond, so 59.9996 s shows as the next minute, never as `:60`.
    let millis = (seconds * 1000.0).round() as i64;
    let days = millis.div_euclid(86_400_000);
    let rest = millis.rem_euclid(86_400_000);
    let (y, m, d) = calendar.civil_from_days(days);
    let date = format!("{y:04}-{m:02}-{d:02}");
    if rest == 0 {
        return date;
    }
    let (hours, minutes) = (rest / 3_600_000, rest / 60_000 % 60);
    let (secs, ms) = (rest / 1000 % 60, rest % 1000);
    match (secs, ms) {
        (0, 0) => format!("{date}T{hours:02}:{minutes:02}"),
        (_, 0) => format!("{date}T{hours:02}:{minutes:02}:{secs:02}"),
        _ => format!("{date}T{hours:02}:{minutes:02}:{secs:02}.{ms:03}"),
    }
}

/// Seconds since 1970-01-01 of `YYYY[-MM[-DD[(T| )HH[:MM[:SS]]]]]`, and the length in seconds of
/// the period the text names (a year, a month, a day, ...).
pub fn parse_date(text: &str) -> Option<(f64, f64)> {
    parse_date_in(text, Calendar::Gregorian)
}

/// `parse_date` in a calendar: seconds since its 1970-01-01.
pub fn parse_date_in(text: &str, calendar: Calendar) -> Option<(f64, f64)> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.trim().parse().ok()?;
    if year.abs() > 1_000_000 {
        return None;
    }
    let month: Option<u32> = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    let day: Option<u32> = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    if parts.next().is_some() || month.is_some_and(|m| m == 0 || m > 12) {
        return None;
    }
    let (m, d) = (month.unwrap_or(1), day.unwrap_or(1));
    if d == 0 || d > calendar.days_in_month(year, m) {
        return None;
    }
    let mut seconds = calendar.days_from_civil(year, m, d) as f64 * 86_400.0;
    let mut period = match (month, day) {
        (None, _) => calendar.days_in_year(year) as f64 * 86_400.0,
        (Some(m), None) => calendar.days_in_month(year, m) as f64 * 86_400.0,
        _ => 86_400.0,
    };
    if let Some(time) = time.filter(|t| !t.is_empty()) {
        day?;
        let fields: Vec<&str> = time.split(':').collect();
        if fields.len() > 3 {
            return None;
        }
        let mut scale = 3_600.0;
        for (k, field) in fields.iter().enumerate() {
            let value: f64 = field.trim().parse().ok()?;
            // Hours 0–23, minutes 0–59, seconds 0–59.999…: a time of day, not an offset.
            let limit = if k == 0 { 24.0 } else { 60.0 };
            if !(0.0..limit).contains(&value) || (k < 2 && value.fract() != 0.0) {
                return None;
            }
            seconds += value * scale;
            period = scale;
            scale /= 60.0;
        }
    }
    Some((seconds, period))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_1950_decode_and_encode() {
        let units = TimeUnits::parse("days since 1950-01-01 00:00:00", Some("standard")).unwrap();
        // 2010-01-01 is 21915 days after 1950-01-01 (as numpy.datetime64 computes it).
        assert_eq!(units.format(21915.0), "2010-01-01");
        assert_eq!(units.format(21915.5), "2010-01-01T12:00");
        assert_eq!(units.encode("2010-01-01"), Some((21915.0, 1.0)));
        assert_eq!(units.encode("2010-03").unwrap(), (21915.0 + 59.0, 31.0));
        assert_eq!(units.encode("2012").unwrap().1, 366.0);
        assert_eq!(units.encode("2010-02-30"), None);
        assert_eq!(units.encode("soon"), None);
        assert_eq!(units.encode("2010-01-01 25:00"), None);
        assert_eq!(units.encode("2010-01-01 12:99"), None);
        assert_eq!(units.encode("99999999999999999-01-01"), None);
        assert_eq!(units.format(9.969_209_968_386_869e36), "NaT");
        let seconds = TimeUnits::parse("seconds since 2000-01-01", None).unwrap();
        assert_eq!(seconds.format(59.9996), "2000-01-01T00:01");
        assert_eq!(seconds.format(59.5), "2000-01-01T00:00:59.500");
    }

    #[test]
    fn other_units_and_calendars() {
        let hours = TimeUnits::parse("hours since 2000-1-1", None).unwrap();
        assert_eq!(hours.format(36.0), "2000-01-02T12:00");
        assert_eq!(hours.encode("2000-01-01 06:30").unwrap().0, 6.5);
        assert!(TimeUnits::parse("days since 2000-01-01", Some("mayan")).is_none());
        assert!(TimeUnits::parse("metres", None).is_none());
        for zoned in [
            "days since 2000-01-01 00:00:00 UTC",
            "days since 2000-01-01 00:00:00 GMT",
            "days since 2000-01-01T00:00:00+00:00",
            "days since 2000-01-01 00:00:00 +0000",
        ] {
            assert_eq!(
                TimeUnits::parse(zoned, None).unwrap().format(1.0),
                "2000-01-02",
                "{zoned}"
            );
        }
        assert_eq!(
            TimeUnits::parse("seconds since 1970-01-01T00:00:00Z", None)
                .unwrap()
                .format(-86_400.0),
            "1969-12-31"
        );
    }

    #[test]
    fn offsets_from_utc_move_the_epoch() {
        // As cftime: local midnight at UTC+1 is 23:00 the day before in UTC.
        for (units, first) in [
            ("hours since 2000-01-01 00:00:00 +01:00", "1999-12-31T23:00"),
            ("hours since 2000-01-01T00:00:00+01:00", "1999-12-31T23:00"),
            ("hours since 2000-01-01 00:00 -0530", "2000-01-01T05:30"),
            ("hours since 2000-01-01 00:00:00 +1", "1999-12-31T23:00"),
            ("hours since 2000-01-01 00:00:00 -00:00", "2000-01-01"),
        ] {
            assert_eq!(
                TimeUnits::parse(units, None).unwrap().format(0.0),
                first,
                "{units}"
            );
        }
        assert!(TimeUnits::parse("hours since 2000-01-01 00:00 +25:00", None).is_none());
        assert!(TimeUnits::parse("hours since 2000-01-01 00:00 +ab", None).is_none());
    }

    #[test]
    fn calendars_as_cftime_counts_them() {
        // cftime.num2date(v, "days since 2000-01-01", calendar) for these values:
        for (calendar, value, date) in [
            ("noleap", 59.0, "2000-03-01"),
            ("365_day", 365.0, "2001-01-01"),
            ("all_leap", 366.0, "2001-01-01"),
            ("366_day", 59.0, "2000-02-29"),
            ("360_day", 59.0, "2000-02-30"),
            ("360_day", 360.0, "2001-01-01"),
            ("julian", 59.0, "2000-02-29"),
            ("julian", 36_524.0, "2099-12-31"),
            ("noleap", -1.0, "1999-12-31"),
            ("360_day", -1.0, "1999-12-30"),
        ] {
            let units = TimeUnits::parse("days since 2000-01-01", Some(calendar)).unwrap();
            assert_eq!(units.format(value), date, "{calendar} {value}");
            assert_eq!(units.encode(date).unwrap().0, value, "{calendar} {date}");
        }
        let day360 = TimeUnits::parse("days since 2000-01-01", Some("360_day")).unwrap();
        assert_eq!(day360.encode("2000-02").unwrap().1, 30.0);
        assert_eq!(day360.fields(59.0).unwrap().dayofyear, 60);
        let noleap = TimeUnits::parse("days since 2000-01-01", Some("noleap")).unwrap();
        assert!(noleap.encode("2000-02-29").is_none());
        // The Julian calendar is 13 days behind the Gregorian one in 2000.
        let julian = TimeUnits::parse("days since 2000-01-01", Some("julian")).unwrap();
        let gregorian = TimeUnits::parse("days since 2000-01-01", None).unwrap();
        assert_eq!(julian.epoch - gregorian.epoch, 13.0 * 86_400.0);
        for calendar in [
            Calendar::NoLeap,
            Calendar::AllLeap,
            Calendar::Day360,
            Calendar::Julian,
        ] {
            for days in (-200_000..200_000).step_by(37) {
                let (y, m, d) = calendar.civil_from_days(days);
                assert_eq!(
                    calendar.days_from_civil(y, m, d),
                    days,
                    "{calendar:?} {days}"
                );
            }
        }
    }

    #[test]
    fn resolution_is_the_finest_field_set() {
        let days = TimeUnits::parse("days since 2000-01-01", None).unwrap();
        assert_eq!(days.resolution(&[0.0, 2.0, 30.0]), 1.0);
        assert_eq!(days.resolution(&[0.5, 1.5]), 1.0 / 24.0);
        assert_eq!(days.resolution(&[0.0, 1.0 / 1440.0]), 1.0 / 1440.0);
        assert_eq!(days.resolution(&[]), 1.0);
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
