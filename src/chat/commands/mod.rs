//! Commands: each feature declares its own once, and the same declarations drive text
//! parsing, `/help`, and the platforms' command menus.

mod help;
mod menu;
mod parser;
mod registry;
mod text;
mod time;
mod typed;
mod zh_time;

pub use help::{command_help, command_list, usage};
pub use menu::{ZONE_SUGGESTIONS, menu};
pub(crate) use parser::suggest as suggest_name;
pub use parser::{Invocation, ParseContext, ParseError, Value, parse};
pub use registry::{
    ArgKind, ArgSpec, CommandSpec, OptSpec, RateClass, arg, cmd, find, group, limited, opt, opt_arg, rate_classes,
};
#[cfg(test)]
pub use text::check_command_text;
pub use text::{CommandText, message_id};
pub use time::{parse_datetime, read_duration};
#[cfg(test)]
pub use typed::check_typed;
pub use typed::{Args, TypedCommand, Undeclared};
pub use zh_time::{day as chinese_day, is_chinese};
