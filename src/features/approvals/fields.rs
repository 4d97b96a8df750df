//! The fields of a request as a type declares them and as people type them: text, an
//! exact amount in the type's currency, a date or a date range (with half days where
//! the type allows them), a choice from a list, a link, a document (an attached file or
//! a link).
//!
//! Every value has one written form (`1,200.50 CNY`, `2026-12-01 pm..2026-12-03`) that
//! is stored, shown, and read back by the same parser.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rust_decimal::Decimal;

use crate::kernel::FileId;

const TEXT_MAX: usize = 1000;
const LINK_MAX: usize = 500;
/// Amounts up to a trillion: above that it is a typo.
const AMOUNT_MAX: i64 = 1_000_000_000_000;
/// A leave of more than a year is a typo.
const SPAN_MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// An amount in this currency (an ISO 4217 code).
    Amount {
        currency: String,
    },
    /// A date or a range of dates; `half_days` allows `am`/`pm`.
    Dates {
        half_days: bool,
    },
    Choice {
        options: Vec<String>,
    },
    /// An http(s) address: a quote, a document in the company's drive.
    Link,
    /// A file attached to the message, or a link to one.
    Document,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// One lowercase word, typed as `name:value`.
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
}

impl Field {
    pub fn takes_files(&self) -> bool {
        self.kind == FieldKind::Document
    }

    /// Reads a value as it was stored (its written form): what [`Field::read`] reads,
    /// and a kept file.
    pub fn read_stored(&self, written: &str, today: NaiveDate) -> Result<Value, Problem> {
        match FileRef::read(written) {
            Some(file) if self.takes_files() => Ok(Value::File(file)),
            _ => self.read(written, today),
        }
    }

    /// Reads what was typed for this field; the error says what was wrong.
    pub fn read(&self, typed: &str, today: NaiveDate) -> Result<Value, Problem> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(Problem::Empty);
        }
        match &self.kind {
            FieldKind::Text => match typed.chars().count() {
                n if n > TEXT_MAX => Err(Problem::TooLong { len: n, max: TEXT_MAX }),
                _ => Ok(Value::Text(typed.to_owned())),
            },
            FieldKind::Amount { currency } => {
                read_amount(typed, currency).map(|value| Value::Amount(Money { value, currency: currency.clone() }))
            }
            FieldKind::Dates { half_days } => read_span(typed, *half_days, today).map(Value::Dates),
            FieldKind::Choice { options } => options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(typed))
                .map(|o| Value::Choice(o.clone()))
                .ok_or_else(|| Problem::NotChoice { typed: typed.to_owned(), options: options.clone() }),
            FieldKind::Link => read_link(typed).map(Value::Link),
            FieldKind::Document => read_link(typed).map(Value::Link).map_err(|e| Problem::OrAttach(Box::new(e))),
        }
    }
}

/// What is wrong with a value typed for a field. The feature's text says it, naming the
/// field, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Nothing was typed.
    Empty,
    /// More text than a field takes.
    TooLong {
        len: usize,
        max: usize,
    },
    NotAmount {
        typed: String,
        currency: String,
    },
    /// An amount given in another currency (its code).
    OtherCurrency {
        currency: String,
        given: String,
    },
    /// An amount given with a symbol that stands for these other currencies.
    OtherSymbol {
        currency: String,
        symbol: char,
        codes: &'static [&'static str],
    },
    NotPositive,
    /// More digits after the point than the currency has.
    Decimals {
        currency: String,
        places: u32,
    },
    TooLarge {
        typed: String,
    },
    NotChoice {
        typed: String,
        options: Vec<String>,
    },
    NotLink {
        typed: String,
    },
    LinkTooLong {
        max: usize,
    },
    /// A document field's link was wrong; a file would do too.
    OrAttach(Box<Problem>),
    /// `am`/`pm` where the type takes whole days only.
    NoHalfDays,
    EndsBeforeStart {
        start: NaiveDate,
        end: NaiveDate,
    },
    /// A range starting at noon (`am`) or ending in the afternoon (`pm`).
    HalvesReversed,
    /// One day given as its morning and its afternoon at once.
    HalfDayAlone,
    TooManyDays {
        max: i64,
    },
    NotDate {
        typed: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Amount(Money),
    Dates(DateSpan),
    Choice(String),
    Link(String),
    File(FileRef),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(t) | Value::Choice(t) | Value::Link(t) => f.write_str(t),
            Value::Amount(m) => m.fmt(f),
            Value::Dates(d) => d.fmt(f),
            Value::File(file) => file.fmt(f),
        }
    }
}

/// A kept file as a field's value. Written `📎 quote.pdf (12 KB, file 7)`: what people
/// see, and the id it is read back by. Only a stored value is read back as a file (a
/// typed one never is), so nobody can point a request at someone else's file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRef {
    pub id: FileId,
    pub name: String,
    /// For people: `12 KB`.
    pub size: String,
}

impl FileRef {
    pub fn read(written: &str) -> Option<FileRef> {
        let inner = written.strip_prefix("📎 ")?.strip_suffix(')')?;
        let (rest, id) = inner.rsplit_once(", file ")?;
        let (name, size) = rest.rsplit_once(" (")?;
        Some(FileRef { id: FileId(id.parse().ok()?), name: name.to_owned(), size: size.to_owned() })
    }
}

impl std::fmt::Display for FileRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "📎 {} ({}, file {})", self.name, self.size, self.id)
    }
}

/// An exact amount and its currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub value: Decimal,
    pub currency: String,
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let places = minor_units(&self.currency);
        let rounded = self.value.round_dp(places);
        let text = format!("{:.*}", places as usize, rounded);
        let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match fraction {
            Some(fr) => write!(f, "{grouped}.{fr} {}", self.currency),
            None => write!(f, "{grouped} {}", self.currency),
        }
    }
}

/// Digits after the point a currency has.
fn minor_units(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    }
}

/// Which currencies a symbol may stand for.
fn symbol_currencies(symbol: char) -> Option<&'static [&'static str]> {
    Some(match symbol {
        '¥' | '￥' => &["CNY", "JPY"],
        '$' => &["USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"],
        '€' => &["EUR"],
        '£' => &["GBP"],
        '₹' => &["INR"],
        '₩' => &["KRW"],
        _ => return None,
    })
}

/// Reads `1200`, `1,200.50`, `¥1200`, `1200 CNY`, `CNY 1200` as an amount in `currency`.
fn read_amount(typed: &str, currency: &str) -> Result<Decimal, Problem> {
    let not_amount = || Problem::NotAmount { typed: typed.to_owned(), currency: currency.to_owned() };
    let mut rest = typed.trim().to_owned();
    // A currency code before or after the number.
    let upper = rest.to_uppercase();
    let code: Option<String> = if let Some((number, code)) = upper.rsplit_once(char::is_whitespace)
        && code.chars().all(|c| c.is_ascii_alphabetic())
    {
        let code = code.to_owned();
        rest = number.trim().to_owned();
        Some(code)
    } else if let Some((code, number)) = upper.split_once(char::is_whitespace)
        && code.chars().all(|c| c.is_ascii_alphabetic())
    {
        let code = code.to_owned();
        rest = number.trim().to_owned();
        Some(code)
    } else if upper.len() > 3 && upper[upper.len() - 3..].chars().all(|c| c.is_ascii_alphabetic()) {
        let code = upper[upper.len() - 3..].to_owned();
        rest = rest[..rest.len() - 3].trim().to_owned();
        Some(code)
    } else {
        None
    };
    if let Some(code) = code {
        if code.len() != 3 {
            return Err(not_amount());
        }
        if code != currency {
            return Err(Problem::OtherCurrency { currency: currency.to_owned(), given: code });
        }
    }
    if let Some(symbol) = rest.chars().next().filter(|c| !c.is_ascii_digit() && *c != '-' && *c != '.') {
        match symbol_currencies(symbol) {
            Some(codes) if codes.contains(&currency) => rest = rest[symbol.len_utf8()..].trim().to_owned(),
            Some(codes) => return Err(Problem::OtherSymbol { currency: currency.to_owned(), symbol, codes }),
            None => return Err(not_amount()),
        }
    }
    let (whole, fraction) = rest.split_once('.').map_or((rest.as_str(), None), |(w, f)| (w, Some(f)));
    let grouped_ok = {
        let groups: Vec<&str> = whole.split(',').collect();
        groups.len() == 1
            || (!groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3)
                && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())))
    };
    let digits = whole.replace(',', "");
    if !grouped_ok
        || digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || fraction.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        if rest.starts_with('-') {
            return Err(Problem::NotPositive);
        }
        return Err(not_amount());
    }
    let places = minor_units(currency);
    if fraction.is_some_and(|f| f.len() > places as usize) {
        return Err(Problem::Decimals { currency: currency.to_owned(), places });
    }
    let number = match fraction {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let value: Decimal = number.parse().map_err(|_| Problem::TooLarge { typed: typed.to_owned() })?;
    if value <= Decimal::ZERO {
        return Err(Problem::NotPositive);
    }
    if value >= Decimal::from(AMOUNT_MAX) {
        return Err(Problem::TooLarge { typed: typed.to_owned() });
    }
    Ok(value)
}

fn read_link(typed: &str) -> Result<String, Problem> {
    let ok = (typed.starts_with("https://") || typed.starts_with("http://"))
        && typed.len() > "https://".len()
        && !typed.contains(char::is_whitespace);
    if !ok {
        return Err(Problem::NotLink { typed: typed.to_owned() });
    }
    if typed.chars().count() > LINK_MAX {
        return Err(Problem::LinkTooLong { max: LINK_MAX });
    }
    Ok(typed.to_owned())
}

/// Half of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    Am,
    Pm,
}

impl Half {
    fn word(self) -> &'static str {
        match self {
            Half::Am => "am",
            Half::Pm => "pm",
        }
    }
}

/// Whole days from `start` to `end`. A range may start in the afternoon (`pm`) or end
/// at noon (`am`); a single day may be just its morning or its afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub start_half: Option<Half>,
    pub end_half: Option<Half>,
}

impl DateSpan {
    /// Its length in half days.
    pub fn halves(&self) -> i64 {
        let days = (self.end - self.start).num_days() + 1;
        if self.start == self.end {
            return if self.start_half.is_some() { 1 } else { 2 };
        }
        days * 2 - i64::from(self.start_half == Some(Half::Pm)) - i64::from(self.end_half == Some(Half::Am))
    }

    /// Its length in days, as people say it: `3`, `2.5`.
    pub fn days(&self) -> String {
        let halves = self.halves();
        if halves % 2 == 0 { (halves / 2).to_string() } else { format!("{}.5", halves / 2) }
    }
}

impl std::fmt::Display for DateSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |d: NaiveDate, h: Option<Half>| match h {
            Some(h) => format!("{} {}", d.format("%Y-%m-%d"), h.word()),
            None => d.format("%Y-%m-%d").to_string(),
        };
        if self.start == self.end {
            f.write_str(&side(self.start, self.start_half))
        } else {
            write!(f, "{}..{}", side(self.start, self.start_half), side(self.end, self.end_half))
        }
    }
}

/// Reads `tomorrow`, `2026-12-01`, `friday`, `2026-12-01..2026-12-05`, and with half
/// days `2026-12-01 pm`, `2026-12-01 pm..2026-12-03 am`.
fn read_span(typed: &str, half_days: bool, today: NaiveDate) -> Result<DateSpan, Problem> {
    let lower = typed.to_lowercase();
    let (from, to) = match lower.split_once("..") {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (lower.trim(), None),
    };
    let (start, start_half) = read_day(from, today)?;
    let (end, end_half) = match to {
        Some(to) => read_day(to, today)?,
        None => (start, start_half),
    };
    if (start_half.is_some() || end_half.is_some()) && !half_days {
        return Err(Problem::NoHalfDays);
    }
    if end < start {
        return Err(Problem::EndsBeforeStart { start, end });
    }
    if to.is_some() && start != end && (start_half == Some(Half::Am) || end_half == Some(Half::Pm)) {
        return Err(Problem::HalvesReversed);
    }
    if start == end && start_half != end_half {
        return Err(Problem::HalfDayAlone);
    }
    if (end - start).num_days() >= SPAN_MAX_DAYS {
        return Err(Problem::TooManyDays { max: SPAN_MAX_DAYS });
    }
    Ok(DateSpan { start, end, start_half, end_half })
}

pub fn read_day(typed: &str, today: NaiveDate) -> Result<(NaiveDate, Option<Half>), Problem> {
    if crate::chat::commands::is_chinese(typed) {
        // 明天, 下周一, 12月7日, with 上午 or 下午 for half a day.
        let not_date = || Problem::NotDate { typed: typed.to_owned() };
        let (day, rest) = crate::chat::commands::chinese_day(typed, today).ok_or_else(not_date)?;
        return match rest.as_str() {
            "" => Ok((day, None)),
            "上午" => Ok((day, Some(Half::Am))),
            "下午" => Ok((day, Some(Half::Pm))),
            _ => Err(not_date()),
        };
    }
    let (day, half) = match typed.rsplit_once(char::is_whitespace) {
        Some((d, "am")) => (d.trim(), Some(Half::Am)),
        Some((d, "pm")) => (d.trim(), Some(Half::Pm)),
        _ => (typed, None),
    };
    let date = match day {
        "today" => Some(today),
        "tomorrow" => today.succ_opt(),
        _ => match day.parse::<Weekday>() {
            // The next such day, never today.
            Ok(weekday) => {
                let ahead =
                    (7 + weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
                today.checked_add_signed(Duration::days(if ahead == 0 { 7 } else { ahead }))
            }
            Err(_) => NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
        },
    };
    date.map(|d| (d, half)).ok_or_else(|| Problem::NotDate { typed: typed.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_reads_back_from_its_written_form_only_when_stored() {
        let field = Field { name: "quote".into(), label: "Quote".into(), kind: FieldKind::Document, required: true };
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid");
        let file = Value::File(FileRef { id: FileId(7), name: "quote (v2).pdf".into(), size: "12 KB".into() });
        let written = file.to_string();
        assert_eq!(written, "📎 quote (v2).pdf (12 KB, file 7)");
        assert_eq!(field.read_stored(&written, today), Ok(file));
        // Typed, the same words are not a file: nobody points a request at a kept file.
        let typed = field.read(&written, today).expect_err("refused");
        assert_eq!(typed, Problem::OrAttach(Box::new(Problem::NotLink { typed: written.clone() })));
        assert_eq!(
            field.read("https://drive.example/q.pdf", today),
            Ok(Value::Link("https://drive.example/q.pdf".into()))
        );
        // A text field keeps such words as text.
        let note = Field { kind: FieldKind::Text, ..field };
        assert_eq!(note.read_stored(&written, today), Ok(Value::Text(written.clone())));
    }

    fn amount(typed: &str) -> Result<String, Problem> {
        let field = Field {
            name: "amount".into(),
            label: "Amount".into(),
            kind: FieldKind::Amount { currency: "CNY".into() },
            required: true,
        };
        field.read(typed, NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid")).map(|v| v.to_string())
    }

    #[test]
    fn amounts_are_read_exactly_in_the_forms_people_write() {
        assert_eq!(amount("1200").expect("valid"), "1,200.00 CNY");
        assert_eq!(amount("1,200.50").expect("valid"), "1,200.50 CNY");
        assert_eq!(amount("¥1200").expect("valid"), "1,200.00 CNY");
        assert_eq!(amount("1200 CNY").expect("valid"), "1,200.00 CNY");
        assert_eq!(amount("1200 cny").expect("valid"), "1,200.00 CNY");
        assert_eq!(amount("CNY 0.10").expect("valid"), "0.10 CNY");
        assert_eq!(amount("1234567.89").expect("valid"), "1,234,567.89 CNY");
        // The written form reads back as itself.
        assert_eq!(amount("1,234,567.89 CNY").expect("valid"), "1,234,567.89 CNY");
    }

    #[test]
    fn bad_amounts_say_what_is_wrong() {
        assert_eq!(
            amount("1200 USD").expect_err("refused"),
            Problem::OtherCurrency { currency: "CNY".into(), given: "USD".into() }
        );
        assert!(matches!(amount("$1200"), Err(Problem::OtherSymbol { symbol: '$', .. })), "{:?}", amount("$1200"));
        let not_amount = |typed: &str| Problem::NotAmount { typed: typed.into(), currency: "CNY".into() };
        assert_eq!(amount("12x").expect_err("refused"), not_amount("12x"));
        assert_eq!(amount("1,20,0").expect_err("refused"), not_amount("1,20,0"));
        assert_eq!(amount("0").expect_err("refused"), Problem::NotPositive);
        assert_eq!(amount("-5").expect_err("refused"), Problem::NotPositive);
        assert_eq!(amount("1.234").expect_err("refused"), Problem::Decimals { currency: "CNY".into(), places: 2 });
        assert!(matches!(amount("99999999999999999999999"), Err(Problem::TooLarge { .. })));
    }

    fn span(typed: &str) -> Result<DateSpan, Problem> {
        read_span(typed, true, NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid"))
    }

    #[test]
    fn dates_and_ranges_with_half_days() {
        let s = span("2026-12-01..2026-12-05").expect("valid");
        assert_eq!((s.to_string(), s.days()), ("2026-12-01..2026-12-05".to_owned(), "5".to_owned()));
        let s = span("tomorrow").expect("valid");
        assert_eq!((s.to_string(), s.days()), ("2026-12-01".to_owned(), "1".to_owned()));
        let s = span("2026-12-01 pm..2026-12-03 am").expect("valid");
        assert_eq!((s.to_string(), s.days()), ("2026-12-01 pm..2026-12-03 am".to_owned(), "2".to_owned()));
        let s = span("2026-12-02 pm").expect("valid");
        assert_eq!(s.days(), "0.5");
        // 2026-11-30 is a Monday: friday is this week's, monday next week's.
        assert_eq!(span("friday").expect("valid").start, NaiveDate::from_ymd_opt(2026, 12, 4).expect("valid"));
        assert_eq!(span("monday").expect("valid").start, NaiveDate::from_ymd_opt(2026, 12, 7).expect("valid"));
        assert_eq!(span(&s.to_string()).expect("valid"), s);
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).expect("valid");
        assert_eq!(
            span("2026-12-05..2026-12-01").expect_err("refused"),
            Problem::EndsBeforeStart { start: day(5), end: day(1) }
        );
        assert_eq!(span("2026-13-01").expect_err("refused"), Problem::NotDate { typed: "2026-13-01".into() });
        assert_eq!(span("2026-12-01 am..2026-12-03").expect_err("refused"), Problem::HalvesReversed);
        assert_eq!(span("2026-12-02 am..2026-12-02 pm").expect_err("refused"), Problem::HalfDayAlone);
        assert_eq!(read_span("2026-12-01 pm", false, NaiveDate::MIN).expect_err("refused"), Problem::NoHalfDays);
        assert_eq!(span("2026-01-01..2027-06-01").expect_err("refused"), Problem::TooManyDays { max: SPAN_MAX_DAYS });
    }
}
