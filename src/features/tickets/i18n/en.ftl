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
   *[closed] closed
}

opened = Ticket #{ $id } opened: { $title } (priority { $priority }). The support team has been notified.

notice =
    Ticket #{ $id } · { $title }
    Priority: { $priority } · Status: { $state }
    Opened by { $requester }
notice-open = open, waiting for an agent
notice-claimed-by = claimed by { $name }
notice-claimed = claimed
notice-closed-by = closed by { $name }
notice-closed = closed
resolution-line = Resolution: { $resolution }
thread = Ticket #{ $id } · { $title }
button-claim = Claim
button-resolve = Resolve

ask-resolution = How was ticket #{ $id } ({ $title }) resolved? Reply to this message with a short note; it closes the ticket.
choice = #{ $id } · { $title } ({ $status })

claimed = You claimed ticket #{ $id }: { $title }.
claimed-for-requester = { $agent } is now working on your ticket #{ $id }: { $title }.
closed = Ticket #{ $id } closed.
closed-with = Ticket #{ $id } closed. Resolution: { $resolution }
closed-for-requester = { $by } closed your ticket #{ $id } ({ $title }).
closed-for-requester-with = { $by } closed your ticket #{ $id } ({ $title }). Resolution: { $resolution }
closed-for-assignee = { $by } closed ticket #{ $id } ({ $title }), which you were working on.
closed-for-assignee-with = { $by } closed ticket #{ $id } ({ $title }), which you were working on. Resolution: { $resolution }

not-found = There is no ticket #{ $id }.
already-yours = You already have ticket #{ $id }.
already-claimed-by = Ticket #{ $id } is already claimed by { $name }.
already-claimed = Ticket #{ $id } is already claimed.
already-closed = Ticket #{ $id } is closed; it cannot be changed.
not-yours = Ticket #{ $id } is not yours: only its requester, agents and managers can see it.
close-refused = Only agents, or the person who opened ticket #{ $id }, can close it.

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
history-line = { $at } { $who } { $action } via { $platform }
history-line-detail = { $at } { $who } { $action } via { $platform }: { $detail }

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
