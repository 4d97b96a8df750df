# 帮助命令的说明：用于 /help、用法提示和各平台的命令菜单（每条不超过 100 个字符）。

cmd-help = 列出所有命令，或说明某个命令
cmd-help-command = 命令名，如 ticket
