# Recurring schedules from the config, as admins see them.

none = No schedules. They are declared as [[schedules]] in the config.
list = Schedules:
line = { $name } · { $job } · "{ $cron }" { $zone } · catch-up { $catch_up } · next { $next } · last { $last }
next-at = { $at } ({ $zone })
never = never
