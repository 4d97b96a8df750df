# 提醒命令的说明：用于 /help、用法提示和各平台的命令菜单（每条不超过 100 个字符）。

cmd-remind = 在指定时间给你发私信提醒
cmd-remind-when = 如 in 2h、明天 9:00、下周一 10:00、2026-12-01 15:00
cmd-remind-text = 提醒内容

rate-reminders = 条新提醒
