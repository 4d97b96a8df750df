//! Where messenger events meet the features: the router finds the feature by command
//! root or button namespace, the parser and `/help` read the features' declarations, the
//! button codec and questions serve every feature alike. Names no feature.

pub mod button;
pub mod commands;
pub mod feature;
pub mod people;
pub mod questions;
pub mod router;
pub mod text;
