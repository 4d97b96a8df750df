//! How failures are reported: the whole cause chain for the log, and a short reference
//! that the person who hit the failure can quote to an admin.

use rand::Rng;

/// `outer: cause: root cause`, so a log line never says "database error" alone.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        // Many errors already print their cause ("…: connection refused"): say it once.
        let cause = s.to_string();
        if !out.ends_with(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
        source = s.source();
    }
    out
}

/// Six hex digits, logged with the failure and shown to the person.
pub fn reference() -> String {
    format!("{:06x}", rand::rng().random_range(0..0x100_0000))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_names_every_cause() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(super::chain(&e), "outer: connection refused");
        let io = std::io::Error::other("refused");
        let sqlx = sqlx::Error::Io(io);
        assert_eq!(super::chain(&sqlx), "error communicating with database: refused");
        assert_eq!(super::reference().len(), 6);
    }
}
