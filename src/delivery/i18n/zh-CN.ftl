# 投递本身要说的话：联系不上的人、放弃投递的消息。

direct-unreachable = { $name }，我有消息要发给你，但无法私信你。请{ $platform ->
    [telegram] 和我开启私聊并点击“开始”（Start）
    [discord] 允许本服务器成员给你发私信
   *[console] 直接给我发消息
}，之后消息会陆续送达。
dead-letter = 一条发往 { $platform } { $lane } 的消息无法送达，已放弃投递（{ $error }）：“{ $preview }”
