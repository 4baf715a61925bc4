//! Refusals in the page's language: a command's [`DomainError`] or a value's [`ValidationError`]
//! as the field it names and the rule it broke, said in Finnish or English.
//!
//! English is the rule's `Display`, the same words the API sends as a problem's `detail`.
//! Finnish is an exhaustive match over every variant of every rule enum (and of the words within
//! them), with no wildcard arm: a new variant in `kirjuri-domain` or `kirjuri-events` does not
//! compile here until it is said in Finnish too.
//!
//! Rules read as the English does: a predicate that follows the field's label (`ei saa olla
//! tyhjä`), or, for a state rule, a sentence of its own; lower case, no closing full stop. Dates
//! are written `3.3.2025` and decimals with a comma.

use kirjuri_domain::{
    DomainError, EngagementStep, Expected, ExperimentStep, InputRule, LessonStep, Milestone, RecordKind, StateRule,
};
use kirjuri_events::domain::experiment::{Criterion, Stage};
use kirjuri_events::domain::practice::Resolution;
use kirjuri_events::domain::{Language, Number, ShapeRule, ValidationError};

use crate::i18n::Lang;

/// A command's refusal in `lang`: the field as the command names it (e.g. `answers[2].value`;
/// `None` for a rule about the record's state) and the rule.
pub fn refusal(lang: Lang, error: &DomainError) -> (Option<String>, String) {
    match error {
        DomainError::Invalid { field, rule } => (Some(field.clone()), input_rule(lang, rule)),
        DomainError::NotAllowed { rule } => (None, state_rule(lang, rule)),
        DomainError::UnknownReference { field, expected: what } => (Some(field.clone()), expected(lang, what)),
    }
}

/// A value's refusal in `lang`: the field as the parser names it (e.g. `title.fi`) and the rule.
pub fn validation(lang: Lang, error: &ValidationError) -> (String, String) {
    (error.field.clone(), shape_rule(lang, &error.rule))
}

/// A value type's rule in `lang`.
pub fn shape_rule(lang: Lang, rule: &ShapeRule) -> String {
    match lang {
        Lang::En => rule.to_string(),
        Lang::Fi => shape_fi(rule),
    }
}

/// A command input's rule in `lang`.
pub fn input_rule(lang: Lang, rule: &InputRule) -> String {
    match lang {
        Lang::En => rule.to_string(),
        Lang::Fi => input_fi(rule),
    }
}

/// A state rule in `lang`.
pub fn state_rule(lang: Lang, rule: &StateRule) -> String {
    match lang {
        Lang::En => rule.to_string(),
        Lang::Fi => state_fi(rule),
    }
}

/// What a reference should have pointed to, in `lang`.
pub fn expected(lang: Lang, what: &Expected) -> String {
    match lang {
        Lang::En => what.to_string(),
        Lang::Fi => expected_fi(what),
    }
}

// ---------------------------------------------------------------------------------------------
// Finnish

/// What a respondent's pseudonym must be; some refusals add why the text given is not one.
const PSEUDONYM_FI: &str = "pitää olla tunnistekoodi (pseudonyymi): r- ja vähintään 8 heksadesimaalimerkkiä \
                            pienillä kirjaimilla (esim. r-1a2b3c4d) tai UUID-tunniste";

fn shape_fi(rule: &ShapeRule) -> String {
    match rule {
        ShapeRule::Empty => "ei saa olla tyhjä".to_owned(),
        ShapeRule::TooLong { max } => format!("saa olla enintään {max} merkkiä"),
        ShapeRule::OnlyInvisible => "ei saa olla tyhjä eikä sisältää pelkkiä näkymättömiä merkkejä".to_owned(),
        ShapeRule::ControlCharacters => "ei saa sisältää ohjausmerkkejä".to_owned(),
        ShapeRule::DirectionControls => {
            "ei saa sisältää tekstin suuntaa muuttavia merkkejä (U+202A–U+202E, U+2066–U+2069)".to_owned()
        }
        ShapeRule::MultipleLines => "pitää kirjoittaa yhdelle riville".to_owned(),
        ShapeRule::PurposeLength { min, max } => {
            format!("kerro, miksi luet henkilötietoja (pituus {min}–{max} merkkiä)")
        }
        ShapeRule::FrameworkCodeShape => {
            "saa sisältää vain pieniä kirjaimia, numeroita ja yhdysmerkkejä, esim. digcomp".to_owned()
        }
        ShapeRule::FrameworkVersionShape => "ei saa olla tyhjä eikä sisältää välilyöntejä, esim. 2.2".to_owned(),
        ShapeRule::ScaleInverted => "asteikon pienimmän arvon pitää olla suurinta arvoa pienempi".to_owned(),
        ShapeRule::BelowMinimum { min } => format!("pitää olla vähintään {min}"),
        ShapeRule::AppearsTwice { code } => format!("”{code}” on annettu kahteen kertaan"),
        ShapeRule::OutsideRange { low, high } => format!("pitää olla välillä {}–{}", number(*low), number(*high)),
        ShapeRule::BandsNotAscending => "tasoryhmien pitää olla nousevassa järjestyksessä".to_owned(),
        ShapeRule::OffScale { min, max } => format!("pitää olla asteikolla {min}–{max}"),
        ShapeRule::LevelTwice { value } => format!("taso {value} on annettu kahteen kertaan"),
        ShapeRule::UnknownBand { band } => format!("”{band}” ei ole mikään arviointikehyksen tasoryhmistä"),
        ShapeRule::NoDimensions => "pitää sisältää vähintään yksi osa-alue".to_owned(),
        ShapeRule::NoItems => "pitää sisältää vähintään yksi kysymys".to_owned(),
        ShapeRule::NotPseudonym => PSEUDONYM_FI.to_owned(),
        ShapeRule::PseudonymIsEmail => {
            format!("{PSEUDONYM_FI}; tämä näyttää sähköpostiosoitteelta, josta henkilön voi tunnistaa")
        }
        ShapeRule::PseudonymHasSpaces => format!("{PSEUDONYM_FI}; tässä on välilyöntejä kuten henkilön nimessä"),
        ShapeRule::PseudonymIsIdentityCode => format!("{PSEUDONYM_FI}; tämä näyttää henkilötunnukselta"),
        ShapeRule::PseudonymHexDigits => {
            format!("{PSEUDONYM_FI}; r-:n jälkeen tulee 8–62 heksadesimaalimerkkiä (0–9, a–f)")
        }
        ShapeRule::PersonRefLength { min, max } => format!("henkilön tunnisteessa pitää olla {min}–{max} merkkiä"),
        ShapeRule::PersonRefIsEmail => "pitää olla tunnistekoodi, ei sähköpostiosoite".to_owned(),
        ShapeRule::PersonRefCharacters => {
            "henkilön tunnisteessa saa olla vain kirjaimia A–Z, numeroita sekä merkkejä - _ . ja :".to_owned()
        }
        ShapeRule::MetricCodeShape { max } => format!(
            "mittarin koodi alkaa pienellä kirjaimella, ja siinä saa olla enintään {max} merkkiä: pieniä \
             kirjaimia a–z, numeroita sekä merkkejä _ . ja -"
        ),
        ShapeRule::BeforePeriodStart => "ei saa olla ennen jakson alkua".to_owned(),
        ShapeRule::MunicipalityCodeShape => {
            "pitää olla Tilastokeskuksen kolminumeroinen kuntanumero, esim. 297".to_owned()
        }
        ShapeRule::CaseNumberShape => {
            "pitää olla muotoa KUO/1234/00.01.02/2025 (tunnus / numero / tehtäväluokka / vuosi)".to_owned()
        }
        ShapeRule::SectionZero => "pykälän numeron pitää olla vähintään 1".to_owned(),
        ShapeRule::PercentOutOfRange => "pitää olla välillä 0–100".to_owned(),
        ShapeRule::UnknownResolution => {
            let names: Vec<&str> = Resolution::ALL.iter().map(|resolution| resolution_fi(*resolution)).collect();
            format!("pitää olla jokin näistä: {}", names.join(", "))
        }
    }
}

fn input_fi(rule: &InputRule) -> String {
    match rule {
        InputRule::Shape(rule) => shape_fi(rule),
        InputRule::NotBefore { what, date } => format!("ei saa olla ennen {} ({})", milestone_fi(*what), day(date)),
        InputRule::ListedTwice => "on annettu kahteen kertaan".to_owned(),
        InputRule::NotANumber => "pitää olla luku".to_owned(),
        InputRule::NotFinite => "pitää olla äärellinen luku".to_owned(),
        InputRule::HostIsPartner => "pitää olla eri kunta kuin kumppani".to_owned(),
        InputRule::PartnerIsHost => "pitää olla eri kunta kuin isäntäkunta".to_owned(),
        InputRule::OwnParentUnit => "pitää olla jokin muu yksikkö kuin yksikkö itse".to_owned(),
        InputRule::OwnParentBody => "pitää olla jokin muu toimielin kuin toimielin itse".to_owned(),
        InputRule::UnknownDimension { dimension, framework, known } => {
            format!("”{dimension}” ei ole arviointikehyksen {framework} osa-alue (osa-alueet: {})", known.join(", "))
        }
        InputRule::OffFrameworkScale { framework, min, max, got } => {
            format!("pitää olla arviointikehyksen {framework} asteikolla {min}–{max}, annettu arvo {}", number(*got))
        }
        InputRule::NoUnits => "pitää sisältää vähintään yksi yksikkö".to_owned(),
        InputRule::UnitAlreadyListed => "yksikkö on jo valittu".to_owned(),
        InputRule::GroupTooSmall { min } => {
            format!("pitää olla vähintään {min}, jotta tuloksista ei voi tunnistaa yksittäisiä henkilöitä")
        }
        InputRule::NoAnswers => "pitää sisältää vähintään yksi vastaus".to_owned(),
        InputRule::AnsweredTwice { item } => format!("kysymykseen ”{item}” on vastattu kahteen kertaan"),
        InputRule::NotAScaleValue { got } => format!("pitää olla asteikon arvo 0–255, annettu arvo {got}"),
        InputRule::NotCampaignFramework { framework } => {
            format!("pitää olla arviointikierroksen arviointikehys ({framework})")
        }
        InputRule::NotAnItem { item, framework } => {
            format!("”{item}” ei ole arviointikehyksen {framework} kysymys")
        }
        InputRule::NotAParticipant { person } => {
            format!("”{person}” ei ole valmennuksen valmentaja eikä valmennettava")
        }
        InputRule::NoCoachees => "valmennuksessa on oltava vähintään yksi valmennettava".to_owned(),
        InputRule::CoachAsCoachee => "valmentaja ei voi olla myös valmennettava".to_owned(),
        InputRule::NoGoals => "valmennukselle on asetettava vähintään yksi tavoite".to_owned(),
        InputRule::SessionLength { max } => format!("tapaaminen voi kestää 1–{max} minuuttia"),
        InputRule::NoAttendees => "tapaamisessa on oltava vähintään yksi osallistuja".to_owned(),
        InputRule::MissingLanguage { language } => {
            format!("pitää olla myös tiedotteen kielellä ({})", language_fi(*language))
        }
        InputRule::UndeclaredMetric { metric } => {
            format!("mittaria ”{metric}” ei ole kokeilun arviointisuunnitelmassa")
        }
        InputRule::NoUnitsTakePart => "kokeilussa on oltava mukana vähintään yksi yksikkö".to_owned(),
        InputRule::SectionZero => "pykälän numeron pitää olla vähintään 1".to_owned(),
        InputRule::EndsNotAfterStart => "pitää olla alkamispäivän jälkeen".to_owned(),
        InputRule::StartsBeforeApproval => "ei saa olla ennen kokousta, jossa kokeilu hyväksyttiin".to_owned(),
        InputRule::NoCriteria => "arviointisuunnitelmassa on oltava vähintään yksi arviointikriteeri".to_owned(),
        InputRule::CriterionTwice { criterion } => {
            format!("arviointikriteeri ”{}” on annettu kahteen kertaan", criterion_fi(*criterion))
        }
        InputRule::NoMetrics => "jokaisella arviointikriteerillä on oltava vähintään yksi mittari".to_owned(),
        InputRule::MetricCodeTwice { code } => {
            format!("mittarin koodia ”{code}” on käytetty arviointisuunnitelmassa kahteen kertaan")
        }
        InputRule::RunsBeforeStart => "kokeilu ei voi käynnistyä ennen alkamispäiväänsä".to_owned(),
        InputRule::NoObservations => "mittauksen pitää perustua vähintään yhteen havaintoon".to_owned(),
        InputRule::UndeclaredCriterion { criterion } => {
            format!("arviointikriteeri ”{}” puuttuu kokeilun arviointisuunnitelmasta", criterion_fi(*criterion))
        }
        InputRule::NoEvidence => {
            "muun arvion kuin ”ei voida arvioida” pitää perustua vähintään yhteen mittaukseen".to_owned()
        }
        InputRule::MetricOfOtherCriterion { metric, criterion } => format!(
            "mittaus koskee mittaria ”{metric}”, joka ei kuulu arviointikriteeriin ”{}”",
            criterion_fi(*criterion)
        ),
        InputRule::SuccessRating => "pitää olla välillä 1–10".to_owned(),
        InputRule::NoSources => {
            "opin pitää perustua vähintään yhteen kokeiluun, valmennukseen tai arviointikierrokseen".to_owned()
        }
        InputRule::SourceNotListed => "havainto on lähteestä, jota ei ole mainittu opin lähteissä".to_owned(),
        InputRule::DecisionWithoutBody => "päätöksestä on ilmoitettava toimielin, joka sen teki".to_owned(),
        InputRule::DecisionWithoutMeetingDate => "päätöksestä on ilmoitettava kokouksen päivämäärä".to_owned(),
        InputRule::DecisionWithoutSection => "päätöksestä on ilmoitettava pykälän numero (§)".to_owned(),
        InputRule::DecisionWithoutResolution => "päätöksestä on ilmoitettava, miten asia ratkaistiin".to_owned(),
        InputRule::RationaleRequired { resolution } => {
            format!("perustelu on pakollinen, jos asia {}", resolution_fi(*resolution))
        }
        InputRule::SupersedesItself => "käytäntö ei voi korvata itseään".to_owned(),
        InputRule::PracticeOfOtherMunicipality => "pitää olla saman kunnan käytäntö".to_owned(),
        InputRule::NoPartners => "pitää sisältää vähintään yksi kumppanikunta".to_owned(),
        InputRule::SharedWithOwnMunicipality => "käytäntöä ei jaeta sen omalle kunnalle".to_owned(),
        InputRule::OtherPractice => "pyyntö koskee toista käytäntöä kuin tätä".to_owned(),
    }
}

fn state_fi(rule: &StateRule) -> String {
    match rule {
        StateRule::MunicipalityAlreadyRegistered { name, code } => format!("{name} ({code}) on jo rekisteröity"),
        StateRule::JoinBeforeRegistration => {
            "kunta pitää rekisteröidä ennen kuin se voi liittyä kumppaniverkostoon".to_owned()
        }
        StateRule::NotInvited { host, partner } => format!(
            "{} ei ole kutsunut {} kumppaniverkostoonsa (tai on perunut kutsun); isäntäkunnan pääkäyttäjän pitää \
             ensin lähettää kutsu",
            municipality(host),
            municipality_object(partner)
        ),
        StateRule::AlreadyPartner { partner, host } => format!(
            "{} on jo kumppanina verkostossa, jonka isäntäkunta on {}",
            municipality(partner),
            municipality(host)
        ),
        StateRule::MutualHosting { host, partner } => format!(
            "{} on itse kumppanina verkostossa, jonka isäntäkunta on {}; kunnat eivät voi olla toistensa \
             isäntäkuntia",
            municipality(host),
            municipality(partner)
        ),
        StateRule::NotAPartner { municipality: name } => format!(
            "{} ei ole kumppanina tämän isäntäkunnan verkostossa, joten se ei voi erota siitä",
            municipality(name)
        ),
        StateRule::InviteBeforeRegistration => {
            "kunta pitää rekisteröidä ennen kuin se voi kutsua kumppaneita".to_owned()
        }
        StateRule::AlreadyInvited { host, partner } => {
            format!("{} on jo kutsunut {} kumppaniverkostoonsa", municipality(host), municipality_object(partner))
        }
        StateRule::NoInvitation { host } => format!(
            "{} ei ole kutsunut kyseistä kuntaa kumppaniverkostoonsa, joten peruttavaa kutsua ei ole",
            municipality(host)
        ),
        StateRule::UnitAlreadyEstablished { name } => format!("yksikkö {name} on jo perustettu"),
        StateRule::TargetBeforeEstablishment => "tavoitteen voi asettaa vain perustetulle yksikölle".to_owned(),
        StateRule::BodyAlreadyRegistered { name } => format!("toimielin {name} on jo rekisteröity"),
        StateRule::MembersBeforeRegistration => "jäseniä voi nimetä vain rekisteröityyn toimielimeen".to_owned(),
        StateRule::MembershipAlreadyStarted { membership } => format!("jäsenyys {membership} on jo alkanut"),
        StateRule::ChairTaken { body, chair } => {
            format!("toimielimellä {body} on jo puheenjohtaja ({chair}); päätä ensin hänen jäsenyytensä")
        }
        StateRule::MembershipAlreadyEnded { member, ended_on } => {
            format!("jäsenen {member} jäsenyys on jo päättynyt {}", day(ended_on))
        }
        StateRule::FrameworkAlreadyPublished { framework } => {
            format!("arviointikehys {framework} on jo julkaistu; muutettu arviointikehys julkaistaan uutena versiona")
        }
        StateRule::CampaignAlreadyOpen { title } => format!("arviointikierros ”{title}” on jo avattu"),
        StateRule::CampaignNotOpened => "vastauksia otetaan vastaan vasta, kun arviointikierros on avattu".to_owned(),
        StateRule::CampaignClosedOn { closed_on } => format!(
            "arviointikierros päättyi {}; vastauksia otetaan vastaan vain arviointikierroksen ollessa auki",
            day(closed_on)
        ),
        StateRule::CampaignNotYetOpen { opens } => format!(
            "arviointikierros avautuu {}; vastauksia otetaan vastaan vain arviointikierroksen ollessa auki",
            day(opens)
        ),
        StateRule::CampaignPastLastDay { closes } => format!(
            "arviointikierroksen viimeinen vastauspäivä oli {}; vastauksia otetaan vastaan vain \
             arviointikierroksen ollessa auki",
            day(closes)
        ),
        StateRule::ResponseAlreadySubmitted { response } => format!("vastaus {response} on jo jätetty"),
        StateRule::RespondentAlreadyAnswered { respondent } => {
            format!("vastaaja {respondent} on jo vastannut tähän arviointikierrokseen; peru ensin aiempi vastaus")
        }
        StateRule::ResponseAlreadyWithdrawn { response, withdrawn_on } => {
            format!("vastaus {response} on jo peruttu {}; vastauksen voi perua vain kerran", day(withdrawn_on))
        }
        StateRule::CloseUnopenedCampaign => "arviointikierrosta, jota ei ole avattu, ei voi päättää".to_owned(),
        StateRule::CampaignAlreadyClosed { closed_on } => {
            format!("arviointikierros on jo päättynyt {}", day(closed_on))
        }
        StateRule::ResultsOfUnopenedCampaign => "arviointikierroksella, jota ei ole avattu, ei ole tuloksia".to_owned(),
        StateRule::ResultsBeforeClosing => "tulokset lasketaan vasta, kun arviointikierros on päättynyt".to_owned(),
        StateRule::ResultsUpToDate => {
            "tulokset ovat ajan tasalla: yhtään vastausta ei ole peruttu niiden laskemisen jälkeen".to_owned()
        }
        StateRule::NoCountedResponses => {
            "arviointikierroksella ei ole vastauksia, joista tulokset voisi laskea".to_owned()
        }
        StateRule::EngagementMissing { what } => {
            format!("valmennusta ei ole aloitettu: aloita se ennen kuin {}", engagement_step_before_fi(*what))
        }
        StateRule::EngagementClosed { closed, what } => {
            format!("valmennus päättyi {}: sen jälkeen ei voi {}", day(closed), engagement_step_after_fi(*what))
        }
        StateRule::EngagementAlreadyStarted { engagement } => format!("valmennus {engagement} on jo aloitettu"),
        StateRule::SessionAlreadyRecorded { session } => format!("tapaaminen {session} on jo kirjattu"),
        StateRule::NoteAlreadyRecorded { note } => format!("muistiinpano {note} on jo kirjattu"),
        StateRule::ActionAlreadyAgreed { action } => format!("toimenpide {action} on jo sovittu"),
        StateRule::ActionAlreadyCompleted { action, completed } => format!(
            "toimenpide {action} on jo kirjattu tehdyksi {}; toimenpiteen voi kirjata tehdyksi vain kerran",
            day(completed)
        ),
        StateRule::CommunicationAlreadyPublished { communication } => {
            format!("tiedote {communication} on jo julkaistu")
        }
        StateRule::ExperimentMissing { what } => {
            format!("kokeilua ei ole ehdotettu: tee kokeiluehdotus ennen kuin {}", experiment_step_before_fi(*what))
        }
        StateRule::ExperimentNotApproved { what } => format!(
            "kokeilua ei ole vielä hyväksytty toimielimen päätöksellä: sitä ennen ei voi {}",
            experiment_step_after_fi(*what)
        ),
        StateRule::ExperimentConcluded { what } => {
            format!("kokeilu on jo päätetty: sen jälkeen ei voi {}", experiment_step_after_fi(*what))
        }
        StateRule::ExperimentAlreadyProposed { experiment } => format!("kokeilu {experiment} on jo ehdotettu"),
        StateRule::ApproveBeforeProposal => "vain ehdotetun kokeilun voi hyväksyä: tee ensin kokeiluehdotus".to_owned(),
        StateRule::ExperimentAlreadyApproved => "kokeilu on jo hyväksytty".to_owned(),
        StateRule::ProtocolAlreadyDefined => "kokeilun arviointisuunnitelma on jo laadittu".to_owned(),
        StateRule::ProtocolOutsidePlanning => "arviointisuunnitelma laaditaan kokeilun valmisteluvaiheessa".to_owned(),
        StateRule::BaselineAlreadyEstablished { metric } => {
            format!("mittarin ”{metric}” lähtötaso on jo kirjattu")
        }
        StateRule::AlreadyInStage { stage } => format!("kokeilu on jo vaiheessa ”{}”", stage_fi(*stage)),
        StateRule::RunWithoutProtocol => "arviointisuunnitelma pitää laatia ennen kuin kokeilu käynnistyy".to_owned(),
        StateRule::StageChangeNotAllowed { from, to } => {
            format!("kokeilua ei voi siirtää vaiheesta ”{}” vaiheeseen ”{}”", stage_fi(*from), stage_fi(*to))
        }
        StateRule::MeasurementBeforeRunning => "mittauksia ei voi kirjata ennen kuin kokeilu on käynnissä".to_owned(),
        StateRule::MeasurementAlreadyRecorded { measurement } => format!("mittaus {measurement} on jo kirjattu"),
        StateRule::OutcomeOutsideEvaluation => "tuloksia arvioidaan, kun kokeilu on arviointivaiheessa".to_owned(),
        StateRule::CompletedBeforeEvaluation => {
            "kokeilun voi kirjata loppuun viedyksi vasta arviointivaiheen jälkeen".to_owned()
        }
        StateRule::OutcomesMissing { missing } => {
            let names: Vec<&str> = missing.iter().map(|criterion| criterion_fi(*criterion)).collect();
            format!(
                "kokeilua ei voi päättää ennen kuin jokaisen arviointikriteerin tulos on arvioitu; puuttuu: {}",
                names.join(", ")
            )
        }
        StateRule::ObservationAlreadySubmitted { observation } => format!("havainto {observation} on jo kirjattu"),
        StateRule::LessonMissing { what } => {
            format!("oppia ei ole kirjattu: kirjaa oppi ennen kuin {}", lesson_step_before_fi(*what))
        }
        StateRule::LessonAlreadyLearned { what } => {
            format!("oppi on jo kirjattu opituksi: sen jälkeen ei voi {}", lesson_step_after_fi(*what))
        }
        StateRule::LessonAlreadyIdentified { lesson } => format!("oppi {lesson} on jo kirjattu"),
        StateRule::LearnedWithoutAction => {
            "opin voi kirjata opituksi vasta, kun sille on osoitettu toimenpide".to_owned()
        }
        StateRule::PracticeMissing => "käytäntöä ei ole: laadi ensin luonnos".to_owned(),
        StateRule::PracticeRetired => {
            "käytäntö on poistettu käytöstä; sen jälkeen siihen ei voi kirjata mitään".to_owned()
        }
        StateRule::PracticeSupersededBy { by } => format!("käytäntö on korvattu käytännöllä {by}"),
        StateRule::PracticeSuperseded => "käytäntö on korvattu toisella".to_owned(),
        StateRule::PracticeAlreadyDrafted => "käytännön luonnos on jo laadittu".to_owned(),
        StateRule::AwaitingDecision { version } => format!("versio {version} odottaa jo toimielimen päätöstä"),
        StateRule::SubmitDecidedVersion { version } => format!(
            "versiosta {version} on jo päätetty; tee käytännöstä uusi versio ennen kuin viet sen uudelleen \
             päätettäväksi"
        ),
        StateRule::DecideUnsubmittedVersion { version } => {
            format!("versio {version} pitää viedä toimielimen päätettäväksi ennen kuin siitä päätetään")
        }
        StateRule::DecideDecidedVersion { version } => {
            format!("versiosta {version} on jo päätetty; asiasta voi päättää uudelleen vain uuden version pohjalta")
        }
        StateRule::DecidedByOtherBody => {
            "päätös pitää tehdä siinä toimielimessä, jonka päätettäväksi käytäntö vietiin".to_owned()
        }
        StateRule::AnchorWithoutPassing { version } => format!(
            "käytännön voi vakiinnuttaa vasta, kun sen nykyisestä versiosta ({version}) on tehty hyväksyvä päätös"
        ),
        StateRule::ProgressWithoutPassing => {
            "toteutuksen etenemistä voi kirjata vasta hyväksyvän päätöksen jälkeen".to_owned()
        }
        StateRule::ProgressBackwards { percent, reported } => {
            format!("toteutus ei voi edetä taaksepäin: {percent} % on vähemmän kuin jo ilmoitettu {reported} %")
        }
        StateRule::ReviseWhileAwaiting { version } => format!(
            "versio {version} odottaa toimielimen päätöstä; sitä ei voi muuttaa ennen kuin toimielin päättää \
             asiasta tai palauttaa sen valmisteluun"
        ),
        StateRule::RetiredReplacement => "käytöstä poistettu käytäntö ei voi korvata toista käytäntöä".to_owned(),
        StateRule::SupersessionCycle { by } => {
            format!(
                "korvaaminen käytännöllä {by} muodostaisi kehän, koska tämä käytäntö korvaa jo suoraan tai välillisesti käytännön {by}"
            )
        }
        StateRule::ShareWithoutPassing => "käytännön voi jakaa vasta, kun siitä on tehty hyväksyvä päätös".to_owned(),
        StateRule::NotSharedWith { partner } => {
            format!("käytäntöä ei ole jaettu kunnalle {partner}, joten se ei voi ilmoittaa ottaneensa sitä käyttöön")
        }
    }
}

fn expected_fi(what: &Expected) -> String {
    match what {
        Expected::RegisteredMunicipality => "pitää olla rekisteröity kunta".to_owned(),
        Expected::PublishedFramework => "pitää olla julkaistu arviointikehys".to_owned(),
        Expected::EstablishedUnit => "pitää olla perustettu yksikkö".to_owned(),
        Expected::RegisteredUnit => "pitää olla kirjattu yksikkö".to_owned(),
        Expected::UnitOfSameMunicipality => "pitää olla saman kunnan yksikkö".to_owned(),
        Expected::UnitOfCampaignMunicipality => "pitää olla arviointikierroksen kunnan yksikkö".to_owned(),
        Expected::UnitOfPracticeMunicipality => "pitää olla käytännön oman kunnan perustettu yksikkö".to_owned(),
        Expected::CampaignUnit => "pitää olla jokin arviointikierroksen yksiköistä".to_owned(),
        Expected::CampaignResponse => "pitää olla tämän arviointikierroksen vastaus".to_owned(),
        Expected::RegisteredBody => "pitää olla rekisteröity toimielin".to_owned(),
        Expected::RegisteredDecisionBody => "pitää olla rekisteröity päättävä toimielin".to_owned(),
        Expected::BodyOfSameMunicipality => "pitää olla saman kunnan toimielin".to_owned(),
        Expected::BodyOfUnitMunicipality => "pitää olla yksikön kunnan toimielin".to_owned(),
        Expected::BodyOfExperimentMunicipality => "pitää olla kokeilun kunnan toimielin".to_owned(),
        Expected::BodyOfPracticeMunicipality => "pitää olla käytännön oman kunnan toimielin".to_owned(),
        Expected::BodyMembership => "pitää olla tämän toimielimen jäsenyys".to_owned(),
        Expected::ProposedExperiment => "pitää olla ehdotettu kokeilu".to_owned(),
        Expected::ExperimentOfEngagementMunicipality => "pitää olla valmennuksen kunnan kokeilu".to_owned(),
        Expected::EngagementSession => "pitää olla tämän valmennuksen tapaaminen".to_owned(),
        Expected::EngagementAction => "pitää olla tässä valmennuksessa sovittu toimenpide".to_owned(),
        Expected::LinkTarget => {
            "pitää olla olemassa oleva kokeilu, oppi tai käytäntö, joka on linkin osoittamaa lajia".to_owned()
        }
        Expected::ExperimentMeasurement => "pitää olla tähän kokeiluun kirjattu mittaus".to_owned(),
        Expected::Existing { kind } => format!("pitää olla olemassa oleva {}", record_kind_fi(*kind)),
        Expected::SameMunicipality => "pitää kuulua samaan kuntaan".to_owned(),
        Expected::SubmittedObservation => "pitää olla kirjattu havainto".to_owned(),
        Expected::ObservationOfSameMunicipality => "pitää olla saman kunnan havainto".to_owned(),
        Expected::AssessedOutcome { experiment, criterion } => format!(
            "kokeilulle {experiment} ei ole arvioitu tulosta arviointikriteerillä ”{}”",
            criterion_fi(*criterion)
        ),
    }
}

// The words within rules, in the form the sentence above needs.

/// After `ennen` (partitive).
fn milestone_fi(milestone: Milestone) -> &'static str {
    match milestone {
        Milestone::Opens => "vastausajan ensimmäistä päivää",
        Milestone::ResponseSubmitted => "vastauksen jättöpäivää",
        Milestone::CampaignFirstDay => "arviointikierroksen ensimmäistä päivää",
        Milestone::CampaignClosed => "arviointikierroksen päättymispäivää",
        Milestone::EngagementStart => "valmennuksen alkua",
        Milestone::EngagementStartOrLastSession => "valmennuksen alkua tai viimeisintä tapaamista",
        Milestone::HostInvitation => "isäntäkunnan kutsun päivää",
        Milestone::Joined => "verkostoon liittymisen päivää",
        Milestone::Invitation => "kutsun päivää",
        Milestone::TargetSet => "tavoitteen asettamispäivää",
        Milestone::BodyFounded => "toimielimen perustamispäivää",
        Milestone::MembershipStarted => "jäsenyyden alkamispäivää",
    }
}

/// After `ennen kuin` (what the person is about to do).
fn engagement_step_before_fi(step: EngagementStep) -> &'static str {
    match step {
        EngagementStep::Session => "kirjaat tapaamisen",
        EngagementStep::Note => "kirjaat muistiinpanon",
        EngagementStep::Action => "sovit toimenpiteestä",
        EngagementStep::ActionCompletion => "kirjaat toimenpiteen tehdyksi",
        EngagementStep::Closing => "päätät valmennuksen",
    }
}

/// After `ei voi` (what can no longer be done).
fn engagement_step_after_fi(step: EngagementStep) -> &'static str {
    match step {
        EngagementStep::Session => "kirjata tapaamisia",
        EngagementStep::Note => "kirjata muistiinpanoja",
        EngagementStep::Action => "sopia toimenpiteistä",
        EngagementStep::ActionCompletion => "kirjata toimenpiteitä tehdyiksi",
        EngagementStep::Closing => "päättää valmennusta uudelleen",
    }
}

/// After `ennen kuin`.
fn experiment_step_before_fi(step: ExperimentStep) -> &'static str {
    match step {
        ExperimentStep::Protocol => "laadit arviointisuunnitelman",
        ExperimentStep::Baseline => "kirjaat lähtötason",
        ExperimentStep::StageChange => "vaihdat kokeilun vaihetta",
        ExperimentStep::Measurement => "kirjaat mittauksen",
        ExperimentStep::Outcome => "arvioit tuloksen",
        ExperimentStep::Conclusion => "päätät kokeilun",
    }
}

/// After `ei voi`.
fn experiment_step_after_fi(step: ExperimentStep) -> &'static str {
    match step {
        ExperimentStep::Protocol => "laatia arviointisuunnitelmaa",
        ExperimentStep::Baseline => "kirjata lähtötasoja",
        ExperimentStep::StageChange => "vaihtaa kokeilun vaihetta",
        ExperimentStep::Measurement => "kirjata mittauksia",
        ExperimentStep::Outcome => "arvioida tuloksia",
        ExperimentStep::Conclusion => "päättää kokeilua",
    }
}

/// After `ennen kuin`.
fn lesson_step_before_fi(step: LessonStep) -> &'static str {
    match step {
        LessonStep::Action => "osoitat sille toimenpiteen",
        LessonStep::LearningRecord => "kirjaat sen opituksi",
    }
}

/// After `ei voi`.
fn lesson_step_after_fi(step: LessonStep) -> &'static str {
    match step {
        LessonStep::Action => "osoittaa sille toimenpiteitä",
        LessonStep::LearningRecord => "kirjata sitä uudelleen opituksi",
    }
}

/// After `olemassa oleva` (nominative).
fn record_kind_fi(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Experiment => "kokeilu",
        RecordKind::CoachingEngagement => "valmennus",
        RecordKind::AssessmentCampaign => "arviointikierros",
        RecordKind::Lesson => "oppi",
        RecordKind::Practice => "käytäntö",
    }
}

fn criterion_fi(criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Effectiveness => "vaikuttavuus",
        Criterion::WellbeingAtWork => "työhyvinvointi",
        Criterion::Productivity => "tuottavuus",
    }
}

/// The stage names the experiment pages use.
fn stage_fi(stage: Stage) -> &'static str {
    match stage {
        Stage::Planning => "valmistelu",
        Stage::Running => "käynnissä",
        Stage::Evaluating => "arviointi",
    }
}

/// How the minutes say it, after `asia` (`jos asia hylättiin`).
fn resolution_fi(resolution: Resolution) -> &'static str {
    match resolution {
        Resolution::Passed => "hyväksyttiin",
        Resolution::PassedAsAmended => "hyväksyttiin muutettuna",
        Resolution::PassedAfterVote => "hyväksyttiin äänestyksen jälkeen",
        Resolution::Rejected => "hylättiin",
        Resolution::Returned => "palautettiin uudelleen valmisteltavaksi",
        Resolution::Tabled => "jätettiin pöydälle",
        Resolution::Noted => "merkittiin tiedoksi",
    }
}

fn language_fi(language: Language) -> &'static str {
    match language {
        Language::Fi => "suomi",
        Language::Sv => "ruotsi",
        Language::En => "englanti",
    }
}

/// A municipality as the subject or complement: its name, or `kunta` when it is not registered.
fn municipality(name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| "kunta".to_owned())
}

/// A municipality as the object (partitive): `kuntaa Siilinjärvi`, so the name needs no ending.
fn municipality_object(name: &Option<String>) -> String {
    match name {
        Some(name) => format!("kuntaa {name}"),
        None => "kuntaa".to_owned(),
    }
}

/// A date as Finnish pages write it (`3.3.2025`), from its ISO form (`2025-03-03`); anything
/// else is shown as it is.
fn day(date: &impl std::fmt::Display) -> String {
    let iso = date.to_string();
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => match (year.parse::<i32>(), month.parse::<u32>(), day.parse::<u32>()) {
            (Ok(year), Ok(month), Ok(day)) => format!("{day}.{month}.{year}"),
            _ => iso,
        },
        _ => iso,
    }
}

/// A number with a decimal comma (`2,5`).
fn number(value: Number) -> String {
    value.to_string().replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date of the examples' (its type is inferred, so this file needs no `chrono` of its own).
    macro_rules! example_day {
        () => {
            StateRule::examples()
                .into_iter()
                .find_map(|rule| match rule {
                    StateRule::CampaignClosedOn { closed_on } => Some(closed_on),
                    _ => None,
                })
                .expect("an example with a date")
        };
    }

    /// Every refusal the examples make: one of each variant of each rule enum, and each word
    /// within a rule in the rule that carries it.
    fn every_refusal() -> Vec<DomainError> {
        let day = example_day!();
        let mut inputs = InputRule::examples();
        inputs.extend(ShapeRule::examples().into_iter().map(InputRule::Shape));
        inputs.extend(Milestone::ALL.into_iter().map(|what| InputRule::NotBefore { what, date: day }));
        let mut states = StateRule::examples();
        for what in EngagementStep::ALL {
            states.push(StateRule::EngagementMissing { what });
            states.push(StateRule::EngagementClosed { closed: day, what });
        }
        for what in ExperimentStep::ALL {
            states.push(StateRule::ExperimentMissing { what });
            states.push(StateRule::ExperimentNotApproved { what });
            states.push(StateRule::ExperimentConcluded { what });
        }
        for what in LessonStep::ALL {
            states.push(StateRule::LessonMissing { what });
            states.push(StateRule::LessonAlreadyLearned { what });
        }
        let mut expectations = Expected::examples();
        expectations.extend(RecordKind::ALL.into_iter().map(|kind| Expected::Existing { kind }));
        inputs
            .into_iter()
            .map(|rule| DomainError::invalid("title.fi", rule))
            .chain(states.into_iter().map(DomainError::not_allowed))
            .chain(expectations.into_iter().map(|what| DomainError::unknown_reference("unit", what)))
            .collect()
    }

    #[test]
    fn every_refusal_reads_in_both_languages_and_finnish_is_not_english() {
        let refusals = every_refusal();
        assert!(refusals.len() > 200, "{}", refusals.len());
        for error in &refusals {
            let (field_fi, finnish) = refusal(Lang::Fi, error);
            let (field_en, english) = refusal(Lang::En, error);
            assert!(!finnish.trim().is_empty(), "{error:?}");
            assert!(!english.trim().is_empty(), "{error:?}");
            assert_ne!(finnish, english, "{error:?}");
            assert_eq!(field_fi, field_en, "the field is named as the command names it");
            let shown = match &field_en {
                Some(field) => format!("{field}: {english}"),
                None => english.clone(),
            };
            assert_eq!(shown, error.to_string(), "English is what the API says");
        }
    }

    #[test]
    fn every_validation_error_reads_in_both_languages() {
        for rule in ShapeRule::examples() {
            let error = ValidationError::new("name", rule);
            let (field, finnish) = validation(Lang::Fi, &error);
            let (_, english) = validation(Lang::En, &error);
            assert_eq!(field, "name");
            assert!(!finnish.trim().is_empty() && !english.trim().is_empty(), "{error:?}");
            assert_ne!(finnish, english, "{error:?}");
            assert_eq!(format!("{field}: {english}"), error.to_string());
        }
    }

    #[test]
    fn finnish_dates_and_numbers_are_written_the_finnish_way() {
        let closed_on = example_day!();
        let (_, text) = refusal(Lang::Fi, &DomainError::not_allowed(StateRule::CampaignClosedOn { closed_on }));
        assert!(text.starts_with("arviointikierros päättyi 3.3.2025;"), "{text}");
        let (_, text) = refusal(
            Lang::Fi,
            &DomainError::not_allowed(StateRule::ExperimentConcluded { what: ExperimentStep::Measurement }),
        );
        assert_eq!(text, "kokeilu on jo päätetty: sen jälkeen ei voi kirjata mittauksia");
        assert_eq!(number(Number(2.5)), "2,5");
        assert_eq!(day(&"not a date"), "not a date");
    }
}
