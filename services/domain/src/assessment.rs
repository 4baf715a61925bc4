//! Frameworks and campaigns. (Being written.)

/// A framework's state.
#[derive(Debug, Clone, Default)]
pub struct FrameworkState;
/// A campaign's state.
#[derive(Debug, Clone, Default)]
pub struct CampaignState;
