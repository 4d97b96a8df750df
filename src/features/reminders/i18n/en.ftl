# Personal reminders.

set = I'll remind you on { $at } ({ $zone }): { $text }
already = You already have that reminder for { $at } ({ $zone }).
reminder = Reminder: { $text }

# What free text is called when it is too long.
limit-text = reminder text
