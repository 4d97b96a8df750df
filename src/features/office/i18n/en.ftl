# The office report.

office-head = The office from { $from } to { $to } ({ $zone }):
office-section = { $heading }:
office-nothing = Nothing to count: no feature that keeps figures is installed.
