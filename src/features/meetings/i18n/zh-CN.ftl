# 会议：安排与答复、系列会议、提醒、会议纪要与待办、会议室、工作时间、个人日程、
# 日程概览、每日摘要和日历订阅。

## 词语

# 列表各项之间（人名、星期、提醒）。
list-separator = 、
meeting-name = { $title }（#{ $id }）
# $span：开始和结束时间；$zone：时区。
when = { $span }（{ $zone }）
# $answer：pending、accepted、tentative、declined。
answer-word = { $answer ->
    [accepted] 已接受
    [tentative] 待定
    [declined] 已拒绝
   *[pending] 未答复
}
# 日程条目：$kind 为 busy 或 away；$has_note 为 yes 时带备注。
entry-what = { $kind ->
    [away] 外出
   *[busy] 忙碌
}{ $has_note ->
    [yes] （{ $note }）
   *[no] {""}
}
default-title = 会议

## 会议详情，每项一行

detail-repeats = 重复：{ $rule }
detail-room = 会议室：{ $room }
detail-link = 入会链接：{ $link }
detail-agenda = 议程：{ $agenda }
organised-by = 组织者：{ $name }

## 重复规则

repeat-daily = 每天
repeat-weekdays = 每个工作日
repeat-weekly = 每周的{ $days }
repeat-biweekly = 每两周的{ $days }
repeat-every-weeks = 每 { $weeks } 周的{ $days }
repeat-monthly-day = 每月 { $date } 日
# $nth：first、second、third、fourth、last。
repeat-monthly-nth = 每月{ $nth ->
    [first] 第一个
    [second] 第二个
    [third] 第三个
    [fourth] 第四个
   *[last] 最后一个
}{ $weekday }
repeat-rule = RRULE { $rule }

## 按钮

button-answer = { $answer ->
    [accepted] 接受
    [tentative] 待定
    [declined] 拒绝
   *[pending] 未答复
}
# $moving：yes（因冲突暂缓的改期），no（新会议）。
button-anyway = { $moving ->
    [yes] 仍然改期
   *[no] 仍然安排
}

## 安排会议

scheduled = 会议 { $meeting } 已安排在 { $when }。
# $capped：规则超出系列会议最多提前安排的 $horizon 天时为 yes。
scheduled-series = 共 { $count } 次，第一次 { $first }，最后一次 { $last }。{ $capped ->
    [yes] 系列会议最多提前安排 { $horizon } 天：到时请再安排一次以继续。
   *[no] {""}
}
scheduled-with = 参会人：{ $names }
# $reminders：提前多久（$has_reminders 为 yes 时）。
scheduled-invitations = 邀请已发出；{ $has_reminders ->
    [yes] 会前 { $reminders } 提醒
   *[no] 不设提醒
}。/meeting cancel { $id } 可以取消会议。
answers-line = { $answer ->
    [accepted] 已接受
    [tentative] 待定
    [declined] 已拒绝
   *[pending] 未答复
}（{ $count }）：{ $names }
answer-with-note = { $name }（{ $note }）

# $later：系列会议中第一次之后还有几次冲突。
what-clashes = { $at } 的 { $title }{ $later ->
    [0] {""}
   *[other] 及之后的 { $later } 次
}
conflicts = { $what } 与以下安排冲突：
conflict-line = { $person }：{ $what }，{ $start }–{ $end }
conflicts-more = ……另有 { $count } 项
conflicts-hint = 可以点按钮仍然安排，或者换个时间。

end-without-repeat = until: 和 times: 用来设定系列会议的结束；请加上 repeat:，例如 repeat:weekly until:2027-03-31。没有安排任何会议。
bad-repeat = repeat:{ $typed } 无法识别：{ $why }。可以写 daily、weekdays、weekly、weekly:mon,thu、biweekly、monthly、monthly:second-tue，或 RRULE，例如 FREQ=WEEKLY;BYDAY=MO。没有安排任何会议。
repeat-not-weekdays = “{ $typed }”不是星期列表，例如 mon,thu
repeat-not-nth = “{ $typed }”：请写成 second-tue 或 last-fri 这样的形式
repeat-not-weekday = “{ $typed }”不是星期几，例如 tue
repeat-end-in-rule = 结束请用 times:<n> 或 until:<date> 设定，不要用 COUNT 或 UNTIL
repeat-unknown = 不认识“{ $typed }”这种重复方式
repeat-too-often = 会议最多每天重复一次
repeat-no-times = 从第一次起一次也没有（until: 是否早于开始时间？）
series-overlaps = 各次会议会相互重叠：每次持续 { $length }，比两次之间的间隔还长。没有做任何更改。

too-long = 会议最长 { $length }。没有安排任何会议。
not-a-link = link:“{ $typed }”不是链接（https://…）。没有安排任何会议。
unknown-channel-none = 没有频道组“{ $name }”：还没有配置任何频道组（[channels] groups）。没有安排任何会议。
unknown-channel = 没有频道组“{ $name }”；现有的频道组：{ $known }。没有安排任何会议。
bad-reminders = remind: 有误：{ $problem }；请写成例如 remind:1d,15m 或 remind:none。没有安排任何会议。
reminder-unreadable = “{ $offset }”不是时长，例如 30m、1h30m 或 2d
reminder-out-of-range = “{ $offset }”：提醒须在会前 1 分钟到 30 天之间
reminders-too-many = 最多只能设 5 个提醒
not-someone = “{ $word }”既不是 @某人 也不是 #部门；请写成例如 with:@bob @carol #Sales。没有安排任何会议。
unknown-department = 没有部门“{ $name }”（/dept list 可以查看所有部门）。没有安排任何会议。
too-many-attendees = 一共 { $count } 人；一场会议最多 { $max } 人。没有安排任何会议。
draft-gone = 这场会议已经安排或已放弃；请用 /meeting schedule 重新安排。
not-your-draft = 只有安排这场会议的人才能确认。没有做任何更改。

## 频道通知和邀请

notice = 📅 { $meeting } — { $when }
invitation = 📅 { $organizer } 邀请你参加 { $meeting }，时间：{ $when }。
invitation-series = 你的答复适用于每一次会议；每次提醒时可以单独答复那一次。
invitation-ask = 你会参加吗？
# $answer：目前的答复（同 answer-word）。
invitation-answered = 你的答复：{ $answer }。可以在下方修改。

## 答复

answered = { $answer ->
    [accepted] 你已接受 { $meeting }。
    [tentative] 你对 { $meeting } 的答复是待定。
    [declined] 你已拒绝 { $meeting }。
   *[pending] 你还没有答复 { $meeting }。
}
answered-series = { $answer ->
    [accepted] 你已接受 { $meeting } 之后的每一次会议。
    [tentative] 你对 { $meeting } 之后每一次会议的答复都是待定。
    [declined] 你已拒绝 { $meeting } 之后的每一次会议。
   *[pending] 你还没有答复 { $meeting } 之后的会议。
}
answered-once = { $answer ->
    [accepted] 你已接受 { $meeting } 在 { $when } 的这一次（仅限这一次）。
    [tentative] 你对 { $meeting } 在 { $when } 这一次的答复是待定（仅限这一次）。
    [declined] 你已拒绝 { $meeting } 在 { $when } 的这一次（仅限这一次）。
   *[pending] 你还没有答复 { $meeting } 在 { $when } 的这一次。
}
ask-decline-note = 你已拒绝 { $meeting }。要给 { $organizer } 留言吗？（可选：原因，或由谁代为参加）
declined-for-organizer = { $who } 拒绝了 { $meeting }。
declined-for-organizer-note = { $who } 拒绝了 { $meeting }：{ $note }
note-kept = 你的留言已转达。
no-longer-declined = 你已经不再拒绝这场会议，所以留言没有保存。没有做任何更改。
series-over = { $meeting } 之后没有邀请你参加的场次了。没有做任何更改。

reminder = ⏰ { $meeting } 将在 { $offset } 后开始：{ $when }。

## 查看和列表

# $cancelled：整场会议已取消时为 yes。
show-title = { $meeting }{ $cancelled ->
    [yes] （已取消）
   *[no] {""}
}
minutes-line = 会议纪要（{ $author }）：{ $text }
actions = 待办事项：
action-line = { $owner }：{ $text }（截止 { $due }）
# $count：所显示这次之后还有几次；$last：其中最后一次。
series-later = { $count ->
    [1] 之后还有一次：{ $last }
   *[other] 之后还有 { $count } 次，最后一次：{ $last }
}
series-last = 这是该系列的最后一次
series-called-off = 已取消的场次：{ $days }
list-none = 接下来没有会议。/meeting schedule 可以安排会议。
list-head = 你接下来的会议：
list-line = #{ $id } { $title } — { $when }（{ $answer }）

not-found = 没有会议 #{ $id }。/meeting list 可以查看你的会议。
not-yours-to-see = 你无权查看 #{ $id }：只有组织者、受邀人和管理员可以查看。
not-yours-to-change = 只有 { $organizer }（组织者）或管理员可以修改 { $meeting }。没有做任何更改。
is-cancelled = { $meeting } 已取消。没有做任何更改。
is-over = { $meeting } 已结束。没有做任何更改。
not-invited = 你没有受邀参加 { $meeting }；请联系 { $organizer } 邀请你。没有做任何更改。

## 取消、跳过、改期

cancelled = 会议 { $meeting } 已取消，已通知所有受邀人。
cancelled-notice = ❌ 已取消：{ $meeting } — { $when }
reason-line = 原因：{ $reason }
# $has_reason：组织者写了原因 $reason 时为 yes。
cancelled-for-attendee = ❌ { $by } 取消了 { $meeting }，原定时间：{ $when }。{ $has_reason ->
    [yes] 原因：{ $reason }
   *[no] {""}
}
no-time-on = { $meeting } 在 { $day } 没有安排；/meeting show { $id } 可以查看所有时间。没有做任何更改。
skip-needs-series = { $meeting } 只举行一次：/meeting cancel { $id } 可以取消，/meeting move { $id } 可以改期。没有做任何更改。
# $also：一并取消的后续场次数（系列会议到此结束）。
skipped = { $meeting } 在 { $when } 的这一次已取消{ $also ->
    [0] ，其他场次不变
    [1] ，之后的一次也一并取消，系列会议到此结束
   *[other] ，之后的 { $also } 次也一并取消，系列会议到此结束
}。已通知所有受邀人。
skipped-for-attendee = ❌ { $by } 取消了 { $meeting } 在 { $when } 的这一次{ $also ->
    [0] ，其他场次不变
    [1] ，之后的一次也一并取消，系列会议到此结束
   *[other] ，之后的 { $also } 次也一并取消，系列会议到此结束
}。{ $has_reason ->
    [yes] 原因：{ $reason }
   *[no] {""}
}
# $also：一并改期的后续场次数。
moved = 会议 { $meeting } 已改到 { $when }{ $also ->
    [0] {""}
    [1] （之后的一次也顺延相同时间）
   *[other] （之后的 { $also } 次也顺延相同时间）
}；已请所有受邀人重新答复。
moved-for-attendee = 🔁 { $by } 把 { $meeting } 从 { $was } 改到了 { $now }{ $also ->
    [0] {""}
    [1] （之后的一次也顺延相同时间）
   *[other] （之后的 { $also } 次也顺延相同时间）
}。你的邀请已更新，请重新答复。

## 邀请和移除

invited-none = 名单上的人都已受邀参加 { $meeting }。没有做任何更改。
invited = 已邀请参加 { $meeting }：{ $names }。每人都会收到邀请。
cannot-remove-organizer = { $organizer } 是 { $meeting } 的组织者；请改为取消会议。没有做任何更改。
was-not-invited = { $who } 没有受邀参加 { $meeting }。没有做任何更改。
removed = 已把 { $who } 移出 { $meeting } 的受邀名单，并通知了对方。
removed-for-attendee = { $by } 已把你移出 { $meeting }：你不再受邀参加。

## 会议室

room-line = { $room }（可容纳 { $capacity } 人{ $has_location ->
    [yes] ，{ $location }
   *[no] {""}
}）
rooms-none = 还没有配置会议室（[[meetings.rooms]]）。
rooms-head = 会议室：
free-rooms-none = { $from }–{ $to }（{ $zone }）没有空闲的会议室。
free-rooms-head = { $from }–{ $to }（{ $zone }）空闲的会议室：
unknown-room-none = 没有会议室“{ $name }”：还没有配置任何会议室。没有安排任何会议。
unknown-room = 没有会议室“{ $name }”；现有的会议室：{ $rooms }。没有安排任何会议。
room-too-small = { $room } 可容纳 { $capacity } 人，这场会议有 { $people } 人。请换一间更大的会议室（/room list）。没有做任何更改。
room-taken = { $room } 在这个时段已被预订：{ $what }，预订人 { $by }，{ $start }–{ $end }。/room free 可以查看空闲的会议室。没有做任何更改。

## 会议纪要和待办

minutes-empty = { $meeting } 的会议纪要是空的：请在编号后写上纪要、附上链接或文件。没有保存任何内容。
one-minutes-file = 会议纪要只能附一个文件；其他文件请单独发送。没有保存任何内容。
minutes-kept = { $meeting } 的会议纪要已保存，并发送给 { $count } 人。
minutes-for-attendee =
    📝 { $by } 发来了 { $meeting } 的会议纪要：
    { $minutes }
action-given = 已给 { $owner } 添加 { $meeting } 的待办：{ $action }（截止 { $due }）。已通知对方，截止前会提醒。
action-for-owner = ✅ { $by } 给你分配了 { $meeting } 的待办：{ $action }。截止时间：{ $due }（{ $zone }）。
action-reminder = ⏰ { $due }（{ $zone }）截止：{ $action }（{ $meeting } 的待办）。
# 为待办创建的工单标题。
action-ticket-title = { $action }（负责人 { $owner }，截止 { $due }，来自会议 #{ $id }）

## 个人日程

entry-added = 已加入你的日程，类型为“{ $kind ->
    [away] 外出
   *[busy] 忙碌
}”（条目 { $id }）：{ $span }（{ $zone }）。这段时间安排的会议会显示冲突。
entries-none = 你接下来的日程是空的。/schedule add <when> <what> 可以占用一段时间。
entries-head = 你的日程（{ $zone }）：
entry-removed = 条目 { $id } 已从你的日程中移除。
no-entry = 你没有条目 { $id }（/schedule list 可以查看）。没有做任何更改。
entry-too-long = 一个条目最长 { $days } 天；更长的时间请分成几条添加。没有添加任何内容。

## 日程概览和每日摘要

# $answer：同 answer-word；$has_room 为 yes 时有会议室 $room。
agenda-meeting = { $start }–{ $end } { $meeting }（{ $answer }{ $has_room ->
    [yes] ，{ $room }
   *[no] {""}
}）
# $when：today、tomorrow 或 week。
agenda-title = { $when ->
    [week] 你本周的日程：{ $date } 起（{ $zone }）
    [tomorrow] 你明天的日程：{ $date }（{ $zone }）
   *[other] 你今天的日程：{ $date }（{ $zone }）
}
agenda-nothing = 日历上没有安排。
agenda-waiting = 等你处理：
digest-title = ☀️ 你的一天：{ $date }（{ $zone }）
digest-off-hint = （/schedule digest off 可以关闭每日摘要。）
digest-on = 每日摘要已开启：在你的工作日（{ $hours }）{ $at }（{ $zone }）发送，当天有安排时才发。
digest-off = 每日摘要已关闭。/schedule digest on 可以重新开启。

## 查找时间、工作时间

findtime-needs-length = 请在参会人后面写上时长：/meeting findtime @bob @carol 45m [within:week] [title:"Design sync"]。没有做任何更改。
bad-within = within:{ $typed } 无法识别：请写 today、tomorrow、week，或不超过 { $max }d 的天数（例如 within:3d）。没有做任何更改。
free-times = 以下时间大家都有空（都在各自的工作时间内），时长 { $length }（{ $zone }）：
free-times-hint = 点选一个时间即可安排 { $title }。
no-free-time = 在 { $until } 之前，所有人的工作时间里都凑不出 { $length } 的共同空闲。可以缩短会议、改用 within:14d，或减少参会人。

# 连续的工作日，从 $first 到 $last。
work-days = { $first }至{ $last }
work-hours-text = { $days } { $from }–{ $to }
work-hours = 你的工作时间：{ $hours }（{ $zone }）。/schedule hours default 可以恢复为公司默认（{ $default }）。
work-hours-default = 你的工作时间是公司默认：{ $default }（{ $zone }）。可以自己设置，例如 /schedule hours mon-fri 08:00-16:00。
work-hours-set = 你的工作时间已设为 { $hours }（{ $zone }）：/meeting findtime 会在这个范围内查找。
work-hours-reset = 你的工作时间已恢复为公司默认：{ $default }。
bad-work-hours = “{ $typed }”：{ $problem }。请写成例如 /schedule hours mon-fri 09:00-17:30，或 /schedule hours default。没有做任何更改。
hours-not-days = “{ $typed }”不是星期列表，例如 mon-fri 或 mon,wed,fri
hours-not-span = “{ $typed }”不是时间段，例如 09:00-17:30
hours-backwards = “{ $typed }”：结束时间早于开始时间
hours-incomplete = 请先写星期，再写时间段

## 办公统计

insight-heading = 会议
insight-held = 已开会议：{ $held } 场；出席率 { $percent }%（{ $invited } 份邀请中 { $accepted } 份接受，{ $declined } 份拒绝）。
insight-held-none = 已开会议：此期间没有。

## 日历订阅

feed-off = 日历订阅需要 Deskmate 的 HTTP 监听服务，目前没有开启：请管理员在配置中设置 [http] listen（以及 public_url）。
feed-link =
    你的日历订阅地址（包含你受邀的所有会议）：{ $url }
    请在日历应用中订阅。请不要外传：拿到这个地址的人都能看到你的会议。/ical reset 可以生成新地址。
feed-reset = 你的日历订阅地址已更换，旧地址不再有效：{ $url }

# 文字过长时对它的称呼。
limit-title = 标题
limit-agenda = 议程
limit-note = 备注
limit-reason = 原因
limit-minutes = 会议纪要
limit-action = 待办事项

