//! `GET /metrics`: Prometheus text exposition of request counts and latencies by route, events
//! appended, and each projection's checkpoint, lag and state.
//!
//! Request figures are recorded by [`track`], a route layer (so the matched route template,
//! not the raw path, is the label: ids do not explode the series). The rest is read when
//! scraped: the store's head and, for each projection, its status from the read side.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The Prometheus text format's media type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at or below each bucket's bound (not cumulative; summed when rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(index) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[index] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
struct Recorded {
    /// (route, method, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (route, method) → latency.
    latency: BTreeMap<(String, String), Histogram>,
}

/// What the server has measured of its requests since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    recorded: Mutex<Recorded>,
}

impl Metrics {
    /// Counts one request to `route` answered with `status` after `seconds`.
    pub fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut recorded = self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *recorded.requests.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
        recorded.latency.entry((route.to_owned(), method.to_owned())).or_default().observe(seconds);
    }

    /// The request figures in the Prometheus text format.
    pub fn render_requests(&self, out: &mut String) {
        let recorded = self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str(
            "# HELP kirjuri_http_requests_total HTTP requests answered, by route template, method and status.\n",
        );
        out.push_str("# TYPE kirjuri_http_requests_total counter\n");
        for ((route, method, status), count) in &recorded.requests {
            let _ = writeln!(
                out,
                "kirjuri_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                escape(route),
                escape(method)
            );
        }
        out.push_str("# HELP kirjuri_http_request_duration_seconds Time to answer, by route template and method.\n");
        out.push_str("# TYPE kirjuri_http_request_duration_seconds histogram\n");
        for ((route, method), histogram) in &recorded.latency {
            let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "kirjuri_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "kirjuri_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(out, "kirjuri_http_request_duration_seconds_sum{{{labels}}} {}", histogram.sum);
            let _ = writeln!(out, "kirjuri_http_request_duration_seconds_count{{{labels}}} {}", histogram.count);
        }
    }
}

/// Escapes a label value (backslash, quote, newline).
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Route layer: records every request that matched a route.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.record(&route, &method, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain; version=0.0.4"),
))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut out = String::with_capacity(4096);
    state.metrics.render_requests(&mut out);
    let head = state.store.head_position().await.map_err(ApiError::internal)?;
    out.push_str("# HELP kirjuri_store_head_position Commit position of the last event in the store (events appended, on SQLite).\n");
    out.push_str("# TYPE kirjuri_store_head_position counter\n");
    let _ = writeln!(out, "kirjuri_store_head_position {}", head.map_or(0, |h| h.commit));
    if let Some(read_side) = &state.read_side {
        let statuses = read_side.status().await.map_err(|e| ApiError::internal(anyhow_to_box(e)))?;
        type Gauge = fn(&kirjuri_projections::ProjectionStatus) -> f64;
        let gauges: [(&str, &str, Gauge); 4] = [
            ("checkpoint", "Commit position of the last event a projection applied.", |s| {
                s.checkpoint.map_or(0, |c| c.commit) as f64
            }),
            ("lag_events", "Events a projection has yet to apply.", |s| s.lag_events as f64),
            ("lag_seconds", "Age of the oldest event a projection has yet to apply.", |s| s.lag_seconds),
            ("failed", "1 when a projection stopped on an event it cannot apply.", |s| {
                f64::from(u8::from(s.state == kirjuri_projections::ProjectionState::Failed))
            }),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP kirjuri_projection_{name} {help}");
            let _ = writeln!(out, "# TYPE kirjuri_projection_{name} gauge");
            for status in &statuses {
                let _ = writeln!(
                    out,
                    "kirjuri_projection_{name}{{projection=\"{}\"}} {}",
                    escape(&status.name),
                    value(status)
                );
            }
        }
    }
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT))], out).into_response())
}

fn anyhow_to_box(error: anyhow::Error) -> Box<dyn std::error::Error + Send + Sync> {
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_render_as_counters_and_cumulative_histograms() {
        let metrics = Metrics::default();
        metrics.record("/api/v1/things/{id}", "GET", 200, 0.003);
        metrics.record("/api/v1/things/{id}", "GET", 200, 0.2);
        metrics.record("/api/v1/things/{id}", "GET", 404, 0.0005);
        let mut out = String::new();
        metrics.render_requests(&mut out);
        assert!(
            out.contains("kirjuri_http_requests_total{route=\"/api/v1/things/{id}\",method=\"GET\",status=\"200\"} 2"),
            "{out}"
        );
        assert!(out.contains("status=\"404\"} 1"), "{out}");
        let bucket = |le: &str| {
            out.lines()
                .find(|l| l.contains("_bucket") && l.contains(&format!("le=\"{le}\"")))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|n| n.parse::<u64>().ok())
        };
        assert_eq!(bucket("0.001"), Some(1));
        assert_eq!(bucket("0.005"), Some(2));
        assert_eq!(bucket("0.25"), Some(3));
        assert_eq!(bucket("+Inf"), Some(3));
        assert!(
            out.contains("kirjuri_http_request_duration_seconds_count{route=\"/api/v1/things/{id}\",method=\"GET\"} 3")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
