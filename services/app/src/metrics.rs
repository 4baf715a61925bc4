//! What the server has measured of its requests since it started, and the request figures in
//! the Prometheus text format (the `/metrics` route adds the store's and projections' figures).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

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
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
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
