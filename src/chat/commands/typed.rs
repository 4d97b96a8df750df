//! A feature's commands as one typed enum. The parser checks a line against the
//! declarations; the feature's `TryFrom<&Invocation>` turns the checked invocation into
//! its enum, and its handler matches on that enum exhaustively. [`typed_commands!`]
//! gives every variant its declared path, so a unit test per feature ([`check_typed`])
//! can require that the declared commands and the enum's variants are the same set:
//! declared-but-not-handled and handled-but-not-declared both fail it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Invocation;

/// A feature's command enum.
pub trait TypedCommand: Sized + for<'a> TryFrom<&'a Invocation, Error = Undeclared> {
    /// The declared path of each variant, e.g. `ticket new`.
    const PATHS: &'static [&'static str];

    fn path(&self) -> &'static str;
}

/// Declares a command enum whose variants carry their declared paths:
///
/// ```ignore
/// typed_commands! {
///     pub enum TicketCommand {
///         "ticket new" => New { title: String, priority: Priority },
///         "ticket list" => List,
///     }
/// }
/// ```
#[macro_export]
macro_rules! typed_commands {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $path:literal => $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })?),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $($(#[$vmeta])* $variant $({ $($field: $ty),* })?),+
        }

        impl $crate::chat::commands::TypedCommand for $name {
            const PATHS: &'static [&'static str] = &[$($path),+];

            fn path(&self) -> &'static str {
                match self {
                    $($name::$variant { .. } => $path),+
                }
            }
        }
    };
}

/// A declared command with no typed form, or a value the declaration promised and the
/// invocation lacks: the declarations and the enum disagree (a bug, caught by tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undeclared {
    #[error("/{0} is declared but has no typed command")]
    Command(String),
    #[error("/{path}: <{name}> is missing or of the wrong kind")]
    Value { path: String, name: &'static str },
}

/// The parser checked the line against the declarations, so a command without its typed
/// form is a bug (and each feature's unit test catches it first).
impl From<Undeclared> for crate::kernel::ServiceError {
    fn from(e: Undeclared) -> Self {
        crate::kernel::ServiceError::Failed(crate::kernel::Failure::new(false, e))
    }
}

/// Reads an invocation's values for a `TryFrom`, each missing one an [`Undeclared`].
pub struct Args<'a>(pub &'a Invocation);

impl Args<'_> {
    fn missing(&self, name: &'static str) -> Undeclared {
        Undeclared::Value { path: self.0.full_name(), name }
    }

    pub fn text(&self, name: &'static str) -> Result<String, Undeclared> {
        self.0.text(name).map(str::to_owned).ok_or_else(|| self.missing(name))
    }

    pub fn optional(&self, name: &'static str) -> Option<String> {
        self.0.text(name).map(str::to_owned)
    }

    /// A choice or word parsed as `T` (a role, a priority), or `None` when not given.
    pub fn choice<T: std::str::FromStr>(&self, name: &'static str) -> Option<T> {
        self.0.text(name).and_then(|t| t.parse().ok())
    }

    pub fn required<T: std::str::FromStr>(&self, name: &'static str) -> Result<T, Undeclared> {
        self.choice(name).ok_or_else(|| self.missing(name))
    }

    pub fn mention(&self, name: &'static str) -> Result<String, Undeclared> {
        self.0.mention(name).map(str::to_owned).ok_or_else(|| self.missing(name))
    }

    pub fn number(&self, name: &'static str) -> Result<i64, Undeclared> {
        self.0.number(name).ok_or_else(|| self.missing(name))
    }

    pub fn datetime(&self, name: &'static str) -> Result<DateTime<Utc>, Undeclared> {
        self.0.datetime(name).ok_or_else(|| self.missing(name))
    }

    /// A moment given as an option, or `None`.
    pub fn optional_datetime(&self, name: &'static str) -> Option<DateTime<Utc>> {
        self.0.datetime(name)
    }

    /// A number given as an option, or `None`.
    pub fn optional_number(&self, name: &'static str) -> Option<i64> {
        self.0.number(name)
    }

    pub fn duration(&self, name: &'static str) -> Option<chrono::Duration> {
        self.0.duration(name)
    }

    /// A period's span, or `None` when not given.
    pub fn span(&self, name: &'static str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.0.span(name)
    }

    pub fn zone(&self, name: &'static str) -> Result<Tz, Undeclared> {
        self.0.zone(name).ok_or_else(|| self.missing(name))
    }

    /// The invocation was none of the enum's: a declared command without a typed form.
    pub fn undeclared<T>(&self) -> Result<T, Undeclared> {
        Err(Undeclared::Command(self.0.full_name()))
    }
}

/// Parses a sample of every declared command of `specs` (with its required arguments,
/// and with everything) and requires it to convert to `C` with the declared path; and
/// requires `C` to have no variant whose path is not declared.
#[cfg(test)]
pub fn check_typed<C: TypedCommand + std::fmt::Debug>(specs: &'static [super::CommandSpec]) {
    use super::{ArgKind, CommandSpec, ParseContext, parse};
    use chrono::TimeZone;

    fn sample(kind: ArgKind) -> String {
        match kind {
            ArgKind::Word => "Sales".to_owned(),
            ArgKind::Text => "some words".to_owned(),
            ArgKind::Number { .. } => "#3".to_owned(),
            ArgKind::Mention => "@bob".to_owned(),
            ArgKind::DateTime => "in 2h".to_owned(),
            ArgKind::Choice(words) => words[0].to_owned(),
            ArgKind::TimeZone => "Europe/Berlin".to_owned(),
            ArgKind::Duration => "1h".to_owned(),
            ArgKind::Period => "week".to_owned(),
            ArgKind::File => unreachable!("files are never typed"),
        }
    }
    fn leaves(spec: &'static CommandSpec, path: &mut Vec<&'static str>, out: &mut Vec<(String, &'static CommandSpec)>) {
        path.push(spec.name);
        if spec.subcommands.is_empty() {
            out.push((path.join(" "), spec));
        }
        for sub in spec.subcommands {
            leaves(sub, path, out);
        }
        path.pop();
    }

    let ctx = ParseContext {
        now: Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).single().expect("valid"),
        tz: chrono_tz::UTC,
        horizon: chrono::Duration::days(3650),
        lang: crate::kernel::Lang::En,
        text: crate::features::registry().command_text(),
    };
    let roots: Vec<&CommandSpec> = specs.iter().collect();
    let mut all = Vec::new();
    for spec in specs {
        leaves(spec, &mut Vec::new(), &mut all);
    }
    let mut declared: Vec<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
    let mut typed = C::PATHS.to_vec();
    declared.sort_unstable();
    typed.sort_unstable();
    assert_eq!(declared, typed, "the declared commands and the typed enum's variants differ");
    for (path, spec) in &all {
        let mut required = vec![format!("/{path}")];
        required.extend(spec.args.iter().filter(|a| a.required).map(|a| sample(a.kind)));
        let mut full = required.clone();
        full.extend(spec.args.iter().filter(|a| !a.required).map(|a| sample(a.kind)));
        full.extend(spec.options.iter().filter(|o| o.kind != ArgKind::File).map(|o| match sample(o.kind) {
            value if value.contains(' ') => format!("{}:\"{value}\"", o.key),
            value => format!("{}:{value}", o.key),
        }));
        for line in [required.join(" "), full.join(" ")] {
            let inv = parse(&roots, &line, &ctx).unwrap_or_else(|e| panic!("{line}: {e}"));
            let command = C::try_from(&inv).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(command.path(), path, "{line} became {command:?}");
        }
    }
}
