# 工单：提交、认领、解决；支持队列里的通知；列表和摘要。

priority = { $priority ->
    [low] 低
    [high] 高
    [urgent] 紧急
   *[normal] 普通
}
status = { $status ->
    [open] 待处理
    [claimed] 处理中
   *[closed] 已关闭
}

opened = 工单 #{ $id } 已提交：{ $title }（优先级：{ $priority }）。已通知支持团队。

notice =
    工单 #{ $id } · { $title }
    优先级：{ $priority } · 状态：{ $state }
    提交人：{ $requester }
notice-open = 待处理，等待客服认领
notice-claimed-by = { $name } 正在处理
notice-claimed = 处理中
notice-closed-by = 已由 { $name } 关闭
notice-closed = 已关闭
resolution-line = 处理结果：{ $resolution }
thread = 工单 #{ $id } · { $title }
button-claim = 认领
button-resolve = 解决

ask-resolution = 工单 #{ $id }（{ $title }）是怎么解决的？请回复这条消息写一句简短说明，工单随即关闭。
choice = #{ $id } · { $title }（{ $status }）

claimed = 你认领了工单 #{ $id }：{ $title }。
claimed-for-requester = { $agent } 正在处理你的工单 #{ $id }：{ $title }。
closed = 工单 #{ $id } 已关闭。
closed-with = 工单 #{ $id } 已关闭。处理结果：{ $resolution }
closed-for-requester = { $by } 关闭了你的工单 #{ $id }（{ $title }）。
closed-for-requester-with = { $by } 关闭了你的工单 #{ $id }（{ $title }）。处理结果：{ $resolution }
closed-for-assignee = { $by } 关闭了你正在处理的工单 #{ $id }（{ $title }）。
closed-for-assignee-with = { $by } 关闭了你正在处理的工单 #{ $id }（{ $title }）。处理结果：{ $resolution }

not-found = 没有工单 #{ $id }。
already-yours = 工单 #{ $id } 已经在你手上了。
already-claimed-by = 工单 #{ $id } 已被 { $name } 认领。
already-claimed = 工单 #{ $id } 已被认领。
already-closed = 工单 #{ $id } 已关闭，不能再修改。
not-yours = 你无权查看工单 #{ $id }：只有提交人、客服和经理可以查看。
close-refused = 只有客服或工单 #{ $id } 的提交人可以关闭它。

list-none = { $mine ->
    [yes] { $scope ->
        [open] 你没有待处理的工单。
        [claimed] 你没有处理中的工单。
        [closed] 你没有已关闭的工单。
        [active] 你没有未关闭的工单。
       *[all] 你没有工单。
    }
   *[no] { $scope ->
        [open] 没有待处理的工单。
        [claimed] 没有处理中的工单。
        [closed] 没有已关闭的工单。
        [active] 没有未关闭的工单。
       *[all] 没有工单。
    }
}
list-head = { $mine ->
    [yes] { $scope ->
        [open] 你的待处理工单（{ $count } 个）：
        [claimed] 你的处理中工单（{ $count } 个）：
        [closed] 你的已关闭工单（{ $count } 个）：
        [active] 你的未关闭工单（{ $count } 个）：
       *[all] 你的工单（{ $count } 个）：
    }
   *[no] { $scope ->
        [open] 待处理工单（{ $count } 个）：
        [claimed] 处理中工单（{ $count } 个）：
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
history-line = { $at } { $who } { $action ->
    [open] 提交了工单
    [claim] 认领了工单
    [close] 关闭了工单
   *[other] { $action }
}（{ $platform }）
history-line-detail = { $at } { $who } { $action ->
    [open] 提交了工单
    [claim] 认领了工单
    [close] 关闭了工单
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
