# 审批命令的说明：用于 /help、用法提示和各平台的命令菜单（每条不超过 100 个字符）。

cmd-away = 外出到某日：期间不分配工单给你，审批交给上级（或 to:@某人）
cmd-away-until = 外出截止日期，如 until 周五；写 off 则结束外出
cmd-away-to = 由谁代你审批（默认你的上级）
cmd-back = 你回来了：审批和工单又会交给你
cmd-report = 报表
cmd-report-approvals = 按类型和结果统计审批，以及每个环节的审批用时（经理）
cmd-report-approvals-period = week、month、某月（2026-11）或日期范围（2026-11-01..2026-11-30）；默认 week
cmd-approval = 发起审批，处理审批
cmd-approval-types = 可以发起哪些审批，以及各自需要填写的字段
cmd-approval-request = 发起审批：先写类型，再以 字段:值 填写各字段
cmd-approval-request-type = 审批类型，如 leave（见 /approval types）
cmd-approval-request-fields = 如 dates:2026-12-01..2026-12-05 reason:探亲
cmd-approval-request-file = 随申请提交的文件（报价单、发票等）
cmd-approval-approve = 同意等待你审批的环节
cmd-approval-approve-id = 申请编号，如 12
cmd-approval-approve-note = 给申请人的备注
cmd-approval-reject = 拒绝申请，并说明理由
cmd-approval-reject-id = 申请编号
cmd-approval-reject-reason = 理由（不填会再问你）
cmd-approval-changes = 退回申请要求修改，并说明改什么
cmd-approval-changes-id = 申请编号
cmd-approval-changes-reason = 需要修改的内容（不填会再问你）
cmd-approval-withdraw = 在审批结束前撤回你的申请
cmd-approval-withdraw-id = 申请编号
cmd-approval-resubmit = 按要求修改后重新提交申请，附上改动的字段
cmd-approval-resubmit-id = 申请编号
cmd-approval-resubmit-fields = 改动的字段，格式为 字段:值
cmd-approval-resubmit-file = 随申请提交的文件（报价单、发票等）
cmd-approval-show = 查看申请的字段、审批流程和完整记录
cmd-approval-show-id = 申请编号
cmd-approval-delegate = 委托他人在某日前代你审批
cmd-approval-delegate-person = 委托给谁，如 @carol
cmd-approval-delegate-until = 委托截止日期，如 until 2026-12-10 或 until 周五
cmd-approval-undelegate = 立即结束委托
cmd-approval-list = 待你审批的（pending）、你发起的（mine）或全部申请（all，管理员）
cmd-approval-list-which = pending、mine 或 all（默认 pending）
cmd-approval-list-type = 只看此类型
cmd-approval-list-status = 只看此状态
cmd-approval-list-since = 在此日期当天或之后发起，如 2026-11-01
cmd-approval-list-page = 页码

noun-request = 审批申请
noun-page = 页码

# 固定选项在菜单中的显示名（实际取值仍是英文单词）。
choice-pending = 待审批
choice-mine = 我发起的
choice-all = 全部
choice-approved = 已通过
choice-rejected = 已拒绝
choice-changes = 待修改
choice-withdrawn = 已撤回
