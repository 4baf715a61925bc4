//! Observations and lessons. (Being written.)

/// An observation's state.
#[derive(Debug, Clone, Default)]
pub struct ObservationState;
/// A lesson's state.
#[derive(Debug, Clone, Default)]
pub struct LessonState;
