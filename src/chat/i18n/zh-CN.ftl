# 聊天层本身说的话：命令写错、功能运行前的拒绝、无法回答的问题、故障。

usage = { $problem }
    用法：{ $usage }
unknown-command = 我不认识 /{ $name }。/help 可以查看我能做的事。
unknown-command-maybe = 我不认识 /{ $name }。你是想用 /{ $suggestion } 吗？（/help 列出全部命令）
not-a-command = 命令以 / 开头。试试 /help。
needs-role = 只有{ $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}可以使用 /{ $command }。如需要此角色，请联系管理员。
internal-error = 抱歉，我这边出了问题，这条消息没有做任何更改。（编号 { $reference }）
plain-text = 我只看命令，不聊天：命令以 / 开头。发送 /help 查看全部命令。
anonymous-admin = 你正以群组身份（匿名管理员）发言，我无法确认你是谁，也无法检查你的权限。请在管理员设置中关闭“保持匿名”，或在私聊中把命令发给我。
too-many-mentions = 这条消息提到了 { $count } 个人；一条命令最多只能提到 { $max } 人。没有做任何更改。
rate-limited = 请慢一点：每分钟最多 { $per_minute } { $what }。请 { $seconds } 秒后再试。没有做任何更改。
too-far-ahead = 时间太远了：最多只能设到 { $max_days } 天以后（{ $until } { $zone } 之前）。
time-passed = { $at }（{ $zone }）已经过去了；请选择将来的时间，例如“2小时后”或“明天 9:00”。
stale-button = 这个按钮已经失效了。
unknown-person = 我还不认识 @{ $handle }——对方需要先给我发一条消息（任何内容），我才能为其操作。
prompt-unknown = 这个问题已经关闭了。请再按一次按钮，重新提问。
prompt-expired = 这个问题已经过期了。请再按一次按钮，重新提问。
prompt-not-yours = 这个问题是问 { $name } 的，只有对方可以回答。
prompt-answered = 这个问题已经回答过了。
prompt-empty = 回答是空的：请回复一些文字。
prompt-takes-no-file = 这个问题需要文字回答，不能发文件：请只回复文字。没有做任何更改。
takes-no-file = /{ $command } 不接受文件；请不带文件再发一次。没有做任何更改。
too-many-files = 这条消息带了 { $count } 个文件；一条命令最多接受 { $max } 个。没有做任何更改。
file-too-large = 文件 { $name } 大小为 { $size }；只接受不超过 { $max } 的文件。没有做任何更改。
file-no-name = 没有文件名的文件无法接收。没有做任何更改。
file-unreadable = 无法从聊天软件获取文件 { $name }（{ $why }）；请重新发送。没有做任何更改。
late = （延迟：原定于 UTC { $due }；当时 Deskmate 没有运行）

# 命令行本身的问题（解析器）。
parse-quote-open = 引号没有闭合：请补上 { $close }
parse-which = 要用哪一个？请选择一个子命令
parse-unknown-sub = 没有子命令“{ $sub }”
parse-unknown-sub-maybe = 没有子命令“{ $sub }”；你是想用“{ $suggestion }”吗？
parse-given-twice = “{ $key }:” 写了两次
parse-option = { $key }：{ $problem }
parse-missing = 缺少 <{ $name }>（{ $help }）
parse-arg = <{ $name }>：{ $problem }
parse-quoted = “{ $text }”不应加引号
parse-unexpected = 多出了“{ $text }”
parse-empty = 是空的
parse-not-moment = 看不懂“{ $raw }”这个时间；可以写成 明天 9:00、后天下午3点、2小时后、12月1日 15:00 或 2026-12-01 15:00
parse-not-number = “{ $raw }”不是有效的编号（{ $noun }）
parse-not-mention = “{ $raw }”不是提及；请写成 @名字
parse-not-choice = “{ $raw }”不在可选项中：{ $choices }
parse-not-zone = “{ $raw }”不是 IANA 时区，例如 Asia/Shanghai 或 Europe/Berlin
parse-file-typed = 文件不能直接输入；请作为附件随消息发送
parse-not-length = “{ $raw }”不是时长；可以写成 30m、1h 或 1h30m
parse-not-period = “{ $raw }”不是时间段；可以写 week、month、某月如 2026-11，或日期范围如 2026-11-01..2026-11-30
parse-period-backwards = “{ $raw }”的结束早于开始；请把较早的日期写在前面
parse-period-future = “{ $raw }”还没有开始；报表只统计已经发生的事
parse-period-too-long = 时间段最长 { $days } 天；请选短一些的

# /help 与用法说明。命令、选项和参数名是语法，各语言相同；各自的说明在所属功能的命令文本中。
usage-file = [+ 附件]
help-list = 命令列表（发送 /help <命令> 查看详情）：
help-entry = { $usage } — { $help }
help-for-role = 仅限{ $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}
help-summary-for-role = { $help }（仅限{ $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}）
rate-commands = 条命令

# 超出长度上限的文字；what 是所属功能对这段文字的称呼（limit-…）。
too-long = { $what }有 { $len } 个字，最多 { $max } 个。没有做任何更改。
limit-answer = 回答
limit-message = 消息
