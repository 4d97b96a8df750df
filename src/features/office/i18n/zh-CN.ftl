# 办公统计。

office-head = 办公概览：{ $from } 至 { $to }（{ $zone }）：
office-section = { $heading }：
office-nothing = 没有可统计的内容：没有安装记录数据的功能。
