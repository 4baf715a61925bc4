//! The demo's words: every noun the templates use, stored with the Finnish case forms the
//! templates need, and its Swedish and English equivalents.
//!
//! Finnish inflection is not computed: each word is written out once in eight forms
//! ([`Case`]), as a person would say them (`kotihoito / kotihoidon / kotihoitoa /
//! kotihoidossa / …`). Place and area names keep their idiomatic locative — "Siilinjärvellä",
//! "palvelualueella" — in the inessive, elative and illative slots, because those slots mean
//! "in", "from" and "into" to the templates, not a particular ending.
//!
//! Agreement rules the templates rely on (checked by tests): a theme's `initiative`, `service`,
//! `tool` and `task` are singular; its `clients` and `staff` are plural. Units are only used in
//! oblique cases, so their number never meets a verb.

use kirjuri_events::domain::experiment::{Criterion, Direction};

/// A Finnish case form slot, as templates name it (`{unit.ine}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Nominative: *kotihoito*.
    Nominative,
    /// Genitive: *kotihoidon*.
    Genitive,
    /// Partitive: *kotihoitoa*.
    Partitive,
    /// "In": *kotihoidossa*, *Siilinjärvellä*.
    Inessive,
    /// "From": *kotihoidosta*, *Siilinjärveltä*.
    Elative,
    /// "Into": *kotihoitoon*, *Siilinjärvelle*.
    Illative,
    /// Adessive: *kotihoidolla*.
    Adessive,
    /// Allative: *kotihoidolle*.
    Allative,
}

impl Case {
    /// Every case, in the order [`Forms`] stores them.
    pub const ALL: [Case; 8] = [
        Case::Nominative,
        Case::Genitive,
        Case::Partitive,
        Case::Inessive,
        Case::Elative,
        Case::Illative,
        Case::Adessive,
        Case::Allative,
    ];

    /// The case a template suffix names: `nom`, `gen`, `par`, `ine`, `ela`, `ill`, `ade`, `all`.
    pub fn from_suffix(suffix: &str) -> Option<Case> {
        Some(match suffix {
            "nom" => Case::Nominative,
            "gen" => Case::Genitive,
            "par" => Case::Partitive,
            "ine" => Case::Inessive,
            "ela" => Case::Elative,
            "ill" => Case::Illative,
            "ade" => Case::Adessive,
            "all" => Case::Allative,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        match self {
            Case::Nominative => 0,
            Case::Genitive => 1,
            Case::Partitive => 2,
            Case::Inessive => 3,
            Case::Elative => 4,
            Case::Illative => 5,
            Case::Adessive => 6,
            Case::Allative => 7,
        }
    }
}

/// A Finnish noun phrase in its eight forms (nominative, genitive, partitive, "in", "from",
/// "into", adessive, allative), lower case unless a proper name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forms(pub [&'static str; 8]);

impl Forms {
    /// The form for `case`.
    pub fn get(&self, case: Case) -> &'static str {
        self.0[case.index()]
    }
}

/// A noun phrase in Finnish (inflected), Swedish and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// The Finnish forms.
    pub fi: Forms,
    /// The Swedish phrase, as it stands in running text.
    pub sv: &'static str,
    /// The English phrase, as it stands in running text.
    pub en: &'static str,
}

/// A criterion's Finnish name, lower case.
pub fn criterion_fi(criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Effectiveness => "vaikuttavuus",
        Criterion::WellbeingAtWork => "työhyvinvointi",
        Criterion::Productivity => "tuottavuus",
    }
}

/// A criterion's English name, lower case.
pub fn criterion_en(criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Effectiveness => "effectiveness",
        Criterion::WellbeingAtWork => "wellbeing at work",
        Criterion::Productivity => "productivity",
    }
}

/// Something an experiment measures, with a plausible starting level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    /// The criterion it belongs to.
    pub criterion: Criterion,
    /// Finnish name, lower case, nominative.
    pub fi: &'static str,
    /// English name.
    pub en: &'static str,
    /// Unit of measure as written after the number (`%`, `min`, `1–5`…).
    pub unit: &'static str,
    /// A typical baseline value.
    pub baseline: f64,
    /// The smallest value the scale allows.
    pub min: f64,
    /// The largest value the scale allows.
    pub max: f64,
    /// Which way is better.
    pub better: Direction,
    /// The relative change a successful experiment typically reaches (0.15 = 15 %).
    pub typical_change: f64,
}

/// One strand of the programme's work: the vocabulary a story about it needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// A stable key, used in tags.
    pub key: &'static str,
    /// The theme's name as a title (Finnish, Swedish, English).
    pub name: [&'static str; 3],
    /// What is being introduced (singular).
    pub initiative: Word,
    /// The service it changes (singular).
    pub service: Word,
    /// The people served (plural).
    pub clients: Word,
    /// The staff doing the work (plural).
    pub staff: Word,
    /// The tool or system (singular).
    pub tool: Word,
    /// One piece of work (singular).
    pub task: Word,
    /// Things that went well, as Finnish clauses (no leading capital, no full stop).
    pub wins: &'static [&'static str],
    /// Things that got in the way, as Finnish clauses.
    pub obstacles: &'static [&'static str],
    /// Two metrics per criterion: effectiveness, wellbeing, productivity.
    pub metrics: [Metric; 6],
    /// Tags for search facets.
    pub tags: &'static [&'static str],
    /// Where its figures come from (a system or survey).
    pub data_source: &'static str,
}

const fn word(fi: [&'static str; 8], sv: &'static str, en: &'static str) -> Word {
    Word { fi: Forms(fi), sv, en }
}

#[allow(clippy::too_many_arguments)]
const fn metric(
    criterion: Criterion,
    fi: &'static str,
    en: &'static str,
    unit: &'static str,
    baseline: f64,
    (min, max): (f64, f64),
    better: Direction,
    typical_change: f64,
) -> Metric {
    Metric { criterion, fi, en, unit, baseline, min, max, better, typical_change }
}

use Criterion::{Effectiveness, Productivity, WellbeingAtWork as Wellbeing};
use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};

const WORK_ENGAGEMENT: Metric =
    metric(Wellbeing, "työn imu (UWES-9)", "work engagement (UWES-9)", "0–6", 4.1, (0.0, 6.0), Higher, 0.08);

/// Theme: remote visits in home care.
pub const HOME_CARE: Theme = Theme {
    key: "kotihoito-etakaynnit",
    name: ["Kotihoidon etäkäynnit", "Distansbesök inom hemvården", "Remote visits in home care"],
    initiative: word(
        [
            "etäkäyntimalli",
            "etäkäyntimallin",
            "etäkäyntimallia",
            "etäkäyntimallissa",
            "etäkäyntimallista",
            "etäkäyntimalliin",
            "etäkäyntimallilla",
            "etäkäyntimallille",
        ],
        "modellen för distansbesök",
        "the remote-visit model",
    ),
    service: word(
        [
            "kotihoito",
            "kotihoidon",
            "kotihoitoa",
            "kotihoidossa",
            "kotihoidosta",
            "kotihoitoon",
            "kotihoidolla",
            "kotihoidolle",
        ],
        "hemvården",
        "home care",
    ),
    clients: word(
        [
            "asiakkaat",
            "asiakkaiden",
            "asiakkaita",
            "asiakkaissa",
            "asiakkaista",
            "asiakkaisiin",
            "asiakkailla",
            "asiakkaille",
        ],
        "klienterna",
        "clients",
    ),
    staff: word(
        [
            "lähihoitajat",
            "lähihoitajien",
            "lähihoitajia",
            "lähihoitajissa",
            "lähihoitajista",
            "lähihoitajiin",
            "lähihoitajilla",
            "lähihoitajille",
        ],
        "närvårdarna",
        "practical nurses",
    ),
    tool: word(
        [
            "kuvapuhelu",
            "kuvapuhelun",
            "kuvapuhelua",
            "kuvapuhelussa",
            "kuvapuhelusta",
            "kuvapuheluun",
            "kuvapuhelulla",
            "kuvapuhelulle",
        ],
        "videosamtal",
        "video calls",
    ),
    task: word(
        ["käynti", "käynnin", "käyntiä", "käynnissä", "käynnistä", "käyntiin", "käynnillä", "käynnille"],
        "besök",
        "visit",
    ),
    wins: &[
        "lääkemuistutukset ja voinnin seuranta hoituivat kuvapuhelulla",
        "ajoaikaa vapautui päivittäin useita tunteja",
        "asiakkaat kokivat etäkäynnin tuovan päivään rytmiä",
        "omaiset pääsivät mukaan käynneille etäyhteydellä",
        "iltavuoron käynnit jakautuivat tasaisemmin",
    ],
    obstacles: &[
        "osa asiakkaista ei kuullut tabletin ääntä riittävän hyvin",
        "yhteys katkesi haja-asutusalueella useita kertoja viikossa",
        "etäkäynnin kirjaaminen vei aluksi enemmän aikaa kuin kotikäynnin",
        "muistisairaille asiakkaille kuvapuhelu oli hämmentävä",
        "laitteiden lataaminen unohtui asiakkailta viikonloppuisin",
    ],
    metrics: [
        metric(
            Effectiveness,
            "asiakkaiden kokema turvallisuus",
            "clients' sense of safety",
            "1–5",
            3.6,
            (1.0, 5.0),
            Higher,
            0.1,
        ),
        metric(
            Effectiveness,
            "toteutuneet käynnit suunnitelluista",
            "visits carried out as planned",
            "%",
            86.0,
            (0.0, 100.0),
            Higher,
            0.08,
        ),
        WORK_ENGAGEMENT,
        metric(Wellbeing, "koettu kiire", "perceived time pressure", "1–5", 3.9, (1.0, 5.0), Lower, 0.12),
        metric(
            Productivity,
            "välitön asiakasaika työajasta",
            "direct client time of working time",
            "%",
            52.0,
            (0.0, 100.0),
            Higher,
            0.15,
        ),
        metric(
            Productivity,
            "ajokilometrit viikossa hoitajaa kohden",
            "kilometres driven per nurse per week",
            "km",
            212.0,
            (0.0, 1000.0),
            Lower,
            0.25,
        ),
    ],
    tags: &["kotihoito", "etäpalvelu", "ikääntyneet"],
    data_source: "Kotihoidon toiminnanohjausjärjestelmä",
};

/// Theme: a digital service counter.
pub const SERVICE_COUNTER: Theme = Theme {
    key: "asiointipiste",
    name: ["Digitaalinen asiointipiste", "Digital servicepunkt", "Digital service counter"],
    initiative: word(
        [
            "digitaalinen asiointipiste",
            "digitaalisen asiointipisteen",
            "digitaalista asiointipistettä",
            "digitaalisessa asiointipisteessä",
            "digitaalisesta asiointipisteestä",
            "digitaaliseen asiointipisteeseen",
            "digitaalisella asiointipisteellä",
            "digitaaliselle asiointipisteelle",
        ],
        "den digitala servicepunkten",
        "the digital service counter",
    ),
    service: word(
        [
            "asiakaspalvelu",
            "asiakaspalvelun",
            "asiakaspalvelua",
            "asiakaspalvelussa",
            "asiakaspalvelusta",
            "asiakaspalveluun",
            "asiakaspalvelulla",
            "asiakaspalvelulle",
        ],
        "kundtjänsten",
        "customer service",
    ),
    clients: word(
        ["asukkaat", "asukkaiden", "asukkaita", "asukkaissa", "asukkaista", "asukkaisiin", "asukkailla", "asukkaille"],
        "invånarna",
        "residents",
    ),
    staff: word(
        [
            "asiointineuvojat",
            "asiointineuvojien",
            "asiointineuvojia",
            "asiointineuvojissa",
            "asiointineuvojista",
            "asiointineuvojiin",
            "asiointineuvojilla",
            "asiointineuvojille",
        ],
        "servicerådgivarna",
        "service advisers",
    ),
    tool: word(
        [
            "etäpalvelupiste",
            "etäpalvelupisteen",
            "etäpalvelupistettä",
            "etäpalvelupisteessä",
            "etäpalvelupisteestä",
            "etäpalvelupisteeseen",
            "etäpalvelupisteellä",
            "etäpalvelupisteelle",
        ],
        "distansservicepunkten",
        "the remote service booth",
    ),
    task: word(
        [
            "asiointi",
            "asioinnin",
            "asiointia",
            "asioinnissa",
            "asioinnista",
            "asiointiin",
            "asioinnilla",
            "asioinnille",
        ],
        "ärende",
        "service visit",
    ),
    wins: &[
        "asukkaat saivat yhdellä käynnillä hoidettua sekä Kelan että kaupungin asiat",
        "jonotusaika lyheni ruuhkapäivinä selvästi",
        "etäyhteys erityisasiantuntijaan säästi asukkaalta matkan keskustaan",
        "vertaisopastajat auttoivat ikääntyneitä tunnistautumisessa",
        "asiointipisteen palautteessa kiitettiin erityisesti kiireettömyyttä",
    ],
    obstacles: &[
        "vahva tunnistautuminen oli monelle asukkaalle ylivoimainen este",
        "näyttöpäätteen sijainti aulassa ei suojannut yksityisyyttä",
        "eri organisaatioiden ajanvarausjärjestelmät eivät keskustelleet keskenään",
        "aukioloajat eivät vastanneet työssäkäyvien tarpeita",
        "tulkkauspalvelun saaminen etäyhteydellä vaati ennakkovarauksen",
    ],
    metrics: [
        metric(
            Effectiveness,
            "kerralla ratkenneet asioinnit",
            "issues resolved at first contact",
            "%",
            64.0,
            (0.0, 100.0),
            Higher,
            0.15,
        ),
        metric(
            Effectiveness,
            "asiakkaiden suositteluhalukkuus (NPS)",
            "net promoter score",
            "pistettä",
            18.0,
            (-100.0, 100.0),
            Higher,
            0.6,
        ),
        metric(Wellbeing, "koettu kuormitus", "perceived workload", "1–5", 3.7, (1.0, 5.0), Lower, 0.1),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "käsittelyaika asiointia kohden",
            "handling time per visit",
            "min",
            17.0,
            (0.0, 120.0),
            Lower,
            0.2,
        ),
        metric(
            Productivity,
            "asioinnit neuvojaa kohden päivässä",
            "visits per adviser per day",
            "kpl",
            21.0,
            (0.0, 100.0),
            Higher,
            0.18,
        ),
    ],
    tags: &["asiointi", "yhden luukun palvelu", "digituki"],
    data_source: "Asiointipisteen ajanvaraus- ja palautejärjestelmä",
};

/// Theme: a chatbot for building-permit advice.
pub const PERMIT_CHATBOT: Theme = Theme {
    key: "rakennuslupabotti",
    name: ["Rakennuslupien neuvontabotti", "Chattbot för bygglovsrådgivning", "Building-permit advice chatbot"],
    initiative: word(
        [
            "rakennuslupien neuvontabotti",
            "rakennuslupien neuvontabotin",
            "rakennuslupien neuvontabottia",
            "rakennuslupien neuvontabotissa",
            "rakennuslupien neuvontabotista",
            "rakennuslupien neuvontabottiin",
            "rakennuslupien neuvontabotilla",
            "rakennuslupien neuvontabotille",
        ],
        "chattboten för bygglov",
        "the building-permit chatbot",
    ),
    service: word(
        [
            "rakennusvalvonta",
            "rakennusvalvonnan",
            "rakennusvalvontaa",
            "rakennusvalvonnassa",
            "rakennusvalvonnasta",
            "rakennusvalvontaan",
            "rakennusvalvonnalla",
            "rakennusvalvonnalle",
        ],
        "byggnadstillsynen",
        "building control",
    ),
    clients: word(
        [
            "luvanhakijat",
            "luvanhakijoiden",
            "luvanhakijoita",
            "luvanhakijoissa",
            "luvanhakijoista",
            "luvanhakijoihin",
            "luvanhakijoilla",
            "luvanhakijoille",
        ],
        "tillståndssökandena",
        "permit applicants",
    ),
    staff: word(
        [
            "rakennustarkastajat",
            "rakennustarkastajien",
            "rakennustarkastajia",
            "rakennustarkastajissa",
            "rakennustarkastajista",
            "rakennustarkastajiin",
            "rakennustarkastajilla",
            "rakennustarkastajille",
        ],
        "byggnadsinspektörerna",
        "building inspectors",
    ),
    tool: word(
        [
            "sähköinen lupapalvelu",
            "sähköisen lupapalvelun",
            "sähköistä lupapalvelua",
            "sähköisessä lupapalvelussa",
            "sähköisestä lupapalvelusta",
            "sähköiseen lupapalveluun",
            "sähköisellä lupapalvelulla",
            "sähköiselle lupapalvelulle",
        ],
        "den elektroniska tillståndstjänsten",
        "the online permit service",
    ),
    task: word(
        [
            "lupahakemus",
            "lupahakemuksen",
            "lupahakemusta",
            "lupahakemuksessa",
            "lupahakemuksesta",
            "lupahakemukseen",
            "lupahakemuksella",
            "lupahakemukselle",
        ],
        "tillståndsansökan",
        "permit application",
    ),
    wins: &[
        "botti vastasi iltaisin lähes puoleen kaikista neuvontakysymyksistä",
        "puutteellisten hakemusten osuus pieneni",
        "puhelinneuvonnan ruuhkahuiput tasaantuivat",
        "toistuvat kysymykset piharakennusten luvanvaraisuudesta hoituivat ilman tarkastajaa",
        "hakijat löysivät oikeat liitteet ensimmäisellä yrityksellä",
    ],
    obstacles: &[
        "botti tulkitsi kaavamääräyksiä liian yleisellä tasolla",
        "luvanhakijat eivät luottaneet botin vastauksiin ilman viranhaltijan vahvistusta",
        "vastausten ylläpito jäi aluksi yhden tarkastajan harteille",
        "ruotsinkielinen sanasto oli puutteellinen",
        "botti ei tunnistanut murteellisia kysymyksiä",
    ],
    metrics: [
        metric(
            Effectiveness,
            "täydennyspyyntöjä vaatineet hakemukset",
            "applications needing additions",
            "%",
            41.0,
            (0.0, 100.0),
            Lower,
            0.3,
        ),
        metric(
            Effectiveness,
            "ratkenneet neuvontakysymykset",
            "advice questions resolved",
            "%",
            58.0,
            (0.0, 100.0),
            Higher,
            0.2,
        ),
        metric(
            Wellbeing,
            "keskeytykset työpäivässä",
            "interruptions per working day",
            "kpl",
            14.0,
            (0.0, 60.0),
            Lower,
            0.3,
        ),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "lupapäätöksen käsittelyaika",
            "permit decision lead time",
            "vrk",
            38.0,
            (0.0, 365.0),
            Lower,
            0.2,
        ),
        metric(
            Productivity,
            "puhelinneuvonnan tunnit viikossa",
            "hours of telephone advice per week",
            "h",
            46.0,
            (0.0, 200.0),
            Lower,
            0.35,
        ),
    ],
    tags: &["rakennusvalvonta", "chatbot", "neuvonta"],
    data_source: "Lupapalvelun ja neuvontabotin käyttötilastot",
};

/// Theme: AI-assisted document handling in the registry office.
pub const AI_DOCUMENTS: Theme = Theme {
    key: "tekoaly-asiakirjat",
    name: ["Tekoälyavusteinen asiakirjojen käsittely", "AI-stödd dokumenthantering", "AI-assisted document handling"],
    initiative: word(
        [
            "asiakirjojen tekoälyavusteinen käsittely",
            "asiakirjojen tekoälyavusteisen käsittelyn",
            "asiakirjojen tekoälyavusteista käsittelyä",
            "asiakirjojen tekoälyavusteisessa käsittelyssä",
            "asiakirjojen tekoälyavusteisesta käsittelystä",
            "asiakirjojen tekoälyavusteiseen käsittelyyn",
            "asiakirjojen tekoälyavusteisella käsittelyllä",
            "asiakirjojen tekoälyavusteiselle käsittelylle",
        ],
        "AI-stödd dokumenthantering",
        "AI-assisted document handling",
    ),
    service: word(
        [
            "kirjaamo",
            "kirjaamon",
            "kirjaamoa",
            "kirjaamossa",
            "kirjaamosta",
            "kirjaamoon",
            "kirjaamolla",
            "kirjaamolle",
        ],
        "registraturen",
        "the registry office",
    ),
    clients: word(
        [
            "valmistelijat",
            "valmistelijoiden",
            "valmistelijoita",
            "valmistelijoissa",
            "valmistelijoista",
            "valmistelijoihin",
            "valmistelijoilla",
            "valmistelijoille",
        ],
        "beredarna",
        "case officers",
    ),
    staff: word(
        [
            "kirjaajat",
            "kirjaajien",
            "kirjaajia",
            "kirjaajissa",
            "kirjaajista",
            "kirjaajiin",
            "kirjaajilla",
            "kirjaajille",
        ],
        "registratorerna",
        "registrars",
    ),
    tool: word(
        [
            "kielimalli",
            "kielimallin",
            "kielimallia",
            "kielimallissa",
            "kielimallista",
            "kielimalliin",
            "kielimallilla",
            "kielimallille",
        ],
        "språkmodellen",
        "the language model",
    ),
    task: word(
        [
            "asiakirja",
            "asiakirjan",
            "asiakirjaa",
            "asiakirjassa",
            "asiakirjasta",
            "asiakirjaan",
            "asiakirjalla",
            "asiakirjalle",
        ],
        "handling",
        "document",
    ),
    wins: &[
        "saapuvien asiakirjojen luokitteluehdotukset osuivat oikeaan yhä useammin",
        "henkilötietojen tunnistus nopeutti julkisuusharkintaa",
        "diaarioinnin jonot purkautuivat kuukauden alun ruuhkissa",
        "tiivistelmät auttoivat valmistelijoita hahmottamaan pitkät lausuntokierrokset",
        "tehtäväluokitus yhtenäistyi toimialojen välillä",
    ],
    obstacles: &[
        "luokitteluehdotukset olivat epävarmoja harvinaisissa tehtäväluokissa",
        "tietosuojan vaikutustenarviointi viivästytti käyttöönottoa",
        "kirjaajat joutuivat tarkistamaan jokaisen ehdotuksen, mikä söi hyödyn alkuvaiheessa",
        "vanhat skannatut asiakirjat tunnistettiin heikosti",
        "ruotsinkielisten asiakirjojen tiivistelmät olivat kömpelöitä",
    ],
    metrics: [
        metric(
            Effectiveness,
            "oikein luokitellut asiakirjat",
            "documents classified correctly",
            "%",
            78.0,
            (0.0, 100.0),
            Higher,
            0.12,
        ),
        metric(
            Effectiveness,
            "julkisuusharkinnan virheet",
            "publicity-assessment errors",
            "kpl/kk",
            9.0,
            (0.0, 100.0),
            Lower,
            0.4,
        ),
        metric(Wellbeing, "rutiinityön osuus työajasta", "share of routine work", "%", 61.0, (0.0, 100.0), Lower, 0.2),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "kirjaamisaika asiakirjaa kohden",
            "registration time per document",
            "min",
            6.5,
            (0.0, 60.0),
            Lower,
            0.35,
        ),
        metric(
            Productivity,
            "käsittelyjono kuun lopussa",
            "backlog at month end",
            "kpl",
            340.0,
            (0.0, 5000.0),
            Lower,
            0.45,
        ),
    ],
    tags: &["tekoäly", "asiakirjahallinta", "tietosuoja"],
    data_source: "Asianhallintajärjestelmä",
};

/// Theme: digital learning in schools.
pub const SCHOOL_LEARNING: Theme = Theme {
    key: "digitaalinen-oppiminen",
    name: [
        "Digitaalinen oppiminen yläkouluissa",
        "Digitalt lärande i högstadiet",
        "Digital learning in lower secondary schools",
    ],
    initiative: word(
        [
            "digitaalinen oppimisympäristö",
            "digitaalisen oppimisympäristön",
            "digitaalista oppimisympäristöä",
            "digitaalisessa oppimisympäristössä",
            "digitaalisesta oppimisympäristöstä",
            "digitaaliseen oppimisympäristöön",
            "digitaalisella oppimisympäristöllä",
            "digitaaliselle oppimisympäristölle",
        ],
        "den digitala lärmiljön",
        "the digital learning environment",
    ),
    service: word(
        [
            "perusopetus",
            "perusopetuksen",
            "perusopetusta",
            "perusopetuksessa",
            "perusopetuksesta",
            "perusopetukseen",
            "perusopetuksella",
            "perusopetukselle",
        ],
        "den grundläggande utbildningen",
        "basic education",
    ),
    clients: word(
        ["oppilaat", "oppilaiden", "oppilaita", "oppilaissa", "oppilaista", "oppilaisiin", "oppilailla", "oppilaille"],
        "eleverna",
        "pupils",
    ),
    staff: word(
        [
            "opettajat",
            "opettajien",
            "opettajia",
            "opettajissa",
            "opettajista",
            "opettajiin",
            "opettajilla",
            "opettajille",
        ],
        "lärarna",
        "teachers",
    ),
    tool: word(
        [
            "oppimisalusta",
            "oppimisalustan",
            "oppimisalustaa",
            "oppimisalustassa",
            "oppimisalustasta",
            "oppimisalustaan",
            "oppimisalustalla",
            "oppimisalustalle",
        ],
        "lärplattformen",
        "the learning platform",
    ),
    task: word(
        ["tehtävä", "tehtävän", "tehtävää", "tehtävässä", "tehtävästä", "tehtävään", "tehtävällä", "tehtävälle"],
        "uppgift",
        "assignment",
    ),
    wins: &[
        "oppilaat palauttivat tehtävät ajallaan entistä useammin",
        "opettajat jakoivat valmiita materiaaleja koulujen kesken",
        "etäyhteydellä järjestetty valinnaisaine toi pienille kouluille laajemman tarjonnan",
        "huoltajat seurasivat oppimisen edistymistä suoraan alustalta",
        "erityistä tukea tarvitsevat oppilaat hyötyivät puheeksi muunnetuista tehtävistä",
    ],
    obstacles: &[
        "laitteiden päivitykset veivät oppitunneilta aikaa",
        "opettajien digitaidot vaihtelivat suuresti",
        "tunnusten hallinta kuormitti koulusihteereitä",
        "osa oppilaista jäi ilman toimivaa kotiyhteyttä",
        "alustan ilmoitusten tulva hukutti tärkeät viestit",
    ],
    metrics: [
        metric(
            Effectiveness,
            "ajallaan palautetut tehtävät",
            "assignments returned on time",
            "%",
            71.0,
            (0.0, 100.0),
            Higher,
            0.12,
        ),
        metric(
            Effectiveness,
            "oppilaiden kokema osallisuus",
            "pupils' sense of participation",
            "1–5",
            3.3,
            (1.0, 5.0),
            Higher,
            0.1,
        ),
        metric(
            Wellbeing,
            "opettajien kokema kuormitus",
            "teachers' perceived workload",
            "1–5",
            3.8,
            (1.0, 5.0),
            Lower,
            0.1,
        ),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "tuntien valmisteluaika viikossa",
            "lesson preparation time per week",
            "h",
            9.5,
            (0.0, 40.0),
            Lower,
            0.15,
        ),
        metric(
            Productivity,
            "yhteiskäyttöiset oppimateriaalit",
            "shared learning materials",
            "kpl",
            120.0,
            (0.0, 10000.0),
            Higher,
            0.8,
        ),
    ],
    tags: &["perusopetus", "oppimisalusta", "digitaalinen oppiminen"],
    data_source: "Oppimisalustan käyttötilastot",
};

/// Theme: self-service opening hours in branch libraries.
pub const LIBRARY_SELF_SERVICE: Theme = Theme {
    key: "omatoimikirjasto",
    name: ["Lähikirjastojen omatoimiaukiolo", "Meröppet bibliotek", "Self-service opening hours in branch libraries"],
    initiative: word(
        [
            "omatoimikirjasto",
            "omatoimikirjaston",
            "omatoimikirjastoa",
            "omatoimikirjastossa",
            "omatoimikirjastosta",
            "omatoimikirjastoon",
            "omatoimikirjastolla",
            "omatoimikirjastolle",
        ],
        "det meröppna biblioteket",
        "the self-service library",
    ),
    service: word(
        [
            "lähikirjasto",
            "lähikirjaston",
            "lähikirjastoa",
            "lähikirjastossa",
            "lähikirjastosta",
            "lähikirjastoon",
            "lähikirjastolla",
            "lähikirjastolle",
        ],
        "närbiblioteket",
        "the branch library",
    ),
    clients: word(
        [
            "kirjastonkäyttäjät",
            "kirjastonkäyttäjien",
            "kirjastonkäyttäjiä",
            "kirjastonkäyttäjissä",
            "kirjastonkäyttäjistä",
            "kirjastonkäyttäjiin",
            "kirjastonkäyttäjillä",
            "kirjastonkäyttäjille",
        ],
        "låntagarna",
        "library users",
    ),
    staff: word(
        [
            "kirjastovirkailijat",
            "kirjastovirkailijoiden",
            "kirjastovirkailijoita",
            "kirjastovirkailijoissa",
            "kirjastovirkailijoista",
            "kirjastovirkailijoihin",
            "kirjastovirkailijoilla",
            "kirjastovirkailijoille",
        ],
        "bibliotekspersonalen",
        "library staff",
    ),
    tool: word(
        [
            "kulunvalvonta",
            "kulunvalvonnan",
            "kulunvalvontaa",
            "kulunvalvonnassa",
            "kulunvalvonnasta",
            "kulunvalvontaan",
            "kulunvalvonnalla",
            "kulunvalvonnalle",
        ],
        "passerkontrollen",
        "access control",
    ),
    task: word(
        [
            "lainaus",
            "lainauksen",
            "lainausta",
            "lainauksessa",
            "lainauksesta",
            "lainaukseen",
            "lainauksella",
            "lainaukselle",
        ],
        "utlåning",
        "loan",
    ),
    wins: &[
        "aukiolotunnit lähes kaksinkertaistuivat ilman lisähenkilöstöä",
        "opiskelijat käyttivät kirjastoa iltaisin lukusalina",
        "yhdistykset varasivat tiloja omatoimiaikana",
        "henkilöstön aikaa vapautui lukudiplomien ja digiopastuksen tukeen",
        "kyläkirjaston kävijämäärä kääntyi kasvuun",
    ],
    obstacles: &[
        "kulkuoikeuden hankkiminen karkotti satunnaisia kävijöitä",
        "järjestyshäiriöt yhdessä toimipisteessä herättivät huolta",
        "lasten käyttö omatoimiaikana vaati huoltajan luvan",
        "palautusautomaatin viat jäivät huomaamatta viikonloppuisin",
        "esteettömän sisäänkäynnin ovi ei avautunut kortinlukijalla",
    ],
    metrics: [
        metric(
            Effectiveness,
            "kävijät kuukaudessa",
            "visitors per month",
            "kpl",
            4200.0,
            (0.0, 100000.0),
            Higher,
            0.25,
        ),
        metric(Effectiveness, "aukiolotunnit viikossa", "opening hours per week", "h", 38.0, (0.0, 168.0), Higher, 0.6),
        metric(
            Wellbeing,
            "koettu turvallisuus työssä",
            "perceived safety at work",
            "1–5",
            3.9,
            (1.0, 5.0),
            Higher,
            0.05,
        ),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "lainaukset henkilötyötuntia kohden",
            "loans per staff hour",
            "kpl",
            31.0,
            (0.0, 500.0),
            Higher,
            0.3,
        ),
        metric(
            Productivity,
            "palvelutiskillä tehdyt lainaukset",
            "loans made at the service desk",
            "%",
            34.0,
            (0.0, 100.0),
            Lower,
            0.4,
        ),
    ],
    tags: &["kirjasto", "omatoimipalvelu", "aukioloajat"],
    data_source: "Kirjastojärjestelmä ja kulunvalvonta",
};

/// Theme: a joined-up service path for families across sectors.
pub const FAMILY_SERVICES: Theme = Theme {
    key: "perheiden-palvelupolku",
    name: [
        "Perheiden yhteinen palvelupolku",
        "Gemensam servicestig för familjer",
        "A joined-up service path for families",
    ],
    initiative: word(
        [
            "yhteinen perhepalvelupolku",
            "yhteisen perhepalvelupolun",
            "yhteistä perhepalvelupolkua",
            "yhteisessä perhepalvelupolussa",
            "yhteisestä perhepalvelupolusta",
            "yhteiseen perhepalvelupolkuun",
            "yhteisellä perhepalvelupolulla",
            "yhteiselle perhepalvelupolulle",
        ],
        "den gemensamma servicestigen för familjer",
        "the joined-up family service path",
    ),
    service: word(
        [
            "perhekeskus",
            "perhekeskuksen",
            "perhekeskusta",
            "perhekeskuksessa",
            "perhekeskuksesta",
            "perhekeskukseen",
            "perhekeskuksella",
            "perhekeskukselle",
        ],
        "familjecentret",
        "the family centre",
    ),
    clients: word(
        [
            "lapsiperheet",
            "lapsiperheiden",
            "lapsiperheitä",
            "lapsiperheissä",
            "lapsiperheistä",
            "lapsiperheisiin",
            "lapsiperheillä",
            "lapsiperheille",
        ],
        "barnfamiljerna",
        "families with children",
    ),
    staff: word(
        [
            "perhetyöntekijät",
            "perhetyöntekijöiden",
            "perhetyöntekijöitä",
            "perhetyöntekijöissä",
            "perhetyöntekijöistä",
            "perhetyöntekijöihin",
            "perhetyöntekijöillä",
            "perhetyöntekijöille",
        ],
        "familjearbetarna",
        "family workers",
    ),
    tool: word(
        [
            "sähköinen asiakassuunnitelma",
            "sähköisen asiakassuunnitelman",
            "sähköistä asiakassuunnitelmaa",
            "sähköisessä asiakassuunnitelmassa",
            "sähköisestä asiakassuunnitelmasta",
            "sähköiseen asiakassuunnitelmaan",
            "sähköisellä asiakassuunnitelmalla",
            "sähköiselle asiakassuunnitelmalle",
        ],
        "den elektroniska klientplanen",
        "the shared electronic client plan",
    ),
    task: word(
        [
            "verkostopalaveri",
            "verkostopalaverin",
            "verkostopalaveria",
            "verkostopalaverissa",
            "verkostopalaverista",
            "verkostopalaveriin",
            "verkostopalaverilla",
            "verkostopalaverille",
        ],
        "nätverksmöte",
        "network meeting",
    ),
    wins: &[
        "perheen ei tarvinnut kertoa tilannettaan useaan kertaan",
        "varhaiskasvatus, neuvola ja sosiaalityö sopivat yhdestä yhteyshenkilöstä",
        "tuen tarve tunnistettiin aiemmin kuin ennen",
        "etäyhteys verkostopalaveriin helpotti vuorotyötä tekevien vanhempien osallistumista",
        "koulukuraattori pääsi mukaan jo ennen kouluun siirtymistä",
    ],
    obstacles: &[
        "tietojen luovuttamisesta toimialojen välillä oli epäselvyyttä",
        "asiakastietojärjestelmät eivät näyttäneet toistensa kirjauksia",
        "yhteisen ajan löytäminen kolmen toimialan kalentereista vei viikkoja",
        "suostumuslomake oli perheille vaikeaselkoinen",
        "hyvinvointialueen ja kaupungin vastuunjako jäi osin epäselväksi",
    ],
    metrics: [
        metric(
            Effectiveness,
            "aika yhteydenotosta ensimmäiseen tukeen",
            "days from first contact to first support",
            "vrk",
            24.0,
            (0.0, 365.0),
            Lower,
            0.35,
        ),
        metric(
            Effectiveness,
            "perheiden kokema avun saaminen",
            "families' sense of getting help",
            "1–5",
            3.4,
            (1.0, 5.0),
            Higher,
            0.12,
        ),
        WORK_ENGAGEMENT,
        metric(
            Wellbeing,
            "koettu yhteistyön sujuvuus",
            "perceived smoothness of collaboration",
            "1–5",
            3.1,
            (1.0, 5.0),
            Higher,
            0.15,
        ),
        metric(
            Productivity,
            "päällekkäiset palaverit perhettä kohden",
            "overlapping meetings per family",
            "kpl",
            3.2,
            (0.0, 20.0),
            Lower,
            0.4,
        ),
        metric(
            Productivity,
            "kirjaamiseen kuluva aika viikossa",
            "weekly time spent on records",
            "h",
            7.5,
            (0.0, 40.0),
            Lower,
            0.2,
        ),
    ],
    tags: &["perhepalvelut", "monialainen yhteistyö", "varhainen tuki"],
    data_source: "Asiakastietojärjestelmät",
};

/// Theme: staff digital skills (DigComp).
pub const STAFF_SKILLS: Theme = Theme {
    key: "digiosaaminen",
    name: [
        "Henkilöstön digiosaamisen vahvistaminen",
        "Stärkt digital kompetens hos personalen",
        "Strengthening staff digital skills",
    ],
    initiative: word(
        [
            "digiagenttimalli",
            "digiagenttimallin",
            "digiagenttimallia",
            "digiagenttimallissa",
            "digiagenttimallista",
            "digiagenttimalliin",
            "digiagenttimallilla",
            "digiagenttimallille",
        ],
        "modellen med digiagenter",
        "the digital-agent model",
    ),
    service: word(
        [
            "osaamisen kehittäminen",
            "osaamisen kehittämisen",
            "osaamisen kehittämistä",
            "osaamisen kehittämisessä",
            "osaamisen kehittämisestä",
            "osaamisen kehittämiseen",
            "osaamisen kehittämisellä",
            "osaamisen kehittämiselle",
        ],
        "kompetensutvecklingen",
        "skills development",
    ),
    clients: word(
        [
            "työntekijät",
            "työntekijöiden",
            "työntekijöitä",
            "työntekijöissä",
            "työntekijöistä",
            "työntekijöihin",
            "työntekijöillä",
            "työntekijöille",
        ],
        "de anställda",
        "employees",
    ),
    staff: word(
        [
            "digiagentit",
            "digiagenttien",
            "digiagentteja",
            "digiagenteissa",
            "digiagenteista",
            "digiagentteihin",
            "digiagenteilla",
            "digiagenteille",
        ],
        "digiagenterna",
        "digital agents",
    ),
    tool: word(
        [
            "osaamiskartoitus",
            "osaamiskartoituksen",
            "osaamiskartoitusta",
            "osaamiskartoituksessa",
            "osaamiskartoituksesta",
            "osaamiskartoitukseen",
            "osaamiskartoituksella",
            "osaamiskartoitukselle",
        ],
        "kompetenskartläggningen",
        "the skills survey",
    ),
    task: word(
        ["työpaja", "työpajan", "työpajaa", "työpajassa", "työpajasta", "työpajaan", "työpajalla", "työpajalle"],
        "workshop",
        "workshop",
    ),
    wins: &[
        "digiagentit ratkaisivat arjen ongelmia ennen kuin niistä tuli tukipyyntöjä",
        "itsearvio DigComp-kehyksellä teki osaamiserot näkyviksi",
        "lyhyet työpajat sopivat vuorotyön rytmiin",
        "esihenkilöt ottivat digitaidot puheeksi kehityskeskusteluissa",
        "tietoturvaharjoituksen jälkeen huijausviesteistä ilmoitettiin aiempaa useammin",
    ],
    obstacles: &[
        "osa työntekijöistä koki itsearvioinnin kontrolliksi",
        "koulutukseen irrottautuminen oli vaikeaa sijaisten puuttuessa",
        "tietoturvaosaaminen jäi muiden osa-alueiden varjoon",
        "digiagenttien oma aika ei riittänyt kaikkiin pyyntöihin",
        "verkkokurssit jäivät usein kesken",
    ],
    metrics: [
        metric(
            Effectiveness,
            "vähintään tasolla 4 olevien osuus",
            "share at proficiency level 4 or above",
            "%",
            38.0,
            (0.0, 100.0),
            Higher,
            0.3,
        ),
        metric(
            Effectiveness,
            "tukipyynnöt työntekijää kohden",
            "support requests per employee",
            "kpl/kk",
            1.4,
            (0.0, 20.0),
            Lower,
            0.25,
        ),
        metric(Wellbeing, "koettu digistressi", "perceived technostress", "1–5", 3.2, (1.0, 5.0), Lower, 0.12),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "tukipyyntöjen ratkaisuaika",
            "support request resolution time",
            "h",
            19.0,
            (0.0, 500.0),
            Lower,
            0.3,
        ),
        metric(
            Productivity,
            "sähköisten työkalujen käyttöaste",
            "use of digital tools",
            "%",
            57.0,
            (0.0, 100.0),
            Higher,
            0.2,
        ),
    ],
    tags: &["digitaidot", "DigComp", "osaaminen"],
    data_source: "Osaamiskartoitus ja tukipalvelun tiketit",
};

/// Theme: shift planning that supports recovery (wellbeing at work).
pub const WELLBEING: Theme = Theme {
    key: "tyohyvinvointi",
    name: [
        "Palautumista tukeva työvuorosuunnittelu",
        "Arbetsturer som stöder återhämtning",
        "Shift planning that supports recovery",
    ],
    initiative: word(
        [
            "palautumista tukeva työvuorosuunnittelu",
            "palautumista tukevan työvuorosuunnittelun",
            "palautumista tukevaa työvuorosuunnittelua",
            "palautumista tukevassa työvuorosuunnittelussa",
            "palautumista tukevasta työvuorosuunnittelusta",
            "palautumista tukevaan työvuorosuunnitteluun",
            "palautumista tukevalla työvuorosuunnittelulla",
            "palautumista tukevalle työvuorosuunnittelulle",
        ],
        "arbetsturplanering som stöder återhämtning",
        "recovery-aware shift planning",
    ),
    service: word(
        [
            "varhaiskasvatus",
            "varhaiskasvatuksen",
            "varhaiskasvatusta",
            "varhaiskasvatuksessa",
            "varhaiskasvatuksesta",
            "varhaiskasvatukseen",
            "varhaiskasvatuksella",
            "varhaiskasvatukselle",
        ],
        "småbarnspedagogiken",
        "early childhood education",
    ),
    clients: word(
        ["lapset", "lasten", "lapsia", "lapsissa", "lapsista", "lapsiin", "lapsilla", "lapsille"],
        "barnen",
        "children",
    ),
    staff: word(
        [
            "kasvattajat",
            "kasvattajien",
            "kasvattajia",
            "kasvattajissa",
            "kasvattajista",
            "kasvattajiin",
            "kasvattajilla",
            "kasvattajille",
        ],
        "pedagogerna",
        "early-years educators",
    ),
    tool: word(
        [
            "työvuorosovellus",
            "työvuorosovelluksen",
            "työvuorosovellusta",
            "työvuorosovelluksessa",
            "työvuorosovelluksesta",
            "työvuorosovellukseen",
            "työvuorosovelluksella",
            "työvuorosovellukselle",
        ],
        "arbetsturappen",
        "the rostering app",
    ),
    task: word(
        [
            "työvuoro",
            "työvuoron",
            "työvuoroa",
            "työvuorossa",
            "työvuorosta",
            "työvuoroon",
            "työvuorolla",
            "työvuorolle",
        ],
        "arbetstur",
        "shift",
    ),
    wins: &[
        "työntekijät pystyivät esittämään vuorotoiveet sovelluksessa",
        "sijaisten haku nopeutui",
        "lyhyet aamupalaverit korvasivat pitkät viikkokokoukset",
        "esihenkilöiden suunnitteluaika väheni",
        "vuorojen vaihtaminen kollegan kanssa onnistui ilman esihenkilön väliintuloa",
    ],
    obstacles: &[
        "toiveiden yhteensovittaminen oli pienissä yksiköissä vaikeaa",
        "sovelluksen mobiiliversio puuttui aluksi",
        "sairauspoissaolot pitivät kuormituksen korkeana",
        "osa henkilöstöstä ei halunnut luopua paperisesta vuorolistasta",
        "lomakauden suunnittelu ei mahtunut sovelluksen malliin",
    ],
    metrics: [
        metric(Effectiveness, "toteutuneet vuorotoiveet", "shift wishes granted", "%", 55.0, (0.0, 100.0), Higher, 0.3),
        metric(
            Effectiveness,
            "henkilöstömitoituksen toteutuminen",
            "staffing ratio met",
            "%",
            91.0,
            (0.0, 100.0),
            Higher,
            0.05,
        ),
        metric(
            Wellbeing,
            "sairauspoissaolopäivät henkilöä kohden",
            "sick-leave days per person",
            "pv/v",
            17.0,
            (0.0, 365.0),
            Lower,
            0.15,
        ),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "työvuorosuunnitteluun kuluva aika",
            "time spent on rostering",
            "h/kk",
            22.0,
            (0.0, 200.0),
            Lower,
            0.4,
        ),
        metric(Productivity, "sijaisten käyttö", "use of substitutes", "htv", 14.0, (0.0, 200.0), Lower, 0.15),
    ],
    tags: &["työhyvinvointi", "työvuorot", "palautuminen"],
    data_source: "Työvuorosuunnittelu- ja henkilöstöjärjestelmä",
};

/// Theme: software robots in purchase-invoice handling (productivity).
pub const INVOICE_ROBOTICS: Theme = Theme {
    key: "ohjelmistorobotiikka",
    name: [
        "Ohjelmistorobotiikka ostolaskujen käsittelyssä",
        "Programvarurobotar i fakturahanteringen",
        "Software robots in purchase-invoice handling",
    ],
    initiative: word(
        [
            "ohjelmistorobotiikka",
            "ohjelmistorobotiikan",
            "ohjelmistorobotiikkaa",
            "ohjelmistorobotiikassa",
            "ohjelmistorobotiikasta",
            "ohjelmistorobotiikkaan",
            "ohjelmistorobotiikalla",
            "ohjelmistorobotiikalle",
        ],
        "programvarurobotiken",
        "software robotics",
    ),
    service: word(
        [
            "taloushallinto",
            "taloushallinnon",
            "taloushallintoa",
            "taloushallinnossa",
            "taloushallinnosta",
            "taloushallintoon",
            "taloushallinnolla",
            "taloushallinnolle",
        ],
        "ekonomiförvaltningen",
        "financial administration",
    ),
    clients: word(
        [
            "tilaajayksiköt",
            "tilaajayksiköiden",
            "tilaajayksiköitä",
            "tilaajayksiköissä",
            "tilaajayksiköistä",
            "tilaajayksiköihin",
            "tilaajayksiköillä",
            "tilaajayksiköille",
        ],
        "beställarenheterna",
        "ordering units",
    ),
    staff: word(
        [
            "kirjanpitäjät",
            "kirjanpitäjien",
            "kirjanpitäjiä",
            "kirjanpitäjissä",
            "kirjanpitäjistä",
            "kirjanpitäjiin",
            "kirjanpitäjillä",
            "kirjanpitäjille",
        ],
        "bokförarna",
        "accountants",
    ),
    tool: word(
        [
            "ohjelmistorobotti",
            "ohjelmistorobotin",
            "ohjelmistorobottia",
            "ohjelmistorobotissa",
            "ohjelmistorobotista",
            "ohjelmistorobottiin",
            "ohjelmistorobotilla",
            "ohjelmistorobotille",
        ],
        "programvaruroboten",
        "the software robot",
    ),
    task: word(
        [
            "ostolasku",
            "ostolaskun",
            "ostolaskua",
            "ostolaskussa",
            "ostolaskusta",
            "ostolaskuun",
            "ostolaskulla",
            "ostolaskulle",
        ],
        "inköpsfaktura",
        "purchase invoice",
    ),
    wins: &[
        "robotti täsmäytti tilaukset ja laskut yöaikaan",
        "kuukauden vaihteen ruuhka purkautui kahdessa päivässä",
        "viivästyskorkoja maksettiin selvästi aiempaa vähemmän",
        "kirjanpitäjät ehtivät keskittyä poikkeamien selvittämiseen",
        "hankintasopimusten hintojen valvonta tehostui",
    ],
    obstacles: &[
        "toimittajien laskujen laatu vaihteli liikaa automaattiseen käsittelyyn",
        "robotti pysähtyi aina, kun taloushallinnon järjestelmää päivitettiin",
        "poikkeusten käsittely kasautui muutamalle asiantuntijalle",
        "paperilaskujen skannaus hidasti koko ketjua",
        "hyväksyjät eivät ehtineet hyväksyä laskuja robotin tahdissa",
    ],
    metrics: [
        metric(Effectiveness, "virheelliset maksut", "erroneous payments", "kpl/kk", 23.0, (0.0, 1000.0), Lower, 0.5),
        metric(
            Effectiveness,
            "eräpäivänä maksetut laskut",
            "invoices paid on their due date",
            "%",
            88.0,
            (0.0, 100.0),
            Higher,
            0.08,
        ),
        metric(Wellbeing, "rutiinityön osuus työajasta", "share of routine work", "%", 67.0, (0.0, 100.0), Lower, 0.25),
        WORK_ENGAGEMENT,
        metric(
            Productivity,
            "käsittelyaika laskua kohden",
            "handling time per invoice",
            "min",
            4.2,
            (0.0, 60.0),
            Lower,
            0.4,
        ),
        metric(
            Productivity,
            "automaattisesti käsitellyt laskut",
            "invoices handled automatically",
            "%",
            31.0,
            (0.0, 100.0),
            Higher,
            0.9,
        ),
    ],
    tags: &["tuottavuus", "automaatio", "taloushallinto"],
    data_source: "Taloushallinnon järjestelmä",
};

/// Every theme.
pub const THEMES: [&Theme; 10] = [
    &HOME_CARE,
    &SERVICE_COUNTER,
    &PERMIT_CHATBOT,
    &AI_DOCUMENTS,
    &SCHOOL_LEARNING,
    &LIBRARY_SELF_SERVICE,
    &FAMILY_SERVICES,
    &STAFF_SKILLS,
    &WELLBEING,
    &INVOICE_ROBOTICS,
];

/// A municipality of the partner network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Statistics Finland municipality code.
    pub code: &'static str,
    /// Its name, inflected, with Swedish and English names.
    pub name: Word,
}

/// Kuopio, the programme's owner.
pub static KUOPIO: Place = Place {
    code: "297",
    name: word(
        ["Kuopio", "Kuopion", "Kuopiota", "Kuopiossa", "Kuopiosta", "Kuopioon", "Kuopiolla", "Kuopiolle"],
        "Kuopio",
        "Kuopio",
    ),
};

/// The partner municipalities.
pub static PARTNERS: [Place; 3] = [
    Place {
        code: "749",
        name: word(
            [
                "Siilinjärvi",
                "Siilinjärven",
                "Siilinjärveä",
                "Siilinjärvellä",
                "Siilinjärveltä",
                "Siilinjärvelle",
                "Siilinjärvellä",
                "Siilinjärvelle",
            ],
            "Siilinjärvi",
            "Siilinjärvi",
        ),
    },
    Place {
        code: "778",
        name: word(
            [
                "Suonenjoki",
                "Suonenjoen",
                "Suonenjokea",
                "Suonenjoella",
                "Suonenjoelta",
                "Suonenjoelle",
                "Suonenjoella",
                "Suonenjoelle",
            ],
            "Suonenjoki",
            "Suonenjoki",
        ),
    },
    Place {
        code: "857",
        name: word(
            [
                "Tuusniemi",
                "Tuusniemen",
                "Tuusniemeä",
                "Tuusniemellä",
                "Tuusniemeltä",
                "Tuusniemelle",
                "Tuusniemellä",
                "Tuusniemelle",
            ],
            "Tuusniemi",
            "Tuusniemi",
        ),
    },
];

/// An organisational unit of Kuopio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitName {
    /// A stable key.
    pub key: &'static str,
    /// Its name, inflected, with Swedish and English names.
    pub name: Word,
    /// The key of the unit it belongs to, if any.
    pub parent: Option<&'static str>,
}

const fn unit(key: &'static str, name: Word, parent: Option<&'static str>) -> UnitName {
    UnitName { key, name, parent }
}

/// Kuopio's units taking part in the programme (the first ones are parents of later ones).
pub static UNITS: [UnitName; 12] = [
    unit(
        "sote",
        word(
            [
                "sosiaali- ja terveyspalvelut",
                "sosiaali- ja terveyspalvelujen",
                "sosiaali- ja terveyspalveluja",
                "sosiaali- ja terveyspalveluissa",
                "sosiaali- ja terveyspalveluista",
                "sosiaali- ja terveyspalveluihin",
                "sosiaali- ja terveyspalveluilla",
                "sosiaali- ja terveyspalveluille",
            ],
            "social- och hälsovårdstjänsterna",
            "social and health services",
        ),
        None,
    ),
    unit(
        "kotihoito",
        word(
            [
                "kotihoito",
                "kotihoidon",
                "kotihoitoa",
                "kotihoidossa",
                "kotihoidosta",
                "kotihoitoon",
                "kotihoidolla",
                "kotihoidolle",
            ],
            "hemvården",
            "home care",
        ),
        Some("sote"),
    ),
    unit(
        "varhaiskasvatus",
        word(
            [
                "varhaiskasvatus",
                "varhaiskasvatuksen",
                "varhaiskasvatusta",
                "varhaiskasvatuksessa",
                "varhaiskasvatuksesta",
                "varhaiskasvatukseen",
                "varhaiskasvatuksella",
                "varhaiskasvatukselle",
            ],
            "småbarnspedagogiken",
            "early childhood education",
        ),
        None,
    ),
    unit(
        "perusopetus",
        word(
            [
                "perusopetus",
                "perusopetuksen",
                "perusopetusta",
                "perusopetuksessa",
                "perusopetuksesta",
                "perusopetukseen",
                "perusopetuksella",
                "perusopetukselle",
            ],
            "den grundläggande utbildningen",
            "basic education",
        ),
        None,
    ),
    unit(
        "kirjasto",
        word(
            [
                "kirjastopalvelut",
                "kirjastopalvelujen",
                "kirjastopalveluja",
                "kirjastopalveluissa",
                "kirjastopalveluista",
                "kirjastopalveluihin",
                "kirjastopalveluilla",
                "kirjastopalveluille",
            ],
            "bibliotekstjänsterna",
            "library services",
        ),
        None,
    ),
    unit(
        "kaupunkiymparisto",
        word(
            [
                "kaupunkiympäristön palvelualue",
                "kaupunkiympäristön palvelualueen",
                "kaupunkiympäristön palvelualuetta",
                "kaupunkiympäristön palvelualueella",
                "kaupunkiympäristön palvelualueelta",
                "kaupunkiympäristön palvelualueelle",
                "kaupunkiympäristön palvelualueella",
                "kaupunkiympäristön palvelualueelle",
            ],
            "serviceområdet för stadsmiljö",
            "urban environment services",
        ),
        None,
    ),
    unit(
        "rakennusvalvonta",
        word(
            [
                "rakennusvalvonta",
                "rakennusvalvonnan",
                "rakennusvalvontaa",
                "rakennusvalvonnassa",
                "rakennusvalvonnasta",
                "rakennusvalvontaan",
                "rakennusvalvonnalla",
                "rakennusvalvonnalle",
            ],
            "byggnadstillsynen",
            "building control",
        ),
        Some("kaupunkiymparisto"),
    ),
    unit(
        "asiointipalvelut",
        word(
            [
                "asiointipalvelut",
                "asiointipalvelujen",
                "asiointipalveluja",
                "asiointipalveluissa",
                "asiointipalveluista",
                "asiointipalveluihin",
                "asiointipalveluilla",
                "asiointipalveluille",
            ],
            "kundtjänsten",
            "customer services",
        ),
        None,
    ),
    unit(
        "tietohallinto",
        word(
            [
                "tietohallinto",
                "tietohallinnon",
                "tietohallintoa",
                "tietohallinnossa",
                "tietohallinnosta",
                "tietohallintoon",
                "tietohallinnolla",
                "tietohallinnolle",
            ],
            "IT-förvaltningen",
            "ICT services",
        ),
        None,
    ),
    unit(
        "henkilostopalvelut",
        word(
            [
                "henkilöstöpalvelut",
                "henkilöstöpalvelujen",
                "henkilöstöpalveluja",
                "henkilöstöpalveluissa",
                "henkilöstöpalveluista",
                "henkilöstöpalveluihin",
                "henkilöstöpalveluilla",
                "henkilöstöpalveluille",
            ],
            "personaltjänsterna",
            "HR services",
        ),
        None,
    ),
    unit(
        "taloushallinto",
        word(
            [
                "taloushallinto",
                "taloushallinnon",
                "taloushallintoa",
                "taloushallinnossa",
                "taloushallinnosta",
                "taloushallintoon",
                "taloushallinnolla",
                "taloushallinnolle",
            ],
            "ekonomiförvaltningen",
            "financial administration",
        ),
        None,
    ),
    unit(
        "kirjaamo",
        word(
            [
                "kirjaamo- ja arkistopalvelut",
                "kirjaamo- ja arkistopalvelujen",
                "kirjaamo- ja arkistopalveluja",
                "kirjaamo- ja arkistopalveluissa",
                "kirjaamo- ja arkistopalveluista",
                "kirjaamo- ja arkistopalveluihin",
                "kirjaamo- ja arkistopalveluilla",
                "kirjaamo- ja arkistopalveluille",
            ],
            "registratur- och arkivtjänsterna",
            "registry and archive services",
        ),
        None,
    ),
];

/// The kind of a decision-making body, as the demo knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRole {
    /// Kaupunginvaltuusto.
    Council,
    /// Kaupunginhallitus.
    CityBoard,
    /// A lautakunta.
    Committee,
    /// Johtoryhmä.
    ManagementTeam,
    /// Ohjausryhmä.
    SteeringGroup,
}

/// A decision-making body of Kuopio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyName {
    /// A stable key.
    pub key: &'static str,
    /// Its name, inflected, with Swedish and English names.
    pub name: Word,
    /// What kind of body it is.
    pub role: BodyRole,
    /// The year it was founded (as the programme's records know it).
    pub founded: i32,
}

/// Kuopio's five bodies that decide on the programme.
pub static BODIES: [BodyName; 5] = [
    BodyName {
        key: "valtuusto",
        name: word(
            [
                "kaupunginvaltuusto",
                "kaupunginvaltuuston",
                "kaupunginvaltuustoa",
                "kaupunginvaltuustossa",
                "kaupunginvaltuustosta",
                "kaupunginvaltuustoon",
                "kaupunginvaltuustolla",
                "kaupunginvaltuustolle",
            ],
            "stadsfullmäktige",
            "the city council",
        ),
        role: BodyRole::Council,
        founded: 2021,
    },
    BodyName {
        key: "hallitus",
        name: word(
            [
                "kaupunginhallitus",
                "kaupunginhallituksen",
                "kaupunginhallitusta",
                "kaupunginhallituksessa",
                "kaupunginhallituksesta",
                "kaupunginhallitukseen",
                "kaupunginhallituksella",
                "kaupunginhallitukselle",
            ],
            "stadsstyrelsen",
            "the city board",
        ),
        role: BodyRole::CityBoard,
        founded: 2021,
    },
    BodyName {
        key: "kasvun-ja-oppimisen-lautakunta",
        name: word(
            [
                "kasvun ja oppimisen lautakunta",
                "kasvun ja oppimisen lautakunnan",
                "kasvun ja oppimisen lautakuntaa",
                "kasvun ja oppimisen lautakunnassa",
                "kasvun ja oppimisen lautakunnasta",
                "kasvun ja oppimisen lautakuntaan",
                "kasvun ja oppimisen lautakunnalla",
                "kasvun ja oppimisen lautakunnalle",
            ],
            "nämnden för uppväxt och lärande",
            "the committee for growth and learning",
        ),
        role: BodyRole::Committee,
        founded: 2021,
    },
    BodyName {
        key: "johtoryhma",
        name: word(
            [
                "kaupungin johtoryhmä",
                "kaupungin johtoryhmän",
                "kaupungin johtoryhmää",
                "kaupungin johtoryhmässä",
                "kaupungin johtoryhmästä",
                "kaupungin johtoryhmään",
                "kaupungin johtoryhmällä",
                "kaupungin johtoryhmälle",
            ],
            "stadens ledningsgrupp",
            "the city management team",
        ),
        role: BodyRole::ManagementTeam,
        founded: 2017,
    },
    BodyName {
        key: "ohjausryhma",
        name: word(
            [
                "digiohjelman ohjausryhmä",
                "digiohjelman ohjausryhmän",
                "digiohjelman ohjausryhmää",
                "digiohjelman ohjausryhmässä",
                "digiohjelman ohjausryhmästä",
                "digiohjelman ohjausryhmään",
                "digiohjelman ohjausryhmällä",
                "digiohjelman ohjausryhmälle",
            ],
            "styrgruppen för digitaliseringsprogrammet",
            "the digital programme steering group",
        ),
        role: BodyRole::SteeringGroup,
        founded: 2023,
    },
];

/// Competence areas coaching works on (DigComp-flavoured), inflected.
pub static SKILLS: [Word; 10] = [
    word(
        [
            "tietoturva",
            "tietoturvan",
            "tietoturvaa",
            "tietoturvassa",
            "tietoturvasta",
            "tietoturvaan",
            "tietoturvalla",
            "tietoturvalle",
        ],
        "informationssäkerhet",
        "information security",
    ),
    word(
        [
            "tiedonhaku",
            "tiedonhaun",
            "tiedonhakua",
            "tiedonhaussa",
            "tiedonhausta",
            "tiedonhakuun",
            "tiedonhaulla",
            "tiedonhaulle",
        ],
        "informationssökning",
        "information search",
    ),
    word(
        [
            "sähköinen yhteistyö",
            "sähköisen yhteistyön",
            "sähköistä yhteistyötä",
            "sähköisessä yhteistyössä",
            "sähköisestä yhteistyöstä",
            "sähköiseen yhteistyöhön",
            "sähköisellä yhteistyöllä",
            "sähköiselle yhteistyölle",
        ],
        "digitalt samarbete",
        "digital collaboration",
    ),
    word(
        [
            "sisällöntuotanto",
            "sisällöntuotannon",
            "sisällöntuotantoa",
            "sisällöntuotannossa",
            "sisällöntuotannosta",
            "sisällöntuotantoon",
            "sisällöntuotannolla",
            "sisällöntuotannolle",
        ],
        "innehållsproduktion",
        "content creation",
    ),
    word(
        [
            "ongelmanratkaisu",
            "ongelmanratkaisun",
            "ongelmanratkaisua",
            "ongelmanratkaisussa",
            "ongelmanratkaisusta",
            "ongelmanratkaisuun",
            "ongelmanratkaisulla",
            "ongelmanratkaisulle",
        ],
        "problemlösning",
        "problem solving",
    ),
    word(
        [
            "tietosuoja",
            "tietosuojan",
            "tietosuojaa",
            "tietosuojassa",
            "tietosuojasta",
            "tietosuojaan",
            "tietosuojalla",
            "tietosuojalle",
        ],
        "dataskydd",
        "data protection",
    ),
    word(
        [
            "saavutettavuus",
            "saavutettavuuden",
            "saavutettavuutta",
            "saavutettavuudessa",
            "saavutettavuudesta",
            "saavutettavuuteen",
            "saavutettavuudella",
            "saavutettavuudelle",
        ],
        "tillgänglighet",
        "accessibility",
    ),
    word(
        [
            "tekoälyn hyödyntäminen",
            "tekoälyn hyödyntämisen",
            "tekoälyn hyödyntämistä",
            "tekoälyn hyödyntämisessä",
            "tekoälyn hyödyntämisestä",
            "tekoälyn hyödyntämiseen",
            "tekoälyn hyödyntämisellä",
            "tekoälyn hyödyntämiselle",
        ],
        "användning av AI",
        "using AI",
    ),
    word(
        [
            "digitaalinen viestintä",
            "digitaalisen viestinnän",
            "digitaalista viestintää",
            "digitaalisessa viestinnässä",
            "digitaalisesta viestinnästä",
            "digitaaliseen viestintään",
            "digitaalisella viestinnällä",
            "digitaaliselle viestinnälle",
        ],
        "digital kommunikation",
        "digital communication",
    ),
    word(
        [
            "ajanhallinta",
            "ajanhallinnan",
            "ajanhallintaa",
            "ajanhallinnassa",
            "ajanhallinnasta",
            "ajanhallintaan",
            "ajanhallinnalla",
            "ajanhallinnalle",
        ],
        "tidshantering",
        "time management",
    ),
];

/// Month names: the Finnish prefix before `kuu`, then Swedish and English.
const MONTH_STEMS: [(&str, &str, &str); 12] = [
    ("tammi", "januari", "January"),
    ("helmi", "februari", "February"),
    ("maalis", "mars", "March"),
    ("huhti", "april", "April"),
    ("touko", "maj", "May"),
    ("kesä", "juni", "June"),
    ("heinä", "juli", "July"),
    ("elo", "augusti", "August"),
    ("syys", "september", "September"),
    ("loka", "oktober", "October"),
    ("marras", "november", "November"),
    ("joulu", "december", "December"),
];

/// A month's name in `case` (1 = January); months are regular: *-kuu, -kuun, -kuuta, -kuussa…*.
pub fn month_fi(month: u32, case: Case) -> String {
    let index = (month.clamp(1, 12) - 1) as usize;
    let stem = MONTH_STEMS[index].0;
    let ending = match case {
        Case::Nominative => "kuu",
        Case::Genitive => "kuun",
        Case::Partitive => "kuuta",
        Case::Inessive => "kuussa",
        Case::Elative => "kuusta",
        Case::Illative => "kuuhun",
        Case::Adessive => "kuulla",
        Case::Allative => "kuulle",
    };
    format!("{stem}{ending}")
}

/// A month's Swedish name (1 = January).
pub fn month_sv(month: u32) -> &'static str {
    MONTH_STEMS[(month.clamp(1, 12) - 1) as usize].1
}

/// A month's English name (1 = January).
pub fn month_en(month: u32) -> &'static str {
    MONTH_STEMS[(month.clamp(1, 12) - 1) as usize].2
}

/// Surnames common in Northern Savonia, nominative and genitive, for council members.
pub const SURNAMES: [(&str, &str); 24] = [
    ("Korhonen", "Korhosen"),
    ("Huttunen", "Huttusen"),
    ("Kärkkäinen", "Kärkkäisen"),
    ("Hyvönen", "Hyvösen"),
    ("Räsänen", "Räsäsen"),
    ("Heikkinen", "Heikkisen"),
    ("Miettinen", "Miettisen"),
    ("Tolvanen", "Tolvasen"),
    ("Partanen", "Partasen"),
    ("Ryynänen", "Ryynäsen"),
    ("Savolainen", "Savolaisen"),
    ("Tiihonen", "Tiihosen"),
    ("Juutilainen", "Juutilaisen"),
    ("Pesonen", "Pesosen"),
    ("Hämäläinen", "Hämäläisen"),
    ("Kokkonen", "Kokkosen"),
    ("Väisänen", "Väisäsen"),
    ("Laitinen", "Laitisen"),
    ("Rissanen", "Rissasen"),
    ("Kinnunen", "Kinnusen"),
    ("Turunen", "Turusen"),
    ("Karhunen", "Karhusen"),
    ("Lappalainen", "Lappalaisen"),
    ("Happonen", "Happosen"),
];

/// DigComp 2.2 competence codes of [`SKILLS`], in the same order.
pub const SKILL_CODES: [&str; 10] = ["4.1", "1.1", "2.4", "3.1", "5.1", "4.2", "3.2", "5.3", "2.1", "4.3"];

/// Kuopio's districts and villages where experiments run: nominative and the "in" form.
pub static DISTRICTS: [(&str, &str); 12] = [
    ("Pohjois-Kuopio", "Pohjois-Kuopiossa"),
    ("Saaristokaupunki", "Saaristokaupungissa"),
    ("Petonen", "Petosella"),
    ("Männistö", "Männistössä"),
    ("Pitkälahti", "Pitkälahdella"),
    ("Neulamäki", "Neulamäessä"),
    ("Jynkkä", "Jynkässä"),
    ("Nilsiä", "Nilsiässä"),
    ("Vehmersalmi", "Vehmersalmella"),
    ("Karttula", "Karttulassa"),
    ("Juankoski", "Juankoskella"),
    ("Maaninka", "Maaningalla"),
];

/// Finnish first names, for members of bodies.
pub const FIRST_NAMES: [&str; 30] = [
    "Aino", "Eero", "Helmi", "Juha", "Kaisa", "Lauri", "Minna", "Pekka", "Sari", "Timo", "Anni", "Jari", "Liisa",
    "Markku", "Outi", "Ville", "Hanna", "Jukka", "Päivi", "Antti", "Tuula", "Mikko", "Riikka", "Heikki", "Satu",
    "Kari", "Elina", "Janne", "Maija", "Tapio",
];

/// Council groups members sit for.
pub const COUNCIL_GROUPS: [&str; 7] =
    ["Kokoomus", "SDP", "Keskusta", "Perussuomalaiset", "Vihreät", "Vasemmistoliitto", "Kristillisdemokraatit"];

#[cfg(test)]
mod tests {
    use super::*;

    fn all_words() -> Vec<(&'static str, Word)> {
        let mut words = Vec::new();
        for theme in THEMES {
            for word in [theme.initiative, theme.service, theme.clients, theme.staff, theme.tool, theme.task] {
                words.push((theme.key, word));
            }
        }
        for place in std::iter::once(KUOPIO).chain(PARTNERS) {
            words.push((place.code, place.name));
        }
        for unit in UNITS {
            words.push((unit.key, unit.name));
        }
        for body in BODIES {
            words.push((body.key, body.name));
        }
        for skill in SKILLS {
            words.push(("skill", skill));
        }
        words
    }

    fn last_word(text: &str) -> &str {
        text.rsplit([' ', '-']).next().unwrap_or(text)
    }

    /// Catches slips in the hand-written forms: each case ends as that case ends in Finnish.
    #[test]
    fn every_form_ends_as_its_case_does() {
        let endings: [(Case, &[&str]); 7] = [
            (Case::Genitive, &["n"]),
            (Case::Partitive, &["a", "ä"]),
            (Case::Inessive, &["ssa", "ssä", "lla", "llä"]),
            (Case::Elative, &["sta", "stä", "lta", "ltä"]),
            (
                Case::Illative,
                &["an", "en", "in", "on", "un", "yn", "än", "ön", "hin", "hun", "seen", "lle", "aan", "ään", "ttiin"],
            ),
            (Case::Adessive, &["lla", "llä"]),
            (Case::Allative, &["lle"]),
        ];
        for (owner, word) in all_words() {
            for (case, allowed) in endings {
                let form = word.fi.get(case);
                assert!(
                    allowed.iter().any(|ending| form.ends_with(ending)),
                    "{owner}: {form:?} does not end like {case:?}"
                );
            }
            assert!(!word.sv.is_empty() && !word.en.is_empty(), "{owner}: translations missing");
        }
    }

    /// A word with only front vowels takes front endings (*työpäivässä*, never *työpäivässa*).
    #[test]
    fn front_vowel_words_take_front_vowel_endings() {
        let back = |text: &str| text.chars().any(|c| matches!(c, 'a' | 'o' | 'u'));
        for (owner, word) in all_words() {
            if back(last_word(word.fi.get(Case::Nominative))) {
                continue;
            }
            for case in Case::ALL {
                let form = last_word(word.fi.get(case));
                assert!(!back(form), "{owner}: {form:?} mixes a front-vowel word with a back-vowel ending");
            }
        }
    }

    #[test]
    fn every_theme_has_two_metrics_per_criterion_with_a_baseline_inside_its_scale() {
        for theme in THEMES {
            for criterion in Criterion::ALL {
                let count = theme.metrics.iter().filter(|m| m.criterion == criterion).count();
                assert_eq!(count, 2, "{}: {criterion:?}", theme.key);
            }
            for metric in theme.metrics {
                assert!(metric.min <= metric.baseline && metric.baseline <= metric.max, "{}: {}", theme.key, metric.fi);
            }
            assert!(theme.wins.len() >= 4 && theme.obstacles.len() >= 4, "{}", theme.key);
        }
    }

    #[test]
    fn months_inflect_regularly() {
        assert_eq!(month_fi(3, Case::Inessive), "maaliskuussa");
        assert_eq!(month_fi(12, Case::Illative), "joulukuuhun");
        assert_eq!(month_sv(6), "juni");
        assert_eq!(month_en(10), "October");
    }

    #[test]
    fn unit_parents_name_earlier_units() {
        for (index, unit) in UNITS.iter().enumerate() {
            if let Some(parent) = unit.parent {
                assert!(UNITS[..index].iter().any(|u| u.key == parent), "{} has parent {parent}", unit.key);
            }
        }
    }
}
