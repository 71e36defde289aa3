//! One module per subcommand: each does its I/O (Velero's objects, the drill, applies) around
//! the pure core and prints the result.

pub mod backups;
pub mod cleanup;
pub mod history;
pub mod run;
pub mod schedule;
pub mod status;

/// Now, in Unix seconds: the clock ages and expiries are measured against.
pub(crate) fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
