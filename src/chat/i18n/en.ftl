# What the chat layer itself says: mistakes in a command line, refusals before any
# feature runs, questions that cannot be answered, failures.

usage = { $problem }
    Usage: { $usage }
unknown-command = I don't know /{ $name }. /help lists what I can do.
unknown-command-maybe = I don't know /{ $name }. Did you mean /{ $suggestion }? (/help lists everything)
not-a-command = Commands start with /. Try /help.
needs-role = Only { $role ->
    [admin] admins
    [agent] agents
    [manager] managers
   *[staff] staff
} can use /{ $command }. Ask an admin if you need the { $role } role.
internal-error = Sorry, something went wrong on my side and nothing was changed by this message. (ref { $reference })
plain-text = I read commands, not chat: they start with /. Send /help to see them all.
anonymous-admin = You are writing as the group (an anonymous admin), so I cannot tell who you are or check your rights. Turn off "Remain anonymous" in your admin settings, or send me the command in a private chat.
too-many-mentions = That message mentions { $count } people; a command can name at most { $max }. Nothing was changed.
rate-limited = Slow down: at most { $per_minute } { $what } a minute. Try again in { $seconds } s. Nothing was changed.
too-far-ahead = that is too far ahead: dates can be at most { $max_days } days ahead (until { $until } { $zone }).
time-passed = { $at } ({ $zone }) has already passed; pick a time in the future, e.g. in 2h or tomorrow 9:00.
stale-button = That button is no longer valid.
unknown-person = I don't know @{ $handle } yet — they need to write to me once (any message) before I can act on them.
prompt-unknown = That question is no longer open. Press the button again to be asked anew.
prompt-expired = That question has expired. Press the button again to be asked anew.
prompt-not-yours = That question was put to { $name }; only they can answer it.
prompt-answered = That question has already been answered.
prompt-empty = The answer is empty: reply with some text.
prompt-takes-no-file = That question takes text, not a file: reply with text only. Nothing was changed.
takes-no-file = /{ $command } takes no file; send it without one. Nothing was changed.
too-many-files = That message carries { $count } files; a command takes at most { $max }. Nothing was changed.
file-too-large = The file { $name } is { $size }; files of at most { $max } are taken. Nothing was changed.
file-no-name = A file without a name cannot be taken. Nothing was changed.
file-unreadable = The file { $name } could not be fetched from the messenger ({ $why }); send it again. Nothing was changed.
late = (late: this was due at { $due } UTC; Deskmate was not running then)

# The command line's own problems (the parser).
parse-quote-open = a quote is not closed: add the closing { $close }
parse-which = which one? Pick a subcommand
parse-unknown-sub = unknown subcommand `{ $sub }`
parse-unknown-sub-maybe = unknown subcommand `{ $sub }`; did you mean `{ $suggestion }`?
parse-given-twice = `{ $key }:` is given twice
parse-option = { $key }: { $problem }
parse-missing = <{ $name }> is missing ({ $help })
parse-arg = <{ $name }>: { $problem }
parse-quoted = `{ $text }` should not be quoted
parse-unexpected = unexpected `{ $text }`
parse-empty = is empty
parse-not-moment = `{ $raw }` is not a date and time I can read; try 2026-12-01 15:00, tomorrow 9:00, in 2h or next monday 10:00
parse-not-number = `{ $raw }` is not a { $noun } number
parse-not-mention = `{ $raw }` is not a mention; write @name
parse-not-choice = `{ $raw }` is not one of { $choices }
parse-not-zone = `{ $raw }` is not an IANA time zone such as Europe/Berlin or Asia/Shanghai
parse-file-typed = a file cannot be typed; attach it to the message
parse-not-length = `{ $raw }` is not a length of time; write e.g. 30m, 1h or 1h30m
parse-not-period = `{ $raw }` is not a period; write week, month, a month such as 2026-11, or days such as 2026-11-01..2026-11-30
parse-period-backwards = `{ $raw }` ends before it starts; put the earlier day first
parse-period-future = `{ $raw }` has not begun yet; a report counts what has happened
parse-period-too-long = a period spans at most { $days } days; pick a shorter one

# /help and usage lines. Command, option and argument names are syntax, the same in
# every language; what each is for is in its feature's command text.
usage-file = [+ attached file]
help-list = Commands (/help <command> for details):
help-entry = { $usage } — { $help }
help-for-role = for { $role ->
    [admin] admins
    [agent] agents
    [manager] managers
   *[staff] staff
}
help-summary-for-role = { $help } ({ $role ->
    [admin] admins
    [agent] agents
    [manager] managers
   *[staff] staff
})
rate-commands = commands

# Free text over its limit; `what` is the feature's name for the text (limit-…).
too-long = The { $what } is { $len } characters long; at most { $max } are allowed. Nothing was changed.
limit-answer = answer
limit-message = message
