# 工单：提交、认领、解决；支持队列里的通知；列表和摘要。

priority = { $priority ->
    [low] 低
    [high] 高
    [urgent] 紧急
   *[normal] 普通
}
status = { $status ->
    [open] 待处理
    [claimed] 已认领
    [in_progress] 处理中
    [waiting] 等待提交人回复
    [resolved] 已解决
   *[closed] 已关闭
}

opened = 工单 #{ $id } 已提交：{ $title }（优先级：{ $priority }）。已通知支持团队。
opened-assigned = 工单 #{ $id } 已提交：{ $title }（优先级：{ $priority }）。由 { $agent } 负责。

notice =
    工单 #{ $id } · { $title }
    优先级：{ $priority } · 状态：{ $state }
    提交人：{ $requester }
# 没有记录到人时 $name 为 none。
notice-open = 待处理，等待客服认领
notice-claimed = { $name ->
    [none] 已认领
   *[other] 已由 { $name } 认领
}
notice-in-progress = { $name ->
    [none] 处理中
   *[other] { $name } 正在处理
}
notice-waiting = 等待 { $requester } 回复
notice-resolved = { $name ->
    [none] 已解决
   *[other] 已由 { $name } 解决
}
notice-closed = { $name ->
    [none] 已关闭
   *[other] 已由 { $name } 关闭
}
resolution-line = 处理结果：{ $resolution }
category-line = 类别：{ $category }
thread = 工单 #{ $id } · { $title }
button-claim = 认领
button-resolve = 解决
button-fixed = 已解决，关闭
button-reopen = 没解决，重新打开

ask-resolution = 工单 #{ $id }（{ $title }）是怎么解决的？请回复这条消息写一句简短说明；工单随即标为已解决，并通知提交人。
choice = #{ $id } · { $title }（{ $status }）

# 告诉操作者本人的话。
claimed = 你认领了工单 #{ $id }：{ $title }。
started = 工单 #{ $id } 已标为处理中。
waiting = 工单 #{ $id } 现在等待 { $requester } 回复，已通知对方。
waiting-with = 工单 #{ $id } 现在等待 { $requester } 回复，已向对方询问：{ $note }
resolved = 工单 #{ $id } 已解决。处理结果：{ $note }
    如果问题没有解决，{ $requester } 可以重新打开。
closed = 工单 #{ $id } 已关闭。
closed-with = 工单 #{ $id } 已关闭。处理结果：{ $note }
reopened-to = 工单 #{ $id } 已重新打开，交回 { $agent } 处理。
reopened-to-queue = 工单 #{ $id } 已重新打开，回到队列中。
assigned = 工单 #{ $id } 现由 { $note } 负责。
unassigned = 工单 #{ $id } 已放回队列，等待客服认领。
moved = 工单 #{ $id } 已转到{ $category }{ $agent ->
    [none] ，进入该类别的队列。
   *[other] ，由 { $agent } 负责。
}

# 别人处理了提交人的工单时，告诉提交人的话。
claimed-for-requester = { $by } 正在处理你的工单 #{ $id }：{ $title }。
started-for-requester = { $by } 开始处理你的工单 #{ $id }（{ $title }）。
waiting-for-requester = { $by } 在等你回复工单 #{ $id }（{ $title }）。
waiting-for-requester-with = { $by } 需要你为工单 #{ $id }（{ $title }）提供：{ $note }
resolved-for-requester = { $by } 解决了你的工单 #{ $id }（{ $title }）。处理结果：{ $note }
    如果没有解决，请在 { $until } 之前点“没解决，重新打开”（或发送 /ticket reopen { $id }）。
closed-for-requester = { $by } 关闭了你的工单 #{ $id }（{ $title }）。
closed-for-requester-with = { $by } 关闭了你的工单 #{ $id }（{ $title }）。处理结果：{ $note }
reopened-for-requester = { $by } 重新打开了你的工单 #{ $id }（{ $title }）。
assigned-for-requester = 你的工单 #{ $id }（{ $title }）现由 { $note } 负责。
unassigned-for-requester = 你的工单 #{ $id }（{ $title }）已放回队列，将由下一位有空的客服处理。
waiting-reminder = 提醒：你的工单 #{ $id }（{ $title }）自 { $since } 起在等你回复{ $agent ->
    [none] 。
   *[other] ，{ $agent } 需要你的答复。
}如无进展，将于 { $closes } 关闭。
lapsed-for-requester = 你的工单 #{ $id }（{ $title }）已关闭：它等你回复等了 { $waited }。如仍需帮助，可在 { $until } 之前发送 /ticket reopen { $id }，或用 /ticket new 提交新工单。
lapsed-for-assignee = 工单 #{ $id }（{ $title }）已关闭：{ $requester } 在 { $waited } 内没有回复。
moved-for-requester = 你的工单 #{ $id }（{ $title }）已转到{ $category }。

# 别人处理了客服手上的工单时，告诉该客服的话。
closed-for-assignee = { $by } 关闭了你正在处理的工单 #{ $id }（{ $title }）。
closed-for-assignee-with = { $by } 关闭了你正在处理的工单 #{ $id }（{ $title }）。处理结果：{ $note }
reopened-for-assignee = { $by } 重新打开了你解决的工单 #{ $id }（{ $title }）。
reopened-for-assignee-with = { $by } 重新打开了你解决的工单 #{ $id }（{ $title }）：{ $note }
moved-for-assignee = { $by } 更改了工单 #{ $id }（{ $title }）：现在{ $status }。
unassigned-for-assignee = { $by } 取消了你对工单 #{ $id }（{ $title }）的负责。
assigned-to-you = { $by ->
    [none] 按轮流顺序，工单 #{ $id }（{ $title }）分配给了你。
   *[other] { $by } 把工单 #{ $id }（{ $title }）分配给了你。
}

not-found = 没有工单 #{ $id }。
already-yours = 工单 #{ $id } 已经在你手上了。
already-claimed-by = 工单 #{ $id } 已被 { $name } 认领。
already-claimed = 工单 #{ $id } 已被认领。
cannot-move = 工单 #{ $id } { $status }，现在不能{ $move ->
    [claim] 认领
    [start] 开始处理
    [wait] 设为等待回复
    [resolve] 标为已解决
    [close] 关闭
   *[reopen] 重新打开
}。{ $next ->
    [none] 它已无法再做任何操作。
   *[other] 现在可以：{ $next }
}
unknown-category = 没有类别“{ $typed }”。{ $known ->
    [none] 尚未设置任何类别。
   *[other] 现有类别：{ $known }。
}
assign-usage = 请说明把工单 #{ $id } 分配给谁：/ticket assign { $id } @客服
not-on-team = { $name } 不是{ $category ->
    [none] 服务台
   *[other] { $category } 团队
}的客服，不能负责工单 #{ $id }。
not-your-team = 工单 #{ $id } 属于其他团队：只有该团队的客服（及管理员）可以对它使用 /{ $command }。
already-assigned = 工单 #{ $id } 已经由 { $name } 负责。
already-in-category = 工单 #{ $id } 已经在{ $category }类别中。
changed-meanwhile = 你操作时工单 #{ $id } 已被他人更改，现在{ $status }。请再看一下：/ticket show { $id }
resolution-needed = 请说明工单 #{ $id } 是怎么解决的：/ticket resolve { $id } <处理结果>
not-yours = 你无权查看工单 #{ $id }：只有提交人、客服和经理可以查看。
close-refused = 只有客服或工单 #{ $id } 的提交人可以关闭它。
reopen-refused = 只有客服或工单 #{ $id } 的提交人可以重新打开它。
reopen-too-late = 提交人可以在 { $at } 之前重新打开工单 #{ $id }，现在只有客服可以。可以用 /ticket new 提交新工单。

# 工单对话：提交人与团队之间的回复，以及内部备注。
message = { $by } 在工单 #{ $id }（{ $title }）中说：{ $note }
note-for-agent = { $by } 在工单 #{ $id }（{ $title }）中留了内部备注：{ $note }
for-watcher = { $by } 更改了你关注的工单 #{ $id }（{ $title }）：现在{ $status }。
reply-sent = 已添加到工单 #{ $id }，{ $to } 会收到。
the-team = 支持团队
reply-refused = 只有工单 #{ $id } 的提交人、关注者和所属团队的客服可以在其中留言。
reply-closed = 工单 #{ $id } 已关闭；请先重新打开（/ticket reopen { $id }），或提交新工单。
note-added = 已为工单 #{ $id } 添加内部备注，提交人永远看不到。
watch-on = 你已关注工单 #{ $id }：它的更新会私信发给你。发送 /ticket unwatch { $id } 可取消。
watch-already = 你已经在关注工单 #{ $id }。
watch-off = 你已取消关注工单 #{ $id }。
watch-not = 你并未关注工单 #{ $id }。
tags-line = 标签：{ $tags }
conversation = 对话：
conversation-line = { $at } { $who }{ $internal ->
    [yes] （内部备注）
   *[no] {""}
}：{ $text }
bad-tag = “{ $typed }”不是有效标签：只能是由字母、数字、- 和 _ 组成的一个词，最多 { $max } 个字符（+标签 添加，-标签 删除）。
tag-usage = 请说明要添加或删除的标签：/ticket tag { $id } +vpn -printer
too-many-tags = 工单 #{ $id } 的标签将超过 { $max } 个；请先删除一些。
tagged = 工单 #{ $id } 的标签：{ $tags ->
    [none] 无
   *[other] { $tags }
}。
canned-saved = 已保存快捷回复“{ $name }”：客服可用 /reply { $name } <工单> 发送。
canned-replaced = 已替换快捷回复“{ $name }”。
canned-removed = 已删除快捷回复“{ $name }”。
no-canned = 没有快捷回复“{ $name }”，没有任何更改。
unknown-canned = 没有快捷回复“{ $name }”。{ $known ->
    [none] 还没有保存任何快捷回复（管理员可用 /canned add 添加）。
   *[other] 现有快捷回复：{ $known }。
}
bad-canned-name = “{ $typed }”不能作为快捷回复的名称：只能是由字母、数字、- 和 _ 组成的一个词，最多 32 个字符。
canned-none = 还没有快捷回复。管理员可用 /canned add <名称> <内容> 添加；{"{"}requester{"}"}、{"{"}ticket{"}"}、{"{"}title{"}"} 和 {"{"}agent{"}"} 会自动填入。
canned-head = 快捷回复（{ $count } 条，用 /reply <名称> <工单> 发送）：
canned-line = { $name }：{ $text }

merge-into-itself = 工单不能合并到自身（#{ $id }）；请指明要保留的工单。
merge-into-closed = 工单 #{ $id } 已关闭：请先重新打开，或合并到未关闭的工单。
merge-closed = 工单 #{ $id } 已经关闭，无需合并。
merged = 工单 #{ $dup } 已合并到 #{ $id }（{ $title }）：对话、关注者和标签已转过去，原工单已关闭。
merged-for-requester = 你的工单 #{ $dup }（{ $dup_title }）与 #{ $id }（{ $title }）重复，已合并过去。#{ $id } 有进展时会通知你。
link-to-itself = 工单不能与自身关联（#{ $id }）。
linked = 工单 #{ $id } 和 #{ $other } 已标为相关。
already-linked = 工单 #{ $id } 和 #{ $other } 已经是相关工单。
links-line = 相关工单：{ $links }
merged-line = 已合并到 #{ $into }。

search-needs-words = 请说明要找什么：/ticket search <词> [status:…] [assignee:@…] [priority:…] [category:…] [tag:…] [from:…] [to:…]
search-none = { $page ->
    [1] 没有与“{ $words }”匹配的工单。
   *[other] 没有更多与“{ $words }”匹配的工单了。
}
search-head = 与“{ $words }”匹配的工单（最相关的在前{ $page ->
    [1] {""}
   *[other] ，第 { $page } 页
}）：
button-next = 下一页
button-previous = 上一页

list-none = { $mine ->
    [yes] { $scope ->
        [open] 你没有待处理的工单。
        [claimed] 你没有已认领的工单。
        [working] 你没有处理中的工单。
        [resolved] 你没有已解决的工单。
        [closed] 你没有已关闭的工单。
        [active] 你没有未关闭的工单。
       *[all] 你没有工单。
    }
   *[no] { $scope ->
        [open] 没有待处理的工单。
        [claimed] 没有已认领的工单。
        [working] 没有处理中的工单。
        [resolved] 没有已解决的工单。
        [closed] 没有已关闭的工单。
        [active] 没有未关闭的工单。
       *[all] 没有工单。
    }
}
list-head = { $mine ->
    [yes] { $scope ->
        [open] 你的待处理工单（{ $count } 个）：
        [claimed] 你的已认领工单（{ $count } 个）：
        [working] 你的处理中工单（{ $count } 个）：
        [resolved] 你的已解决工单（{ $count } 个）：
        [closed] 你的已关闭工单（{ $count } 个）：
        [active] 你的未关闭工单（{ $count } 个）：
       *[all] 你的工单（{ $count } 个）：
    }
   *[no] { $scope ->
        [open] 待处理工单（{ $count } 个）：
        [claimed] 已认领工单（{ $count } 个）：
        [working] 处理中工单（{ $count } 个）：
        [resolved] 已解决工单（{ $count } 个）：
        [closed] 已关闭工单（{ $count } 个）：
        [active] 未关闭工单（{ $count } 个）：
       *[all] 工单（{ $count } 个）：
    }
}
list-line = #{ $id } [{ $priority }] { $title } · { $status }{ $agent ->
    [none] {""}
   *[other] （{ $agent }）
} · { $requester } 提交于 { $at }

details =
    工单 #{ $id } · { $title }
    优先级：{ $priority } · 状态：{ $status }
    提交人：{ $requester }
    客服：{ $agent }
    提交时间：{ $at }（{ $zone }）
nobody-yet = 暂无
history = 记录：
history-head = 工单 #{ $id } · { $title } 的处理记录（当前{ $status }；时间为 { $zone }）：
history-line = { $at } { $who } { $action ->
    [open] 提交了工单
    [claim] 认领了工单
    [start] 开始处理
    [answer] 作了答复，工单回到处理中
    [wait] 设为等待提交人回复
    [resolve] 解决了工单
    [close] 关闭了工单
    [reopen] 重新打开了工单
    [assign] 分配了工单
    [unassign] 把工单放回队列
    [move] 转移了工单类别
    [lapse] 关闭了工单：提交人未回复
    [settle] 关闭了工单：已解决且未重新打开
    [reply] 留言
    [note] 添加了内部备注
    [tag] 修改了标签
    [merge] 合并了工单
    [absorb] 并入了重复工单
    [link] 关联了工单
    [extend] 延长了时限
    [priority] 修改了优先级
   *[other] { $action }
}（{ $platform }）
history-line-detail = { $at } { $who } { $action ->
    [open] 提交了工单
    [claim] 认领了工单
    [start] 开始处理
    [answer] 作了答复，工单回到处理中
    [wait] 设为等待提交人回复
    [resolve] 解决了工单
    [close] 关闭了工单
    [reopen] 重新打开了工单
    [assign] 分配了工单
    [unassign] 把工单放回队列
    [move] 转移了工单类别
    [lapse] 关闭了工单：提交人未回复
    [settle] 关闭了工单：已解决且未重新打开
    [reply] 留言
    [note] 添加了内部备注
    [tag] 修改了标签
    [merge] 合并了工单
    [absorb] 并入了重复工单
    [link] 关联了工单
    [extend] 延长了时限
    [priority] 修改了优先级
   *[other] { $action }
}（{ $platform }）：{ $detail }

coalesced = { $count } 个新工单：{ $labels }。/ticket list 可以查看，并带有操作按钮。
digest = 工单摘要，{ $at }：{ $open } 个待处理，{ $working } 个处理中。
digest-line = #{ $id } [{ $priority }] { $title } · { $agent ->
    [none] 未认领
   *[other] { $agent } 处理中
}
digest-more = …还有 { $more } 个：/ticket list
agenda-line = 工单 #{ $id } · { $title }（{ $status }）

# 文字过长时对它的称呼。
limit-title = 标题
limit-resolution = 解决说明
limit-note = 说明
limit-message = 留言
limit-canned = 快捷回复

# Intake: the panel, direct messages and reactions.
panel = 需要帮忙吗？按下与你的问题对应的按钮，我会问你发生了什么。
button-open-ticket = 开工单
button-new-ticket = 新工单
button-add-to = 加到 #{ $id }
ask-request = 你需要什么帮助？第一行是标题；下面写上发生了什么、在哪里、从什么时候开始。
ask-request-in = { $category }：你需要什么帮助？第一行是标题；下面写上发生了什么、在哪里、从什么时候开始。
new-or-add = 你有 { $count } 张未完成的工单：
    { $tickets }
    这条消息是关于其中一张的，还是新的请求？
new-or-add-line = #{ $id } { $title }
already-a-ticket = 这条消息已经是工单 #{ $id } 了；没有新开工单。
reaction-unread = 我读不到那条消息（群消息我只保留两天，而且只有我运行时发的），所以没有开工单。请用 /ticket new 开一张。
from-message = 来自这条消息：{ $link }
made-a-ticket = { $by } 把你的消息变成了工单 #{ $id }：{ $title }。进展会在这里通知你；可用 /ticket reply { $id } <内容> 补充。
similar = 与 #{ $id } 相似的已解决工单（只有你能看到）：
    { $tickets }
similar-line = #{ $id } { $title } — 解决办法：{ $resolution }
limit-description = 描述
short-request = 要为“{ $text }”开一张工单吗？请按按钮，或者用一句话告诉我你需要什么帮助。/help 列出所有命令。

# Transcripts (an HTML page of the public conversation).
transcript-title = 工单 #{ $id } · { $title }
transcript-requester = 提交人
transcript-agent = 客服
transcript-opened = 提交时间
transcript-closed = 关闭时间
transcript-resolution = 解决办法
transcript-empty = 这张工单上没有任何留言。
transcript-footer = 只含公开对话：内部备注不在其中。生成于 { $at }（{ $zone }）。
transcript-attached = 工单 #{ $id } 的对话记录（公开对话）。
transcript-kept = 工单 #{ $id } 关闭时保存的对话记录。
transcript-so-far = 工单 #{ $id } 还没有关闭：这是目前的对话。关闭时会保存对话记录。
transcript-missing = 工单 #{ $id } 在开始保存对话记录之前就已关闭，所以没有记录。

# Satisfaction.
rate-please = 我们在工单 #{ $id }（{ $title }）上做得怎么样？请打分，1（差）到 5（很好）；之后还可以修改。
button-stars = { $count } ★
rate-not-yours = 只有工单 #{ $id } 的提交人可以评分。
rate-not-done = 工单 #{ $id } 还没有解决；解决后才能评分。
ask-rating-comment = 谢谢：工单 #{ $id } 评为 { $count } 分（满分 5 分）。还有什么想说的吗？回复即可留言，也可以忽略。
rating-changed = 你对工单 #{ $id } 的评分已改为 { $count } 分（原为 { $was } 分）。
rating-comment-kept = 谢谢，你对工单 #{ $id } 的留言已和评分一起保存。
low-rating = 工单 #{ $id }（{ $title }）被 { $requester } 评为 { $count } 分（满分 5 分）；处理人：{ $agent }。
low-rating-comment = 工单 #{ $id }（{ $title }）被 { $requester } 评为 { $count } 分（处理人：{ $agent }），留言：{ $text }
rating-line = 评分：{ $count } 分（满分 5 分）
rating-line-comment = 评分：{ $count } 分（满分 5 分）——“{ $text }”

# Service levels (business time).
sla-first-by = 首次响应截止：{ $at }（{ $zone }，按工作时间计）
sla-resolve-by = 解决截止：{ $at }（{ $zone }，按工作时间计）
sla-paused = 等待提交人期间解决计时暂停（剩余工作时间 { $left }）
sla-first-in = 首次响应还剩 { $left }（工作时间），截止 { $at }
sla-first-over = 首次响应已超时 { $left }（工作时间）
sla-resolve-in = 解决还剩 { $left }（工作时间），截止 { $at }
sla-resolve-over = 解决已超时 { $left }（工作时间）

# Service-level warnings and breaches.
sla-warning = 工单 #{ $id }（{ $title }）：{ $target ->
    [first] 首次响应
   *[other] 解决
}还剩 { $left }（工作时间），截止 { $at }。
sla-breach = ⚠ 工单 #{ $id }（{ $title }，优先级{ $priority }）已超过{ $target ->
    [first] 首次响应
   *[other] 解决
}时限（{ $at } 截止）。处理人：{ $agent }。
button-take-over = 接手
button-reassign = 改派
button-extend = 延期
leads-only = 只有该组负责人、经理和管理员可以改派工单 #{ $id } 或延长其时限。
ask-reassign = 把工单 #{ $id } 改派给谁？请回复 @名字。
ask-extend = 工单 #{ $id } 的时限延长多少工作时间，原因是什么？例如回复：2h 等配件
bad-extension = “{ $typed }”不是有效的延期：请写明时长（最多 30d）和原因，例如 2h 等配件。没有做任何更改。
nothing-to-extend = 工单 #{ $id } 没有正在计时的时限可以延长。
extended = 工单 #{ $id } 的{ $target ->
    [first] 首次响应
   *[other] 解决
}时限已改为 { $at }（{ $zone }，按工作时间计）。
same-priority = 工单 #{ $id } 的优先级已经是{ $priority }了。
reprioritized = 工单 #{ $id } 的优先级已改为{ $priority }（原为{ $was }）；时限随之调整。

# The tickets report.
report-head = 工单统计：{ $from } 至 { $to }（{ $zone }）：
report-head-in = { $category } 工单统计：{ $from } 至 { $to }（{ $zone }）：
report-no-category = 无类别
report-opened = 新提交：{ $count } 张{ $count ->
    [0] 。
   *[other] 。当前状态：{ $statuses }。按类别：{ $categories }。
}
report-first-response = 首次响应：中位数 { $median }，90% 在 { $p90 } 内（工作时间）。
report-first-response-none = 首次响应：这段时间内没有。
report-resolution = 解决：中位数 { $median }，90% 在 { $p90 } 内（工作时间）。
report-resolution-none = 解决：这段时间内没有。
report-sla = 时限达标：{ $percent }%（{ $count } 项中 { $met } 项）。
report-sla-none = 时限达标：这段时间内没有可统计的。
report-csat = 满意度：{ $average } 分（满分 5 分，{ $count } 条评分）。
report-csat-none = 满意度：这段时间内没有评分。
report-backlog = 当前未完成：{ $count } 张，中位等待 { $median }，最久 { $oldest }。
report-backlog-none = 当前未完成：无。
report-agents = 按客服（当前处理中 / 本期解决）：
report-agent = { "  " }{ $agent }：{ $held } / { $solved }
report-export = { $count } 张工单（CSV）：时间为 UTC，工作时间以分钟计。
insight-heading = 服务台
chart-title = 工单：{ $from } 至 { $to }
chart-title-in = { $category } 工单：{ $from } 至 { $to }
chart-timeline = { $bucket ->
    [week] 按周（周一起）
    [month] 按月
   *[day] 按日
}
chart-opened = 新提交
chart-resolved = 已解决
chart-by-category = 按类别的新工单
chart-other = 其他
