# What the directory commands and their arguments are for: /help, usage errors, the menus
# (at most 100 characters each, Discord's limit).

cmd-whoami = Show who Deskmate thinks you are: roles, department, manager, time zone
cmd-whereami = Show this chat's address, to put in the config (support queue, schedules)
cmd-role = Grant or revoke roles (admins)
cmd-role-grant = Give a person a role
cmd-role-grant-person = who, e.g. @bob
cmd-role-grant-role = the role
cmd-role-revoke = Take a role away
cmd-role-revoke-person = who, e.g. @bob
cmd-role-revoke-role = the role
cmd-dept = Departments and their managers
cmd-dept-create = Create a department
cmd-dept-create-name = its name
cmd-dept-add = Put a person in a department
cmd-dept-add-name = the department
cmd-dept-add-person = who, e.g. @bob
cmd-dept-set-manager = Make a person the department's manager
cmd-dept-set-manager-name = the department
cmd-dept-set-manager-person = who, e.g. @carol
cmd-dept-list = List departments with their managers and sizes
cmd-tz = Your time zone
cmd-tz-set = Set your time zone
cmd-tz-set-zone = an IANA zone, e.g. Asia/Shanghai
cmd-lang = Your language: en (English) or zh-CN (简体中文); alone, the one you have
cmd-lang-language = en or zh-CN
cmd-link = Link your accounts on several messengers: run it alone for a code, send it from the other one
cmd-link-code = the code you were given

# Fixed words as the menus show them (the value typed stays the word).
choice-agent = agent
choice-manager = manager
choice-admin = admin
