//! A benchmark report: each figure beside the limit it is measured against and the ratio, as a
//! table for people and as one JSON object for scripts.

use serde_json::{Map, Value, json};

/// Which side of the target a ratio must stay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The ratio must be at least the target.
    AtLeast,
    /// The ratio must be at most the target.
    AtMost,
}

/// What a figure's ratio to its limit must be.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Which side.
    pub bound: Bound,
    /// The ratio to reach, e.g. 0.8 (of the flush rate) or 1.0 (of an absolute target).
    pub ratio: f64,
    /// Its key in `targets_met`.
    pub key: &'static str,
}

impl Target {
    /// The ratio must be at least `ratio`.
    pub fn at_least(ratio: f64, key: &'static str) -> Self {
        Self { bound: Bound::AtLeast, ratio, key }
    }

    /// The ratio must be at most `ratio`.
    pub fn at_most(ratio: f64, key: &'static str) -> Self {
        Self { bound: Bound::AtMost, ratio, key }
    }

    fn is_met(&self, ratio: f64) -> bool {
        match self.bound {
            Bound::AtLeast => ratio >= self.ratio,
            Bound::AtMost => ratio <= self.ratio,
        }
    }

    fn describe(&self) -> String {
        match self.bound {
            Bound::AtLeast => format!(">= {:.2}", self.ratio),
            Bound::AtMost => format!("<= {:.2}", self.ratio),
        }
    }
}

/// The reference a figure is divided by.
#[derive(Debug, Clone)]
pub struct Limit {
    /// Its value, in the figure's unit.
    pub value: f64,
    /// What it is, e.g. "disk flush rate" or "target".
    pub name: &'static str,
    /// The JSON key of the ratio, if scripts need it.
    pub ratio_key: Option<&'static str>,
    /// What the ratio must be, if anything.
    pub target: Option<Target>,
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Its JSON key, e.g. `batch100_events_per_s`.
    pub key: &'static str,
    /// Its name in the table.
    pub label: &'static str,
    /// The measured value.
    pub value: f64,
    /// Its unit, e.g. `events/s`.
    pub unit: &'static str,
    /// What it is measured against.
    pub limit: Option<Limit>,
    /// What the figure is, for a figure that is itself a limit (shown in the limit column).
    pub note: Option<&'static str>,
}

impl Figure {
    /// A figure with nothing to compare against.
    pub fn new(key: &'static str, label: &'static str, value: f64, unit: &'static str) -> Self {
        Self { key, label, value, unit, limit: None, note: None }
    }

    /// Says what the figure is a limit of, e.g. "ceiling of durable commits".
    pub fn note(mut self, note: &'static str) -> Self {
        self.note = Some(note);
        self
    }

    /// Compares the figure against `value`, called `name`.
    pub fn against(mut self, value: f64, name: &'static str) -> Self {
        self.limit = Some(Limit { value, name, ratio_key: None, target: None });
        self
    }

    /// Publishes the ratio to the limit under `key` in the JSON.
    pub fn ratio_key(mut self, key: &'static str) -> Self {
        if let Some(limit) = &mut self.limit {
            limit.ratio_key = Some(key);
        }
        self
    }

    /// Requires the ratio to meet `target`.
    pub fn target(mut self, target: Target) -> Self {
        if let Some(limit) = &mut self.limit {
            limit.target = Some(target);
        }
        self
    }

    /// The figure divided by its limit.
    pub fn ratio(&self) -> Option<f64> {
        let limit = self.limit.as_ref()?;
        (limit.value > 0.0).then(|| self.value / limit.value)
    }

    /// Whether the figure meets its target; `None` if it has none.
    pub fn met(&self) -> Option<bool> {
        let target = self.limit.as_ref()?.target?;
        Some(self.ratio().is_some_and(|ratio| target.is_met(ratio)))
    }
}

/// Everything one run measured, with the facts needed to read it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The report's title.
    pub title: String,
    /// Facts about the machine and the run, in order (name, value).
    pub facts: Vec<(&'static str, Value)>,
    /// The sizes the run used.
    pub parameters: Map<String, Value>,
    /// The figures, in the order measured.
    pub figures: Vec<Figure>,
    /// Counts the run checked (events written and read back).
    pub counts: Vec<(&'static str, u64)>,
}

impl Report {
    /// One JSON object: each figure and published ratio under its key, the counts, the facts,
    /// the parameters and `targets_met`.
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        for figure in &self.figures {
            object.insert(figure.key.to_owned(), json!(round(figure.value, 3)));
            if let (Some(limit), Some(ratio)) = (&figure.limit, figure.ratio())
                && let Some(ratio_key) = limit.ratio_key
            {
                object.insert(ratio_key.to_owned(), json!(round(ratio, 3)));
            }
        }
        for (key, count) in &self.counts {
            object.insert((*key).to_owned(), json!(count));
        }
        let mut targets_met = Map::new();
        for figure in &self.figures {
            if let (Some(met), Some(target)) = (figure.met(), figure.limit.as_ref().and_then(|limit| limit.target)) {
                targets_met.insert(target.key.to_owned(), json!(met));
            }
        }
        object.insert("targets_met".to_owned(), Value::Object(targets_met));
        object.insert("parameters".to_owned(), Value::Object(self.parameters.clone()));
        let facts: Map<String, Value> =
            self.facts.iter().map(|(key, value)| ((*key).to_owned(), value.clone())).collect();
        object.insert("machine".to_owned(), Value::Object(facts));
        Value::Object(object)
    }

    /// A table: figure | measured | limit | ratio | target | met.
    pub fn to_table(&self) -> String {
        let facts = self
            .facts
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) => format!("{key} {text}"),
                other => format!("{key} {other}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let parameters =
            self.parameters.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join(" ");
        let header = ["figure", "measured", "limit", "ratio", "target", "met"];
        let mut rows: Vec<[String; 6]> = vec![header.map(str::to_owned)];
        for figure in &self.figures {
            let measured = format!("{} {}", format_number(figure.value), figure.unit);
            let (limit, target) = match &figure.limit {
                Some(limit) => (
                    format!("{} {} ({})", format_number(limit.value), figure.unit, limit.name),
                    limit.target.map_or_else(|| "-".to_owned(), |target| target.describe()),
                ),
                None => (self_note(figure), "-".to_owned()),
            };
            let ratio = figure.ratio().map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.2}"));
            let met = match figure.met() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            };
            rows.push([figure.label.to_owned(), measured, limit, ratio, target, met.to_owned()]);
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|column| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = format!("{}\n{facts}\n{parameters}\n\n", self.title);
        for (index, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(column, (cell, width))| {
                    let pad = width.saturating_sub(cell.chars().count());
                    // Numbers right-aligned, words left-aligned.
                    if (1..=3).contains(&column) {
                        format!("{}{cell}", " ".repeat(pad))
                    } else {
                        format!("{cell}{}", " ".repeat(pad))
                    }
                })
                .collect();
            out.push_str(cells.join(" | ").trim_end());
            out.push('\n');
            if index == 0 {
                let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
                out.push_str(&rule.join("-|-"));
                out.push('\n');
            }
        }
        if !self.counts.is_empty() {
            let counts: Vec<String> =
                self.counts.iter().map(|(key, count)| format!("{key}={}", format_number(*count as f64))).collect();
            out.push_str(&format!("\nchecked: {}\n", counts.join(" ")));
        }
        out
    }
}

fn self_note(figure: &Figure) -> String {
    figure.note.map_or_else(|| "-".to_owned(), |note| format!("none: it is the {note}"))
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (value * scale).round() / scale
}

/// `1234567.8` as `1,234,568`; values under 100 keep two decimals.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.abs() < 100.0 {
        return format!("{value:.2}");
    }
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 { format!("-{grouped}") } else { grouped }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands_and_small_ones_keep_decimals() {
        assert_eq!(format_number(1_234_567.8), "1,234,568");
        assert_eq!(format_number(65_000.0), "65,000");
        assert_eq!(format_number(999.4), "999");
        assert_eq!(format_number(0.815), "0.81");
    }

    #[test]
    fn a_figure_below_its_target_ratio_is_not_met_and_the_json_says_so() {
        let report = Report {
            title: "t".to_owned(),
            facts: vec![("cores", json!(2))],
            parameters: Map::new(),
            figures: vec![
                Figure::new("flush_per_s", "flush", 1000.0, "/s"),
                Figure::new("single_writer_events_per_s", "single", 700.0, "appends/s")
                    .against(1000.0, "disk flush rate")
                    .ratio_key("single_writer_ratio_to_fsync")
                    .target(Target::at_least(0.8, "single_writer")),
                Figure::new("peak_rss_mb", "rss", 150.0, "MB")
                    .against(200.0, "target")
                    .target(Target::at_most(1.0, "peak_rss")),
            ],
            counts: vec![("read_all_events", 10)],
        };
        let json = report.to_json();
        assert_eq!(json["single_writer_ratio_to_fsync"], json!(0.7));
        assert_eq!(json["targets_met"]["single_writer"], json!(false));
        assert_eq!(json["targets_met"]["peak_rss"], json!(true));
        assert_eq!(json["read_all_events"], json!(10));
        let table = report.to_table();
        assert!(table.contains("NO"), "{table}");
        assert!(table.contains("0.70"), "{table}");
    }
}
