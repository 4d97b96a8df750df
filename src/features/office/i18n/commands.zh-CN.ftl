# 办公统计命令及其参数的说明：/help、用法错误、菜单（每条最多 100 个字符，Discord 的上限）。

cmd-report = 报表
cmd-report-office = 办公概览：服务台、审批和会议并列
cmd-report-office-period = week、month、某月（2026-11）或日期范围（2026-11-01..2026-11-30）；默认 week
