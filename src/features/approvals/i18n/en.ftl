# Approvals: requests of the types the config declares, their route through the org
# chart, approvers' prompts, the requester's news, lists, the report. Type names, titles,
# field labels and step labels come from the config and are shown as written.

## Pieces of many messages.

# A request as people name it: its type's title and number ("Purchase #12").
request = { $title } #{ $id }
step = step { $position } ({ $label })
# $rule: one, any (any one of them decides), all (every one of them approves).
approvers = { $rule ->
    [any] any one of { $names }
    [all] all of { $names }
   *[one] { $names }
}
separator = {", "}
# Between items that may hold commas themselves.
separator-strong = {"; "}
field-line = { $label }: { $value }
# $days: a number, or a text such as 2.5 for half days.
field-line-days = { $label }: { $value } ({ $days ->
    [one] 1 day
   *[other] { $days } days
})
request-status = { $status ->
    [pending] pending
    [approved] approved
    [rejected] rejected
    [changes] changes
   *[withdrawn] withdrawn
}
button-approve = Approve
button-reject = Reject
button-changes = Request changes

## What a field takes, and what is wrong with a value typed for it.

hint-text = text
hint-amount = an amount in { $currency }, e.g. 1200, 1,200.50 or 1200 { $currency }
hint-dates-half = a date or range, e.g. tomorrow, 2026-12-01, 2026-12-01..2026-12-05, 2026-12-01 pm..2026-12-03 am
hint-dates = a date or range, e.g. tomorrow, 2026-12-01..2026-12-05
hint-choice = one of { $options }
hint-link = a link, https://…
hint-document = an attached file, or a link https://…

field-problem = { $field }: { $problem }
problem-empty = empty; give { $hint }
problem-too-long = at most { $max } characters (this is { $len })
problem-not-amount = `{ $typed }` is not an amount (e.g. 1200, 1,200.50 or 1200 { $currency })
problem-other-currency = this request takes amounts in { $currency }, not { $given }
problem-other-symbol = this request takes amounts in { $currency }, not { $symbol } ({ $codes })
problem-not-positive = an amount must be more than zero
problem-decimals = { $places ->
    [0] { $currency } amounts have no decimals
   *[other] { $currency } amounts have at most { $places } decimals
}
problem-too-large = `{ $typed }` is too large an amount
problem-not-choice = `{ $typed }` is not one of { $options }
problem-not-link = `{ $typed }` is not a link (https://…)
problem-link-too-long = a link may be at most { $max } characters
problem-or-attach = { $problem }; or attach the file to the message
problem-no-half-days = half days (am/pm) are not taken for this request
problem-ends-before-start = it ends ({ $end }) before it starts ({ $start })
problem-halves-reversed = a range may start in the afternoon (`pm`) or end at noon (`am`), not the other way
problem-half-day-alone = a single day is its morning (`am`), its afternoon (`pm`) or all of it
problem-too-many-days = at most { $max } days
problem-not-date = `{ $typed }` is not a date (e.g. tomorrow, friday, 2026-12-01)

## Asking for a request.

types-none = No approval types are set up yet: an admin adds them to the config ([[approvals.types]]).
types-head = What you can request (/approval request <type> name:value …):
type = { $name } ({ $title })
type-field = { $name }: { $hint }{ $optional ->
    [yes] , optional
   *[no] {""}
}
type-step-when = { $label } (when { $when })
type-route = approved by: { $steps }
type-route-then = {", then "}

unknown-type-none = There is no approval type `{ $kind }`: none are set up yet (an admin adds them to the config).
unknown-type = There is no approval type `{ $kind }`. The types are: { $types }. (/approval types shows their fields)
# $vowel: yes when the type's name starts with a vowel ("An expense request").
unknown-field = { $vowel ->
    [yes] An
   *[no] A
} { $type } request has no field `{ $name }`. Its fields: { $fields }.
unknown-field-maybe = { $vowel ->
    [yes] An
   *[no] A
} { $type } request has no field `{ $name }`. Did you mean { $suggestion }? Its fields: { $fields }.
field-twice = `{ $name }:` is given twice.
write-fields-named = Write each field as name:value.
bad-field = { $problem }. Nothing was requested.
missing-fields = Missing: { $fields }. Nothing was requested.
missing-field = { $name } ({ $hint })
usage = Usage: /approval request { $type } { $fields }
usage-file = link or attached file

# $left: the questions still to answer, this one included.
ask-field = { $title } request{ $left ->
    [1] {""}
   *[other] {" "}({ $left } questions to go)
}: { $label }? Give { $hint }.
ask-file = { $title } request{ $left ->
    [1] {""}
   *[other] {" "}({ $left } questions to go)
}: { $label }? Reply with the file attached or a link https://…, or send the request again with the file.

too-many-files-none = { $vowel ->
    [yes] An
   *[no] A
} { $type } request takes no file, and { $count ->
    [1] a file came
   *[other] { $count } files came
} with it. Nothing was requested.
# $slots: the document fields, $slot_count how many; $first: the first of them.
too-many-files = { $vowel ->
    [yes] An
   *[no] A
} { $type } request takes { $slot_count ->
    [1] one file ({ $slots })
   *[other] a file for each of { $slots }
}, and { $count ->
    [1] a file came
   *[other] { $count } files came
} with it. A field given a link takes no file; to say which field a file is for, name it with nothing after it (e.g. { $first }:). Nothing was requested.
document-too-large = { $name } is { $size }; a request's document may be at most { $max } MB, so that every approver's messenger can deliver it. Give a link to it instead. Nothing was requested.
one-file-per-answer = { $label } takes one file: reply with one. Nothing was changed.
bad-answer = { $problem }. Answer again with { $hint }.
draft-gone = That request was already sent or has expired; start again with /approval request.

## A request sent, and its route.

requested = { $request } is sent.
requested-tail = You will hear of every step. /approval withdraw { $id } takes it back.
resubmitted = { $request } is sent again.
route-head = Route:
route-line = { $position }. { $label }: { $approvers }
route-line-note = { $position }. { $label }: { $approvers } ({ $note })

# Why a step's approvers are not the ones its rule names.
note-moved-up = the step would be { $requester }'s own, so it goes to their manager
note-to-admins = sent to the admins: { $why }
why-no-manager = { $person } has no manager in the directory
why-no-department = there is no department { $department }
why-department-without-manager = { $department } has no manager
why-nobody-holds = nobody else holds the { $role } role
why-not-seen-yet = { $addresses } has not used Deskmate yet
why-own-step-without-manager = the step would be { $requester }'s own and they have no manager
no-route = Nobody can approve the step { $label }: { $why }, and there is no admin besides you. Nothing was requested.

## The approver's prompt.

prompt = { $request } from { $requester } waits for your decision, { $step }.
prompt-all = Everyone on this step must approve.
prompt-behalf = (You decide on behalf of { $name }.)
prompt-decided = { $request } from { $requester }, { $step }.
# $behalf: yes when $by decided for $for; $decision: approve, reject, changes.
decided-by = { $by }{ $behalf ->
    [yes] {" "}on behalf of { $for }
   *[no] {""}
} { $decision ->
    [approve] approved
    [reject] rejected
   *[changes] asked for changes on
} it on { $at }{ $reason_given ->
    [yes] : { $reason }
   *[no] {""}
}
prompt-withdrawn = { $request } from { $requester }.
withdrawn-line = Withdrawn by { $requester }: nothing to decide.
reminder = Reminder: this still waits for you{ $started ->
    [yes] {" "}since { $since } { $zone }
   *[no] {""}
}.
escalated-to-you = Escalated to you: its approver has not decided in time.
moved-to-you = Moved to you by a delegation.

## Deciding.

you-decided = You { $decision ->
    [approve] approved
    [reject] rejected
   *[changes] asked for changes on
} { $request }, { $step }{ $behalf ->
    [yes] {" "}on behalf of { $for }
   *[no] {""}
}.
ask-reject = Why do you reject { $request }? { $requester } will see your reason.
ask-changes = What should { $requester } change in { $request }?
reason-needed-reject = Give the reason: /approval reject { $id } <reason>
reason-needed-changes = Say what to change: /approval changes { $id } <what to change>

# $who: you, someone (named $by), nobody (no decision recorded).
not-open-approved = #{ $id } was already approved{ $who ->
    [you] {" "}by you
    [someone] {" "}by { $by }
   *[nobody] {""}
}.
not-open-rejected = #{ $id } was already rejected{ $who ->
    [you] {" "}by you
    [someone] {" "}by { $by }
   *[nobody] {""}
}.
not-open-changes = #{ $id } was sent back for changes{ $who ->
    [you] {" "}by you
    [someone] {" "}by { $by }
   *[nobody] {""}
}; it waits for its requester.
not-open-withdrawn = #{ $id } was withdrawn by { $requester }.
not-open-pending = #{ $id } is still open.
# $state: approved, rejected, changes.
seat-taken = { $you ->
    [yes] You
   *[no] { $by }
} already { $state ->
    [rejected] rejected
    [changes] asked for changes on
   *[approved] approved
} #{ $id }, { $step }.
step-taken = { $who ->
    [you] You already decided #{ $id }, { $step }.
    [someone] { $by } already decided #{ $id }, { $step }.
   *[nobody] #{ $id }, { $step } is already decided.
}
stale-prompt = That prompt is out of date: #{ $id } is now at { $step }. Nothing was changed.
not-your-step = Only { $approvers } (or whoever they delegated to) can decide #{ $id }, { $step }. Nothing was changed.

## What the requester hears.

note-from = Note from { $by }: { $note }
partly-approved = { $by } approved your { $request }, { $step }; still waiting for { $names }.
step-approved = { $by } approved your { $request }, { $step }. Next: { $next } by { $approvers }.
outcome-approved = Your { $request } is approved: { $by } gave the last approval ({ $step }).
outcome-rejected = Your { $request } was rejected by { $by } at { $step }.{ $reason_given ->
    [yes] {" "}Reason: { $reason }
   *[no] {""}
}
outcome-changes = { $by } asks for changes to your { $request } at { $step }.{ $reason_given ->
    [yes] {" "}Reason: { $reason }
   *[no] {""}
}
outcome-changes-how = Change it with /approval resubmit { $id } name:value …, or /approval withdraw { $id }.
outcome-status = Your { $request } is { $status }.
escalated-for-requester = Your { $request } waited too long at { $step }: it now also goes to { $names }.

## The outcome posted for the record.

outcome-notice = { $request } by { $requester }: { $status }{ $decided ->
    [yes] {" "}on { $at }
   *[no] {""}
}.
# $state: approved, rejected; $behalf: yes when $by decided for $for.
decider = { $by } { $state ->
    [rejected] rejected
   *[approved] approved
}{ $behalf ->
    [yes] {" "}for { $for }
   *[no] {""}
}

## Withdrawing and resubmitting.

# $action: withdraw, resubmit.
not-your-request = Only the person who made #{ $id } can { $action ->
    [withdraw] withdraw
   *[resubmit] resubmit
} it.
withdrawn = { $request } is withdrawn. Its approvers' prompts say so.
not-waiting-for-changes = #{ $id } is { $status ->
    [pending] still waiting for a decision
    [approved] approved
    [rejected] rejected
    [withdrawn] withdrawn
   *[changes] waiting for changes
}: only a request sent back for changes can be resubmitted.
type-gone = The approval type `{ $kind }` is no longer set up, so this request cannot be sent again.
not-found = There is no approval request #{ $id }.
not-yours-to-see = #{ $id } is not yours to see: only its requester, its approvers and admins can.

## One request in full.

details = { $request } by { $requester }: { $status }{ $round ->
    [1] {""}
   *[other] {" "}(round { $round })
}
details-made = Made { $at }.
# $state: pending, waiting (a later step), approved, rejected, changes, cancelled.
details-step = { $position }. { $label }: { $approvers } - { $state ->
    [pending] waiting for a decision
    [waiting] not reached yet
    [approved] approved
    [rejected] rejected
    [changes] changes
   *[cancelled] cancelled
}
details-step-note = { $position }. { $label }: { $approvers } - { $state ->
    [pending] waiting for a decision
    [waiting] not reached yet
    [approved] approved
    [rejected] rejected
    [changes] changes
   *[cancelled] cancelled
} ({ $note })
history = History:
history-line = { $at } { $who } ({ $platform }): { $action }
history-line-detail = { $at } { $who } ({ $platform }): { $action } - { $detail }
# An event's detail, kept as data and written here for each reader.
detail-field = { $name }: { $value }
detail-decided = step { $step } ({ $label })
detail-decided-behalf = step { $step } ({ $label }) on behalf of { $behalf }
detail-decided-reason = step { $step } ({ $label }): { $reason }
detail-decided-behalf-reason = step { $step } ({ $label }) on behalf of { $behalf }: { $reason }
detail-step-approved = step { $step } ({ $label }) approved
detail-reminded = step { $step } ({ $label }) reminded
detail-escalated = step { $step } ({ $label }) escalated to { $names }

## Lists.

pending-takes-no-filters = /approval list pending shows everything waiting for you; filters (type:, status:, since:) are for mine and all.
pending-none = Nothing is waiting for your decision.
pending-none-on-page = Nothing waiting for you on page { $page }.
pending-head = Waiting for your decision (page { $page }):
# $behalf: yes when the seat is $for's, who delegated to the reader.
pending-line = #{ $id } { $kind } from { $requester }, { $step }{ $behalf ->
    [yes] , for { $for }
   *[no] {""}
}, since { $since }
pending-next = Next page: /approval list pending page:{ $page }
all-is-for-admins = Only admins can list everyone's requests. /approval list mine shows yours.
bad-since = since: `{ $day }` is not a date; write e.g. since:2026-11-01
# $mine: yes for the reader's own requests, no for everyone's.
requests-none = { $mine ->
    [yes] Your requests
   *[no] Requests
}: none{ $page ->
    [1] {""}
   *[other] {" "}on page { $page }
}.
requests-head = { $mine ->
    [yes] Your requests
   *[no] Requests
} (page { $page }):
request-line = #{ $id } { $kind } by { $requester }: { $status }, made { $at }
requests-next = Next page: add page:{ $page }
pending-choice = #{ $id } { $kind } from { $requester } ({ $step })
request-choice = #{ $id } { $kind } ({ $status })
agenda-line = Approval #{ $id } ({ $kind } from { $requester }, { $step }) since { $since }: /approval show { $id }

## Delegation.

away-alone = You are away until { $until } ({ $zone }): no tickets are given to you meanwhile. Your approvals stay with you, as you have no manager in the directory; to hand them to someone: /away until friday to:@carol
away-from-tickets = No tickets are given to you until then; /back ends it sooner.
welcome-back = Welcome back: tickets can come to you again.
not-away = You were not away; nothing changed.
delegate-to-self = You cannot delegate to yourself. Nothing was changed.
delegation-loop = { $name } already hands their approvals on to you: that would be a loop. Nothing was changed.
# $moved: the prompts waiting for the reader that went to the delegate.
delegated = Until { $until } ({ $zone }), { $to } decides your approvals; the record will say on your behalf.{ $moved ->
    [0] {""}
    [1] {" "}The 1 prompt waiting for you went to them too.
   *[other] {" "}The { $moved } prompts waiting for you went to them too.
} /approval undelegate ends it sooner.
delegated-to-you = { $from } asked you to decide their approvals until { $until } ({ $zone }). Their prompts will come to you.
no-delegation = You have no delegation running.
undelegated = Your delegation to { $to } is over; your prompts come to you again.
delegation-ended-for-delegate = { $from } is back: you no longer decide their approvals.
delegation-over = Your delegation has ended; your approvals come to you again.
bad-until = `{ $typed }` is not a date; write e.g. until 2026-12-10, until friday or until 2026-12-10 18:00
until-passed = That date has passed; a delegation needs an end in the future.
until-too-far = A delegation lasts at most { $days } days.

## The report.

report-head = Approvals, { $since } to { $until }:
report-none = no requests made
report-kind = { $kind }: { $total } ({ $counts })
report-count = { $count } { $status ->
    [pending] pending
    [approved] approved
    [rejected] rejected
    [changes] changes
   *[withdrawn] withdrawn
}
insight-heading = Approvals
insight-made = Requests made: { $total } ({ $counts }).
insight-made-none = Requests made: none.
insight-decided = Time to decision: median { $median }, 90 % within { $p90 } ({ $count ->
    [one] { $count } decision
   *[other] { $count } decisions
}).
insight-decided-none = Time to decision: no decisions in this span.
report-times = Time to decision per step (median / 90th percentile):
report-step = { $kind }, step { $position } ({ $label }): { $median } / { $p90 } over { $count ->
    [one] { $count } decision
   *[other] { $count } decisions
}
# How long a step took: 45m, 3h, 3h 20m, 2d, 2d 4h.
span-minutes = { $minutes }m
span-hours = { $hours }h
span-hours-minutes = { $hours }h { $minutes }m
span-days = { $days }d
span-days-hours = { $days }d { $hours }h

# What free text is called when it is too long.
limit-reason = reason
