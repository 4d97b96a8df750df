# Work orders: opened, claimed, resolved; the support queue's notice; lists and digests.

priority = { $priority ->
    [low] low
    [high] high
    [urgent] urgent
   *[normal] normal
}
status = { $status ->
    [open] open
    [claimed] claimed
    [in_progress] in progress
    [waiting] waiting on its requester
    [resolved] resolved
   *[closed] closed
}

opened = Ticket #{ $id } opened: { $title } (priority { $priority }). The support team has been notified.
opened-assigned = Ticket #{ $id } opened: { $title } (priority { $priority }). { $agent } has it.

notice =
    Ticket #{ $id } · { $title }
    Priority: { $priority } · Status: { $state }
    Opened by { $requester }
# $name is none when nobody is recorded.
notice-open = open, waiting for an agent
notice-claimed = claimed{ $name ->
    [none] {""}
   *[other] {" "}by { $name }
}
notice-in-progress = in progress{ $name ->
    [none] {""}
   *[other] {" "}with { $name }
}
notice-waiting = waiting on { $requester }
notice-resolved = resolved{ $name ->
    [none] {""}
   *[other] {" "}by { $name }
}
notice-closed = closed{ $name ->
    [none] {""}
   *[other] {" "}by { $name }
}
resolution-line = Resolution: { $resolution }
category-line = Category: { $category }
thread = Ticket #{ $id } · { $title }
button-claim = Claim
button-resolve = Resolve
button-fixed = Fixed, close it
button-reopen = Not fixed, reopen

ask-resolution = How was ticket #{ $id } ({ $title }) resolved? Reply to this message with a short note; it resolves the ticket, and its requester is told.
choice = #{ $id } · { $title } ({ $status })

# What the one who moved a ticket is told.
claimed = You claimed ticket #{ $id }: { $title }.
started = Ticket #{ $id } is in progress.
waiting = Ticket #{ $id } is now waiting on { $requester }, who has been told.
waiting-with = Ticket #{ $id } is now waiting on { $requester }, who has been asked: { $note }
resolved = Ticket #{ $id } resolved. Resolution: { $note }
    { $requester } can reopen it if it is not fixed.
closed = Ticket #{ $id } closed.
closed-with = Ticket #{ $id } closed. Resolution: { $note }
reopened-to = Ticket #{ $id } reopened: back in progress with { $agent }.
reopened-to-queue = Ticket #{ $id } reopened: back in the queue.
assigned = Ticket #{ $id } is now { $note }'s.
unassigned = Ticket #{ $id } is back in the queue, waiting for an agent.
# $agent: who holds it now, or none.
moved = Ticket #{ $id } moved to { $category }{ $agent ->
    [none] , in its queue.
   *[other] ; { $agent } has it.
}

# What the requester is told when someone else moves their ticket.
claimed-for-requester = { $by } is now working on your ticket #{ $id }: { $title }.
started-for-requester = { $by } started work on your ticket #{ $id } ({ $title }).
waiting-for-requester = { $by } is waiting on you about your ticket #{ $id } ({ $title }).
waiting-for-requester-with = { $by } needs something from you on your ticket #{ $id } ({ $title }): { $note }
resolved-for-requester = { $by } resolved your ticket #{ $id } ({ $title }). Resolution: { $note }
    Not fixed? Press "Not fixed, reopen" (or /ticket reopen { $id }) until { $until }.
closed-for-requester = { $by } closed your ticket #{ $id } ({ $title }).
closed-for-requester-with = { $by } closed your ticket #{ $id } ({ $title }). Resolution: { $note }
reopened-for-requester = { $by } reopened your ticket #{ $id } ({ $title }).
assigned-for-requester = Your ticket #{ $id } ({ $title }) is now with { $note }.
unassigned-for-requester = Your ticket #{ $id } ({ $title }) is back in the queue; the next agent free will take it.
# $agent: who holds it, or none.
waiting-reminder = Reminder: your ticket #{ $id } ({ $title }) has been waiting on you since { $since }{ $agent ->
    [none] .
   *[other] ; { $agent } needs your answer.
} It closes on { $closes } unless it moves on.
lapsed-for-requester = Your ticket #{ $id } ({ $title }) was closed: it waited { $waited } for your answer. If you still need help, /ticket reopen { $id } until { $until }, or /ticket new.
lapsed-for-assignee = Ticket #{ $id } ({ $title }) was closed: { $requester } did not answer in { $waited }.
moved-for-requester = Your ticket #{ $id } ({ $title }) was moved to { $category }.

# What the agent holding a ticket is told when someone else moves it.
closed-for-assignee = { $by } closed ticket #{ $id } ({ $title }), which you were working on.
closed-for-assignee-with = { $by } closed ticket #{ $id } ({ $title }), which you were working on. Resolution: { $note }
reopened-for-assignee = { $by } reopened ticket #{ $id } ({ $title }), which you resolved.
reopened-for-assignee-with = { $by } reopened ticket #{ $id } ({ $title }), which you resolved: { $note }
moved-for-assignee = { $by } changed ticket #{ $id } ({ $title }): it is now { $status }.
unassigned-for-assignee = { $by } took ticket #{ $id } ({ $title }) off you.
# $by: who gave it, or none (the category's rotation).
assigned-to-you = { $by ->
    [none] Ticket #{ $id } ({ $title }) is yours: it came to you in turn.
   *[other] { $by } gave you ticket #{ $id } ({ $title }).
}

not-found = There is no ticket #{ $id }.
already-yours = You already have ticket #{ $id }.
already-claimed-by = Ticket #{ $id } is already claimed by { $name }.
already-claimed = Ticket #{ $id } is already claimed.
# $move: claim, start, wait, resolve, close, reopen; $next: the commands allowed now, or none.
cannot-move = Ticket #{ $id } is { $status }, so it cannot be { $move ->
    [claim] claimed
    [start] started
    [wait] set waiting
    [resolve] resolved
    [close] closed
   *[reopen] reopened
} now. { $next ->
    [none] Nothing more can be done with it.
   *[other] What can be done now: { $next }
}
unknown-category = There is no category `{ $typed }`. { $known ->
    [none] No categories are set up.
   *[other] Categories: { $known }.
}
assign-usage = Say who should have ticket #{ $id }: /ticket assign { $id } @agent
not-on-team = { $name } is not an agent of { $category ->
    [none] the help desk
   *[other] the { $category } team
}, so ticket #{ $id } cannot be theirs.
not-your-team = Ticket #{ $id } belongs to another team: only its agents (and admins) can use /{ $command } on it.
already-assigned = Ticket #{ $id } is already { $name }'s.
already-in-category = Ticket #{ $id } is already in { $category }.
changed-meanwhile = Ticket #{ $id } changed while you were acting on it; it is { $status } now. Look again: /ticket show { $id }
resolution-needed = Say what fixed ticket #{ $id }: /ticket resolve { $id } <resolution>
not-yours = Ticket #{ $id } is not yours: only its requester, agents and managers can see it.
close-refused = Only agents, or the person who opened ticket #{ $id }, can close it.
reopen-refused = Only agents, or the person who opened ticket #{ $id }, can reopen it.
reopen-too-late = Ticket #{ $id } could be reopened by its requester until { $at }; now only an agent can. /ticket new opens a new one.

# The conversation: replies between the requester and the team, internal notes.
message = { $by } on ticket #{ $id } ({ $title }): { $note }
note-for-agent = { $by } left an internal note on ticket #{ $id } ({ $title }): { $note }
for-watcher = { $by } changed ticket #{ $id } ({ $title }), which you watch: it is now { $status }.
reply-sent = Added to ticket #{ $id }; { $to } has it.
the-team = the support team
reply-refused = Only the requester of ticket #{ $id }, its watchers and the agents of its team can write on it.
reply-closed = Ticket #{ $id } is closed; reopen it first (/ticket reopen { $id }) or open a new one.
note-added = Internal note added to ticket #{ $id }. Its requester never sees it.
watch-on = You are watching ticket #{ $id }: its updates come to you by direct message. /ticket unwatch { $id } stops them.
watch-already = You already watch ticket #{ $id }.
watch-off = You no longer watch ticket #{ $id }.
watch-not = You were not watching ticket #{ $id }.
tags-line = Tags: { $tags }
conversation = Conversation:
conversation-line = { $at } { $who }{ $internal ->
    [yes] {" "}(internal note)
   *[no] {""}
}: { $text }
bad-tag = `{ $typed }` is not a tag: one word of letters, digits, - and _, at most { $max } characters (+tag adds, -tag removes).
tag-usage = Say which tags to add or remove: /ticket tag { $id } +vpn -printer
too-many-tags = Ticket #{ $id } would have more than { $max } tags; remove some first.
tagged = Ticket #{ $id } tags: { $tags ->
    [none] none
   *[other] { $tags }
}.
canned-saved = Canned reply `{ $name }` saved: agents send it with /reply { $name } <ticket>.
canned-replaced = Canned reply `{ $name }` replaced.
canned-removed = Canned reply `{ $name }` removed.
no-canned = There is no canned reply `{ $name }`; nothing was changed.
unknown-canned = There is no canned reply `{ $name }`. { $known ->
    [none] None are saved yet (admins add them with /canned add).
   *[other] Canned replies: { $known }.
}
bad-canned-name = `{ $typed }` is not a name for a canned reply: one word of letters, digits, - and _, at most 32.
canned-none = No canned replies yet. Admins add them with /canned add <name> <text>; {"{"}requester{"}"}, {"{"}ticket{"}"}, {"{"}title{"}"} and {"{"}agent{"}"} are filled in.
canned-head = { $count ->
    [one] 1 canned reply
   *[other] { $count } canned replies
} (/reply <name> <ticket> sends one):
canned-line = { $name }: { $text }

merge-into-itself = A ticket cannot be merged into itself (#{ $id }); name the ticket to keep.
merge-into-closed = Ticket #{ $id } is closed: reopen it first, or merge into an open ticket.
merge-closed = Ticket #{ $id } is closed already; there is nothing to merge.
merged = Ticket #{ $dup } merged into #{ $id } ({ $title }): its conversation, watchers and tags moved there, and it is closed.
merged-for-requester = Your ticket #{ $dup } ({ $dup_title }) repeats #{ $id } ({ $title }), so it was merged there. You will hear of #{ $id } as it moves.
link-to-itself = A ticket cannot be linked to itself (#{ $id }).
linked = Tickets #{ $id } and #{ $other } are now linked as related.
already-linked = Tickets #{ $id } and #{ $other } are already linked.
links-line = Related: { $links }
merged-line = Merged into #{ $into }.

search-needs-words = Say what to look for: /ticket search <words> [status:…] [assignee:@…] [priority:…] [category:…] [tag:…] [from:…] [to:…]
search-none = { $page ->
    [1] No tickets match “{ $words }”.
   *[other] No more tickets match “{ $words }”.
}
search-head = Tickets matching “{ $words }”, best first{ $page ->
    [1] {""}
   *[other] {" "}(page { $page })
}:
button-next = Next page
button-previous = Previous page

# $scope: all, open, claimed, closed, active; $mine: yes (only the reader's), no.
list-none = No { $scope ->
    [all] {""}
   *[other] { $scope }{" "}
}tickets{ $mine ->
    [yes] {" "}of yours
   *[no] {""}
}.
list-head = { $count } { $scope ->
    [all] {""}
   *[other] { $scope }{" "}
}{ $count ->
    [one] ticket
   *[other] tickets
}{ $mine ->
    [yes] {" "}of yours
   *[no] {""}
}:
list-line = #{ $id } [{ $priority }] { $title } · { $status }{ $agent ->
    [none] {""}
   *[other] {" "}by { $agent }
} · opened by { $requester } { $at }

details =
    Ticket #{ $id } · { $title }
    Priority: { $priority } · Status: { $status }
    Requester: { $requester }
    Agent: { $agent }
    Opened: { $at } ({ $zone })
nobody-yet = nobody yet
history = History:
history-head = History of ticket #{ $id } · { $title } (now { $status }; times in { $zone }):
# $action: open, claim, start, wait, resolve, close, reopen.
history-line = { $at } { $who } { $action ->
    [open] opened it
    [claim] claimed it
    [start] started work
    [answer] answered, so it is back in progress
    [wait] set it waiting on the requester
    [resolve] resolved it
    [close] closed it
    [reopen] reopened it
    [assign] assigned it
    [unassign] put it back in the queue
    [move] moved it
    [lapse] closed it: the requester did not answer
    [settle] closed it: resolved and not reopened
    [reply] wrote
    [note] added an internal note
    [tag] tagged it
    [merge] merged it
    [absorb] took in a duplicate
    [link] linked it
    [extend] extended the deadline
    [priority] changed its priority
   *[other] { $action }
} via { $platform }
history-line-detail = { $at } { $who } { $action ->
    [open] opened it
    [claim] claimed it
    [start] started work
    [answer] answered, so it is back in progress
    [wait] set it waiting on the requester
    [resolve] resolved it
    [close] closed it
    [reopen] reopened it
    [assign] assigned it
    [unassign] put it back in the queue
    [move] moved it
    [lapse] closed it: the requester did not answer
    [settle] closed it: resolved and not reopened
    [reply] wrote
    [note] added an internal note
    [tag] tagged it
    [merge] merged it
    [absorb] took in a duplicate
    [link] linked it
    [extend] extended the deadline
    [priority] changed its priority
   *[other] { $action }
} via { $platform }: { $detail }

coalesced = { $count } new tickets: { $labels }. /ticket list shows them, with their buttons.
digest = Ticket digest, { $at }: { $open } open, { $working } being worked on.
digest-line = #{ $id } [{ $priority }] { $title } · { $agent ->
    [none] unclaimed
   *[other] with { $agent }
}
digest-more = …and { $more } more: /ticket list
agenda-line = Ticket #{ $id } · { $title } ({ $status })

# What free text is called when it is too long.
limit-title = title
limit-resolution = resolution
limit-note = note
limit-message = message
limit-canned = canned reply

# Intake: the panel, direct messages and reactions.
panel = Need help? Press the button for your kind of request and I will ask you what happened.
button-open-ticket = Open a ticket
button-new-ticket = New ticket
button-add-to = Add to #{ $id }
ask-request = What do you need help with? The first line is its title; add what happened, where and since when below it.
ask-request-in = { $category }: what do you need help with? The first line is its title; add what happened, where and since when below it.
new-or-add = { $count ->
    [one] You have a ticket open:
   *[other] You have tickets open:
}
    { $tickets }
    Is this message about { $count ->
        [one] it
       *[other] one of them
    }, or a new request?
new-or-add-line = #{ $id } { $title }
already-a-ticket = That message is ticket #{ $id } already; nothing new was opened.
reaction-unread = I cannot read that message (I keep a group's messages for two days, and only those sent while I was running), so no ticket was opened. Open one with /ticket new.
from-message = From the message: { $link }
made-a-ticket = { $by } turned your message into ticket #{ $id }: { $title }. You will hear here as it moves; add to it with /ticket reply { $id } <text>.
similar = Solved tickets like #{ $id } (only you see this):
    { $tickets }
similar-line = #{ $id } { $title } — fixed: { $resolution }
limit-description = description
short-request = Shall I open a ticket for “{ $text }”? Press the button, or tell me in a sentence what you need help with. /help shows every command.

# Transcripts (an HTML page of the public conversation).
transcript-title = Ticket #{ $id } · { $title }
transcript-requester = Requester
transcript-agent = Agent
transcript-opened = Opened
transcript-closed = Closed
transcript-resolution = Resolution
transcript-empty = Nothing was written on this ticket.
transcript-footer = The public conversation only: internal notes are not in it. Made { $at } ({ $zone }).
transcript-attached = Transcript of ticket #{ $id } (the public conversation).
transcript-kept = The transcript of ticket #{ $id }, as kept when it closed.
transcript-so-far = Ticket #{ $id } is still open: its conversation so far. The transcript is kept when it closes.
transcript-missing = Ticket #{ $id } closed before transcripts were kept, so there is none.

# Satisfaction.
rate-please = How did we do on ticket #{ $id } ({ $title })? Rate the help from 1 (poor) to 5 (great); you can change your rating later.
button-stars = { $count } ★
rate-not-yours = Only the requester of ticket #{ $id } can rate it.
rate-not-done = Ticket #{ $id } is not resolved yet; it can be rated once it is.
ask-rating-comment = Thanks: ticket #{ $id } rated { $count } of 5. Anything to add? Reply with a comment, or ignore this.
rating-changed = Your rating of ticket #{ $id } is now { $count } of 5 (it was { $was }).
rating-comment-kept = Thanks, your comment on ticket #{ $id } is kept with your rating.
low-rating = Ticket #{ $id } ({ $title }) was rated { $count } of 5 by { $requester }; { $agent } worked it.
low-rating-comment = Ticket #{ $id } ({ $title }), rated { $count } of 5 by { $requester } ({ $agent } worked it), with the comment: { $text }
rating-line = Rating: { $count } of 5
rating-line-comment = Rating: { $count } of 5 — “{ $text }”

# Service levels (business time).
sla-first-by = First response due by { $at } ({ $zone }, business hours)
sla-resolve-by = Resolution due by { $at } ({ $zone }, business hours)
sla-paused = Resolution clock paused while waiting on the requester ({ $left } of business time left)
sla-first-in = First response due in { $left } (business hours), by { $at }
sla-first-over = First response overdue by { $left } (business hours)
sla-resolve-in = Resolution due in { $left } (business hours), by { $at }
sla-resolve-over = Resolution overdue by { $left } (business hours)

# Service-level warnings and breaches.
sla-warning = Ticket #{ $id } ({ $title }): its { $target ->
    [first] first response
   *[other] resolution
} is due in { $left } (business hours), by { $at }.
sla-breach = ⚠ Ticket #{ $id } ({ $title }, priority { $priority }) missed its { $target ->
    [first] first-response
   *[other] resolution
} target, due { $at }. With: { $agent }.
button-take-over = Take over
button-reassign = Reassign
button-extend = Extend
leads-only = Only the team's lead, managers and admins can reassign ticket #{ $id } or extend its deadline.
ask-reassign = Reassign ticket #{ $id } to whom? Reply with @name.
ask-extend = Extend ticket #{ $id }'s deadline by how much business time, and why? Reply like: 2h waiting for a part
bad-extension = `{ $typed }` is not an extension: write how long (at most 30d) and why, e.g. 2h waiting for a part. Nothing was changed.
nothing-to-extend = Ticket #{ $id } has no deadline running to extend.
extended = Ticket #{ $id }'s { $target ->
    [first] first response
   *[other] resolution
} is now due by { $at } ({ $zone }, business hours).
same-priority = Ticket #{ $id } is { $priority } priority already.
reprioritized = Ticket #{ $id } is now { $priority } priority (it was { $was }); its deadlines moved with it.

# The tickets report.
report-head = Tickets from { $from } to { $to } ({ $zone }):
report-head-in = { $category } tickets from { $from } to { $to } ({ $zone }):
report-no-category = no category
report-opened = Opened: { $count }{ $count ->
    [0] .
   *[other] . Now: { $statuses }. By category: { $categories }.
}
report-first-response = First response: median { $median }, 90 % within { $p90 } (business hours).
report-first-response-none = First response: none in this span.
report-resolution = Resolution: median { $median }, 90 % within { $p90 } (business hours).
report-resolution-none = Resolution: none in this span.
report-sla = Targets met: { $percent } % ({ $met } of { $count }).
report-sla-none = Targets met: nothing measured in this span.
report-csat = Satisfaction: { $average } of 5 ({ $count } { $count ->
    [one] rating
   *[other] ratings
}).
report-csat-none = Satisfaction: no ratings in this span.
report-backlog = Open now: { $count }, median age { $median }, oldest { $oldest }.
report-backlog-none = Open now: none.
report-agents = By agent (holding now / resolved in this span):
report-agent = { "  " }{ $agent }: { $held } / { $solved }
report-export = { $count } { $count ->
    [one] ticket
   *[other] tickets
} as CSV: times in UTC, business times in minutes.
insight-heading = Help desk
chart-title = Tickets, { $from } to { $to }
chart-title-in = { $category } tickets, { $from } to { $to }
chart-timeline = { $bucket ->
    [week] Per week (from Monday)
    [month] Per month
   *[day] Per day
}
chart-opened = Opened
chart-resolved = Resolved
chart-by-category = Opened by category
chart-other = other
