# What the tickets commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-ticket = Open and work on help-desk tickets
cmd-ticket-new = Open a ticket; it is posted to the support queue
cmd-ticket-new-title = what is wrong, in a line
cmd-ticket-new-priority = how urgent (default normal)
cmd-ticket-list = List tickets: the queue for agents, your own for everyone else
cmd-ticket-list-status = which tickets (default active)
cmd-ticket-list-mine = only tickets you opened or hold
cmd-ticket-show = Show a ticket and its history
cmd-ticket-show-id = ticket number, e.g. 12 or #12
cmd-ticket-claim = Take a ticket from the queue
cmd-ticket-claim-id = ticket number
cmd-ticket-close = Close a ticket (its agent, any agent, or the requester withdrawing it)
cmd-ticket-close-id = ticket number
cmd-ticket-close-resolution = what fixed it

noun-ticket = ticket
rate-tickets = new tickets

# Fixed words as the menus show them (the value typed stays the word).
choice-low = low
choice-normal = normal
choice-high = high
choice-urgent = urgent
choice-open = open
choice-claimed = claimed
choice-closed = closed
choice-active = active
choice-all = all
choice-yes = yes
choice-no = no
