//! The typed rule behind a serde error.
//!
//! serde's errors carry only text, so a value type that refuses its input while a command body
//! is deserialised would lose which rule it broke. [`refuse`] makes the serde error *and*
//! remembers the typed refusal on this thread; the caller that deserialised (the command use
//! case) takes it back with [`take`] right after deserialising failed, and checks it is the
//! refusal that ended deserialising (its text is the error's) before using it. One slot per
//! thread: deserialising is synchronous, and [`clear`] empties the slot before each body.

use std::any::Any;
use std::cell::RefCell;
use std::fmt::Display;

thread_local! {
    static REFUSED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// A serde error saying `refusal`, which is remembered on this thread for [`take`].
pub fn refuse<E: serde::de::Error, R: Display + 'static>(refusal: R) -> E {
    let error = E::custom(&refusal);
    REFUSED.with(|slot| *slot.borrow_mut() = Some(Box::new(refusal)));
    error
}

/// Empties this thread's slot (before deserialising a body).
pub fn clear() {
    REFUSED.with(|slot| slot.borrow_mut().take());
}

/// The refusal last remembered on this thread, if it is an `R` (then the slot is emptied).
pub fn take<R: 'static>() -> Option<R> {
    REFUSED.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_some_and(|refusal| refusal.is::<R>()) {
            slot.take().and_then(|refusal| refusal.downcast::<R>().ok()).map(|refusal| *refusal)
        } else {
            None
        }
    })
}

/// Deserialises `$type` from `$raw` through its `TryFrom<$raw>` (whose error is a typed
/// refusal), remembering the refusal with [`refuse`]: what `#[serde(try_from = …)]` does, but
/// keeping the rule.
#[macro_export]
macro_rules! deserialize_through_try_from {
    ($type:ty, $raw:ty) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <$raw as serde::Deserialize>::deserialize(deserializer)?;
                <$type>::try_from(raw).map_err($crate::domain::refusal::refuse)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ShapeRule, ValidationError};

    #[test]
    fn a_refusal_is_taken_back_typed_once() {
        clear();
        let refusal = ValidationError::new("title.fi", ShapeRule::Empty);
        let error: serde_json::Error = refuse(refusal.clone());
        assert_eq!(error.to_string(), refusal.to_string());
        assert_eq!(take::<String>(), None, "another type is not it");
        assert_eq!(take::<ValidationError>(), Some(refusal));
        assert_eq!(take::<ValidationError>(), None, "taken once");
    }
}
