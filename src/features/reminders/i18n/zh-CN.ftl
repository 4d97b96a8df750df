# 个人提醒。

set = 好的，我会在 { $at }（{ $zone }）提醒你：{ $text }
already = 你已经设过 { $at }（{ $zone }）的这条提醒了。
reminder = 提醒：{ $text }

# 文字过长时对它的称呼。
limit-text = 提醒内容
