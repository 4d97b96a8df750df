# What the reminders commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-remind = Get a direct message at a time
cmd-remind-when = e.g. in 2h, tomorrow 9:00, next monday 10:00, 2026-12-01 15:00
cmd-remind-text = what to remind you of

rate-reminders = new reminders
