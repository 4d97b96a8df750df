# Meetings: scheduling and answers, series, reminders, minutes and actions, rooms,
# working hours, personal schedules, agendas, the daily digest and calendar feeds.

## Words

# Between the items of a list (names, days, reminders).
list-separator = {", "}
meeting-name = { $title } (#{ $id })
# $span: its start and end, written the reader's way; $zone: the clock's zone.
when = { $span } ({ $zone })
# $answer: pending, accepted, tentative, declined.
answer-word = { $answer ->
    [accepted] accepted
    [tentative] tentative
    [declined] declined
   *[pending] not answered
}
# A schedule entry: $kind busy or away, with its note ($has_note yes) or without.
entry-what = { $kind ->
    [away] away
   *[busy] busy
}{ $has_note ->
    [yes] : { $note }
   *[no] {""}
}
default-title = Meeting

## A meeting's details, a line each

detail-repeats = Repeats: { $rule }
detail-room = Room: { $room }
detail-link = Join: { $link }
detail-agenda = Agenda: { $agenda }
organised-by = Organised by { $name }

## Repeats in words

repeat-daily = daily
repeat-weekdays = every weekday
repeat-weekly = weekly on { $days }
repeat-biweekly = every other week on { $days }
repeat-every-weeks = every { $weeks } weeks on { $days }
repeat-monthly-day = monthly on day { $date }
# $nth: first, second, third, fourth, last.
repeat-monthly-nth = monthly on the { $nth ->
    [first] first
    [second] second
    [third] third
    [fourth] fourth
   *[last] last
} { $weekday }
repeat-rule = RRULE { $rule }

## Buttons

button-answer = { $answer ->
    [accepted] Accept
    [tentative] Tentative
    [declined] Decline
   *[pending] Not answered
}
# $moving: yes (a move held for its clashes), no (a new meeting).
button-anyway = { $moving ->
    [yes] Move anyway
   *[no] Schedule anyway
}

## Scheduling

scheduled = Meeting { $meeting } is scheduled for { $when }.
# $capped: yes when the rule goes on past the $horizon days a series is planned ahead.
scheduled-series = { $count } times, the first { $first }, the last { $last }.{ $capped ->
    [yes] {" "}A series is planned at most { $horizon } days ahead: schedule it again then to go on.
   *[no] {""}
}
scheduled-with = With: { $names }
# $reminders: how long before (1d, 15m), when $has_reminders is yes.
scheduled-invitations = Invitations are sent; { $has_reminders ->
    [yes] reminders { $reminders } before
   *[no] no reminders
}. /meeting cancel { $id } calls it off.
answers-line = { $answer ->
    [accepted] Accepted
    [tentative] Tentative
    [declined] Declined
   *[pending] Not answered
} ({ $count }): { $names }
answer-with-note = { $name } ({ $note })

# $later: how many more times of a series clash after the first.
what-clashes = { $title } at { $at }{ $later ->
    [0] {""}
   *[other] {" "}(and { $later } later times)
}
conflicts = { $what } clashes with:
conflict-line = { $person }: { $what } { $start }–{ $end }
conflicts-more = … and { $count } more
conflicts-hint = Schedule it anyway with the button, or pick another time.

end-without-repeat = until: and times: end a series; add repeat:, e.g. repeat:weekly until:2027-03-31. Nothing was scheduled.
bad-repeat = repeat:{ $typed }: { $why }. Write daily, weekdays, weekly, weekly:mon,thu, biweekly, monthly, monthly:second-tue or an RRULE such as FREQ=WEEKLY;BYDAY=MO. Nothing was scheduled.
repeat-not-weekdays = `{ $typed }` is not a list of weekdays, e.g. mon,thu
repeat-not-nth = `{ $typed }`: write e.g. second-tue or last-fri
repeat-not-weekday = `{ $typed }` is not a weekday, e.g. tue
repeat-end-in-rule = write its end as times:<n> or until:<date>, not COUNT or UNTIL
repeat-unknown = `{ $typed }` is not a repeat I know
repeat-too-often = a meeting repeats at most daily
repeat-no-times = it gives no time from the first one on (is until: before the start?)
series-overlaps = Its times would overlap each other: each lasts { $length }, longer than the time between two. Nothing was changed.

too-long = A meeting may last at most { $length }. Nothing was scheduled.
not-a-link = link: `{ $typed }` is not a link (https://…). Nothing was scheduled.
unknown-channel-none = There is no channel group `{ $name }`: none is configured ([channels] groups). Nothing was scheduled.
unknown-channel = There is no channel group `{ $name }`; the groups are: { $known }. Nothing was scheduled.
bad-reminders = remind: { $problem }; write e.g. remind:1d,15m or remind:none. Nothing was scheduled.
reminder-unreadable = `{ $offset }` is not a duration; write e.g. 30m, 1h30m or 2d
reminder-out-of-range = `{ $offset }`: a reminder comes 1 minute to 30 days before
reminders-too-many = at most 5 reminders
not-someone = `{ $word }` is neither a @person nor a #department; write e.g. with:@bob @carol #Sales. Nothing was scheduled.
unknown-department = There is no department `{ $name }` (/dept list shows them). Nothing was scheduled.
too-many-attendees = That is { $count } people; a meeting takes at most { $max }. Nothing was scheduled.
draft-gone = That meeting was scheduled or dropped already; schedule it again with /meeting schedule.
not-your-draft = Only the person who scheduled it can confirm it. Nothing was changed.

## The channel's notice and the invitations

notice = 📅 { $meeting } — { $when }
invitation = 📅 { $organizer } invites you to { $meeting } on { $when }.
invitation-series = Your answer counts for every time; each reminder lets you answer for its time alone.
invitation-ask = Will you come?
# $answer: the reader's answer so far, as answer-word writes it.
invitation-answered = You answered: { $answer }. You can change your answer below.

## Answers

answered = You { $answer ->
    [accepted] accepted
    [tentative] tentative
    [declined] declined
   *[pending] not answered
} { $meeting }.
answered-series = You { $answer ->
    [accepted] accepted
    [tentative] tentative
    [declined] declined
   *[pending] not answered
} { $meeting }, every time to come.
answered-once = You { $answer ->
    [accepted] accepted
    [tentative] tentative
    [declined] declined
   *[pending] not answered
} { $meeting } on { $when } (that time only).
ask-decline-note = You declined { $meeting }. A note for { $organizer }? (optional: why, or who comes instead)
declined-for-organizer = { $who } declined { $meeting }.
declined-for-organizer-note = { $who } declined { $meeting }: { $note }
note-kept = Your note is passed on.
no-longer-declined = You no longer decline that meeting, so the note is not kept. Nothing was changed.
series-over = { $meeting } has no time to come that you are invited to. Nothing was changed.

reminder = ⏰ { $meeting } starts in { $offset }: { $when }.

## Showing and listing

# $cancelled: yes when the whole meeting is called off.
show-title = { $meeting }{ $cancelled ->
    [yes] {" "}— cancelled
   *[no] {""}
}
minutes-line = Minutes (by { $author }): { $text }
actions = Actions:
action-line = { $owner }: { $text } (due { $due })
# $count: the times of the series after the one shown; $last: the last of them.
series-later = { $count ->
    [1] Then once more, { $last }
   *[other] Then { $count } more times, the last { $last }
}
series-last = The last time of the series
series-called-off = Called off: { $days }
list-none = No meetings to come. /meeting schedule sets one up.
list-head = Your meetings to come:
list-line = #{ $id } { $title } — { $when } ({ $answer })

not-found = There is no meeting #{ $id }. /meeting list shows yours.
not-yours-to-see = #{ $id } is not yours to see: only its organiser, the people invited and admins can.
not-yours-to-change = Only { $organizer } (its organiser) or an admin can change { $meeting }. Nothing was changed.
is-cancelled = { $meeting } is cancelled. Nothing was changed.
is-over = { $meeting } is over. Nothing was changed.
not-invited = You are not invited to { $meeting }; ask { $organizer } to invite you. Nothing was changed.

## Cancelling, skipping, moving

cancelled = Meeting { $meeting } is cancelled; everyone invited is told.
cancelled-notice = ❌ Cancelled: { $meeting } — { $when }
reason-line = Reason: { $reason }
# $has_reason: yes when the organiser gave a $reason.
cancelled-for-attendee = ❌ { $by } cancelled { $meeting } on { $when }.{ $has_reason ->
    [yes] {" "}Reason: { $reason }
   *[no] {""}
}
no-time-on = { $meeting } does not take place on { $day }; /meeting show { $id } lists its times. Nothing was changed.
skip-needs-series = { $meeting } happens once: /meeting cancel { $id } calls it off, /meeting move { $id } moves it. Nothing was changed.
# $also: how many later times are called off with it (the series ends there).
skipped = { $meeting } on { $when } is off{ $also ->
    [0] ; the other times stay
    [1] {" "}and the time after it: the series ends there
   *[other] {" "}and the { $also } times after it: the series ends there
}. Everyone invited is told.
skipped-for-attendee = ❌ { $by } called off { $meeting } on { $when }{ $also ->
    [0] ; the other times stay
    [1] {" "}and the time after it: the series ends there
   *[other] {" "}and the { $also } times after it: the series ends there
}.{ $has_reason ->
    [yes] {" "}Reason: { $reason }
   *[no] {""}
}
# $also: how many later times move with it.
moved = Meeting { $meeting } is moved to { $when }{ $also ->
    [0] {""}
    [1] {" "}(and the time after it, by as much)
   *[other] {" "}(and the { $also } times after it, by as much)
}; everyone invited is asked again.
moved-for-attendee = 🔁 { $by } moved { $meeting } from { $was } to { $now }{ $also ->
    [0] {""}
    [1] {" "}(and the time after it, by as much)
   *[other] {" "}(and the { $also } times after it, by as much)
}. Your invitation is updated: please answer it again.

## Inviting and removing

invited-none = Everyone named is already invited to { $meeting }. Nothing was changed.
invited = Invited to { $meeting }: { $names }. Each gets an invitation.
cannot-remove-organizer = { $organizer } organises { $meeting }; cancel it instead. Nothing was changed.
was-not-invited = { $who } is not invited to { $meeting }. Nothing was changed.
removed = { $who } is no longer invited to { $meeting }; they are told.
removed-for-attendee = { $by } took you off { $meeting }: you are no longer invited.

## Rooms

room-line = { $room } (holds { $capacity }{ $has_location ->
    [yes] , { $location }
   *[no] {""}
})
rooms-none = No rooms are configured ([[meetings.rooms]]).
rooms-head = Rooms:
free-rooms-none = No room is free { $from }–{ $to } ({ $zone }).
free-rooms-head = Free { $from }–{ $to } ({ $zone }):
unknown-room-none = There is no room `{ $name }`: no rooms are configured. Nothing was scheduled.
unknown-room = There is no room `{ $name }`; the rooms are: { $rooms }. Nothing was scheduled.
room-too-small = { $room } holds { $capacity }; this meeting has { $people } people. Pick a larger room (/room list). Nothing was changed.
room-taken = { $room } is booked then: { $what } by { $by }, { $start }–{ $end }. /room free shows the free rooms. Nothing was changed.

## Minutes and actions

minutes-empty = The minutes of { $meeting } are empty: write them after the number, give a link, or attach a file. Nothing was kept.
one-minutes-file = Minutes take one file; send the others separately. Nothing was kept.
minutes-kept = The minutes of { $meeting } are kept and sent to { $count } people.
minutes-for-attendee =
    📝 Minutes of { $meeting } from { $by }:
    { $minutes }
action-given = Action for { $owner } from { $meeting }: { $action } (due { $due }). They are told, and reminded before.
action-for-owner = ✅ { $by } gave you an action from { $meeting }: { $action }. Due { $due } ({ $zone }).
action-reminder = ⏰ Due { $due } ({ $zone }): { $action } (an action from { $meeting }).
# The title of the ticket opened for an action.
action-ticket-title = { $action } (for { $owner }, due { $due }, from meeting #{ $id })

## Personal schedule

entry-added = In your schedule as { $kind ->
    [away] away
   *[busy] busy
} (entry { $id }): { $span } ({ $zone }). Meetings booked then will show it as a clash.
entries-none = Nothing in your schedule to come. /schedule add <when> <what> blocks time.
entries-head = Your schedule ({ $zone }):
entry-removed = Entry { $id } is out of your schedule.
no-entry = You have no entry { $id } (/schedule list shows yours). Nothing was changed.
entry-too-long = An entry lasts at most { $days } days; add several for longer. Nothing was added.

## Agenda and digest

# $answer: as answer-word writes it; $room when $has_room is yes.
agenda-meeting = { $start }–{ $end } { $meeting } ({ $answer }{ $has_room ->
    [yes] , { $room }
   *[no] {""}
})
# $when: today, tomorrow or week.
agenda-title = { $when ->
    [week] Your week from { $date } ({ $zone })
   *[other] Your agenda { $when }, { $date } ({ $zone })
}
agenda-nothing = Nothing on your calendar.
agenda-waiting = Waiting for you:
digest-title = ☀️ Your day, { $date } ({ $zone })
digest-off-hint = (/schedule digest off stops these.)
digest-on = Your digest is on: at { $at } ({ $zone }) on your working days ({ $hours }), when something is on your day.
digest-off = Your digest is off. /schedule digest on brings it back.

## Finding a time, working hours

findtime-needs-length = Say how long, after who: /meeting findtime @bob @carol 45m [within:week] [title:"Design sync"]. Nothing was changed.
bad-within = within:{ $typed }: write today, tomorrow, week, or a number of days up to { $max }d (e.g. within:3d). Nothing was changed.
free-times = Everyone is free, within their working hours, for { $length } ({ $zone }):
free-times-hint = Press one to schedule { $title } then.
no-free-time = Nobody's working hours leave { $length } free for everyone before { $until }. Try a shorter meeting, within:14d, or fewer people.

# A run of working days, from $first to $last.
work-days = { $first }–{ $last }
work-hours-text = { $days } { $from }–{ $to }
work-hours = Your working hours: { $hours } ({ $zone }). /schedule hours default goes back to the company's ({ $default }).
work-hours-default = Your working hours are the company's: { $default } ({ $zone }). Set yours with e.g. /schedule hours mon-fri 08:00-16:00.
work-hours-set = Your working hours are now { $hours } ({ $zone }): /meeting findtime looks within them.
work-hours-reset = Your working hours are the company's again: { $default }.
bad-work-hours = `{ $typed }`: { $problem }. Write e.g. /schedule hours mon-fri 09:00-17:30, or /schedule hours default. Nothing was changed.
hours-not-days = `{ $typed }` is not a list of days; write e.g. mon-fri or mon,wed,fri
hours-not-span = `{ $typed }` is not a span of hours; write e.g. 09:00-17:30
hours-backwards = `{ $typed }`: the end comes before the start
hours-incomplete = write the days, then the hours

## The office report

insight-heading = Meetings
insight-held = Held: { $held ->
    [one] { $held } meeting
   *[other] { $held } meetings
}; attendance { $percent } % ({ $accepted } of { $invited } invitations accepted, { $declined } declined).
insight-held-none = Held: none in this span.

## Calendar feeds

feed-off = Calendar feeds need Deskmate's HTTP listener, which is off: an admin sets [http] listen (and public_url) in the config.
feed-link =
    Your calendar feed (every meeting you are invited to): { $url }
    Subscribe to it in your calendar app. Keep it to yourself: whoever has it sees your meetings. /ical reset makes a new one.
feed-reset = Your calendar feed has a new address; the old one no longer works: { $url }

# What free text is called when it is too long.
limit-title = title
limit-agenda = agenda
limit-note = note
limit-reason = reason
limit-minutes = minutes
limit-action = action

