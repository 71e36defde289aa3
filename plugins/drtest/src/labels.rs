//! The marks on everything a drill creates: cleanup deletes nothing without them.

/// The label on everything a drill creates; cleanup deletes nothing without it.
pub const DRILL_LABEL: &str = "drtest.shipshape.dev/drill";
/// When a drill's leftovers may be removed by `kubectl drtest cleanup`.
pub const EXPIRES_ANNOTATION: &str = "drtest.shipshape.dev/expires";
