# What the schedules commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-schedule = Your schedule (busy, away), and the recurring jobs from the config (admins)
cmd-schedule-jobs = List schedules with their next and last runs
