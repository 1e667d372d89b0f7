//! Resampling frequencies, as pandas names them (`"D"`, `"6h"`, `"MS"`, `"ME"`, `"QS-DEC"`,
//! `"YS"`, …): which period each time falls in, and the label of each period, computed from the
//! time coordinate's values (in memory) while checking.
//!
//! As pandas: fixed steps (days, hours, minutes, seconds) count from midnight of the first
//! time's day; month, quarter and year periods start on their calendar boundaries (quarters
//! and years at the month the anchor names) and are labelled by their first day (`MS`, `QS`,
//! `YS`) or, closed on the right, by their last day at midnight (`ME`, `QE`, `YE`). Every period
//! from the first time's to the last one's is a group, empty ones too.

use crate::array::node::NO_GROUP;
use crate::io::cftime::TimeUnits;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// A fixed length in seconds.
    Fixed(f64),
    /// `months` calendar months, starting at month `anchor` (0 = January) of a cycle; labelled by
    /// the period's last day when `end`.
    Months { months: i64, anchor: i64, end: bool },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frequency {
    step: Step,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// The frequencies accepted, for messages.
pub const KNOWN: &str = "\"D\", \"6h\", \"30min\", \"10s\", \"MS\", \"ME\", \"QS-DEC\", \"QE\", \"YS\" or \"YE\" (with a count in front: \"3D\", \"2MS\")";

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let n: i64 = if digits == 0 {
            1
        } else {
            text[..digits].parse().ok().filter(|&n| n > 0)?
        };
        let unit = &text[digits..];
        let (base, anchor) = match unit.split_once('-') {
            Some((base, anchor)) => (base, Some(anchor)),
            None => (unit, None),
        };
        let fixed = |seconds: f64| Some(Step::Fixed(n as f64 * seconds));
        let anchor_month = |default: i64| -> Option<i64> {
            match anchor {
                None => Some(default),
                Some(name) => MONTHS
                    .iter()
                    .position(|m| m.eq_ignore_ascii_case(name))
                    .map(|m| m as i64),
            }
        };
        let step = match (base, anchor) {
            ("D", None) => fixed(86_400.0),
            ("h" | "H", None) => fixed(3_600.0),
            ("min" | "T", None) => fixed(60.0),
            ("s" | "S", None) => fixed(1.0),
            ("MS", None) => Some(Step::Months {
                months: n,
                anchor: 0,
                end: false,
            }),
            ("ME" | "M", None) => Some(Step::Months {
                months: n,
                anchor: 0,
                end: true,
            }),
            // Quarters starting in the anchor month (QS-DEC: Dec, Mar, Jun, Sep).
            ("QS", _) => Some(Step::Months {
                months: 3 * n,
                anchor: anchor_month(0)?,
                end: false,
            }),
            // Quarters ending in the anchor month (QE-DEC, the default: Mar, Jun, Sep, Dec).
            ("QE" | "Q", _) => Some(Step::Months {
                months: 3 * n,
                anchor: (anchor_month(11)? + 1) % 12,
                end: true,
            }),
            ("YS" | "AS", _) => Some(Step::Months {
                months: 12 * n,
                anchor: anchor_month(0)?,
                end: false,
            }),
            ("YE" | "Y" | "A", _) => Some(Step::Months {
                months: 12 * n,
                anchor: (anchor_month(11)? + 1) % 12,
                end: true,
            }),
            _ => None,
        }?;
        Some(Frequency { step })
    }

    /// The period of each time (`NO_GROUP` for a missing one), counted from the first time's,
    /// and the label of every period, as coordinate values in `units`. `None` when there are
    /// more than `limit` periods.
    pub fn periods(
        &self,
        units: &TimeUnits,
        values: &[f64],
        limit: usize,
    ) -> Option<(Vec<u32>, Vec<f64>)> {
        let origin = Self::origin(units, values);
        let keys: Vec<Option<i64>> = values.iter().map(|&v| self.key(units, v, origin)).collect();
        let Some(first) = keys.iter().flatten().min().copied() else {
            return Some((vec![NO_GROUP; values.len()], Vec::new()));
        };
        let last = keys.iter().flatten().max().copied().expect("a key");
        let count = usize::try_from(last - first + 1).ok()?;
        if count > limit {
            return None;
        }
        let groups = keys
            .iter()
            .map(|k| k.map_or(NO_GROUP, |k| (k - first) as u32))
            .collect();
        let labels = (first..=last)
            .map(|k| self.label(units, k, origin))
            .collect();
        Some((groups, labels))
    }

    /// Midnight of the first time's day, in seconds: where fixed steps count from.
    fn origin(units: &TimeUnits, values: &[f64]) -> f64 {
        let first = values
            .iter()
            .copied()
            .filter(|v| units.fields(*v).is_some())
            .fold(f64::INFINITY, f64::min);
        let seconds = units.seconds_of_value(first);
        (seconds / 86_400.0).floor() * 86_400.0
    }

    /// The period a time falls in: a count of steps.
    fn key(&self, units: &TimeUnits, value: f64, origin: f64) -> Option<i64> {
        let fields = units.fields(value)?;
        Some(match self.step {
            Step::Fixed(seconds) => {
                ((units.seconds_of_value(value) - origin) / seconds).floor() as i64
            }
            Step::Months {
                months,
                anchor,
                end,
            } => {
                let mut month = fields.year * 12 + i64::from(fields.month) - 1;
                // Closed on the right at the period's last day, midnight: a later time that day
                // is in the next period (as pandas' "ME").
                let last_day = units.days_in_month(fields.year, fields.month);
                let after_midnight = fields.hour + fields.minute + fields.second > 0
                    || units.seconds_of_value(value).fract() != 0.0;
                let period_end = (month - anchor).rem_euclid(months) == months - 1;
                if end && period_end && fields.day == last_day && after_midnight {
                    month += 1;
                }
                (month - anchor).div_euclid(months)
            }
        })
    }

    /// The label of period `key`, as a coordinate value.
    fn label(&self, units: &TimeUnits, key: i64, origin: f64) -> f64 {
        match self.step {
            Step::Fixed(seconds) => units.value_of_seconds(origin + key as f64 * seconds),
            Step::Months {
                months,
                anchor,
                end,
            } => {
                let start = key * months + anchor;
                if end {
                    // The day before the next period starts.
                    units.value_of_date(0, start + months + 1, 0)
                } else {
                    units.value_of_date(0, start + 1, 1)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days() -> TimeUnits {
        TimeUnits::parse("days since 2000-01-01", None).unwrap()
    }

    fn labels(freq: &str, values: &[f64]) -> (Vec<u32>, Vec<String>) {
        let units = days();
        let (groups, labels) = Frequency::parse(freq)
            .unwrap()
            .periods(&units, values, 1000)
            .unwrap();
        (groups, labels.iter().map(|&v| units.format(v)).collect())
    }

    #[test]
    fn month_starts_and_ends_include_empty_periods() {
        // 2000-01-05, 2000-01-20, 2000-03-03
        let values = [4.0, 19.0, 62.0];
        let (groups, names) = labels("MS", &values);
        assert_eq!(groups, [0, 0, 2]);
        assert_eq!(names, ["2000-01-01", "2000-02-01", "2000-03-01"]);
        let (_, names) = labels("ME", &values);
        assert_eq!(names, ["2000-01-31", "2000-02-29", "2000-03-31"]);
    }

    #[test]
    fn quarters_years_and_fixed_steps() {
        // 2000-01-05 and 2000-12-15: QS-DEC quarters start 1999-12-01 and 2000-12-01.
        let (groups, names) = labels("QS-DEC", &[4.0, 349.0]);
        assert_eq!(groups, [0, 4]);
        assert_eq!(names[0], "1999-12-01");
        assert_eq!(names[4], "2000-12-01");
        let (_, names) = labels("YE", &[4.0, 400.0]);
        assert_eq!(names, ["2000-12-31", "2001-12-31"]);
        let (groups, names) = labels("6h", &[0.25, 0.5, 1.1]);
        assert_eq!(groups, [0, 1, 3]);
        assert_eq!(names[1], "2000-01-01T12:00");
        // A time after midnight on a month's last day belongs to the next month's end.
        let (groups, _) = labels("ME", &[30.0, 30.5]);
        assert_eq!(groups, [0, 1]);
    }

    #[test]
    fn unknown_frequencies_are_refused() {
        for bad in ["", "X", "0D", "QS-XYZ", "MS-JAN", "W"] {
            assert!(Frequency::parse(bad).is_none(), "{bad}");
        }
    }
}
