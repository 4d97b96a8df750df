//! Moments as people write them in Chinese: `明天 9:00`, `明天上午9点`, `后天下午3点半`,
//! `下周一 10:00`, `周五下午`, `2小时后`, `30分钟后`, `今晚8点`, `12月1日 15:00`,
//! `2026年12月1日`. Read in the writer's zone; a time alone that has passed today means
//! tomorrow, as in English.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::time::TimeError;

/// Whether `text` is for this reader (it holds a Chinese character).
pub fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A part of the day, which moves an hour past noon and gives the hour when none is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Dawn,
    Morning,
    Noon,
    Afternoon,
    Evening,
}

impl Period {
    fn default_hour(self) -> u32 {
        match self {
            Period::Dawn => 5,
            Period::Morning => 9,
            Period::Noon => 12,
            Period::Afternoon => 14,
            Period::Evening => 19,
        }
    }

    /// `下午3点` is 15:00; `中午1点` 13:00; `晚上12点` stays midnight's 0 of the next
    /// day, which people rarely mean: taken as 12 as written.
    fn hour(self, hour: u32) -> u32 {
        match self {
            Period::Afternoon | Period::Evening if hour < 12 => hour + 12,
            Period::Noon if hour < 6 => hour + 12,
            _ => hour,
        }
    }
}

const PERIODS: &[(&str, Period)] = &[
    ("凌晨", Period::Dawn),
    ("早上", Period::Morning),
    ("早晨", Period::Morning),
    ("上午", Period::Morning),
    ("中午", Period::Noon),
    ("下午", Period::Afternoon),
    ("傍晚", Period::Evening),
    ("晚上", Period::Evening),
    ("夜里", Period::Evening),
];

const WEEKDAYS: &[(char, Weekday)] = &[
    ('一', Weekday::Mon),
    ('二', Weekday::Tue),
    ('三', Weekday::Wed),
    ('四', Weekday::Thu),
    ('五', Weekday::Fri),
    ('六', Weekday::Sat),
    ('日', Weekday::Sun),
    ('天', Weekday::Sun),
];

/// `3`, `03`, `三`, `十`, `十二`, `二十三`: a number up to 59.
fn number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32);
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        ['两'] => Some(2),
        ['十'] => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// The longest run of number characters at the start of `text`, read, and the rest.
fn leading_number(text: &str) -> Option<(u32, &str)> {
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || "零一二三四五六七八九十两".contains(*c)))
        .map_or(text.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    Some((number(&text[..end])?, &text[end..]))
}

/// Reads a Chinese moment; `None` when the text is not one this reader knows.
pub fn parse(text: &str, now: DateTime<Utc>, tz: Tz) -> Option<Result<DateTime<Utc>, TimeError>> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.replace('：', ":");
    if let Some(after) = relative(&text) {
        return Some(after.and_then(|d| now.checked_add_signed(d)).ok_or(TimeError::OutOfRange));
    }
    let today = now.with_timezone(&tz).date_naive();
    let (day, rest, explicit) = date(&text, today)?;
    let (period, rest) = match PERIODS.iter().find(|(word, _)| rest.starts_with(word)) {
        Some((word, period)) => (Some(*period), &rest[word.len()..]),
        None => (None, rest),
    };
    // 今晚 names both the day and the part of it.
    let period = period.or(explicit.evening.then_some(Period::Evening));
    let time = match clock(rest)? {
        Some((hour, minute)) => {
            let hour = period.map_or(hour, |p| p.hour(hour));
            NaiveTime::from_hms_opt(hour, minute, 0)?
        }
        None => match period {
            Some(p) => NaiveTime::from_hms_opt(p.default_hour(), 0, 0)?,
            None if explicit.day => NaiveTime::MIN,
            None => return None,
        },
    };
    let mut at = place(tz, day.and_time(time))?;
    // A time alone that has passed today means the next one.
    if !explicit.day && at <= now {
        at = place(tz, day.succ_opt()?.and_time(time))?;
    }
    Some(Ok(at))
}

/// A day written in Chinese (`明天`, `后天`, `下周一`, `周五`, `12月7日`, `2026年12月7日`) and
/// what follows it (`下午`), for fields that take a date; `None` when no day is named.
pub fn day(text: &str, today: NaiveDate) -> Option<(NaiveDate, String)> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (day, rest, said) = date(&text, today)?;
    said.day.then(|| (day, rest.to_owned()))
}

/// `2小时后`, `30分钟后`, `3天后`, `1周后`.
fn relative(text: &str) -> Option<Option<Duration>> {
    let body = text.strip_suffix('后').or_else(|| text.strip_suffix("以后"))?;
    let (n, unit) = leading_number(body)?;
    let n = i64::from(n);
    Some(match unit {
        "分钟" | "分" => Duration::try_minutes(n),
        "小时" | "个小时" | "钟头" | "个钟头" => Duration::try_hours(n),
        "天" => Duration::try_days(n),
        "周" | "个星期" | "星期" => Duration::try_weeks(n),
        _ => return None,
    })
}

/// What a date part said.
#[derive(Debug, Clone, Copy, Default)]
struct Said {
    /// A day was named (so a passed time is not moved to tomorrow).
    day: bool,
    /// `今晚`: the evening too.
    evening: bool,
}

/// The day `text` starts with (today when it names none), and the rest.
fn date(text: &str, today: NaiveDate) -> Option<(NaiveDate, &str, Said)> {
    for (word, days, evening) in [
        ("大后天", 3, false),
        ("后天", 2, false),
        ("明天", 1, false),
        ("明日", 1, false),
        ("今天", 0, false),
        ("今日", 0, false),
        ("今晚", 0, true),
        ("明晚", 1, true),
    ] {
        if let Some(rest) = text.strip_prefix(word) {
            return Some((today + Duration::days(days), rest, Said { day: true, evening }));
        }
    }
    for (prefix, next_week) in [
        ("下周", true),
        ("下星期", true),
        ("下礼拜", true),
        ("本周", false),
        ("这周", false),
        ("周", false),
        ("星期", false),
        ("礼拜", false),
    ] {
        let Some(rest) = text.strip_prefix(prefix) else { continue };
        let mut chars = rest.chars();
        let day = chars.next()?;
        let (_, weekday) = WEEKDAYS.iter().find(|(c, _)| *c == day)?;
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let this_week = monday + Duration::days(i64::from(weekday.num_days_from_monday()));
        let date = match (next_week, prefix) {
            (true, _) => this_week + Duration::days(7),
            (false, "本周" | "这周") => this_week,
            // A bare weekday: the next one from today on.
            _ if this_week >= today => this_week,
            _ => this_week + Duration::days(7),
        };
        return Some((date, chars.as_str(), Said { day: true, evening: false }));
    }
    // 2026年12月1日, 12月1日, 12月1号.
    let (year, rest) = match leading_number(text).filter(|(_, r)| r.starts_with('年')) {
        Some((y, r)) if text.chars().take_while(char::is_ascii_digit).count() == 4 => {
            (Some(y as i32), &r['年'.len_utf8()..])
        }
        _ => (None, text),
    };
    if let Some((month, after)) = leading_number(rest).filter(|(_, r)| r.starts_with('月')) {
        let after = &after['月'.len_utf8()..];
        let (day, after) = leading_number(after)?;
        let after = after.strip_prefix('日').or_else(|| after.strip_prefix('号')).unwrap_or(after);
        let date = match year {
            Some(y) => NaiveDate::from_ymd_opt(y, month, day)?,
            None => {
                let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
                // A date already past this year means next year's.
                if this_year < today { NaiveDate::from_ymd_opt(today.year() + 1, month, day)? } else { this_year }
            }
        };
        return Some((date, after, Said { day: true, evening: false }));
    }
    if year.is_some() {
        return None;
    }
    Some((today, text, Said::default()))
}

/// `9:00`, `9点`, `9点半`, `9点15`, `9点15分`, `三点半`; `Some(None)` for nothing, `None`
/// for something else.
fn clock(text: &str) -> Option<Option<(u32, u32)>> {
    if text.is_empty() {
        return Some(None);
    }
    if let Some((h, m)) = text.split_once(':') {
        let (hour, minute) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
        return (hour < 24 && minute < 60 && m.len() == 2).then_some(Some((hour, minute)));
    }
    let (hour, rest) = leading_number(text)?;
    let rest = rest.strip_prefix('点').or_else(|| rest.strip_prefix("時"))?;
    let minute = match rest {
        "" | "整" | "钟" => 0,
        "半" => 30,
        "一刻" => 15,
        "三刻" => 45,
        other => {
            let (m, tail) = leading_number(other)?;
            if !(tail.is_empty() || tail == "分") {
                return None;
            }
            m
        }
    };
    (hour < 24 && minute < 60).then_some(Some((hour, minute)))
}

/// A wall-clock time in `tz`; a time a clock change skips is taken an hour later.
fn place(tz: Tz, at: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&at)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(at + Duration::hours(1))).earliest())
        .map(|t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid")
    }

    fn read(text: &str, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        parse(text, now, tz).unwrap_or_else(|| panic!("{text}: not read")).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn days_alone_for_date_fields() {
        // Monday 30 November 2026.
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid");
        let day = |text: &str| super::day(text, today);
        let on = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("valid");
        assert_eq!(day("明天"), Some((on(12, 1), String::new())));
        assert_eq!(day("后天 下午"), Some((on(12, 2), "下午".to_owned())));
        assert_eq!(day("下周一"), Some((on(12, 7), String::new())));
        assert_eq!(day("周五上午"), Some((on(12, 4), "上午".to_owned())));
        assert_eq!(day("12月7日"), Some((on(12, 7), String::new())));
        assert_eq!(day("2027年1月4日"), Some((NaiveDate::from_ymd_opt(2027, 1, 4).expect("valid"), String::new())));
        assert_eq!(day("下午"), None);
        assert_eq!(day("13月1日"), None);
    }

    #[test]
    fn the_ways_people_write_a_moment() {
        let shanghai = chrono_tz::Asia::Shanghai;
        // Monday 2026-11-30 10:00 in Shanghai.
        let now = utc(2026, 11, 30, 2, 0);
        for (text, local) in [
            ("明天 9:00", (2026, 12, 1, 9, 0)),
            ("明天上午9点", (2026, 12, 1, 9, 0)),
            ("后天下午3点半", (2026, 12, 2, 15, 30)),
            ("下周一 10:00", (2026, 12, 7, 10, 0)),
            ("周五下午", (2026, 12, 4, 14, 0)),
            ("今晚8点", (2026, 11, 30, 20, 0)),
            ("12月1日 15:00", (2026, 12, 1, 15, 0)),
            ("2026年12月1日", (2026, 12, 1, 0, 0)),
            ("明天下午三点", (2026, 12, 1, 15, 0)),
            ("9点15分", (2026, 12, 1, 9, 15)),
            ("中午12点", (2026, 11, 30, 12, 0)),
            ("1月5号 9点", (2027, 1, 5, 9, 0)),
            ("星期天", (2026, 12, 6, 0, 0)),
        ] {
            let (y, m, d, h, min) = local;
            let expected = shanghai.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid").to_utc();
            assert_eq!(read(text, now, shanghai), expected, "{text}");
        }
        assert_eq!(read("2小时后", now, shanghai), now + Duration::hours(2));
        assert_eq!(read("30分钟后", now, shanghai), now + Duration::minutes(30));
        for bad in ["明天25点", "下周八", "随便什么时候", "13月1日", "9点99"] {
            assert!(parse(bad, now, shanghai).is_none_or(|r| r.is_err()), "{bad}");
        }
    }

    #[test]
    fn around_midnight_and_clock_changes() {
        let shanghai = chrono_tz::Asia::Shanghai;
        // 23:50 Monday in Shanghai: 明天 is Tuesday, a passed 9点 is tomorrow's.
        let late = utc(2026, 11, 30, 15, 50);
        assert_eq!(read("明天 9:00", late, shanghai), utc(2026, 12, 1, 1, 0));
        assert_eq!(read("9点", late, shanghai), utc(2026, 12, 1, 1, 0));
        // 00:10 Tuesday in Shanghai (still Monday in UTC): 今天 is Tuesday there.
        let early = utc(2026, 11, 30, 16, 10);
        assert_eq!(read("今天下午3点", early, shanghai), utc(2026, 12, 1, 7, 0));
        // Berlin's spring change: 2027-03-28 02:30 does not exist; taken an hour later.
        let berlin = chrono_tz::Europe::Berlin;
        let before = utc(2027, 3, 27, 12, 0);
        assert_eq!(read("明天凌晨2点半", before, berlin), utc(2027, 3, 28, 1, 30));
        // New York's autumn change: 01:30 happens twice; the first is taken.
        let new_york = chrono_tz::America::New_York;
        assert_eq!(read("11月7日凌晨1点半", utc(2027, 11, 6, 12, 0), new_york), utc(2027, 11, 7, 5, 30));
        // The day after the change keeps its wall clock.
        assert_eq!(read("3月29日 9:00", before, berlin), utc(2027, 3, 29, 7, 0));
    }
}
