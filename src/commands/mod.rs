//! Every command Deskmate understands, declared once. The same declarations drive text
//! parsing, `/help`, and the platforms' command menus.

mod help;
mod menu;
mod parser;
mod registry;
mod time;
mod typed;

pub use help::{command_help, command_list, usage};
pub use menu::menu;
pub use parser::{Invocation, ParseContext, ParseError, Value, parse};
pub use registry::{ArgKind, ArgSpec, COMMANDS, CommandSpec, OptSpec, RateClass, find};
pub use time::parse_datetime;
pub use typed::{Command, Undeclared};
