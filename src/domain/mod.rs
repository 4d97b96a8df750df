//! Newtypes and state machines shared by the services and the store.

mod ids;
mod role;
mod ticket;

pub use ids::{DeptId, PersonId, TicketId};
pub use role::{Role, RoleSet};
pub use ticket::{Priority, TicketStatus, TransitionError};

mod records;
pub use records::{Department, Person, PersonName, Ticket, ticket_subject};
