//! Municipalities, units and bodies. (Being written.)

/// A municipality's state.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityState;
/// A unit's state.
#[derive(Debug, Clone, Default)]
pub struct UnitState;
/// A body's state.
#[derive(Debug, Clone, Default)]
pub struct BodyState;
