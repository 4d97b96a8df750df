# 审批：配置中声明的各类申请、按组织架构生成的审批流程、发给审批人的消息、申请人收到的
# 进展、列表和统计。类型名称、标题、字段名和步骤名来自配置，按原样显示。

## 多条消息共用的部分。

request = { $title } #{ $id }
step = 第 { $position } 步（{ $label }）
approvers = { $rule ->
    [any] { $names } 中的任意一人
    [all] { $names } 全员
   *[one] { $names }
}
separator = 、
separator-strong = ；
field-line = { $label }：{ $value }
field-line-days = { $label }：{ $value }（{ $days } 天）
request-status = { $status ->
    [pending] 待审批
    [approved] 已通过
    [rejected] 已拒绝
    [changes] 待修改
   *[withdrawn] 已撤回
}
button-approve = 同意
button-reject = 拒绝
button-changes = 要求修改

## 字段接受什么，以及填写的值有什么问题。

hint-text = 文本
hint-amount = 以 { $currency } 计的金额，例如 1200、1,200.50 或 1200 { $currency }
hint-dates-half = 日期或日期范围，例如 明天、12月7日、2026-12-01..2026-12-05、12月7日下午..12月9日上午
hint-dates = 日期或日期范围，例如 明天、12月7日..12月9日、2026-12-01..2026-12-05
hint-choice = 以下之一：{ $options }
hint-link = 链接，https://…
hint-document = 附件，或链接 https://…

field-problem = { $field }：{ $problem }
problem-empty = 为空；请填写{ $hint }
problem-too-long = 最多 { $max } 个字符（当前 { $len } 个）
problem-not-amount = “{ $typed }”不是有效的金额（例如 1200、1,200.50 或 1200 { $currency }）
problem-other-currency = 此申请的金额以 { $currency } 计，不能使用 { $given }
problem-other-symbol = 此申请的金额以 { $currency } 计，不能使用 { $symbol }（{ $codes }）
problem-not-positive = 金额必须大于零
problem-decimals = { $places ->
    [0] { $currency } 金额不能有小数
   *[other] { $currency } 金额最多保留 { $places } 位小数
}
problem-too-large = 金额“{ $typed }”过大
problem-not-choice = “{ $typed }”不是可选项，可选：{ $options }
problem-not-link = “{ $typed }”不是链接（https://…）
problem-link-too-long = 链接最多 { $max } 个字符
problem-or-attach = { $problem }；也可以把文件作为附件随消息发送
problem-no-half-days = 此申请不支持半天（am/pm）
problem-ends-before-start = 结束日期（{ $end }）早于开始日期（{ $start }）
problem-halves-reversed = 日期范围只能从某天下午（pm）开始，或在某天中午（am）结束，不能反过来
problem-half-day-alone = 单独一天可以是上午（am）、下午（pm）或全天
problem-too-many-days = 最多 { $max } 天
problem-not-date = “{ $typed }”不是日期（例如 明天、下周五、12月7日、2026-12-01）

## 发起申请。

types-none = 还没有设置任何审批类型：请管理员在配置中添加（[[approvals.types]]）。
types-head = 可以发起的审批（/approval request <类型> 字段名:值 …）：
type = { $name }（{ $title }）
type-field = { $name }：{ $hint }{ $optional ->
    [yes] （选填）
   *[no] {""}
}
type-step-when = { $label }（当 { $when } 时）
type-route = 审批流程：{ $steps }
type-route-then = {" → "}

unknown-type-none = 没有审批类型“{ $kind }”：目前还没有设置任何类型（请管理员在配置中添加）。
unknown-type = 没有审批类型“{ $kind }”。可用的类型：{ $types }。（/approval types 可查看各类型的字段）
unknown-field = { $type } 申请没有字段“{ $name }”。它的字段有：{ $fields }。
unknown-field-maybe = { $type } 申请没有字段“{ $name }”。你是想写 { $suggestion } 吗？它的字段有：{ $fields }。
field-twice = “{ $name }:” 写了两次。
write-fields-named = 请把每个字段写成 字段名:值。
bad-field = { $problem }。未提交任何申请。
missing-fields = 缺少：{ $fields }。未提交任何申请。
missing-field = { $name }（{ $hint }）
usage = 用法：/approval request { $type } { $fields }
usage-file = 链接或附件

ask-field = { $title }申请{ $left ->
    [1] {""}
   *[other] （还有 { $left } 个问题）
}：{ $label }？请填写{ $hint }。
ask-file = { $title }申请{ $left ->
    [1] {""}
   *[other] （还有 { $left } 个问题）
}：{ $label }？请回复并附上文件，或发送链接 https://…；也可以带上文件重新发起申请。

too-many-files-none = { $type } 申请不接受文件，但随消息发来了 { $count } 个文件。未提交任何申请。
too-many-files = { $type } 申请{ $slot_count ->
    [1] 只接受一个文件（{ $slots }）
   *[other] 的 { $slots } 各接受一个文件
}，但随消息发来了 { $count } 个文件。已填写链接的字段不再接受文件；要指定文件对应哪个字段，只写字段名、后面不跟内容（例如 { $first }:）。未提交任何申请。
document-too-large = { $name } 大小为 { $size }；申请附带的文件最大 { $max } MB，以确保每位审批人的聊天软件都能收到。请改为提供链接。未提交任何申请。
one-file-per-answer = { $label } 只接受一个文件：请只回复一个。没有做任何更改。
bad-answer = { $problem }。请重新回答：{ $hint }。
draft-gone = 这份申请已经提交或已过期；请用 /approval request 重新发起。

## 申请已提交，以及审批流程。

requested = { $request } 已提交。
requested-tail = 每一步的进展都会通知你。/approval withdraw { $id } 可以撤回。
resubmitted = { $request } 已重新提交。
route-head = 审批流程：
route-line = { $position }. { $label }：{ $approvers }
route-line-note = { $position }. { $label }：{ $approvers }（{ $note }）

note-moved-up = 这一步本应由 { $requester } 本人审批，因此转给其上级
note-to-admins = 已转交管理员：{ $why }
why-no-manager = { $person } 在通讯录中没有上级
why-no-department = 没有名为“{ $department }”的部门
why-department-without-manager = { $department } 没有负责人
why-nobody-holds = 没有其他人拥有{ $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}角色
why-not-seen-yet = { $addresses } 还没有使用过 Deskmate
why-own-step-without-manager = 这一步本应由 { $requester } 本人审批，但其没有上级
no-route = 没有人能审批“{ $label }”这一步：{ $why }，而且除你之外没有其他管理员。未提交任何申请。

## 发给审批人的消息。

prompt = { $requester } 的 { $request } 等待你审批：{ $step }。
prompt-all = 这一步需要所有审批人同意。
prompt-behalf = （你代 { $name } 审批。）
prompt-decided = { $requester } 的 { $request }：{ $step }。
decided-by = { $by }{ $behalf ->
    [yes] （代 { $for }）
   *[no] {" "}
}已于 { $at } { $decision ->
    [approve] 同意
    [reject] 拒绝
   *[changes] 要求修改
}{ $reason_given ->
    [yes] ：{ $reason }
   *[no] {""}
}
prompt-withdrawn = { $requester } 的 { $request }。
withdrawn-line = { $requester } 已撤回申请，无需审批。
reminder = 提醒：这项审批仍在等你处理{ $started ->
    [yes] （自 { $since } { $zone } 起）
   *[no] {""}
}。
escalated-to-you = 已升级给你：原审批人未在时限内处理。
moved-to-you = 因委托转给你处理。

## 审批。

you-decided = 你{ $behalf ->
    [yes] 代 { $for }{" "}
   *[no] {""}
}{ $decision ->
    [approve] 同意了
    [reject] 拒绝了
   *[changes] 要求修改
} { $request } 的{ $step }。
ask-reject = 你为什么拒绝 { $request }？{ $requester } 会看到你的理由。
ask-changes = { $requester } 需要修改 { $request } 的哪些内容？
reason-needed-reject = 请写明理由：/approval reject { $id } <理由>
reason-needed-changes = 请写明要修改什么：/approval changes { $id } <修改内容>

not-open-approved = #{ $id } 已经{ $who ->
    [you] 由你
    [someone] 由 { $by }{" "}
   *[nobody] {""}
}审批通过。
not-open-rejected = #{ $id } 已经{ $who ->
    [you] 由你
    [someone] 由 { $by }{" "}
   *[nobody] {""}
}拒绝。
not-open-changes = #{ $id } 已经{ $who ->
    [you] 由你
    [someone] 由 { $by }{" "}
   *[nobody] {""}
}退回修改，正在等申请人处理。
not-open-withdrawn = #{ $id } 已被 { $requester } 撤回。
not-open-pending = #{ $id } 仍在审批中。
seat-taken = { $you ->
    [yes] 你
   *[no] { $by }{" "}
}已经{ $state ->
    [rejected] 拒绝了
    [changes] 要求修改了
   *[approved] 同意了
} #{ $id } 的{ $step }。
step-taken = { $who ->
    [you] 你已经处理过 #{ $id } 的{ $step }。
    [someone] { $by } 已经处理过 #{ $id } 的{ $step }。
   *[nobody] #{ $id } 的{ $step }已经处理完毕。
}
stale-prompt = 这条审批消息已过时：#{ $id } 现在处于{ $step }。没有做任何更改。
not-your-step = 只有 { $approvers }（或其委托的人）可以审批 #{ $id } 的{ $step }。没有做任何更改。

## 申请人收到的消息。

note-from = { $by } 的备注：{ $note }
partly-approved = { $by } 已同意你的 { $request }：{ $step }；仍在等待 { $names } 审批。
step-approved = { $by } 已同意你的 { $request }：{ $step }。下一步：{ $next }，由 { $approvers } 审批。
outcome-approved = 你的 { $request } 已通过：{ $by } 在{ $step }给出了最终同意。
outcome-rejected = 你的 { $request } 在{ $step }被 { $by } 拒绝。{ $reason_given ->
    [yes] 理由：{ $reason }
   *[no] {""}
}
outcome-changes = { $by } 在{ $step }要求你修改 { $request }。{ $reason_given ->
    [yes] 理由：{ $reason }
   *[no] {""}
}
outcome-changes-how = 修改后用 /approval resubmit { $id } 字段名:值 … 重新提交，或用 /approval withdraw { $id } 撤回。
outcome-status = 你的 { $request } { $status }。
escalated-for-requester = 你的 { $request } 在{ $step }等待过久：现在也发给了 { $names }。

## 发到频道存档的结果。

outcome-notice = { $requester } 的 { $request }：{ $status }{ $decided ->
    [yes] （{ $at }）
   *[no] {""}
}。
decider = { $by }{ $behalf ->
    [yes] （代 { $for }）
   *[no] {" "}
}{ $state ->
    [rejected] 已拒绝
   *[approved] 已同意
}

## 撤回和重新提交。

not-your-request = 只有 #{ $id } 的申请人可以{ $action ->
    [withdraw] 撤回
   *[resubmit] 重新提交
}它。
withdrawn = { $request } 已撤回，审批人收到的消息也已更新。
not-waiting-for-changes = #{ $id } { $status ->
    [pending] 仍在等待审批
    [approved] 已通过
    [rejected] 已被拒绝
    [withdrawn] 已撤回
   *[changes] 正在等待修改
}：只有被退回修改的申请才能重新提交。
type-gone = 审批类型“{ $kind }”已不再设置，这份申请无法重新提交。
not-found = 没有审批申请 #{ $id }。
not-yours-to-see = 你无权查看 #{ $id }：只有申请人、审批人和管理员可以查看。

## 一份申请的详情。

details = { $requester } 的 { $request }：{ $status }{ $round ->
    [1] {""}
   *[other] （第 { $round } 轮）
}
details-made = 提交于 { $at }。
details-step = { $position }. { $label }：{ $approvers } - { $state ->
    [pending] 等待审批
    [waiting] 尚未开始
    [approved] 已同意
    [rejected] 已拒绝
    [changes] 要求修改
   *[cancelled] 已取消
}
details-step-note = { $position }. { $label }：{ $approvers } - { $state ->
    [pending] 等待审批
    [waiting] 尚未开始
    [approved] 已同意
    [rejected] 已拒绝
    [changes] 要求修改
   *[cancelled] 已取消
}（{ $note }）
history = 记录：
history-line = { $at } { $who }（{ $platform }）：{ $kind ->
    [request] 提交申请
    [approve] 同意
    [reject] 拒绝
    [changes] 退回修改
    [withdraw] 撤回申请
    [resubmit] 重新提交
    [step] 环节通过
    [outcome] 审批结束
    [remind] 提醒审批人
    [escalate] 上报
   *[other] { $action }
}
history-line-detail = { $at } { $who }（{ $platform }）：{ $kind ->
    [request] 提交申请
    [approve] 同意
    [reject] 拒绝
    [changes] 退回修改
    [withdraw] 撤回申请
    [resubmit] 重新提交
    [step] 环节通过
    [outcome] 审批结束
    [remind] 提醒审批人
    [escalate] 上报
   *[other] { $action }
}：{ $detail }
# 事件详情以数据保存，在这里按读者的语言写出。
detail-field = { $name }：{ $value }
detail-decided = 第 { $step } 步（{ $label }）
detail-decided-behalf = 第 { $step } 步（{ $label }），代 { $behalf } 审批
detail-decided-reason = 第 { $step } 步（{ $label }）：{ $reason }
detail-decided-behalf-reason = 第 { $step } 步（{ $label }），代 { $behalf } 审批：{ $reason }
detail-step-approved = 第 { $step } 步（{ $label }）已通过
detail-reminded = 第 { $step } 步（{ $label }）已提醒审批人
detail-escalated = 第 { $step } 步（{ $label }）已上报给 { $names }

## 列表。

pending-takes-no-filters = /approval list pending 显示所有等你审批的申请；筛选条件（type:、status:、since:）只用于 mine 和 all。
pending-none = 没有等你审批的申请。
pending-none-on-page = 第 { $page } 页没有等你审批的申请。
pending-head = 等你审批的申请（第 { $page } 页）：
pending-line = #{ $id } { $kind } · { $requester } 提交 · { $step }{ $behalf ->
    [yes] （代 { $for }）
   *[no] {""}
} · 自 { $since } 起
pending-next = 下一页：/approval list pending page:{ $page }
all-is-for-admins = 只有管理员可以列出所有人的申请。/approval list mine 可查看你自己的。
bad-since = since:“{ $day }”不是日期；请写成例如 since:2026-11-01
requests-none = { $mine ->
    [yes] 你的申请
   *[no] 申请
}：{ $page ->
    [1] 无
   *[other] 第 { $page } 页无
}。
requests-head = { $mine ->
    [yes] 你的申请
   *[no] 申请
}（第 { $page } 页）：
request-line = #{ $id } { $kind } · { $requester } · { $status } · 提交于 { $at }
requests-next = 下一页：加上 page:{ $page }
pending-choice = #{ $id } { $kind } · { $requester }（{ $step }）
request-choice = #{ $id } { $kind }（{ $status }）
agenda-line = 审批 #{ $id }（{ $requester } 的 { $kind }，{ $step }）自 { $since } 起等待处理：/approval show { $id }

## 委托。

away-alone = 你已标为外出，直到 { $until }（{ $zone }）：期间不会给你分配工单。通讯录中你没有上级，审批仍由你处理；如需交给别人：/away until 周五 to:@carol
away-from-tickets = 在此之前不会给你分配工单；发送 /back 可提前结束。
welcome-back = 欢迎回来：工单又可以分配给你了。
not-away = 你并未标为外出，没有任何更改。
delegate-to-self = 不能委托给自己。没有做任何更改。
delegation-loop = { $name } 已经把审批委托给你了：再委托回去会形成循环。没有做任何更改。
delegated = 在 { $until }（{ $zone }）之前，由 { $to } 代你审批；记录中会注明是代你审批的。{ $moved ->
    [0] {""}
   *[other] 正在等你处理的 { $moved } 条审批也已转给对方。
}/approval undelegate 可以提前结束委托。
delegated-to-you = { $from } 请你在 { $until }（{ $zone }）之前代其审批。其审批消息会发给你。
no-delegation = 你当前没有生效的委托。
undelegated = 你对 { $to } 的委托已结束；审批消息会重新发给你。
delegation-ended-for-delegate = { $from } 已回来：你不再代其审批。
delegation-over = 你的委托已结束；审批消息会重新发给你。
bad-until = “{ $typed }”不是日期；请写成例如 until 2026-12-10、until 周五 或 until 2026-12-10 18:00
until-passed = 这个日期已经过去了；委托的结束时间必须在将来。
until-too-far = 委托最长 { $days } 天。

## 统计。

report-head = 审批统计，{ $since } 至 { $until }：
report-none = 没有新申请
report-kind = { $kind }：{ $total }（{ $counts }）
report-count = { $status ->
    [pending] 待审批
    [approved] 已通过
    [rejected] 已拒绝
    [changes] 待修改
   *[withdrawn] 已撤回
} { $count }
insight-heading = 审批
insight-made = 新申请：{ $total } 件（{ $counts }）。
insight-made-none = 新申请：无。
insight-decided = 审批用时：中位数 { $median }，90% 在 { $p90 } 内（共 { $count } 次审批）。
insight-decided-none = 审批用时：此期间没有审批。
report-times = 各步骤审批用时（中位数 / 90 分位）：
report-step = { $kind }，第 { $position } 步（{ $label }）：{ $median } / { $p90 }，共 { $count } 次审批
span-minutes = { $minutes } 分钟
span-hours = { $hours } 小时
span-hours-minutes = { $hours } 小时 { $minutes } 分钟
span-days = { $days } 天
span-days-hours = { $days } 天 { $hours } 小时

# 文字过长时对它的称呼。
limit-reason = 理由
