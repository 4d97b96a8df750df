# What the help commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-help = List the commands, or explain one
cmd-help-command = a command name, e.g. ticket
