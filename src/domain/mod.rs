//! Newtypes and state machines shared by the services and the store.

mod ids;
mod ticket;

pub use ids::{DeptId, TicketId};
// Kernel types the records use, named here too while the records live here.
pub use crate::kernel::{PersonId, Role, RoleSet};
pub use ticket::{ListScope, Priority, TicketStatus, TransitionError};

mod records;
pub use records::{Department, Person, PersonName, Ticket, ticket_subject};
