use crate::kernel::id_type;

id_type!(
    /// A department.
    DeptId
);
id_type!(
    /// A work order; shown to people as `#<id>`.
    TicketId
);
