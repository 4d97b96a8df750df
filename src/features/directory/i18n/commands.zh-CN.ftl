# 通讯录命令的说明：用于 /help、用法提示和各平台的命令菜单（每条不超过 100 个字符）。

cmd-whoami = 查看 Deskmate 眼中的你：角色、部门、上级、时区
cmd-whereami = 查看当前聊天的地址，用于填写配置（客服队列、定时任务）
cmd-role = 授予或收回角色（管理员）
cmd-role-grant = 给某人授予角色
cmd-role-grant-person = 谁，如 @bob
cmd-role-grant-role = 角色
cmd-role-revoke = 收回某人的角色
cmd-role-revoke-person = 谁，如 @bob
cmd-role-revoke-role = 角色
cmd-dept = 部门及其负责人
cmd-dept-create = 新建部门
cmd-dept-create-name = 部门名称
cmd-dept-add = 把某人加入部门
cmd-dept-add-name = 部门
cmd-dept-add-person = 谁，如 @bob
cmd-dept-set-manager = 设置部门负责人
cmd-dept-set-manager-name = 部门
cmd-dept-set-manager-person = 谁，如 @carol
cmd-dept-list = 列出各部门及其负责人和人数
cmd-tz = 你的时区
cmd-tz-set = 设置你的时区
cmd-tz-set-zone = IANA 时区名，如 Asia/Shanghai
cmd-lang = 你的语言：en（English）或 zh-CN（简体中文）；不带参数则显示当前语言
cmd-lang-language = en 或 zh-CN
cmd-link = 关联你在多个聊天工具上的账号：先单独发送获取验证码，再用另一个账号发送验证码
cmd-link-code = 你收到的验证码

# 固定选项在菜单中的显示名（实际取值仍是英文单词）。
choice-agent = 客服
choice-manager = 经理
choice-admin = 管理员
