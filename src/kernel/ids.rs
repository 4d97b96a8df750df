//! Id newtypes: a number that cannot be mixed up with another kind of number.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use id_type;

id_type!(
    /// A person, whichever platforms they use.
    PersonId
);
id_type!(
    /// A department.
    DeptId
);
id_type!(
    /// A file someone sent, as kept.
    FileId
);
