//! `/report tickets [week|month|from..to] [category:]`: how the help desk did over the span: volume
//! by status and category, first-response and resolution times (median and 90th
//! percentile, in business hours), service-level compliance, satisfaction, the backlog's
//! age, and each agent's load and solved count.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::model::TicketStatus;
use super::store::ReportRow;
use super::{Tickets, text};
use crate::chart;
use crate::chat::feature::{Cx, Insight, Kit, Span, week_ending};
use crate::i18n::Lang;
use crate::kernel::stats::median_and_p90;
use crate::kernel::{Effect, ServiceResult, Shown, refuse};
use crate::scheduler::{Fired, TimerKey};
use crate::store::{Tx, from_ms};
use deskmate_port::{Attachment, Body};

/// The figures of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub opened: usize,
    /// Of those opened, by their status now, and by category (`None`: no category).
    pub by_status: BTreeMap<String, usize>,
    pub by_category: BTreeMap<Option<String>, usize>,
    /// Business time to the first response and to resolution, of those answered or
    /// resolved in the span: median and 90th percentile.
    pub first_response: Option<(Duration, Duration)>,
    pub resolution: Option<(Duration, Duration)>,
    /// Targets met, of those measured (first responses and resolutions in the span).
    pub sla: Option<(usize, usize)>,
    /// Ratings given in the span: their average and count.
    pub csat: Option<(f64, usize)>,
    /// Open tickets now: how many, the median age and the oldest.
    pub backlog: Option<(usize, Duration, Duration)>,
    /// By agent: tickets held now, and resolved in the span.
    pub agents: BTreeMap<String, (usize, usize)>,
    /// Opened and resolved per bucket of the span, each bucket by its first local day.
    pub bucket: Bucket,
    pub timeline: BTreeMap<NaiveDate, (u64, u64)>,
}

/// How the chart groups the span: by day up to five weeks, by week up to half a year,
/// by month beyond.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Bucket {
    #[default]
    Day,
    Week,
    Month,
}

impl Bucket {
    fn of((from, to): Span) -> Bucket {
        match (to - from).num_days() {
            ..=35 => Bucket::Day,
            36..=190 => Bucket::Week,
            _ => Bucket::Month,
        }
    }

    /// The first day of the bucket `date` falls in (weeks start on Monday).
    fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => date,
            Bucket::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            Bucket::Month => date.with_day(1).unwrap_or(date),
        }
    }

    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Bucket::Day => start.succ_opt(),
            Bucket::Week => start.checked_add_days(chrono::Days::new(7)),
            Bucket::Month => start.checked_add_months(chrono::Months::new(1)),
        }
    }

    /// A bucket's label on the chart: `11-28` for a day or a week (its Monday), `2026-11`
    /// for a month.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Bucket::Day | Bucket::Week => start.format("%m-%d").to_string(),
            Bucket::Month => start.format("%Y-%m").to_string(),
        }
    }
}

/// What a report reads: its category (checked), its span ending now, and its tickets.
struct Scope {
    category: Option<String>,
    span: Span,
    rows: Vec<ReportRow>,
}

async fn scope(cx: &mut Cx<'_>, desk: &Tickets, span: Option<Span>, category: Option<&str>) -> ServiceResult<Scope> {
    let actor = cx.actor;
    let category = match category {
        Some(name) => match desk.rules.category(name) {
            Some(c) => Some(c.name.clone()),
            None => return refuse(text::unknown_category(actor.lang, name, &desk.rules.category_names())),
        },
        None => None,
    };
    let (from, to) = span.unwrap_or_else(|| week_ending(actor.at));
    let rows = cx.tx.report_rows(from.timestamp_millis(), to.timestamp_millis(), category.as_deref()).await?;
    Ok(Scope { category, span: (from, to), rows })
}

pub async fn tickets(cx: &mut Cx<'_>, desk: &Tickets, span: Option<Span>, category: Option<&str>) -> ServiceResult {
    let Scope { category, span, rows } = scope(cx, desk, span, category).await?;
    let actor = cx.actor;
    let figures = figures(desk, &rows, span, actor.tz);
    let label = category.as_deref().and_then(|c| desk.rules.category(c)).map(|c| c.label.clone());
    let body = report_body(&labels(desk), actor.lang, &figures, span, label.as_deref(), actor.tz);
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

/// The categories' labels, by name, for the chart.
type Labels = std::collections::HashMap<String, String>;

fn labels(desk: &Tickets) -> Labels {
    desk.rules.categories.iter().map(|c| (c.name.clone(), c.label.clone())).collect()
}

/// The help desk's figures over a span, for `/report office`, on the reader's clock.
pub async fn insight(tx: &mut Tx, desk: &Tickets, span: Span, lang: Lang, tz: Tz) -> ServiceResult<Option<Insight>> {
    let rows = tx.report_rows(span.0.timestamp_millis(), span.1.timestamp_millis(), None).await?;
    Ok(Some(text::insight(lang, &figures(desk, &rows, span, tz))))
}

/// The report: its text, and its chart attached.
fn report_body(labels: &Labels, lang: Lang, figures: &Figures, span: Span, label: Option<&str>, tz: Tz) -> Body {
    let chart = chart(labels, lang, figures, span, label, tz);
    Body {
        text: text::ticket_report(lang, figures, span, label, tz),
        files: chart_file(&chart, span.1, tz).into_iter().collect(),
        ..Body::default()
    }
}

/// `/report export [week|month|from..to] [category:]`: the report's tickets as a CSV file, a row
/// each, business times in minutes.
pub async fn export(cx: &mut Cx<'_>, desk: &Tickets, span: Option<Span>, category: Option<&str>) -> ServiceResult {
    let Scope { rows, span: (_, to), .. } = scope(cx, desk, span, category).await?;
    let actor = cx.actor;
    let table = csv(desk, &rows);
    let name = format!("tickets-{}.csv", to.with_timezone(&actor.tz).format("%Y-%m-%d"));
    let file = Attachment { name, mime: "text/csv".to_owned(), bytes: table.into_bytes() };
    let body = Body { text: text::report_export(actor.lang, rows.len()), files: vec![file], ..Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

/// The rows as CSV (RFC 4180): times in UTC (RFC 3339), business minutes, targets met.
pub fn csv(desk: &Tickets, rows: &[ReportRow]) -> String {
    const COLUMNS: [&str; 15] = [
        "id",
        "title",
        "category",
        "priority",
        "status",
        "requester",
        "agent",
        "opened",
        "first_response",
        "resolved",
        "first_response_business_minutes",
        "resolution_business_minutes",
        "first_response_met",
        "resolution_met",
        "rating",
    ];
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for r in rows {
        let calendar = desk.calendar(r.category.as_deref());
        let created = from_ms(r.created_at);
        let at = |t: Option<i64>| {
            t.map(|t| from_ms(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
        };
        let minutes = |t: Option<i64>| {
            t.map(|t| calendar.between(created, from_ms(t)).num_minutes().to_string()).unwrap_or_default()
        };
        let met = |done: Option<i64>, due: Option<i64>| match (done, due) {
            (Some(done), Some(due)) => (done <= due).to_string(),
            _ => String::new(),
        };
        let fields = [
            r.id.to_string(),
            r.title.clone(),
            r.category.clone().unwrap_or_default(),
            r.priority.clone(),
            r.status.clone(),
            r.requester.clone(),
            r.assignee.clone().unwrap_or_default(),
            at(Some(r.created_at)),
            at(r.first_response_at),
            at(r.resolved_at),
            minutes(r.first_response_at),
            minutes(r.resolved_at),
            met(r.first_response_at, r.first_due),
            met(r.resolved_at, r.resolve_due),
            r.rating.map(|n| n.to_string()).unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// The weekly report's timer kind.
pub const WEEKLY: &str = "weekly-report";

/// Whose weekly report a timer posts: a category's with a queue of its own, or (`None`)
/// the whole help desk's in the support queue.
#[derive(Debug, Serialize, Deserialize)]
struct Weekly {
    category: Option<String>,
}

/// The teams that get a weekly report: the help desk (all tickets, in the support queue)
/// and each category with a queue of its own.
fn teams(desk: &Tickets) -> Vec<Option<String>> {
    std::iter::once(None)
        .chain(desk.rules.categories.iter().filter(|c| c.queue.is_some()).map(|c| Some(c.name.clone())))
        .collect()
}

/// The next weekly report of a team strictly after `after`, on its clock.
fn next_report(desk: &Tickets, category: Option<&str>, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (day, time) = desk.rules.weekly_report?;
    let tz = desk.calendar(category).tz;
    let mut date = after.with_timezone(&tz).date_naive();
    for _ in 0..8 {
        if chrono::Datelike::weekday(&date) == day
            && let Some(at) = tz.from_local_datetime(&date.and_time(time)).earliest().map(|t| t.with_timezone(&Utc))
            && at > after
        {
            return Some(at);
        }
        date = date.succ_opt()?;
    }
    None
}

async fn set_weekly(
    tx: &mut Tx,
    kit: &Kit,
    desk: &Tickets,
    category: Option<String>,
    after: DateTime<Utc>,
) -> ServiceResult<()> {
    let Some(at) = next_report(desk, category.as_deref(), after) else { return Ok(()) };
    let key =
        TimerKey::new(super::NAME, WEEKLY, format!("{}:{}", category.as_deref().unwrap_or("-"), at.timestamp_millis()));
    kit.timers.set_timer(tx, &key, at, &Weekly { category }).await?;
    Ok(())
}

/// At start: each team's next weekly report (instances that start together set one).
pub async fn start(kit: &Kit, desk: &Tickets) -> ServiceResult<()> {
    let mut tx = kit.store.begin().await?;
    for team in teams(desk) {
        set_weekly(&mut tx, kit, desk, team, kit.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A weekly report came due: the past week's, posted to the team's queue, on its clock;
/// and the next one set.
pub async fn weekly(desk: &Tickets, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
    let Weekly { category } = fired.payload()?;
    // A category dropped from the config since: nothing.
    if category.as_deref().is_some_and(|c| desk.rules.category(c).is_none()) {
        return Ok(Vec::new());
    }
    set_weekly(tx, kit, desk, category.clone(), fired.due).await?;
    let (from, to) = week_ending(fired.due);
    let rows = tx.report_rows(from.timestamp_millis(), to.timestamp_millis(), category.as_deref()).await?;
    let tz = desk.calendar(category.as_deref()).tz;
    let figures = figures(desk, &rows, (from, to), tz);
    let label = category.as_deref().and_then(|c| desk.rules.category(c)).map(|c| c.label.clone());
    let labels = labels(desk);
    let body = Shown::per_reader(move |r| report_body(&labels, r.lang, &figures, (from, to), label.as_deref(), tz));
    Ok(vec![Effect::Notice {
        audience: desk.queue_of(category.as_deref()),
        subject: crate::kernel::Subject::new("ticket-report", to.timestamp_millis()),
        body,
        coalesce: None,
    }])
}

/// The report's figures over `[from, to]`, business time counted in each ticket's
/// category's hours.
pub fn figures(desk: &Tickets, rows: &[ReportRow], (from, to): Span, tz: Tz) -> Figures {
    // The span ends now, and what happened this moment is in it.
    let within = |at: Option<i64>| at.map(from_ms).is_some_and(|t| t >= from && t <= to);
    let mut f = Figures { bucket: Bucket::of((from, to)), ..Figures::default() };
    let bucket = |at: i64| f.bucket.start(from_ms(at).with_timezone(&tz).date_naive());
    let mut timeline = empty_timeline(f.bucket, (from, to), tz);
    let (mut first, mut resolution, mut ages) = (Vec::new(), Vec::new(), Vec::new());
    let (mut met, mut measured) = (0, 0);
    let mut ratings = Vec::new();
    for row in rows {
        let calendar = desk.calendar(row.category.as_deref());
        let created = from_ms(row.created_at);
        if within(Some(row.created_at)) {
            timeline.entry(bucket(row.created_at)).or_default().0 += 1;
            f.opened += 1;
            *f.by_status.entry(row.status.clone()).or_default() += 1;
            *f.by_category.entry(row.category.clone()).or_default() += 1;
        }
        if within(row.first_response_at) {
            let at = row.first_response_at.map(from_ms).unwrap_or(created);
            first.push(calendar.between(created, at));
            if let Some(due) = row.first_due {
                measured += 1;
                met += usize::from(row.first_response_at <= Some(due));
            }
        }
        if within(row.resolved_at) {
            if let Some(at) = row.resolved_at {
                timeline.entry(bucket(at)).or_default().1 += 1;
            }
            let at = row.resolved_at.map(from_ms).unwrap_or(created);
            resolution.push(calendar.between(created, at));
            if let Some(due) = row.resolve_due {
                measured += 1;
                met += usize::from(row.resolved_at <= Some(due));
            }
            if let Some(agent) = &row.resolved_by {
                f.agents.entry(agent.clone()).or_default().1 += 1;
            }
        }
        if within(row.rated_at) {
            ratings.extend(row.rating);
        }
        if row.status.parse::<TicketStatus>().is_ok_and(|s| TicketStatus::ACTIVE.contains(&s)) {
            ages.push(to - created);
            if let Some(agent) = &row.assignee {
                f.agents.entry(agent.clone()).or_default().0 += 1;
            }
        }
    }
    f.first_response = median_and_p90(&mut first);
    f.resolution = median_and_p90(&mut resolution);
    f.sla = (measured > 0).then_some((met, measured));
    f.csat = (!ratings.is_empty()).then(|| (ratings.iter().sum::<i64>() as f64 / ratings.len() as f64, ratings.len()));
    ages.sort();
    f.backlog = ages.last().map(|oldest| (ages.len(), ages[ages.len() / 2], *oldest));
    f.timeline = timeline;
    f
}

/// Every bucket of the span at zero, so quiet days show as gaps, not as nothing.
fn empty_timeline(bucket: Bucket, (from, to): Span, tz: Tz) -> BTreeMap<NaiveDate, (u64, u64)> {
    let last = to.with_timezone(&tz).date_naive();
    let mut out = BTreeMap::new();
    let mut day = Some(bucket.start(from.with_timezone(&tz).date_naive()));
    while let Some(start) = day.filter(|d| *d <= last) {
        out.insert(start, (0, 0));
        day = bucket.next(start);
    }
    out
}

/// The report's chart: opened and resolved per bucket, and opened by category (the
/// eight largest; the rest summed as "other").
pub fn chart(labels: &Labels, lang: Lang, f: &Figures, span: Span, category: Option<&str>, tz: Tz) -> chart::Chart {
    let mut by_category: Vec<(String, u64)> = f
        .by_category
        .iter()
        .map(|(name, n)| {
            let label = match name {
                Some(name) => labels.get(name).cloned().unwrap_or_else(|| name.clone()),
                None => text::report_no_category(lang),
            };
            (label, *n as u64)
        })
        .collect();
    by_category.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if by_category.len() > 8 {
        let rest: u64 = by_category.drain(7..).map(|(_, n)| n).sum();
        by_category.push((text::chart_other(lang), rest));
    }
    let (opened, resolved) = f.timeline.values().copied().unzip();
    chart::Chart {
        title: text::chart_title(lang, span, category, tz),
        timeline: chart::Timeline {
            caption: text::chart_timeline(lang, f.bucket),
            buckets: f.timeline.keys().map(|d| f.bucket.label(*d)).collect(),
            series: vec![
                chart::Series { name: text::chart_opened(lang), counts: opened },
                chart::Series { name: text::chart_resolved(lang), counts: resolved },
            ],
        },
        ranking: chart::Ranking { caption: text::chart_by_category(lang), bars: by_category },
    }
}

/// The chart as a PNG file to attach; a chart that cannot be drawn is left out (and
/// logged): the text says it all.
pub fn chart_file(chart: &chart::Chart, to: DateTime<Utc>, tz: Tz) -> Option<Attachment> {
    match chart::png(chart) {
        Ok(bytes) => Some(Attachment {
            name: format!("tickets-{}.png", to.with_timezone(&tz).format("%Y-%m-%d")),
            mime: "image/png".to_owned(),
            bytes,
        }),
        Err(e) => {
            tracing::error!(error = %e, "the report's chart could not be drawn");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
    }
}
