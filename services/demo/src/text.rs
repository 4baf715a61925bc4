//! The demo's prose: Finnish-first text composed from templates and the inflected words of
//! [`super::vocabulary`], with Swedish and English versions for titles and some summaries.
//!
//! A template is a sentence with slots. A slot names a word and the case it needs —
//! `{staff.gen}` becomes *lähihoitajien*, `{unit.ine}` *kotihoidossa* or *Siilinjärvellä* — so
//! the template's author, not a suffix rule, decides the grammar. Slots without a case are
//! plain values: `{year}`, `{win}` (a clause about something that went well), `{obstacle}`,
//! `{name}` (the theme's title) or a value the caller passes (`{pct}`, `{title}`, …). In the
//! Swedish and English versions a word slot stands for the uninflected phrase.
//!
//! [`Prose`] owns a seeded [`StdRng`]: the same seed and the same sequence of calls give the
//! same text, byte for byte. The programme gives each stream of work its own `Prose`
//! ([`Prose::for_key`]) so text stays the same however tasks interleave.

use chrono::{Datelike as _, NaiveDate};
use kirjuri_events::domain::experiment::{Criterion, Verdict};
use kirjuri_events::domain::practice::{AdoptionStatus, AnchorKind, Resolution};
use kirjuri_events::domain::{LocalizedText, ValidationError};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use super::vocabulary::{
    BodyName, Case, Metric, Place, SURNAMES, Theme, UnitName, Word, criterion_en, criterion_fi, month_en, month_fi,
    month_sv,
};

/// Why a template could not be filled. Only a mistake in the demo's own templates causes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A slot names nothing the scene or the caller provides.
    #[error("template slot `{{{0}}}` has no value")]
    UnknownSlot(String),
    /// A `{` without its `}`.
    #[error("template `{0}` has an unclosed slot")]
    Unclosed(String),
    /// The composed text breaks a text rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// A language a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// A sentence pattern in Finnish, optionally with its Swedish and English equivalents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// Finnish.
    pub fi: &'static str,
    /// Swedish.
    pub sv: Option<&'static str>,
    /// English.
    pub en: Option<&'static str>,
}

const fn fi(text: &'static str) -> Template {
    Template { fi: text, sv: None, en: None }
}

const fn tri(fi: &'static str, sv: &'static str, en: &'static str) -> Template {
    Template { fi, sv: Some(sv), en: Some(en) }
}

/// What a piece of text is about: the words its slots draw from.
#[derive(Debug, Clone, Copy)]
pub struct Scene {
    /// The strand of work.
    pub theme: &'static Theme,
    /// The unit it happens in.
    pub unit: &'static UnitName,
    /// The municipality it happens in.
    pub city: &'static Place,
    /// A partner municipality it involves.
    pub partner: &'static Place,
    /// The body that decides on it.
    pub body: &'static BodyName,
    /// The competence area in focus.
    pub skill: &'static Word,
    /// The in-story year.
    pub year: i32,
    /// The in-story month, 1–12.
    pub month: u32,
}

/// A value a template slot takes from the caller (`{pct}`, `{title}`, …).
pub type Extra = (&'static str, String);

/// Which stage change a reason is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageChange {
    /// Planning to running.
    Started,
    /// Running to a mid-term evaluation.
    Midterm,
    /// Back to running after a mid-term evaluation.
    Resumed,
    /// Running to the final evaluation.
    Final,
}

/// A structured coaching note: what was planned, what happened, why it differed, what to
/// keep or change (an after-action review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText {
    /// What was planned.
    pub planned: String,
    /// What happened.
    pub happened: String,
    /// Why it differed.
    pub why_different: String,
    /// What to keep or change.
    pub keep_or_change: String,
}

// ---------------------------------------------------------------------------------------
// Templates. Agreement: initiative, service, tool, task singular; clients, staff plural; unit
// only in oblique cases.
// ---------------------------------------------------------------------------------------

const EXPERIMENT_NAMES: &[Template] = &[
    tri("{name}", "{name}", "{name}"),
    tri("{name} {city.ine}", "{name} i {city}", "{name} in {city}"),
    tri("Kokeilu: {name}", "Försök: {name}", "Pilot: {name}"),
    tri("{name} – monialainen kokeilu", "{name} – ett sektorsöverskridande försök", "{name} – a cross-sector pilot"),
];

const EXPERIMENT_PROBLEMS: &[Template] = &[
    fi(
        "{clients.nom} odottavat {service.par} liian pitkään, ja {staff.gen} työaikaa kuluu tehtäviin, jotka eivät vaadi heidän osaamistaan.",
    ),
    fi("{service.gen} työmäärä kasvaa joka vuosi, mutta {staff.par} ei ole mahdollista lisätä samassa tahdissa."),
    fi(
        "Nykyinen toimintatapa {service.ine} perustuu paljolti paperilomakkeisiin ja puhelinsoittoihin, mikä hidastaa työtä ja kuormittaa {staff.par}.",
    ),
    fi(
        "{clients.nom} kokevat palvelun pirstaleiseksi: sama asia hoidetaan useassa paikassa, eikä kukaan näe kokonaisuutta.",
    ),
    fi(
        "Henkilöstökyselyssä {staff.nom} nostivat esiin kiireen ja keskeytykset, jotka heikentävät sekä työn laatua että jaksamista.",
    ),
    fi(
        "{city.gen} palvelutarpeet kasvavat ja muuttuvat, ja {service.ine} tarvitaan uusia tapoja tuottaa palvelua nykyisillä resursseilla.",
    ),
];

const EXPERIMENT_HYPOTHESES: &[Template] = &[
    fi(
        "Kun {initiative.nom} otetaan käyttöön {unit.ine}, {clients.nom} saavat palvelun nopeammin ja {staff.gen} aikaa vapautuu vaativampaan työhön.",
    ),
    fi("{initiative.nom} vähentää turhaa työtä ja keskeytyksiä, mikä näkyy sekä palvelun laadussa että työn imussa."),
    fi(
        "Kun {tool.nom} on osa arjen työtä, {staff.nom} käyttävät vähintään viidenneksen vähemmän aikaa rutiineihin ilman, että laatu kärsii.",
    ),
    fi(
        "Monialainen yhteistyö ja {initiative.nom} parantavat palvelun vaikuttavuutta ja tekevät {staff.gen} työstä mielekkäämpää.",
    ),
    fi(
        "{initiative.nom} parantaa vaikuttavuutta, työhyvinvointia ja tuottavuutta samanaikaisesti, kun muutos tehdään yhdessä {staff.gen} kanssa.",
    ),
];

const OBSERVATIONS: &[Template] = &[
    fi("{month.ine} {year} havaittiin, että {win}."),
    fi("Kokeilun {week}. viikolla {staff.nom} kertoivat, että {obstacle}."),
    fi("Seurantapalaverissa todettiin, että {win}, mutta samalla {obstacle}."),
    fi("{clients.gen} palautteen mukaan {win}."),
    fi("{unit.ine} huomattiin, että {obstacle}. Asia vietiin ohjausryhmän käsiteltäväksi."),
    fi("Mittausjakson aikana {win}. Vaikutus näkyi selvimmin {unit.ine}."),
    fi("Tiimipalaverissa nousi esiin, että {obstacle}; tilanteeseen etsitään ratkaisua yhdessä {staff.gen} kanssa."),
    fi("Vertailu lähtötasoon osoitti, että {win}."),
];

const OBSERVATION_CONDITIONS: &[Template] = &[
    fi("Havainto tehtiin {unit.ine} {month.ine} {year}, kun kokeilu oli ollut käynnissä {week} viikkoa."),
    fi("Koskee erityisesti {clients.par}, joilla on vähän kokemusta digitaalisista palveluista."),
    fi("Toistui useassa toimipisteessä, joten kyse ei ole yksittäistapauksesta."),
    fi("Tilanne korostui ruuhka-aikoina, jolloin {staff.ade} oli muutenkin kiire."),
    fi("Havainto perustuu {n} haastatteluun ja työntekijöiden kirjauksiin."),
];

const LESSON_TITLES: &[Template] = &[
    tri(
        "{initiative.nom} vaatii {staff.gen} perehdytyksen ennen käyttöönottoa",
        "{initiative} kräver introduktion av {staff} före driftstart",
        "{initiative} needs {staff} to be onboarded before launch",
    ),
    tri(
        "{clients.gen} henkilökohtainen ohjaus ratkaisee käyttöasteen",
        "Personlig handledning av {clients} avgör användningsgraden",
        "Personal guidance for {clients} decides the uptake",
    ),
    tri(
        "Mittarit on sovittava ennen kokeilun alkua",
        "Mätarna ska avtalas innan försöket börjar",
        "Agree the metrics before the pilot starts",
    ),
    tri(
        "Tietosuoja-arvio kannattaa tehdä heti alussa",
        "Gör konsekvensbedömningen för dataskydd genast i början",
        "Do the data-protection impact assessment first",
    ),
    tri(
        "Vertaistuki kantaa pidemmälle kuin kertakoulutus",
        "Kamratstöd räcker längre än engångsutbildning",
        "Peer support goes further than one-off training",
    ),
    tri(
        "{service.nom} hyötyy, kun {staff.nom} osallistuvat suunnitteluun",
        "{service} vinner på att {staff} deltar i planeringen",
        "{service} benefits when {staff} take part in the design",
    ),
    tri(
        "{tool.nom} toimii parhaiten osana arjen työtä",
        "{tool} fungerar bäst som en del av vardagen",
        "{tool} works best as part of everyday work",
    ),
    tri(
        "Vaiheittainen käyttöönotto paljasti ongelmat ajoissa",
        "Stegvis införande avslöjade problemen i tid",
        "A phased roll-out surfaced problems early",
    ),
    tri(
        "Monialainen työ tarvitsee yhteisen kielen",
        "Sektorsöverskridande arbete behöver ett gemensamt språk",
        "Cross-sector work needs a shared language",
    ),
];

const LESSON_DRIVING_EVENTS: &[Template] = &[
    fi("{unit.gen} kokeilussa {win}, mutta {obstacle}."),
    fi("{month.ine} {year} tehdyssä väliarvioinnissa kävi ilmi, että {obstacle}."),
    fi("Ensimmäisten viikkojen jälkeen {staff.nom} kertoivat, että {obstacle}; korjausten jälkeen {win}."),
    fi("Ohjausryhmä kävi läpi kokeilun mittaustulokset: {win}, mutta {obstacle}."),
];

const LESSON_TEXTS: &[Template] = &[
    fi(
        "{initiative.nom} tuottaa hyötyä vasta, kun {staff.nom} ovat saaneet riittävän perehdytyksen ja tuen arjen työhön.",
    ),
    fi("{clients.par} on tuettava henkilökohtaisesti ensimmäisillä kerroilla; pelkkä kirjallinen ohje ei riitä."),
    fi(
        "Onnistuminen {service.ine} edellyttää, että mittarit ja tavoitteet sovitaan yhdessä henkilöstön kanssa ennen aloitusta.",
    ),
    fi("Kun {tool.nom} otetaan käyttöön vaiheittain, ongelmat havaitaan ajoissa ja luottamus rakentuu."),
    fi(
        "Monialaisessa työssä {staff.nom} ja muiden toimialojen työntekijät tulkitsivat samat käsitteet eri tavoin; yhteinen sanasto kannattaa sopia heti alussa.",
    ),
    fi(
        "Tekniikka ei ollut kokeilun vaikein osa, vaan työtapojen muuttaminen: {staff.nom} tarvitsivat aikaa ja tilaa harjoitella.",
    ),
];

const LESSON_RECOMMENDATIONS: &[Template] = &[
    fi("Varataan {staff.all} vähintään kaksi tuntia aikaa perehdytykseen ennen käyttöönottoa."),
    fi("Nimetään jokaiseen tiimiin digiagentti, joka auttaa kollegoita arjen ongelmissa."),
    fi("Sovitaan mittarit ja lähtötaso ennen kokeilun alkua ja kirjataan ne protokollaan."),
    fi("Tehdään tietosuojan vaikutustenarviointi ennen kuin {tool.gen} käyttö laajenee."),
    fi("Kerätään {clients.gen} palaute kuukausittain ja käsitellään se tiimipalaverissa."),
    fi("Laajennetaan {initiative.nom} muihin yksiköihin vasta, kun {unit.gen} kokemukset on arvioitu."),
    fi("Tarjotaan {clients.all} mahdollisuus harjoitella palvelun käyttöä yhdessä työntekijän kanssa."),
];

const LESSON_ACTIONS: &[Template] = &[
    fi("Päivitetään {initiative.gen} perehdytysmateriaali ja jaetaan se {staff.all}."),
    fi("Laaditaan {unit.all} ohje {tool.gen} käytöstä poikkeustilanteissa."),
    fi("Järjestetään {staff.all} vertaistukityöpaja {month.ine}."),
    fi("Selvitetään yhdessä tietohallinnon kanssa, miten {tool.gen} käytettävyyttä voidaan parantaa."),
    fi("Lisätään {clients.gen} palautekysely osaksi {service.gen} vuosikelloa."),
];

const LESSON_EVIDENCE: &[Template] = &[
    fi("Toimenpiteen jälkeen {win}, ja muutos on pysynyt kolmen kuukauden ajan."),
    fi("Ohje on käytössä {unit.ine}, ja {staff.nom} kertovat sen vähentäneen epäselvyyksiä."),
    fi("Asia todettiin korjatuksi {body.gen} kokouksessa {month.ine} {year}."),
    fi("Seurantamittauksessa tulos parani mittarilla ”{metric}” {change} prosenttia lähtötasosta."),
];

const PRACTICE_TITLES: &[Template] = &[
    tri(
        "{initiative.nom} vakiintuneeksi toimintatavaksi {unit.ine}",
        "{initiative} som etablerat arbetssätt inom {unit}",
        "{initiative} as an established way of working in {unit}",
    ),
    tri(
        "{staff.gen} perehdytysmalli {tool.gen} käyttöön",
        "Introduktionsmodell för {staff}: {tool}",
        "Onboarding model for {staff}: {tool}",
    ),
    tri(
        "Yhteiset mittarit {service.gen} kokeiluihin",
        "Gemensamma mätare för försök inom {service}",
        "Shared metrics for pilots in {service}",
    ),
    tri(
        "{clients.gen} henkilökohtainen ohjaus ensimmäisillä asiointikerroilla",
        "Personlig handledning för {clients} vid de första besöken",
        "Personal guidance for {clients} at their first visits",
    ),
    tri(
        "Digiagentti jokaiseen {unit.gen} tiimiin",
        "En digiagent i varje team inom {unit}",
        "A digital agent in every team of {unit}",
    ),
    tri(
        "Tietosuoja-arvio ennen {tool.gen} käyttöönottoa",
        "Konsekvensbedömning för dataskydd innan {tool} tas i bruk",
        "Data-protection impact assessment before introducing {tool}",
    ),
    tri(
        "Vaiheittainen käyttöönotto: {initiative.nom}",
        "Stegvis införande: {initiative}",
        "Phased introduction: {initiative}",
    ),
    tri(
        "{initiative.nom} kaikkiin {city.gen} toimipisteisiin",
        "{initiative} på alla verksamhetsställen i {city}",
        "{initiative} in every service point in {city}",
    ),
    tri(
        "Kokeilujen opit osaksi {unit.gen} toimintasuunnitelmaa",
        "Lärdomarna från försöken in i verksamhetsplanen för {unit}",
        "Lessons from pilots into the operating plan of {unit}",
    ),
];

const PRACTICE_CONTEXTS: &[Template] = &[
    fi(
        "Vuonna {year} {unit.ine} toteutetussa kokeilussa {win}. Käytäntö kokoaa kokeilun opit ja ehdottaa niiden vakiinnuttamista.",
    ),
    fi(
        "{service.nom} tarvitsee yhtenäisen toimintatavan, sillä {obstacle}. Kokeilun tulokset osoittavat, että ongelma on ratkaistavissa.",
    ),
    fi(
        "Eri yksiköt ovat ratkaisseet saman ongelman eri tavoin. Kokeilujen perusteella {initiative.nom} on osoittautunut toimivimmaksi vaihtoehdoksi.",
    ),
    fi(
        "{staff.nom} ovat toivoneet selkeää ohjetta siitä, miten {tool.nom} otetaan osaksi arkea. Kokeilussa havaittiin, että {win}.",
    ),
];

const PRACTICE_OPTIONS: &[Template] = &[
    fi("Jatketaan nykyisellä toimintatavalla ja seurataan tilannetta."),
    fi("Otetaan {initiative.nom} käyttöön koko {city.gen} alueella kerralla."),
    fi("Otetaan käytäntö käyttöön vaiheittain {unit.ela} aloittaen."),
    fi("Hankitaan palvelu ulkopuoliselta toimittajalta."),
    fi("Toteutetaan käytäntö yhdessä kumppanikuntien kanssa."),
];

const PRACTICE_BENEFITS: &[Template] = &[
    fi("{clients.nom} saavat palvelun nopeammin ja joustavammin."),
    fi("{staff.gen} työ kevenee, kun rutiinitehtävät vähenevät."),
    fi("Toimintatapa yhtenäistyy, mikä helpottaa sijaisten perehdyttämistä."),
    fi("Kokeilun tulokset voidaan jakaa kumppanikunnille sellaisenaan."),
];

const PRACTICE_COSTS: &[Template] = &[
    fi("Käyttöönotto vaatii koulutusta ja tukea ensimmäisen puolen vuoden ajan."),
    fi("Lisenssikustannukset kasvavat noin {thousands} 000 euroa vuodessa."),
    fi("Osa {clients.ela} tarvitsee edelleen perinteisen palvelun rinnalle."),
    fi("Muutos edellyttää {tool.gen} liittämistä nykyisiin järjestelmiin."),
];

const MOTIONS: &[Template] = &[
    fi(
        "Esittelijä ehdottaa, että {body.nom} hyväksyy käytännön ”{title}” ja päättää sen vakiinnuttamisesta {unit.ine} {effective} alkaen.",
    ),
    fi(
        "Päätösehdotus: {body.nom} päättää hyväksyä käytännön ”{title}” ja velvoittaa {unit.par} raportoimaan toimeenpanosta {month.ine} {year}.",
    ),
    fi(
        "Päätösehdotus: {body.nom} merkitsee tiedoksi digiohjelman kokeilujen tulokset ja hyväksyy käytännön ”{title}” noudatettavaksi {city.gen} kaupunkikonsernissa.",
    ),
];

const DECISIONS_PASSED: &[Template] = &[
    fi("{body.nom} hyväksyi päätösehdotuksen yksimielisesti."),
    fi("Hyväksyttiin esittelijän ehdotuksen mukaisesti."),
    fi("{body.nom} hyväksyi käytännön ja edellytti, että toimeenpanon etenemisestä raportoidaan {month.ine} {year}."),
];

const DECISIONS_AMENDED: &[Template] = &[
    fi(
        "{body.nom} hyväksyi ehdotuksen muutettuna siten, että käytäntö otetaan käyttöön ensin {unit.ine} ja laajennetaan vasta arvioinnin jälkeen.",
    ),
    fi(
        "Hyväksyttiin muutettuna: toimeenpanon aikataulua pidennetään kuudella kuukaudella, ja {staff.gen} edustajia kuullaan ennen laajentamista.",
    ),
    fi(
        "Esittelijä muutti ehdotustaan kokouksessa niin, että käytäntöön lisätään tietosuojan vaikutustenarviointi. {body.nom} hyväksyi muutetun ehdotuksen.",
    ),
];

const DECISIONS_VOTED: &[Template] = &[
    fi(
        "Jäsen {member} ehdotti jäsen {seconder_gen} kannattamana, että asia palautetaan uudelleen valmisteltavaksi. Koska oli tehty kannatettu vastaehdotus, suoritettiin äänestys. Esittelijän ehdotus voitti äänin {yes}–{no}. {body.nom} hyväksyi käytännön äänestyksen jälkeen.",
    ),
    fi(
        "Äänestyksessä päätösehdotusta kannatti {yes} ja jäsen {member_gen} vastaehdotusta {no} jäsentä. {body.nom} hyväksyi käytännön äänestyksen jälkeen.",
    ),
];

const DECISIONS_REJECTED: &[Template] =
    &[fi("{body.nom} hylkäsi ehdotuksen."), fi("Ehdotus hylättiin yksimielisesti.")];

const REJECTION_RATIONALES: &[Template] = &[
    fi("Kustannusvaikutuksia ei ollut arvioitu riittävästi."),
    fi("Kokeilun aineisto oli liian suppea pysyvän käytännön pohjaksi."),
    fi("Ehdotus on päällekkäinen hyvinvointialueen kanssa sovitun työnjaon kanssa."),
    fi("{clients.all} aiheutuvia vaikutuksia ei ollut arvioitu."),
];

const DECISIONS_RETURNED: &[Template] = &[
    fi("Asia palautettiin uudelleen valmisteltavaksi."),
    fi("{body.nom} palautti asian valmisteluun yksimielisesti."),
];

const RETURN_RATIONALES: &[Template] = &[
    fi("Tietosuojan vaikutustenarviointi puuttui."),
    fi("Henkilöstön edustajia ei ollut kuultu valmistelussa."),
    fi("Vaikutukset {clients.all} on selvitettävä tarkemmin."),
    fi("Ehdotuksesta puuttui arvio vaikutuksista {staff.gen} työmäärään."),
];

const DECISIONS_TABLED: &[Template] = &[
    fi("Asia jätettiin pöydälle jäsen {member_gen} ehdotuksesta."),
    fi("Asia jätettiin yksimielisesti pöydälle seuraavaan kokoukseen."),
];

const DECISIONS_NOTED: &[Template] =
    &[fi("{body.nom} merkitsi käytännön ja sen tähänastiset tulokset tiedoksi."), fi("Merkittiin tiedoksi.")];

const ANCHOR_UNIT_TARGETS: &[Template] = &[
    tri(
        "{unit.gen} toimintasuunnitelma {year}",
        "Verksamhetsplanen för {unit} {year}",
        "Operating plan of {unit} {year}",
    ),
    tri("{unit.gen} perehdytysohjelma", "Introduktionsprogrammet för {unit}", "Induction programme of {unit}"),
];

const ANCHOR_PROCESS_TARGETS: &[Template] = &[
    tri("{service.gen} palveluprosessi", "Serviceprocessen inom {service}", "Service process of {service}"),
    tri(
        "{service.gen} asiakasohjauksen prosessi",
        "Klientstyrningsprocessen inom {service}",
        "Client guidance process of {service}",
    ),
];

const ANCHOR_GUIDELINE_TARGETS: &[Template] = &[
    tri("{tool.gen} käyttöohje", "Anvisning för {tool}", "Guideline for {tool}"),
    tri(
        "{city.gen} digitaalisten palvelujen ohje",
        "Anvisning för digitala tjänster i {city}",
        "{city} guideline for digital services",
    ),
];

const ANCHOR_STRATEGY_TARGETS: &[Template] = &[
    tri(
        "{city.gen} kaupunkistrategia 2030: palvelut kotiin ja paikasta riippumatta",
        "Stadsstrategin för {city} 2030: tjänster hem och oberoende av plats",
        "{city} city strategy 2030: services at home and independent of place",
    ),
    tri(
        "{city.gen} kaupunkistrategia 2030: sujuva arki ja tuottava työ",
        "Stadsstrategin för {city} 2030: smidig vardag och produktivt arbete",
        "{city} city strategy 2030: a smooth everyday and productive work",
    ),
];

const APPROVALS: &[Template] = &[
    fi(
        "{body.nom} hyväksyi kokeilun ”{title}” toteutettavaksi ajalla {starts}–{ends} ja myönsi sille {budget} euron määrärahan.",
    ),
    fi(
        "{body.nom} päätti käynnistää kokeilun ”{title}” ajalle {starts}–{ends}. Kokeilun kustannukset, {budget} euroa, katetaan digiohjelman määrärahasta.",
    ),
];

const SCOPE_GROUPS: &[Template] = &[
    tri("{service.gen} {clients.nom} {district_in}", "{clients} i {district}", "{clients} in {district}"),
    tri(
        "{unit.gen} henkilöstö ja {clients.nom} {district_in}",
        "Personalen inom {unit} och {clients} i {district}",
        "Staff of {unit} and {clients} in {district}",
    ),
];

const STAGE_RUNNING: &[Template] = &[
    fi("Kokeilu käynnistyi suunnitelman mukaisesti."),
    fi("Perehdytykset on pidetty, ja kokeilu käynnistyi {unit.ine}."),
];

const STAGE_MIDTERM: &[Template] = &[
    fi("Väliarviointi ohjausryhmän pyynnöstä: {obstacle}."),
    fi("Kokeilu pysäytettiin väliarviointiin, koska {obstacle}."),
];

const STAGE_RESUMED: &[Template] = &[
    fi("Väliarvioinnin jälkeen kokeilua jatketaan tarkennetulla mallilla."),
    fi("Korjaukset tehtiin, ja mittausjakso jatkuu."),
];

const STAGE_FINAL: &[Template] = &[
    fi("Mittausjakso päättyi; tulokset arvioidaan."),
    fi("Kokeilun mittausjakso on päättynyt, ja loppuarviointi alkaa."),
];

const CHOSEN_OPTIONS: &[Template] = &[
    fi(
        "Valitaan vaiheittainen käyttöönotto {unit.ela} aloittaen, koska se jättää aikaa perehdytykseen ja palautteen keräämiseen.",
    ),
    fi(
        "Valitaan {initiative.gen} käyttöönotto koko kaupungissa, koska kokeilun tulokset olivat yhdenmukaisia kaikissa toimipisteissä.",
    ),
    fi("Valitaan toteutus yhdessä kumppanikuntien kanssa, koska se jakaa kustannukset ja nopeuttaa oppimista."),
];

const WHAT_CHANGED: &[Template] = &[
    fi("Lisättiin {staff.gen} perehdytystä koskeva osio ja tarkennettiin vastuita."),
    fi("Mittarit päivitettiin vastaamaan kokeilun loppuraporttia, ja {clients.gen} palautteen keruu lisättiin."),
    fi("Käyttöönoton aikataulua porrastettiin, ja tietosuojaa koskeva ohjeistus lisättiin."),
];

const PERSONAL_NOTES: &[Template] = &[
    fi(
        "Yksi osallistujista kertoi kokevansa uuden järjestelmän opettelun raskaana; sovimme lyhyen kahdenkeskisen tapaamisen.",
    ),
    fi("Tiimiläinen on jäämässä vanhempainvapaalle, joten hänen tehtävänsä siirtyvät kollegalle."),
    fi("Esihenkilö toivoi palautetta omasta tavastaan tukea muutosta; palaamme asiaan kahden kesken."),
    fi("Osallistujan aiempi huono kokemus etäyhteyksistä vaikuttaa yhä asenteeseen, ja asiasta puhuttiin avoimesti."),
];

const ACTION_RESULTS: &[Template] = &[
    fi("Tehty: {staff.nom} ovat ottaneet toimintatavan käyttöön."),
    fi("Ohjeet on koottu yhteiseen kansioon, ja niitä on jo käytetty."),
    fi("Toteutui osittain; jatketaan seuraavassa valmennuksessa."),
];

const WITHDRAWAL_REASONS: &[Template] =
    &[fi("Vastaaja pyysi vastauksensa poistamista."), fi("Vastaus annettiin vahingossa väärän yksikön nimissä.")];

const TARGET_RATIONALES: &[Template] = &[
    fi("Tavoitetaso asetettiin kevään {year} osaamiskartoituksen tulosten perusteella."),
    fi("Tavoite tukee kaupunkistrategian tavoitetta palveluista kotiin ja paikasta riippumatta."),
];

const PROGRESS_NOTES: &[Template] = &[
    fi("{pct} % {unit.gen} tiimeistä on ottanut käytännön käyttöön."),
    fi("Käyttöönotto on edennyt {n} toimipisteeseen; {win}."),
    fi("Käytännön perehdytys on pidetty {n} työyhteisölle."),
    fi("Toimeenpano eteni suunnitellusti: {win}."),
];

const REVISION_REASONS: &[Template] = &[
    fi("Käytäntöä päivitettiin, koska {obstacle}."),
    fi("Ohjausryhmä edellytti, että käytännön vaikutukset {staff.gen} työhön arvioidaan ennen uutta päätöstä."),
    fi("Käytäntöä tarkennettiin vastaamaan päivitettyä tietosuojaohjetta."),
];

const RETIREMENT_REASONS: &[Template] = &[
    fi("Käytäntö poistettiin käytöstä, koska vastaava palvelu on nyt saatavilla kansallisena ratkaisuna."),
    fi("Tarve poistui, kun toiminta siirtyi Pohjois-Savon hyvinvointialueelle."),
    fi("Käytäntö on vanhentunut: {tool.nom} on korvattu uudella järjestelmällä."),
];

const ADOPTION_CONSIDERING: &[Template] = &[
    fi("{partner.gen} johtoryhmä tutustuu käytäntöön ja päättää jatkosta {month.ine}."),
    fi("{partner.ine} käytäntöä arvioidaan osana ensi vuoden talousarvion valmistelua."),
];

const ADOPTION_PILOTING: &[Template] = &[
    fi("{partner.ine} käytäntöä kokeillaan {unit.ine} syksyllä {year}."),
    fi("{partner.gen} pilotti alkoi yhdessä toimipisteessä; kokemuksia verrataan {city.gen} tuloksiin."),
];

const ADOPTION_ADOPTED: &[Template] = &[
    fi("{partner.gen} johtoryhmä päätti ottaa käytännön käyttöön sellaisenaan."),
    fi("Käytäntö sovitettiin {partner.gen} pienempään organisaatioon, ja se on nyt käytössä kaikissa toimipisteissä."),
];

const ADOPTION_DECLINED: &[Template] = &[
    fi("{partner.ine} käytäntö ei sovellu nykyiseen palveluverkkoon, joten sitä ei oteta käyttöön."),
    fi("{partner.gen} resurssit eivät tällä hetkellä riitä käyttöönottoon; asiaan palataan myöhemmin."),
];

const COACHING_GOALS: &[Template] = &[
    fi("Vahvistetaan {staff.gen} osaamista {skill.ine}."),
    fi("Tuetaan {unit.par} {initiative.gen} käyttöönotossa."),
    fi("Rakennetaan tiimille yhteinen tapa kirjata ja jakaa kokeilun havainnot."),
    fi("Löydetään keinoja vähentää keskeytyksiä ja parantaa palautumista työpäivän aikana."),
    fi("Valmistaudutaan tulevaan muutokseen ja tunnistetaan, mitä se tarkoittaa {staff.gen} työlle."),
];

const NOTE_PLANNED: &[Template] = &[
    fi("Suunnitelmana oli käydä läpi {skill.gen} perusteet ja harjoitella {tool.gen} käyttöä omilla työtehtävillä."),
    fi("Tarkoitus oli sopia, miten {initiative.nom} otetaan käyttöön {unit.ine} {month.gen} aikana."),
    fi("Tavoitteena oli arvioida ensimmäisen kuukauden kokemukset ja päättää jatkosta."),
    fi("Tarkoitus oli harjoitella {skill.par} tapausesimerkkien avulla."),
];

const NOTE_HAPPENED: &[Template] = &[
    fi("Keskustelu kääntyi nopeasti arjen ongelmiin: {obstacle}."),
    fi("Paikalla oli {total} osallistujaa, joista {done} sai harjoituksen tehtyä itsenäisesti."),
    fi("Tiimi kertoi, että {win}. Käytimme suurimman osan ajasta kokemusten jakamiseen."),
    fi(
        "Kävimme läpi {skill.gen} perusasiat ja teimme harjoituksen, jossa jokainen kokeili {tool.par} omalla laitteellaan.",
    ),
];

const NOTE_WHY_DIFFERENT: &[Template] = &[
    fi("Ryhmällä oli enemmän kysymyksiä kuin osasimme ennakoida."),
    fi("Puolet tiimistä oli sijaisia, joten perusteista piti aloittaa alusta."),
    fi("Tekninen ongelma vei ensimmäiset kaksikymmentä minuuttia."),
    fi("Eroa suunnitelmaan ei juuri ollut; aikataulu piti."),
    fi("Esihenkilö joutui lähtemään kesken, joten päätökset siirtyivät seuraavaan kertaan."),
];

const NOTE_KEEP_OR_CHANGE: &[Template] = &[
    fi("Säilytetään lyhyet harjoitukset omilla tehtävillä; siirretään aloitus aamuvuoron loppuun."),
    fi("Jatketaan vertaisoppimista; seuraavalla kerralla mukaan {unit.gen} digiagentti."),
    fi("Laaditaan kirjallinen muistilista, jonka {staff.nom} voivat pitää työpisteellään."),
    fi("Varataan seuraavaan kertaan enemmän aikaa kysymyksille ja vähemmän esityksille."),
];

const COACHING_ACTIONS: &[Template] = &[
    fi("{staff.nom} kokeilevat {tool.par} vähintään kolmessa tehtävässä ennen seuraavaa tapaamista."),
    fi("Valmentaja kokoaa ohjeet {skill.ela} yhteiseen kansioon."),
    fi("Esihenkilö varaa tiimille tunnin viikossa {skill.gen} harjoitteluun."),
    fi("Tiimi sopii, kuka toimii {unit.gen} digiagenttina seuraavan puolen vuoden ajan."),
];

const ENGAGEMENT_SUMMARIES: &[Template] = &[
    fi("Valmennus päättyi suunnitellusti. {staff.nom} kokevat hallitsevansa {skill.par} aiempaa paremmin, ja {win}."),
    fi("Valmennus saavutti tavoitteensa osittain: {win}, mutta {obstacle}."),
];

/// Communications: each title goes with the body written for it (same index).
const COMMUNICATION_TITLES: &[Template] = &[
    tri(
        "{initiative.nom} laajenee – kokemuksia {unit.ela}",
        "{initiative} utvidgas – erfarenheter från {unit}",
        "{initiative} expands – experiences from {unit}",
    ),
    tri(
        "Digiohjelman uutiskirje, {month.nom} {year}",
        "Digitaliseringsprogrammets nyhetsbrev, {month} {year}",
        "Digital programme newsletter, {month} {year}",
    ),
    tri(
        "Näin {staff.nom} hyödyntävät {tool.par} arjessa",
        "Så använder {staff} {tool} i vardagen",
        "How {staff} use {tool} in everyday work",
    ),
    tri(
        "Osaamiskartoituksen tulokset {year}: digitaidot vahvistuvat",
        "Kompetenskartläggningen {year}: de digitala färdigheterna stärks",
        "Skills survey {year}: digital skills are growing stronger",
    ),
    tri(
        "Kumppanikunnat tutustuivat {city.gen} kokeiluihin",
        "Partnerkommunerna bekantade sig med försöken i {city}",
        "Partner municipalities visited the pilots in {city}",
    ),
];

const COMMUNICATION_BODIES: &[Template] = &[
    Template {
        fi: "{city.gen} digiohjelman kokeilu {unit.ine} on edennyt puoleenväliin. {win}. Samalla on opittu, että {obstacle}. Kokemuksia jaetaan kumppanikuntien kanssa {month.ine}.",
        sv: None,
        en: Some(
            "The {city} digital programme's pilot in {unit} is halfway through. Experiences will be shared with the partner municipalities in {month}.",
        ),
    },
    Template {
        fi: "Ohjausryhmä kävi kokouksessaan läpi kokeilujen väliraportit. {win}. Seuraavaksi keskitytään siihen, miten opit saadaan osaksi pysyviä rakenteita.",
        sv: Some(
            "Styrgruppen gick igenom försökens delrapporter. Nästa steg är att göra lärdomarna till en del av de permanenta strukturerna.",
        ),
        en: Some(
            "The steering group reviewed the pilots' interim reports. Next, the focus is on making the lessons part of permanent structures.",
        ),
    },
    fi(
        "{staff.nom} ovat ottaneet käyttöön uuden toimintatavan: {initiative.nom}. Ensimmäisten kuukausien aikana {win}. Kehitettävääkin löytyi, sillä {obstacle}.",
    ),
    Template {
        fi: "Henkilöstön digiosaamisen kartoitukseen vastasi {n} työntekijää. Osaaminen vahvistui edellisestä vuodesta eniten niissä yksiköissä, joissa kokeiltiin uusia toimintatapoja. Tulokset käsitellään yksiköiden johtoryhmissä {month.ine}.",
        sv: None,
        en: Some(
            "{n} employees answered the staff digital skills survey. Skills grew most in the units that piloted new ways of working.",
        ),
    },
    Template {
        fi: "{partner.gen} ja muiden kumppanikuntien edustajat tutustuivat {city.gen} kokeiluihin verkostotapaamisessa. Erityistä kiinnostusta herätti {initiative.nom}: {win}.",
        sv: None,
        en: Some(
            "Representatives of {partner} and the other partner municipalities visited the {city} pilots at a network meeting.",
        ),
    },
];

const DIGCOMP_CAMPAIGN_TITLES: &[Template] = &[tri(
    "Henkilöstön digiosaamisen kartoitus, {season_fi} {year}",
    "Kartläggning av personalens digitala kompetens, {season_sv} {year}",
    "Staff digital skills survey, {season_en} {year}",
)];

const MATURITY_CAMPAIGN_TITLES: &[Template] = &[tri(
    "Digitaalisen kypsyyden arviointi {year}",
    "Bedömning av digital mognad {year}",
    "Digital maturity assessment {year}",
)];

const OUTCOME_CHANGES: &[Template] = &[
    fi("{metric_cap}: lähtötaso {baseline}, lopputaso {value} ({change} %)."),
    fi("Mittari ”{metric}” muuttui lähtötasosta {baseline} tasolle {value}, eli {change} %."),
];

const VERDICTS_IMPROVED: &[Template] = &[fi("Tavoite saavutettiin."), fi("Tulos on selvä parannus lähtötasoon.")];
const VERDICTS_NO_CHANGE: &[Template] =
    &[fi("Muutos jäi vähäiseksi."), fi("Merkittävää eroa lähtötasoon ei syntynyt.")];
const VERDICTS_WORSE: &[Template] =
    &[fi("Kehitys oli odotetun vastainen, ja syitä selvitetään."), fi("Tulos heikkeni kokeilun aikana.")];
const VERDICTS_INCONCLUSIVE: &[Template] = &[fi("Aineisto ei riitä luotettavaan johtopäätökseen.")];

const CONCLUSIONS: &[Template] = &[
    Template {
        fi: "Kokeilu päättyi {month.ine} {year}. {win}, mutta {obstacle}. Ohjausryhmä suosittaa toimintatavan vakiinnuttamista.",
        sv: None,
        en: Some(
            "The pilot ended in {month} {year}. The steering group recommends making the new way of working permanent.",
        ),
    },
    Template {
        fi: "Kokeilu saatiin päätökseen suunnitellusti. Vaikuttavuus, työhyvinvointi ja tuottavuus arvioitiin erikseen, ja tulokset on koottu loppuraporttiin.",
        sv: Some(
            "Försöket slutfördes enligt plan. Effekt, arbetshälsa och produktivitet bedömdes var för sig, och resultaten finns i slutrapporten.",
        ),
        en: Some(
            "The pilot was completed as planned. Effectiveness, wellbeing at work and productivity were assessed separately; the results are in the final report.",
        ),
    },
];

/// Every template table, by name (for tests and for anyone extending the demo).
pub const TEMPLATE_TABLES: &[(&str, &[Template])] = &[
    ("experiment names", EXPERIMENT_NAMES),
    ("experiment problems", EXPERIMENT_PROBLEMS),
    ("experiment hypotheses", EXPERIMENT_HYPOTHESES),
    ("observations", OBSERVATIONS),
    ("observation conditions", OBSERVATION_CONDITIONS),
    ("lesson titles", LESSON_TITLES),
    ("lesson driving events", LESSON_DRIVING_EVENTS),
    ("lesson texts", LESSON_TEXTS),
    ("lesson recommendations", LESSON_RECOMMENDATIONS),
    ("lesson actions", LESSON_ACTIONS),
    ("lesson evidence", LESSON_EVIDENCE),
    ("practice titles", PRACTICE_TITLES),
    ("practice contexts", PRACTICE_CONTEXTS),
    ("practice options", PRACTICE_OPTIONS),
    ("practice benefits", PRACTICE_BENEFITS),
    ("practice costs", PRACTICE_COSTS),
    ("motions", MOTIONS),
    ("decisions passed", DECISIONS_PASSED),
    ("decisions amended", DECISIONS_AMENDED),
    ("decisions voted", DECISIONS_VOTED),
    ("decisions rejected", DECISIONS_REJECTED),
    ("rejection rationales", REJECTION_RATIONALES),
    ("decisions returned", DECISIONS_RETURNED),
    ("return rationales", RETURN_RATIONALES),
    ("decisions tabled", DECISIONS_TABLED),
    ("decisions noted", DECISIONS_NOTED),
    ("anchor unit targets", ANCHOR_UNIT_TARGETS),
    ("anchor process targets", ANCHOR_PROCESS_TARGETS),
    ("anchor guideline targets", ANCHOR_GUIDELINE_TARGETS),
    ("anchor strategy targets", ANCHOR_STRATEGY_TARGETS),
    ("approvals", APPROVALS),
    ("scope groups", SCOPE_GROUPS),
    ("stage running", STAGE_RUNNING),
    ("stage midterm", STAGE_MIDTERM),
    ("stage resumed", STAGE_RESUMED),
    ("stage final", STAGE_FINAL),
    ("chosen options", CHOSEN_OPTIONS),
    ("what changed", WHAT_CHANGED),
    ("personal notes", PERSONAL_NOTES),
    ("action results", ACTION_RESULTS),
    ("withdrawal reasons", WITHDRAWAL_REASONS),
    ("target rationales", TARGET_RATIONALES),
    ("progress notes", PROGRESS_NOTES),
    ("revision reasons", REVISION_REASONS),
    ("retirement reasons", RETIREMENT_REASONS),
    ("adoption considering", ADOPTION_CONSIDERING),
    ("adoption piloting", ADOPTION_PILOTING),
    ("adoption adopted", ADOPTION_ADOPTED),
    ("adoption declined", ADOPTION_DECLINED),
    ("coaching goals", COACHING_GOALS),
    ("note planned", NOTE_PLANNED),
    ("note happened", NOTE_HAPPENED),
    ("note why different", NOTE_WHY_DIFFERENT),
    ("note keep or change", NOTE_KEEP_OR_CHANGE),
    ("coaching actions", COACHING_ACTIONS),
    ("engagement summaries", ENGAGEMENT_SUMMARIES),
    ("communication titles", COMMUNICATION_TITLES),
    ("communication bodies", COMMUNICATION_BODIES),
    ("digcomp campaign titles", DIGCOMP_CAMPAIGN_TITLES),
    ("maturity campaign titles", MATURITY_CAMPAIGN_TITLES),
    ("outcome changes", OUTCOME_CHANGES),
    ("verdicts improved", VERDICTS_IMPROVED),
    ("verdicts no change", VERDICTS_NO_CHANGE),
    ("verdicts worse", VERDICTS_WORSE),
    ("verdicts inconclusive", VERDICTS_INCONCLUSIVE),
    ("conclusions", CONCLUSIONS),
];

// ---------------------------------------------------------------------------------------
// Filling templates.
// ---------------------------------------------------------------------------------------

/// Fills `template` in `lang`: word slots from `scene`, plain slots from `extras`, `{win}` and
/// `{obstacle}` drawn from the theme with `rng`. A slot the template puts at the start of a
/// sentence is capitalised; the template's own words are left as written.
pub fn fill(
    template: &str,
    lang: Lang,
    scene: &Scene,
    extras: &[Extra],
    rng: &mut StdRng,
) -> Result<String, TextError> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| TextError::Unclosed(template.to_owned()))?;
        let value = resolve(&after[..close], lang, scene, extras, rng)?;
        if at_sentence_start(&out) {
            out.push_str(&capitalise_first(&value));
        } else {
            out.push_str(&value);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn at_sentence_start(text_so_far: &str) -> bool {
    let trimmed = text_so_far.trim_end();
    trimmed.is_empty() || (text_so_far.ends_with(' ') && trimmed.ends_with(['.', '!', '?']))
}

fn resolve(slot: &str, lang: Lang, scene: &Scene, extras: &[Extra], rng: &mut StdRng) -> Result<String, TextError> {
    let unknown = || TextError::UnknownSlot(slot.to_owned());
    let (name, case_suffix) = match slot.split_once('.') {
        Some((name, case)) => (name, Some(case)),
        None => (slot, None),
    };
    if let Some((_, value)) = extras.iter().find(|(key, _)| *key == name) {
        return Ok(value.clone());
    }
    let case = match case_suffix {
        Some(suffix) => Case::from_suffix(suffix).ok_or_else(unknown)?,
        None => Case::Nominative,
    };
    let theme = scene.theme;
    let word = match name {
        "initiative" => Some(&theme.initiative),
        "service" => Some(&theme.service),
        "clients" => Some(&theme.clients),
        "staff" => Some(&theme.staff),
        "tool" => Some(&theme.tool),
        "task" => Some(&theme.task),
        "unit" => Some(&scene.unit.name),
        "city" => Some(&scene.city.name),
        "partner" => Some(&scene.partner.name),
        "body" => Some(&scene.body.name),
        "skill" => Some(scene.skill),
        _ => None,
    };
    if let Some(word) = word {
        return Ok(match lang {
            Lang::Fi => word.fi.get(case).to_owned(),
            Lang::Sv => word.sv.to_owned(),
            Lang::En => word.en.to_owned(),
        });
    }
    let language_index = match lang {
        Lang::Fi => 0,
        Lang::Sv => 1,
        Lang::En => 2,
    };
    Ok(match name {
        "month" => match lang {
            Lang::Fi => month_fi(scene.month, case),
            Lang::Sv => month_sv(scene.month).to_owned(),
            Lang::En => month_en(scene.month).to_owned(),
        },
        "year" => scene.year.to_string(),
        "name" => theme.name[language_index].to_owned(),
        "win" => theme.wins[rng.random_range(0..theme.wins.len())].to_owned(),
        "obstacle" => theme.obstacles[rng.random_range(0..theme.obstacles.len())].to_owned(),
        _ => return Err(unknown()),
    })
}

/// The text with its first letter upper-cased.
pub fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A date the Finnish way: `1.9.2025`.
pub fn date_fi(date: NaiveDate) -> String {
    format!("{}.{}.{}", date.day(), date.month(), date.year())
}

/// An integer with Finnish thousands separators: `120 000`.
pub fn thousands_fi(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(digit);
    }
    out
}

/// A number the Finnish way: decimal comma, `decimals` places.
pub fn number_fi(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",").replace('-', "−")
}

/// A signed percentage change the Finnish way (`+12,5`, `−8,0`).
pub fn change_fi(percent: f64) -> String {
    let sign = if percent >= 0.0 { "+" } else { "" };
    format!("{sign}{}", number_fi(percent, 1))
}

// ---------------------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------------------

/// Composes the programme's text, deterministically for its seed.
#[derive(Debug, Clone)]
pub struct Prose {
    rng: StdRng,
    /// Chance (0–1) that a title gets its Swedish version.
    swedish_share: f64,
    /// Chance (0–1) that a title gets its English version.
    english_share: f64,
}

/// A stable 64-bit hash of `key` (FNV-1a), for deriving seeds that never change between builds.
pub fn stable_hash(key: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl Prose {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self { rng: StdRng::seed_from_u64(seed), swedish_share: 0.35, english_share: 0.7 }
    }

    /// A generator for one stream of work (`key`) under the programme's `seed`: independent of
    /// every other key, so concurrent tasks write the same text in any interleaving.
    pub fn for_key(seed: u64, key: &str) -> Self {
        Self::new(seed ^ stable_hash(key).rotate_left(17))
    }

    /// The generator's random source, for the numbers that go with the text.
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// A value in `range`, from the generator's random source.
    pub fn between(&mut self, low: u32, high_inclusive: u32) -> u32 {
        self.rng.random_range(low..=high_inclusive.max(low))
    }

    /// True with probability `share`.
    pub fn chance(&mut self, share: f64) -> bool {
        self.rng.random_bool(share.clamp(0.0, 1.0))
    }

    /// One of `items`, uniformly.
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A member of a council (surname, genitive) picked for a decision text.
    fn member(&mut self) -> (&'static str, &'static str) {
        *self.pick(&SURNAMES)
    }

    fn render(
        &mut self,
        templates: &[Template],
        scene: &Scene,
        extras: &[Extra],
        translate: bool,
    ) -> Result<LocalizedText, TextError> {
        let template = *self.pick(templates);
        self.render_one(&template, scene, extras, translate)
    }

    fn render_one(
        &mut self,
        template: &Template,
        scene: &Scene,
        extras: &[Extra],
        translate: bool,
    ) -> Result<LocalizedText, TextError> {
        let finnish = fill(template.fi, Lang::Fi, scene, extras, &mut self.rng)?;
        let swedish = match template.sv {
            Some(sv) if translate && self.chance(self.swedish_share) => {
                Some(fill(sv, Lang::Sv, scene, extras, &mut self.rng)?)
            }
            _ => None,
        };
        let english = match template.en {
            Some(en) if translate && self.chance(self.english_share) => {
                Some(fill(en, Lang::En, scene, extras, &mut self.rng)?)
            }
            _ => None,
        };
        Ok(LocalizedText::parse(&finnish, swedish.as_deref(), english.as_deref())?)
    }

    fn finnish(&mut self, templates: &[Template], scene: &Scene, extras: &[Extra]) -> Result<String, TextError> {
        let template = *self.pick(templates);
        fill(template.fi, Lang::Fi, scene, extras, &mut self.rng)
    }

    /// Several distinct Finnish sentences from `templates` (at most as many as there are).
    fn several(
        &mut self,
        templates: &[Template],
        count: usize,
        scene: &Scene,
        extras: &[Extra],
    ) -> Result<Vec<LocalizedText>, TextError> {
        let chosen = rand::seq::index::sample(&mut self.rng, templates.len(), count.min(templates.len()));
        chosen.into_iter().map(|i| self.render_one(&templates[i], scene, extras, false)).collect()
    }

    /// An experiment's name; `round` > 1 marks a later round of the same theme.
    pub fn experiment_name(&mut self, scene: &Scene, round: u32) -> Result<LocalizedText, TextError> {
        // Every experiment is named in all three languages, from the same pattern: the
        // partner network reads them.
        let template = *self.pick(EXPERIMENT_NAMES);
        let mut name = LocalizedText::parse(
            &fill(template.fi, Lang::Fi, scene, &[], &mut self.rng)?,
            template.sv.map(|sv| fill(sv, Lang::Sv, scene, &[], &mut self.rng)).transpose()?.as_deref(),
            template.en.map(|en| fill(en, Lang::En, scene, &[], &mut self.rng)).transpose()?.as_deref(),
        )?;
        if round > 1 {
            name.fi.push_str(&format!(" ({round}. kierros)"));
            if let Some(sv) = name.sv.as_mut() {
                sv.push_str(&format!(" (omgång {round})"));
            }
            if let Some(en) = name.en.as_mut() {
                en.push_str(&format!(" (round {round})"));
            }
        }
        Ok(name)
    }

    /// The problem an experiment addresses (two sentences).
    pub fn experiment_problem(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        let sentences = self.several(EXPERIMENT_PROBLEMS, 2, scene, &[])?;
        let joined: Vec<&str> = sentences.iter().map(|s| s.fi.as_str()).collect();
        Ok(LocalizedText::fi(&joined.join(" "))?)
    }

    /// What an experiment expects to show.
    pub fn experiment_hypothesis(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(EXPERIMENT_HYPOTHESES, scene, &[], false)
    }

    /// An observation from the field, and the conditions under which it was made.
    pub fn observation(&mut self, scene: &Scene) -> Result<(LocalizedText, LocalizedText), TextError> {
        let extras = [("week", self.between(2, 30).to_string()), ("n", self.between(4, 24).to_string())];
        let text = self.render(OBSERVATIONS, scene, &extras, false)?;
        let conditions = self.render(OBSERVATION_CONDITIONS, scene, &extras, false)?;
        Ok((text, conditions))
    }

    /// A lesson: title, driving event, the lesson itself and two or three recommendations.
    pub fn lesson(&mut self, scene: &Scene) -> Result<LessonText, TextError> {
        let title = self.render(LESSON_TITLES, scene, &[], true)?;
        let driving_event = self.render(LESSON_DRIVING_EVENTS, scene, &[], false)?;
        let lesson = self.render(LESSON_TEXTS, scene, &[], false)?;
        let count = 2 + usize::from(self.chance(0.5));
        let recommendations = self.several(LESSON_RECOMMENDATIONS, count, scene, &[])?;
        Ok(LessonText { title, driving_event, lesson, recommendations })
    }

    /// An action assigned on a lesson.
    pub fn lesson_action(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(LESSON_ACTIONS, scene, &[], false)
    }

    /// Evidence that a lesson was learned.
    pub fn lesson_evidence(
        &mut self,
        scene: &Scene,
        metric: &Metric,
        change_percent: f64,
    ) -> Result<LocalizedText, TextError> {
        let extras = [("metric", metric.fi.to_owned()), ("change", number_fi(change_percent.abs(), 0))];
        self.render(LESSON_EVIDENCE, scene, &extras, false)
    }

    /// A practice's title; `variant` picks the title pattern (so a programme's practices differ).
    pub fn practice_title(&mut self, scene: &Scene, variant: usize) -> Result<LocalizedText, TextError> {
        let template = PRACTICE_TITLES[variant % PRACTICE_TITLES.len()];
        self.render_one(&template, scene, &[], true)
    }

    /// A practice's context, options considered and consequences (benefits and costs).
    pub fn practice_body(&mut self, scene: &Scene) -> Result<PracticeText, TextError> {
        let extras = [("thousands", self.between(8, 60).to_string())];
        let context = self.render(PRACTICE_CONTEXTS, scene, &extras, false)?;
        let options = self.several(PRACTICE_OPTIONS, 3, scene, &extras)?;
        let benefits = self.several(PRACTICE_BENEFITS, 2, scene, &extras)?;
        let costs = self.several(PRACTICE_COSTS, 2, scene, &extras)?;
        Ok(PracticeText { context, options, benefits, costs })
    }

    /// The motion put to a body about a practice titled `title`, effective from `effective`.
    pub fn motion(&mut self, scene: &Scene, title: &str, effective: &str) -> Result<LocalizedText, TextError> {
        let extras = [("title", title.to_owned()), ("effective", effective.to_owned())];
        self.render(MOTIONS, scene, &extras, false)
    }

    /// The decision text for `resolution`, with a rationale where the resolution needs one
    /// (rejected, returned), and the vote where there was one.
    pub fn decision(&mut self, scene: &Scene, resolution: Resolution) -> Result<DecisionText, TextError> {
        let (member, member_gen) = self.member();
        let (_, seconder_gen) = self.member();
        let seats = 13;
        let yes = self.between(7, 11);
        let extras = [
            ("member", member.to_owned()),
            ("member_gen", member_gen.to_owned()),
            ("seconder_gen", seconder_gen.to_owned()),
            ("yes", yes.to_string()),
            ("no", (seats - yes).to_string()),
        ];
        let (decisions, rationales): (&[Template], Option<&[Template]>) = match resolution {
            Resolution::Passed => (DECISIONS_PASSED, None),
            Resolution::PassedAsAmended => (DECISIONS_AMENDED, None),
            Resolution::PassedAfterVote => (DECISIONS_VOTED, None),
            Resolution::Rejected => (DECISIONS_REJECTED, Some(REJECTION_RATIONALES)),
            Resolution::Returned => (DECISIONS_RETURNED, Some(RETURN_RATIONALES)),
            Resolution::Tabled => (DECISIONS_TABLED, None),
            Resolution::Noted => (DECISIONS_NOTED, None),
        };
        let text = self.render(decisions, scene, &extras, false)?;
        let rationale = match rationales {
            Some(templates) => Some(self.render(templates, scene, &extras, false)?),
            None => None,
        };
        let votes = (resolution == Resolution::PassedAfterVote).then_some((yes, seats - yes));
        Ok(DecisionText { text, rationale, votes })
    }

    /// A note on a practice's implementation reaching `percent` %.
    pub fn progress_note(&mut self, scene: &Scene, percent: u32) -> Result<LocalizedText, TextError> {
        let extras = [("pct", percent.to_string()), ("n", self.between(2, 14).to_string())];
        self.render(PROGRESS_NOTES, scene, &extras, false)
    }

    /// Why a practice was revised.
    pub fn revision_reason(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(REVISION_REASONS, scene, &[], false)
    }

    /// Why a practice was retired.
    pub fn retirement_reason(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(RETIREMENT_REASONS, scene, &[], false)
    }

    /// A partner's note on adopting a practice (the partner is `scene.partner`).
    pub fn adoption_note(&mut self, scene: &Scene, status: AdoptionStatus) -> Result<LocalizedText, TextError> {
        let templates = match status {
            AdoptionStatus::Considering => ADOPTION_CONSIDERING,
            AdoptionStatus::Piloting => ADOPTION_PILOTING,
            AdoptionStatus::Adopted => ADOPTION_ADOPTED,
            AdoptionStatus::Rejected => ADOPTION_DECLINED,
        };
        self.render(templates, scene, &[], false)
    }

    /// Two or three goals for a coaching engagement.
    pub fn coaching_goals(&mut self, scene: &Scene) -> Result<Vec<LocalizedText>, TextError> {
        let count = 2 + usize::from(self.chance(0.4));
        self.several(COACHING_GOALS, count, scene, &[])
    }

    /// A structured note from a coaching session.
    pub fn coaching_note(&mut self, scene: &Scene) -> Result<NoteText, TextError> {
        let total = self.between(4, 14);
        let done = self.between(total / 2, total - 1);
        let extras = [("total", total.to_string()), ("done", done.to_string())];
        Ok(NoteText {
            planned: self.finnish(NOTE_PLANNED, scene, &extras)?,
            happened: self.finnish(NOTE_HAPPENED, scene, &extras)?,
            why_different: self.finnish(NOTE_WHY_DIFFERENT, scene, &extras)?,
            keep_or_change: self.finnish(NOTE_KEEP_OR_CHANGE, scene, &extras)?,
        })
    }

    /// An action agreed in coaching.
    pub fn coaching_action(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(COACHING_ACTIONS, scene, &[], false)
    }

    /// The summary when an engagement closes.
    pub fn engagement_summary(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(ENGAGEMENT_SUMMARIES, scene, &[], false)
    }

    /// A communication's title and the body that goes with it.
    pub fn communication(&mut self, scene: &Scene) -> Result<(LocalizedText, LocalizedText), TextError> {
        let index = self.rng.random_range(0..COMMUNICATION_TITLES.len().min(COMMUNICATION_BODIES.len()));
        let extras = [("n", self.between(180, 2400).to_string())];
        let title = self.render_one(&COMMUNICATION_TITLES[index], scene, &extras, true)?;
        let body = self.render_one(&COMMUNICATION_BODIES[index], scene, &extras, true)?;
        Ok((title, body))
    }

    /// A DigComp campaign's title; `autumn` picks the season.
    pub fn digcomp_campaign_title(&mut self, scene: &Scene, autumn: bool) -> Result<LocalizedText, TextError> {
        let (season_fi, season_sv, season_en) =
            if autumn { ("syksy", "hösten", "autumn") } else { ("kevät", "våren", "spring") };
        let extras = [
            ("season_fi", season_fi.to_owned()),
            ("season_sv", season_sv.to_owned()),
            ("season_en", season_en.to_owned()),
        ];
        self.render(DIGCOMP_CAMPAIGN_TITLES, scene, &extras, true)
    }

    /// A maturity campaign's title.
    pub fn maturity_campaign_title(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(MATURITY_CAMPAIGN_TITLES, scene, &[], true)
    }

    /// The summary of an outcome for one metric: the change and a verdict.
    pub fn outcome_summary(
        &mut self,
        scene: &Scene,
        metric: &Metric,
        baseline: f64,
        value: f64,
        verdict: Verdict,
    ) -> Result<LocalizedText, TextError> {
        let change = if baseline.abs() > f64::EPSILON { (value - baseline) / baseline.abs() * 100.0 } else { 0.0 };
        let decimals = if metric.baseline.abs() < 10.0 { 1 } else { 0 };
        let extras = [
            ("metric", metric.fi.to_owned()),
            ("metric_cap", capitalise_first(metric.fi)),
            ("baseline", with_unit_fi(number_fi(baseline, decimals), metric.unit, false)),
            ("value", with_unit_fi(number_fi(value, decimals), metric.unit, true)),
            ("change", change_fi(change)),
        ];
        let change_text = self.finnish(OUTCOME_CHANGES, scene, &extras)?;
        let verdict_templates = match verdict {
            Verdict::Improved => VERDICTS_IMPROVED,
            Verdict::NoChange => VERDICTS_NO_CHANGE,
            Verdict::Worse => VERDICTS_WORSE,
            Verdict::Inconclusive => VERDICTS_INCONCLUSIVE,
        };
        let verdict_text = self.finnish(verdict_templates, scene, &extras)?;
        let english = format!(
            "{}: baseline {}, final {} ({change:+.1} %).",
            capitalise_first(metric.en),
            with_unit_en(format_en(baseline, decimals), metric.unit, false),
            with_unit_en(format_en(value, decimals), metric.unit, true),
        );
        let text = LocalizedText::fi(&format!("{change_text} {verdict_text}"))?;
        Ok(if self.chance(0.5) { text.with_en(&english)? } else { text })
    }

    /// The summary when an experiment concludes.
    pub fn conclusion(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(CONCLUSIONS, scene, &[], true)
    }

    /// The name of the structure a practice is anchored in, for the kind of anchoring.
    pub fn anchor_target(&mut self, scene: &Scene, into: AnchorKind) -> Result<LocalizedText, TextError> {
        let templates = match into {
            AnchorKind::Unit => ANCHOR_UNIT_TARGETS,
            AnchorKind::Process => ANCHOR_PROCESS_TARGETS,
            AnchorKind::Guideline => ANCHOR_GUIDELINE_TARGETS,
            AnchorKind::StrategyItem => ANCHOR_STRATEGY_TARGETS,
        };
        self.render(templates, scene, &[], true)
    }

    /// The minuted decision approving an experiment named `title`.
    pub fn approval(
        &mut self,
        scene: &Scene,
        title: &str,
        starts: NaiveDate,
        ends: NaiveDate,
        budget_euros: u64,
    ) -> Result<LocalizedText, TextError> {
        let extras = [
            ("title", title.to_owned()),
            ("starts", date_fi(starts)),
            ("ends", date_fi(ends)),
            ("budget", thousands_fi(budget_euros)),
        ];
        self.render(APPROVALS, scene, &extras, false)
    }

    /// Whom and where an experiment involves: the group and the place (a district).
    pub fn scope(
        &mut self,
        scene: &Scene,
        district: (&str, &str),
    ) -> Result<(LocalizedText, LocalizedText), TextError> {
        let extras = [("district", district.0.to_owned()), ("district_in", district.1.to_owned())];
        let group = self.render(SCOPE_GROUPS, scene, &extras, true)?;
        let place = LocalizedText::fi(district.0)?;
        Ok((group, place))
    }

    /// Why an experiment changed stage.
    pub fn stage_reason(&mut self, scene: &Scene, change: StageChange) -> Result<LocalizedText, TextError> {
        let templates = match change {
            StageChange::Started => STAGE_RUNNING,
            StageChange::Midterm => STAGE_MIDTERM,
            StageChange::Resumed => STAGE_RESUMED,
            StageChange::Final => STAGE_FINAL,
        };
        self.render(templates, scene, &[], false)
    }

    /// The option a practice chose, and why.
    pub fn chosen_option(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(CHOSEN_OPTIONS, scene, &[], false)
    }

    /// What a revision of a practice changed.
    pub fn what_changed(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(WHAT_CHANGED, scene, &[], false)
    }

    /// Free text of a coaching note that concerns people (classified personal).
    pub fn personal_note(&mut self, scene: &Scene) -> Result<String, TextError> {
        self.finnish(PERSONAL_NOTES, scene, &[])
    }

    /// What came of a completed coaching action.
    pub fn action_result(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(ACTION_RESULTS, scene, &[], false)
    }

    /// Why a response was withdrawn.
    pub fn withdrawal_reason(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(WITHDRAWAL_REASONS, scene, &[], false)
    }

    /// Why a unit's target level was set.
    pub fn target_rationale(&mut self, scene: &Scene) -> Result<LocalizedText, TextError> {
        self.render(TARGET_RATIONALES, scene, &[], false)
    }

    /// A criterion's name in Finnish and English, e.g. for a protocol.
    pub fn criterion_name(criterion: Criterion) -> Result<LocalizedText, TextError> {
        Ok(LocalizedText::fi(&capitalise_first(criterion_fi(criterion)))?
            .with_en(&capitalise_first(criterion_en(criterion)))?)
    }

    /// A metric's name in Finnish and English.
    pub fn metric_name(metric: &Metric) -> Result<LocalizedText, TextError> {
        Ok(LocalizedText::fi(&capitalise_first(metric.fi))?.with_en(&capitalise_first(metric.en))?)
    }

    /// A word as a name: Finnish nominative (capitalised), Swedish and English.
    pub fn name_of(word: &Word) -> Result<LocalizedText, TextError> {
        Ok(LocalizedText::parse(
            &capitalise_first(word.fi.get(Case::Nominative)),
            Some(&capitalise_first(word.sv)),
            Some(&capitalise_first(word.en)),
        )?)
    }
}

/// A measured value with its unit; a scale (`1–5`) is named once, after the final value.
fn with_unit_fi(number: String, unit: &str, name_the_scale: bool) -> String {
    if unit.contains('–') {
        if name_the_scale { format!("{number} (asteikko {unit})") } else { number }
    } else {
        format!("{number} {unit}")
    }
}

/// The English counterpart of [`with_unit_fi`]; Finnish unit abbreviations are spelled out.
fn with_unit_en(number: String, unit: &str, name_the_scale: bool) -> String {
    if unit.contains('–') {
        return if name_the_scale { format!("{number} (scale {unit})") } else { number };
    }
    let unit = match unit {
        "kpl" => "",
        "kpl/kk" => "per month",
        "vrk" => "days",
        "pv/v" => "days per year",
        "pistettä" => "points",
        "h/kk" => "h per month",
        "htv" => "person-years",
        other => other,
    };
    if unit.is_empty() { number } else { format!("{number} {unit}") }
}

fn format_en(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// The text of a lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonText {
    /// Its title.
    pub title: LocalizedText,
    /// What happened that taught it.
    pub driving_event: LocalizedText,
    /// The lesson itself.
    pub lesson: LocalizedText,
    /// What to do differently.
    pub recommendations: Vec<LocalizedText>,
}

/// The text of a practice draft.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeText {
    /// The situation it answers.
    pub context: LocalizedText,
    /// The options considered.
    pub options: Vec<LocalizedText>,
    /// Good consequences.
    pub benefits: Vec<LocalizedText>,
    /// Costs and risks.
    pub costs: Vec<LocalizedText>,
}

/// The text of a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionText {
    /// The decision as minuted.
    pub text: LocalizedText,
    /// Why, where the resolution needs a reason (rejected, returned).
    pub rationale: Option<LocalizedText>,
    /// Votes for and against, where there was a vote.
    pub votes: Option<(u32, u32)>,
}

#[cfg(test)]
mod tests {
    use super::super::vocabulary::{BODIES, KUOPIO, PARTNERS, SKILLS, THEMES, UNITS};
    use super::*;

    fn scene(theme: usize, unit: usize) -> Scene {
        Scene {
            theme: THEMES[theme % THEMES.len()],
            unit: &UNITS[unit % UNITS.len()],
            city: &KUOPIO,
            partner: &PARTNERS[unit % PARTNERS.len()],
            body: &BODIES[theme % BODIES.len()],
            skill: &SKILLS[unit % SKILLS.len()],
            year: 2025,
            month: 3 + (unit as u32 % 9),
        }
    }

    fn every_extra() -> Vec<Extra> {
        [
            "week",
            "n",
            "pct",
            "title",
            "effective",
            "member",
            "member_gen",
            "seconder_gen",
            "yes",
            "no",
            "metric",
            "metric_cap",
            "change",
            "baseline",
            "value",
            "season_fi",
            "season_sv",
            "season_en",
            "thousands",
            "total",
            "done",
            "starts",
            "ends",
            "budget",
            "district",
            "district_in",
        ]
        .into_iter()
        .map(|key| (key, "7".to_owned()))
        .collect()
    }

    /// Everything a programme writes with one generator, concatenated.
    fn sample(seed: u64) -> String {
        let mut prose = Prose::new(seed);
        let mut out = Vec::new();
        for i in 0..10 {
            let scene = scene(i, i * 7 + 3);
            let mut push = |text: Result<LocalizedText, TextError>| {
                let text = text.expect("fills");
                out.push(format!("{} | {:?} | {:?}", text.fi, text.sv, text.en));
            };
            push(prose.experiment_name(&scene, 1 + i as u32 % 2));
            push(prose.experiment_problem(&scene));
            push(prose.experiment_hypothesis(&scene));
            let (observation, conditions) = prose.observation(&scene).expect("fills");
            push(Ok(observation));
            push(Ok(conditions));
            let lesson = prose.lesson(&scene).expect("fills");
            push(Ok(lesson.title));
            push(Ok(lesson.lesson));
            push(prose.practice_title(&scene, i));
            push(prose.motion(&scene, "Etäkäyntimalli", "1.9.2025"));
            push(prose.decision(&scene, Resolution::PassedAfterVote).map(|d| d.text));
            push(prose.adoption_note(&scene, AdoptionStatus::Piloting));
            let note = prose.coaching_note(&scene).expect("fills");
            push(Ok(LocalizedText::fi(&format!(
                "{} {} {} {}",
                note.planned, note.happened, note.why_different, note.keep_or_change
            ))
            .expect("valid")));
            push(prose.outcome_summary(&scene, &scene.theme.metrics[i % 6], 10.0, 12.5, Verdict::Improved));
            push(prose.communication(&scene).map(|(title, _)| title));
        }
        out.join("\n")
    }

    #[test]
    fn the_same_seed_gives_the_same_text() {
        assert_eq!(sample(2026), sample(2026));
    }

    #[test]
    fn different_seeds_give_different_text() {
        assert_ne!(sample(2026), sample(2027));
        assert_ne!(sample(1), sample(2));
    }

    #[test]
    fn streams_keyed_differently_write_differently() {
        let mut a = Prose::for_key(7, "experiment-1");
        let mut b = Prose::for_key(7, "experiment-2");
        let texts = |prose: &mut Prose| -> Vec<String> {
            (0..8).map(|i| prose.experiment_hypothesis(&scene(i, i)).expect("fills").fi).collect()
        };
        assert_ne!(texts(&mut a), texts(&mut b));
    }

    #[test]
    fn every_template_fills_every_slot_for_every_theme_and_unit() {
        let extras = every_extra();
        let mut rng = StdRng::seed_from_u64(1);
        for (table, templates) in TEMPLATE_TABLES {
            assert!(!templates.is_empty(), "{table} is empty");
            for template in *templates {
                for theme in 0..THEMES.len() {
                    for unit in 0..UNITS.len() {
                        let scene = scene(theme, unit);
                        for (lang, text) in
                            [(Lang::Fi, Some(template.fi)), (Lang::Sv, template.sv), (Lang::En, template.en)]
                        {
                            let Some(text) = text else { continue };
                            let filled = fill(text, lang, &scene, &extras, &mut rng)
                                .unwrap_or_else(|e| panic!("{table}: {text:?}: {e}"));
                            assert!(
                                !filled.contains('{') && !filled.contains('}'),
                                "{table}: unfilled slot in {filled:?}"
                            );
                            assert!(!filled.contains("  "), "{table}: double space in {filled:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn an_unknown_slot_is_an_error_not_a_silent_gap() {
        let mut rng = StdRng::seed_from_u64(1);
        let scene = scene(0, 0);
        assert_eq!(fill("{nothing}", Lang::Fi, &scene, &[], &mut rng), Err(TextError::UnknownSlot("nothing".into())));
        assert_eq!(fill("{unit.xyz}", Lang::Fi, &scene, &[], &mut rng), Err(TextError::UnknownSlot("unit.xyz".into())));
        assert!(matches!(fill("{unit", Lang::Fi, &scene, &[], &mut rng), Err(TextError::Unclosed(_))));
    }

    #[test]
    fn finnish_text_reads_as_finnish() {
        let text = sample(2026);
        assert!(text.contains('ä') && text.contains('ö'), "{text}");
        assert!(!text.to_lowercase().contains("lorem"));
        let mut rng = StdRng::seed_from_u64(3);
        let home_care = scene(0, 1);
        let filled = fill(
            "{staff.nom} kertoivat {clients.all} {unit.ine} {month.ine} {year}.",
            Lang::Fi,
            &home_care,
            &[],
            &mut rng,
        )
        .expect("fills");
        assert_eq!(filled, "Lähihoitajat kertoivat asiakkaille kotihoidossa huhtikuussa 2025.");
        let partner = Scene { partner: &PARTNERS[0], ..home_care };
        assert_eq!(
            fill("{partner.ine} ja {city.ela}", Lang::Fi, &partner, &[], &mut rng).expect("fills"),
            "Siilinjärvellä ja Kuopiosta"
        );
    }

    #[test]
    fn titles_come_in_swedish_and_english_too() {
        let mut prose = Prose::new(5);
        let titles: Vec<LocalizedText> =
            (0..40).map(|i| prose.practice_title(&scene(i, i), i).expect("fills")).collect();
        assert!(titles.iter().any(|t| t.sv.is_some()));
        assert!(titles.iter().any(|t| t.en.is_some()));
        assert!(titles.iter().any(|t| t.sv.is_none()), "Swedish is for some titles, not all");
        let name = prose.experiment_name(&scene(2, 6), 1).expect("fills");
        assert!(name.sv.is_some() && name.en.is_some());
    }

    #[test]
    fn slots_at_sentence_starts_are_capitalised_and_ordinals_are_left_alone() {
        let mut rng = StdRng::seed_from_u64(1);
        let scene = scene(0, 1);
        let extras = [("week", "6".to_owned())];
        assert_eq!(
            fill(
                "kokeilun {week}. viikolla {unit.ine}. {staff.nom} kertoivat. Äänin 10–3. {body.nom} päätti.",
                Lang::Fi,
                &scene,
                &extras,
                &mut rng
            )
            .expect("fills"),
            "kokeilun 6. viikolla kotihoidossa. Lähihoitajat kertoivat. Äänin 10–3. Kaupunginvaltuusto päätti."
        );
        assert_eq!(capitalise_first("äänin"), "Äänin");
        assert_eq!(thousands_fi(1_250_000), "1\u{a0}250\u{a0}000");
        assert_eq!(date_fi(NaiveDate::from_ymd_opt(2025, 9, 1).expect("date")), "1.9.2025");
        assert_eq!(number_fi(-3.25, 1), "−3,2");
        assert_eq!(change_fi(12.46), "+12,5");
    }

    #[test]
    fn every_resolution_has_its_text_and_rejections_and_returns_have_reasons() {
        let mut prose = Prose::new(9);
        let scene = scene(3, 5);
        for resolution in Resolution::ALL {
            let decision = prose.decision(&scene, resolution).expect("fills");
            let needs_reason = matches!(resolution, Resolution::Rejected | Resolution::Returned);
            assert_eq!(decision.rationale.is_some(), needs_reason, "{resolution:?}");
            assert_eq!(decision.votes.is_some(), resolution == Resolution::PassedAfterVote);
        }
    }
}
