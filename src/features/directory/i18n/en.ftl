# The directory: who people are, their roles, departments, zones, languages and linked
# accounts.

where-group = This is a group chat; its address is { $address }. Use it in the config, e.g. [channels] support_queue = ["{ $address }"].
where-direct = This is a private chat with me; its address is { $address }. Use it in the config, e.g. [channels] support_queue = ["{ $address }"].

whoami =
    You are { $name } (person { $id }).
    Roles: { $roles }
    Department: { $dept }
    Manager: { $manager }
    Time zone: { $zone }{ $default_zone ->
        [yes] {" "}(the default; /tz set to change)
       *[no] {""}
    }
    Language: { $language }
    Accounts: { $accounts }
none = none

role-name = { $role ->
    [admin] admin
    [agent] agent
    [manager] manager
   *[staff] staff
}
role-with-article = { $role ->
    [admin] an admin
    [agent] an agent
    [manager] a manager
   *[staff] a staff member
}
role-granted = { $name } is now { $role }.
role-already = { $name } already is { $role }.
role-revoked = { $name } is no longer { $role }.
role-not-held = { $name } was not { $role }.
last-admin = That would leave nobody as admin; grant someone else admin first.
admin-by-config = { $name } is an admin through the config ([directory] admins); remove them there and restart.

dept-created = Department { $dept } created. Add people with /dept add "{ $dept }" @person.
dept-exists = There is already a department called { $dept }.
dept-not-found = There is no department called { $dept }. /dept list shows them.
dept-member-added = { $name } is now in { $dept }.
dept-manager-set = { $name } now manages { $dept }.
dept-none = No departments yet. Admins create them with /dept create <name>.
dept-list = Departments:
dept-line = { $dept } · manager: { $manager } · { $members ->
    [one] 1 member
   *[other] { $members } members
}

tz-set = Your time zone is now { $zone }. It is { $now } there.

lang-now = I speak { $language } with you. /lang zh-CN switches to Chinese, /lang en to English.
lang-set = From now on I speak English with you.
lang-unknown = I speak en (English) and zh-CN (简体中文); `{ $typed }` is neither. Nothing was changed.
language-name = { $lang ->
    [zh-CN] Chinese (zh-CN)
   *[en] English (en)
}

link-code = Your link code is { $code }. Within { $minutes } minutes, send /link { $code } from your other account (another messenger) to join the two.
linked = Linked: this account now belongs to { $name }. Roles, tickets and approvals follow you across messengers.
link-same-person = This account is already linked to that person.
link-invalid = That code is unknown or expired. Run /link on your other account for a new one. { $left ->
    [0] That was your last try for now.
    [1] 1 more wrong code locks /link for a while.
   *[other] { $left } more wrong codes lock /link for a while.
}
link-locked = Too many wrong link codes: /link is locked until { $until } ({ $zone }). Nothing was changed.

# What free text is called when it is too long.
limit-department = department name
