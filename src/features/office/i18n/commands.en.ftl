# What the office commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-report = Reports
cmd-report-office = The office at a glance: help desk, approvals and meetings side by side
cmd-report-office-period = week, month, a month (2026-11) or days (2026-11-01..2026-11-30); default week
