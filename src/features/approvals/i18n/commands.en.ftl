# What the approvals commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-away = Away until a date: no tickets come to you, approvals go to your manager (or to:@someone)
cmd-away-until = until <date>, e.g. until friday; or off
cmd-away-to = who decides for you (default your manager)
cmd-back = You are back: approvals and tickets come to you again
cmd-report = Reports
cmd-report-approvals = Approvals per type and outcome, and how long each step takes to decide (managers)
cmd-report-approvals-period = week, month, a month (2026-11) or days (2026-11-01..2026-11-30); default week
cmd-approval = Ask for approvals and decide on them
cmd-approval-types = What can be requested, and the fields each request takes
cmd-approval-request = Ask for an approval: the type, then its fields as name:value
cmd-approval-request-type = what kind of request, e.g. leave (see /approval types)
cmd-approval-request-fields = e.g. dates:2026-12-01..2026-12-05 reason:family visit
cmd-approval-request-file = a document for the request (a quote, a receipt)
cmd-approval-approve = Approve the step waiting for you
cmd-approval-approve-id = request number, e.g. 12
cmd-approval-approve-note = a note for the requester
cmd-approval-reject = Reject a request, with the reason
cmd-approval-reject-id = request number
cmd-approval-reject-reason = why (asked for when left out)
cmd-approval-changes = Send a request back for changes, saying which
cmd-approval-changes-id = request number
cmd-approval-changes-reason = what to change (asked for when left out)
cmd-approval-withdraw = Withdraw your request while it is open
cmd-approval-withdraw-id = request number
cmd-approval-resubmit = Send your request again after changes were asked for, with the fields that changed
cmd-approval-resubmit-id = request number
cmd-approval-resubmit-fields = the changed fields as name:value
cmd-approval-resubmit-file = a document for the request (a quote, a receipt)
cmd-approval-show = A request's fields, route and full history
cmd-approval-show-id = request number
cmd-approval-delegate = Let someone decide your approvals until a date
cmd-approval-delegate-person = who, e.g. @carol
cmd-approval-delegate-until = until <date>, e.g. until 2026-12-10 or until friday
cmd-approval-undelegate = End your delegation now
cmd-approval-list = Requests waiting for you (pending), your own (mine), or everyone's (all, admins)
cmd-approval-list-which = pending, mine or all (default pending)
cmd-approval-list-type = only this type
cmd-approval-list-status = only this status
cmd-approval-list-since = made on or after this date, e.g. 2026-11-01
cmd-approval-list-page = page number

noun-request = approval request
noun-page = page

# Fixed words as the menus show them (the value typed stays the word).
choice-pending = pending
choice-mine = mine
choice-all = all
choice-approved = approved
choice-rejected = rejected
choice-changes = changes
choice-withdrawn = withdrawn
