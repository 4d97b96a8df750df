# What delivery itself says: a person it cannot reach, a message it gave up on.

direct-unreachable = { $name }, I have messages for you but cannot write to you privately. Please { $platform ->
    [telegram] open a private chat with me and press Start
    [discord] allow direct messages from this server's members
   *[console] write to me directly
}; they will follow.
dead-letter = A message to { $platform } { $lane } could not be delivered and was given up ({ $error }): "{ $preview }"
