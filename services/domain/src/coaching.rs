//! Engagements and communications. (Being written.)

/// An engagement's state.
#[derive(Debug, Clone, Default)]
pub struct EngagementState;
/// A communication's state.
#[derive(Debug, Clone, Default)]
pub struct CommunicationState;
