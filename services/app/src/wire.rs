//! Wire forms shared by several read use cases' answers (the picture, its difference, a
//! practice's history, the evidence graph): serialisable, described in the API's document.

use serde::Serialize;

/// Whom a row of the situational picture describes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectBody {
    /// `municipality` or `unit`.
    pub kind: &'static str,
    /// Its id.
    pub id: uuid::Uuid,
}

/// One campaign's figure: shown, or withheld because too few answered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FigureBody {
    /// Enough respondents.
    Shown {
        /// Level on the framework's scale.
        level: f64,
        /// Percent of the scale, where computed.
        percent: Option<f64>,
        /// How many responses it rests on.
        response_count: u32,
    },
    /// Fewer respondents than the campaign's minimum group: neither level nor count is shown.
    Suppressed {
        /// The campaign's minimum group size.
        min_group_size: u32,
    },
}

/// One campaign's point of a trend.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrendPointBody {
    /// The campaign.
    pub campaign: uuid::Uuid,
    /// Its close date.
    pub close_date: chrono::NaiveDate,
    /// Its figure.
    pub figure: FigureBody,
}

/// A unit's target on a dimension.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetBody {
    /// The target level.
    pub level: f64,
    /// When it is due.
    pub due: chrono::NaiveDate,
    /// When it was set.
    pub set_on: chrono::NaiveDate,
}

fn figure_body(figure: kirjuri_views::Figure) -> FigureBody {
    match figure {
        kirjuri_views::Figure::Shown { level, percent, response_count } => {
            FigureBody::Shown { level, percent, response_count }
        }
        kirjuri_views::Figure::Suppressed { min_group_size } => FigureBody::Suppressed { min_group_size },
    }
}

/// A trend point as it leaves the server.
pub fn point_body(point: kirjuri_views::TrendPoint) -> TrendPointBody {
    TrendPointBody { campaign: point.campaign.0, close_date: point.close_date, figure: figure_body(point.figure) }
}

/// One edge of the evidence graph: `from` relates to `to`; nodes are written `<kind>:<id>`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EdgeBody {
    /// The citing record.
    pub from: String,
    /// `cites`, `outcome_of`, `stems_from`, `part_of`, `mentions` or `supersedes`.
    pub relation: &'static str,
    /// The cited record.
    pub to: String,
}

/// An evidence-graph edge as it leaves the server.
pub fn edge_body(edge: kirjuri_views::Edge) -> EdgeBody {
    EdgeBody { from: edge.from.to_string(), relation: edge.relation.as_str(), to: edge.to.to_string() }
}
