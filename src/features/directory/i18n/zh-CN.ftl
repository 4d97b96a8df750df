# 目录：每个人是谁、角色、部门、时区、语言，以及关联的账号。

where-group = 这是一个群聊，地址是 { $address }。可以写进配置，例如 [channels] support_queue = ["{ $address }"]。
where-direct = 这是你和我的私聊，地址是 { $address }。可以写进配置，例如 [channels] support_queue = ["{ $address }"]。

whoami =
    你是 { $name }（编号 { $id }）。
    角色：{ $roles }
    部门：{ $dept }
    上级：{ $manager }
    时区：{ $zone }{ $default_zone ->
        [yes] （默认时区，可用 /tz set 修改）
       *[no] {""}
    }
    语言：{ $language }
    账号：{ $accounts }
none = 无

role-name = { $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}
role-with-article = { $role ->
    [admin] 管理员
    [agent] 客服
    [manager] 经理
   *[staff] 员工
}
role-granted = { $name } 现在是{ $role }了。
role-already = { $name } 本来就是{ $role }。
role-revoked = { $name } 不再是{ $role }。
role-not-held = { $name } 本来就不是{ $role }。
last-admin = 这样就没有管理员了。请先把管理员角色授予其他人。
admin-by-config = { $name } 是配置文件里指定的管理员（[directory] admins），请在配置中删除后重启。

dept-created = 已创建部门“{ $dept }”。用 /dept add "{ $dept }" @某人 添加成员。
dept-exists = 已经有一个叫“{ $dept }”的部门了。
dept-not-found = 没有叫“{ $dept }”的部门。/dept list 可以查看所有部门。
dept-member-added = { $name } 已加入{ $dept }。
dept-manager-set = { $name } 现在负责{ $dept }。
dept-none = 还没有部门。管理员可以用 /dept create <名称> 创建。
dept-list = 部门：
dept-line = { $dept } · 负责人：{ $manager } · { $members } 人

tz-set = 你的时区已改为 { $zone }，当地时间是 { $now }。

lang-now = 我现在用{ $language }和你交流。/lang en 切换到英文，/lang zh-CN 切换到中文。
lang-set = 好的，以后我用简体中文和你交流。
lang-unknown = 我会说 en（English）和 zh-CN（简体中文），“{ $typed }”都不是。没有做任何更改。
language-name = { $lang ->
    [zh-CN] 简体中文（zh-CN）
   *[en] 英文（en）
}

link-code = 你的关联码是 { $code }。请在 { $minutes } 分钟内，从你的另一个账号（另一个聊天软件）发送 /link { $code }，把两个账号合并。
linked = 关联成功：这个账号现在属于 { $name }。角色、工单和审批会在各个聊天软件间同步。
link-same-person = 这个账号已经关联到此人了。
link-invalid = 关联码无效或已过期。请在另一个账号上重新运行 /link 获取新的关联码。{ $left ->
    [0] 这是你暂时的最后一次机会。
   *[other] 再输错 { $left } 次，/link 会被暂时锁定。
}
link-locked = 输错关联码的次数太多：/link 已锁定到 { $until }（{ $zone }）。没有做任何更改。

# 文字过长时对它的称呼。
limit-department = 部门名称
