//! `kirjuri demo`: a realistic sample programme, written through the real command path.
//!
//! - [`vocabulary`]: the words (inflected Finnish, with Swedish and English) the demo speaks.
//! - [`text`]: templates and the seeded [`text::Prose`] generator that fills them.

pub mod text;
pub mod vocabulary;
