# What the tickets commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-ticket = Open and work on help-desk tickets
cmd-ticket-new = Open a ticket; it is posted to the support queue
cmd-ticket-new-title = what is wrong, in a line
cmd-ticket-new-priority = how urgent (default normal)
cmd-ticket-new-category = what kind (IT, facilities…): its team and queue
cmd-ticket-list = List tickets: the queue for agents, your own for everyone else
cmd-ticket-list-status = which tickets (default active)
cmd-ticket-list-mine = only tickets you opened or hold
cmd-ticket-show = Show a ticket and its history
cmd-ticket-show-id = ticket number, e.g. 12 or #12
cmd-ticket-history = Show who did what to a ticket, when, and from where
cmd-ticket-history-id = ticket number
cmd-ticket-claim = Take a ticket from the queue
cmd-ticket-claim-id = ticket number
cmd-ticket-start = Mark a claimed ticket in progress (or back from waiting)
cmd-ticket-start-id = ticket number
cmd-ticket-wait = Mark a ticket waiting on its requester, with what you need from them
cmd-ticket-wait-id = ticket number
cmd-ticket-wait-question = what you need from the requester
cmd-ticket-resolve = Resolve a ticket; its requester may reopen it if it is not fixed
cmd-ticket-resolve-id = ticket number
cmd-ticket-resolve-resolution = what fixed it
cmd-ticket-close = Close a ticket (its agent, any agent, or the requester withdrawing it)
cmd-ticket-close-id = ticket number
cmd-ticket-close-resolution = what fixed it
cmd-ticket-reopen = Reopen a resolved or closed ticket (requesters within a window, agents any time)
cmd-ticket-reopen-id = ticket number
cmd-ticket-reopen-why = what is still wrong
cmd-ticket-assign = Give a ticket to an agent of its team
cmd-ticket-assign-id = ticket number
cmd-ticket-assign-agent = the agent, e.g. @carol
cmd-ticket-unassign = Take a ticket off its agent and put it back in the queue
cmd-ticket-unassign-id = ticket number
cmd-ticket-move = Move a ticket to another category, its queue and its team
cmd-ticket-move-id = ticket number
cmd-ticket-move-category = the category, e.g. facilities

noun-ticket = ticket
rate-tickets = new tickets

# Fixed words as the menus show them (the value typed stays the word).
choice-low = low
choice-normal = normal
choice-high = high
choice-urgent = urgent
choice-open = open
choice-claimed = claimed
choice-working = working
choice-resolved = resolved
choice-closed = closed
choice-active = active
choice-all = all
choice-yes = yes
choice-no = no
