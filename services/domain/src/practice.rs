//! Practices. (Being written.)

/// A practice's state.
#[derive(Debug, Clone, Default)]
pub struct PracticeState;
