//! One module per subcommand: its I/O over the pure core.

pub mod audit;
pub mod fix;
pub mod pss;
