# 工单命令及其参数的说明：用于 /help、用法提示和各平台的命令菜单（每条不超过 100 个字符，Discord 的上限）。

cmd-ticket = 提交和处理服务台工单
cmd-ticket-new = 新建工单，发送到客服队列
cmd-ticket-new-title = 出了什么问题，一句话说明
cmd-ticket-new-priority = 紧急程度（默认 normal）
cmd-ticket-new-category = 工单类别（IT、行政等）：决定处理团队和队列
cmd-ticket-list = 查看工单：客服看到队列，其他人看到自己的工单
cmd-ticket-list-status = 哪些工单（默认 active，即未关闭的）
cmd-ticket-list-mine = 只看自己提交或负责的工单
cmd-ticket-show = 查看工单详情及处理记录
cmd-ticket-show-id = 工单编号，如 12 或 #12
cmd-ticket-history = 查看工单的处理记录：谁、何时、从哪个平台做了什么
cmd-ticket-history-id = 工单编号
cmd-ticket-claim = 从队列中认领工单
cmd-ticket-claim-id = 工单编号
cmd-ticket-start = 将已认领的工单标为处理中（或从等待中恢复）
cmd-ticket-start-id = 工单编号
cmd-ticket-wait = 将工单标为等待提交人回复，并说明需要对方提供什么
cmd-ticket-wait-id = 工单编号
cmd-ticket-wait-question = 需要提交人提供什么
cmd-ticket-resolve = 将工单标为已解决；问题未解决时提交人可以重新打开
cmd-ticket-resolve-id = 工单编号
cmd-ticket-resolve-resolution = 解决方法
cmd-ticket-close = 关闭工单（负责的客服、任一客服，或提交人撤回）
cmd-ticket-close-id = 工单编号
cmd-ticket-close-resolution = 解决方法
cmd-ticket-reopen = 重新打开已解决或已关闭的工单（提交人须在期限内，客服随时可以）
cmd-ticket-reopen-id = 工单编号
cmd-ticket-reopen-why = 还有什么问题
cmd-ticket-assign = 把工单分配给所属团队的客服
cmd-ticket-assign-id = 工单编号
cmd-ticket-assign-agent = 客服，如 @carol
cmd-ticket-unassign = 取消工单的负责客服，放回队列
cmd-ticket-unassign-id = 工单编号
cmd-ticket-move = 把工单转到另一个类别（及其队列和团队）
cmd-ticket-move-id = 工单编号
cmd-ticket-move-category = 类别，如 facilities

noun-ticket = 工单
rate-tickets = 个新工单

# 固定选项在菜单中的显示名（实际取值仍是英文单词）。
choice-low = 低
choice-normal = 普通
choice-high = 高
choice-urgent = 紧急
choice-open = 待处理
choice-claimed = 已认领
choice-working = 处理中
choice-resolved = 已解决
choice-closed = 已关闭
choice-active = 未关闭
choice-all = 全部
choice-yes = 是
choice-no = 否
