//! The rules a value's shape can break, typed: each refusal of a `parse` constructor names one
//! [`ShapeRule`] variant with what it needs to be said (the limit, the code given twice…), so
//! that pages can say it in their own language. Its `Display` is the English the API sends.

use std::fmt;

use super::practice::Resolution;

/// Names every variant of an enum: `VARIANTS` and `variant_name()`. The match is exhaustive, so
/// a new variant does not compile until it is named here; tests then check that the enum's
/// `examples()` hold one value of each name.
#[macro_export]
macro_rules! variant_names {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl $name {
            /// Every variant's name, in declaration order.
            pub const VARIANTS: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// This value's variant name (e.g. `TooLong`): stable, for logs and tests.
            pub fn variant_name(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)+
                }
            }
        }
    };
}

/// A number a refusal quotes (a bound, or the value given). Compared by its bits, so that
/// refusals stay `Eq`; shown as Rust shows an `f64` (`3`, `2.5`).
#[derive(Debug, Clone, Copy)]
pub struct Number(pub f64);

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Number {}

impl From<f64> for Number {
    fn from(value: f64) -> Self {
        Self(value)
    }
}

impl From<u8> for Number {
    fn from(value: u8) -> Self {
        Self(f64::from(value))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A rule about one value's shape, as the value types' `parse` constructors check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeRule {
    /// Nothing there (after trimming).
    Empty,
    /// Longer than allowed.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// Only white space or characters that show nothing.
    OnlyInvisible,
    /// A control character (other than those the field allows).
    ControlCharacters,
    /// A character that overrides, embeds or isolates text direction.
    DirectionControls,
    /// More than one line where one is expected.
    MultipleLines,
    /// A purpose for reading personal data that is too short or too long.
    PurposeLength {
        /// The fewest characters.
        min: usize,
        /// The most characters.
        max: usize,
    },
    /// A framework code other than lowercase letters, digits and hyphens.
    FrameworkCodeShape,
    /// A framework version that is empty or has spaces.
    FrameworkVersionShape,
    /// A scale whose minimum is not below its maximum.
    ScaleInverted,
    /// A number below its minimum.
    BelowMinimum {
        /// The least allowed.
        min: u32,
    },
    /// A code that is given twice in one list.
    AppearsTwice {
        /// The code.
        code: String,
    },
    /// A number outside its range.
    OutsideRange {
        /// The lowest allowed.
        low: Number,
        /// The highest allowed.
        high: Number,
    },
    /// Bands that do not ascend.
    BandsNotAscending,
    /// A level off the framework's scale.
    OffScale {
        /// The scale's lowest value.
        min: u8,
        /// The scale's highest value.
        max: u8,
    },
    /// A level value given twice.
    LevelTwice {
        /// The value.
        value: u8,
    },
    /// A band code the framework does not define.
    UnknownBand {
        /// The code given.
        band: String,
    },
    /// A framework without dimensions.
    NoDimensions,
    /// A dimension without items.
    NoItems,
    /// A respondent reference that is not a pseudonym.
    NotPseudonym,
    /// A respondent reference that looks like an e-mail address.
    PseudonymIsEmail,
    /// A respondent reference with spaces, as in a person's name.
    PseudonymHasSpaces,
    /// A respondent reference that looks like a personal identity code (henkilötunnus).
    PseudonymIsIdentityCode,
    /// A respondent reference with other than 8 to 62 lowercase hex digits after `r-`.
    PseudonymHexDigits,
    /// A person reference that is too short or too long.
    PersonRefLength {
        /// The fewest characters.
        min: usize,
        /// The most characters.
        max: usize,
    },
    /// A person reference that is an e-mail address.
    PersonRefIsEmail,
    /// A person reference with other characters than ASCII letters, digits, `-`, `_`, `.`, `:`.
    PersonRefCharacters,
    /// A metric code of the wrong shape.
    MetricCodeShape {
        /// The most characters.
        max: usize,
    },
    /// A period that ends before it starts.
    BeforePeriodStart,
    /// A municipality code other than three digits.
    MunicipalityCodeShape,
    /// A diary number of the wrong shape.
    CaseNumberShape,
    /// A section number of 0.
    SectionZero,
    /// A percentage over 100.
    PercentOutOfRange,
    /// A resolution code kirjuri does not know.
    UnknownResolution,
}

variant_names!(ShapeRule {
    Empty,
    TooLong,
    OnlyInvisible,
    ControlCharacters,
    DirectionControls,
    MultipleLines,
    PurposeLength,
    FrameworkCodeShape,
    FrameworkVersionShape,
    ScaleInverted,
    BelowMinimum,
    AppearsTwice,
    OutsideRange,
    BandsNotAscending,
    OffScale,
    LevelTwice,
    UnknownBand,
    NoDimensions,
    NoItems,
    NotPseudonym,
    PseudonymIsEmail,
    PseudonymHasSpaces,
    PseudonymIsIdentityCode,
    PseudonymHexDigits,
    PersonRefLength,
    PersonRefIsEmail,
    PersonRefCharacters,
    MetricCodeShape,
    BeforePeriodStart,
    MunicipalityCodeShape,
    CaseNumberShape,
    SectionZero,
    PercentOutOfRange,
    UnknownResolution,
});

/// What a respondent reference must be; some refusals add why the text given is not that.
const PSEUDONYM_RULE: &str =
    "must be a pseudonym: `r-` and at least 8 lowercase hex digits (e.g. r-1a2b3c4d), or a UUID";

impl ShapeRule {
    /// One value of every variant (tests check each variant is here, once).
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Empty,
            Self::TooLong { max: 200 },
            Self::OnlyInvisible,
            Self::ControlCharacters,
            Self::DirectionControls,
            Self::MultipleLines,
            Self::PurposeLength { min: 3, max: 200 },
            Self::FrameworkCodeShape,
            Self::FrameworkVersionShape,
            Self::ScaleInverted,
            Self::BelowMinimum { min: 1 },
            Self::AppearsTwice { code: "1.1".to_owned() },
            Self::OutsideRange { low: Number(0.0), high: Number(100.0) },
            Self::BandsNotAscending,
            Self::OffScale { min: 1, max: 5 },
            Self::LevelTwice { value: 3 },
            Self::UnknownBand { band: "expert".to_owned() },
            Self::NoDimensions,
            Self::NoItems,
            Self::NotPseudonym,
            Self::PseudonymIsEmail,
            Self::PseudonymHasSpaces,
            Self::PseudonymIsIdentityCode,
            Self::PseudonymHexDigits,
            Self::PersonRefLength { min: 3, max: 64 },
            Self::PersonRefIsEmail,
            Self::PersonRefCharacters,
            Self::MetricCodeShape { max: 48 },
            Self::BeforePeriodStart,
            Self::MunicipalityCodeShape,
            Self::CaseNumberShape,
            Self::SectionZero,
            Self::PercentOutOfRange,
            Self::UnknownResolution,
        ]
    }
}

impl fmt::Display for ShapeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty"),
            Self::TooLong { max } => write!(f, "must be at most {max} characters"),
            Self::OnlyInvisible => f.write_str("must not be empty (nor only invisible characters)"),
            Self::ControlCharacters => f.write_str("must not contain control characters"),
            Self::DirectionControls => f.write_str(
                "must not contain text-direction override or isolate characters (U+202A–U+202E, U+2066–U+2069)",
            ),
            Self::MultipleLines => f.write_str("must be a single line"),
            Self::PurposeLength { min, max } => {
                write!(f, "say why you read personal data in {min} to {max} characters")
            }
            Self::FrameworkCodeShape => f.write_str("must be lowercase letters, digits and hyphens, e.g. digcomp"),
            Self::FrameworkVersionShape => f.write_str("must be non-empty with no spaces, e.g. 2.2"),
            Self::ScaleInverted => f.write_str("min must be below max"),
            Self::BelowMinimum { min } => write!(f, "must be at least {min}"),
            Self::AppearsTwice { code } => write!(f, "`{code}` appears twice"),
            Self::OutsideRange { low, high } => write!(f, "must lie between {low} and {high}"),
            Self::BandsNotAscending => f.write_str("bands must ascend"),
            Self::OffScale { min, max } => write!(f, "must lie on the scale {min}–{max}"),
            Self::LevelTwice { value } => write!(f, "level {value} appears twice"),
            Self::UnknownBand { band } => write!(f, "`{band}` is not one of the bands"),
            Self::NoDimensions => f.write_str("must hold at least one dimension"),
            Self::NoItems => f.write_str("must hold at least one item"),
            Self::NotPseudonym => f.write_str(PSEUDONYM_RULE),
            Self::PseudonymIsEmail => {
                write!(f, "{PSEUDONYM_RULE}; this looks like an e-mail address, which identifies a person")
            }
            Self::PseudonymHasSpaces => write!(f, "{PSEUDONYM_RULE}; it contains spaces, as a person's name does"),
            Self::PseudonymIsIdentityCode => {
                write!(f, "{PSEUDONYM_RULE}; this looks like a personal identity code (henkilötunnus)")
            }
            Self::PseudonymHexDigits => write!(f, "{PSEUDONYM_RULE}; after `r-` come 8 to 62 lowercase hex digits"),
            Self::PersonRefLength { min, max } => {
                write!(f, "a pseudonymous person reference has {min} to {max} characters")
            }
            Self::PersonRefIsEmail => f.write_str("must be a pseudonym, not an e-mail address"),
            Self::PersonRefCharacters => {
                f.write_str("a pseudonymous person reference holds only ASCII letters, digits, `-`, `_`, `.` and `:`")
            }
            Self::MetricCodeShape { max } => write!(
                f,
                "a metric code starts with a lowercase letter and holds at most {max} lowercase letters, digits, \
                 `_`, `.` or `-`"
            ),
            Self::BeforePeriodStart => f.write_str("must not be before the period's start"),
            Self::MunicipalityCodeShape => {
                f.write_str("must be a three-digit Statistics Finland municipality code, e.g. 297")
            }
            Self::CaseNumberShape => {
                f.write_str("must look like `KUO/1234/00.01.02/2025` (prefix / number / task classification / year)")
            }
            Self::SectionZero => f.write_str("must be a section number of 1 or more"),
            Self::PercentOutOfRange => f.write_str("must be between 0 and 100"),
            Self::UnknownResolution => {
                let codes: Vec<&str> = Resolution::ALL.iter().map(|resolution| resolution.code()).collect();
                write!(f, "must be one of {}", codes.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_shape_rule_has_one_example_and_says_something() {
        let examples = ShapeRule::examples();
        let named: BTreeSet<&str> = examples.iter().map(ShapeRule::variant_name).collect();
        assert_eq!(named, ShapeRule::VARIANTS.iter().copied().collect::<BTreeSet<_>>(), "a variant has no example");
        assert_eq!(examples.len(), ShapeRule::VARIANTS.len(), "a variant has two examples");
        for example in &examples {
            assert!(!example.to_string().is_empty(), "{example:?}");
        }
    }

    #[test]
    fn numbers_read_as_rust_shows_them_and_compare_by_value() {
        assert_eq!(Number(3.0).to_string(), "3");
        assert_eq!(Number(2.5).to_string(), "2.5");
        assert_eq!(Number::from(4u8), Number(4.0));
        assert_ne!(Number(1.0), Number(1.5));
        assert_eq!(
            ShapeRule::UnknownResolution.to_string(),
            "must be one of passed, passed_as_amended, passed_after_vote, rejected, returned, tabled, noted"
        );
    }
}
