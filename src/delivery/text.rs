//! What delivery itself says: a person it cannot reach, a message it gave up on.

/// Said once in a group when a direct message to someone bounced.
pub fn direct_unreachable(account: &deskmate_port::Account) -> String {
    let name = account.handle.as_ref().map_or_else(|| account.display_name.clone(), |h| format!("@{h}"));
    let how = match account.platform {
        deskmate_port::Platform::Telegram => "open a private chat with me and press Start",
        deskmate_port::Platform::Discord => "allow direct messages from this server's members",
        deskmate_port::Platform::Console => "write to me directly",
    };
    format!("{name}, I have messages for you but cannot write to you privately. Please {how}; they will follow.")
}

pub fn dead_letter(platform: deskmate_port::Platform, lane: &str, text: &str, error: &str) -> String {
    let preview: String = text.chars().take(120).collect();
    format!("A message to {platform} {lane} could not be delivered and was given up ({error}): \"{preview}\"")
}
