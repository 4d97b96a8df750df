# 配置中的定时任务（管理员可见）。

none = 没有定时任务。可以在配置文件中用 [[schedules]] 声明。
list = 定时任务：
line = { $name } · { $job } · “{ $cron }” { $zone } · 补跑策略 { $catch_up } · 下次 { $next } · 上次 { $last }
next-at = { $at }（{ $zone }）
never = 从未
