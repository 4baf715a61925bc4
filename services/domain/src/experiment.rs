//! Experiments. (Being written.)

/// An experiment's state.
#[derive(Debug, Clone, Default)]
pub struct ExperimentState;
