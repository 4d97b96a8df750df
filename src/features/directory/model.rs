//! A department, with its manager and size.

use crate::kernel::{DeptId, PersonName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: DeptId,
    pub name: String,
    pub manager: Option<PersonName>,
    pub members: i64,
}
