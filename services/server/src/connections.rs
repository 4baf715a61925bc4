//! Serving HTTP/1.1 connections with a limit, timeouts, load shedding and graceful shutdown
//! (in place of `axum::serve`, which can set none of them and leaves hyper's header timeout
//! off, so idle and slow clients could hold connections until the descriptors ran out).
//!
//! - At most [`ConnLimits::max_connections`] connections are open. At the limit the accept
//!   loop logs once (then at most once a minute, with a count) and asks every connection older
//!   than [`ConnLimits::shed_min_age`] that is doing nothing useful — idle, not yet sent a
//!   byte, in an unfinished head, or waiting for body bytes — to close, so a new client is
//!   answered; a connection whose handler runs or whose response streams finishes first.
//! - A request head must arrive within [`ConnLimits::header_read_timeout`] of connecting or of
//!   the previous response (hyper restarts the timer when a connection goes idle, so this is
//!   also the keep-alive timeout). Body gaps and whole requests are bounded by the router's
//!   timeout layers (`startup`).
//! - Only HTTP/1.1: hyper's HTTP/2 has no header or idle timeout (terminate HTTP/2 at a proxy).
//! - On shutdown the listener closes, idle connections close at once and requests in progress
//!   finish; [`serve`] returns when every connection is closed.

use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tracing::{debug, error, warn};

/// How the server protects itself from clients that hold connections without using them.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Most connections open at once; keep it below RLIMIT_NOFILE minus the store's files.
    pub max_connections: usize,
    /// Time to send a whole request head, from connect or from the end of the previous
    /// response: this is also the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// When full, connections younger than this are not shed (their request may be in flight).
    pub shed_min_age: Duration,
}

/// Serves `router` on `listener` until `signal` resolves, then closes idle connections, lets
/// requests in progress finish and returns once every connection is closed.
pub async fn serve(listener: TcpListener, router: Router, limits: ConnLimits, signal: impl Future<Output = ()>) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (drain_tx, drain_rx) = watch::channel(());
    let (shed_tx, shed_rx) = watch::channel(0_u64);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let mut signal = pin!(signal);
    let mut limit_log = LimitLog::default();
    loop {
        let next = async {
            let stream = accept(&listener).await;
            (stream, admit(&permits, &shed_tx, &limits, &mut limit_log).await)
        };
        let (stream, permit) = tokio::select! {
            biased;
            () = &mut signal => break,
            next = next => next,
        };
        let conn = Conn { permit, drain: drain_rx.clone(), shed: shed_rx.clone(), min_age: limits.shed_min_age };
        tokio::spawn(conn.run(builder.clone(), stream, router.clone()));
    }
    drop(listener); // new clients are refused from now on
    drain_tx.send_replace(());
    // Each connection task holds one permit until its socket is closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _closed = permits.acquire_many(all).await;
}

/// Accepts the next connection; like `axum::serve`, a per-connection error is skipped and any
/// other (EMFILE, ENFILE, ENOBUFS) is logged and retried after a second.
async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                if let Err(error) = stream.set_nodelay(true) {
                    debug!(%error, "cannot set TCP_NODELAY");
                }
                return stream;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionRefused
                ) => {}
            Err(error) => {
                error!(%error, "accepting a connection failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A permit for one more connection. When none is left: one warning (then at most one a minute,
/// with how often the limit was hit meanwhile), and idle connections are asked to close until a
/// permit is freed.
async fn admit(
    permits: &Arc<Semaphore>,
    shed: &watch::Sender<u64>,
    limits: &ConnLimits,
    log: &mut LimitLog,
) -> OwnedSemaphorePermit {
    if let Ok(permit) = Arc::clone(permits).try_acquire_owned() {
        return permit;
    }
    log.hits += 1;
    if log.warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
        warn!(
            max_connections = limits.max_connections,
            times = log.hits,
            "connection limit reached: closing idle connections, new ones wait"
        );
        (log.warned, log.hits) = (Some(Instant::now()), 0);
    }
    loop {
        shed.send_modify(|generation| *generation = generation.wrapping_add(1));
        let wait = Arc::clone(permits).acquire_owned();
        if let Ok(Ok(permit)) = tokio::time::timeout(limits.shed_min_age / 2, wait).await {
            return permit;
        }
    }
}

#[derive(Default)]
struct LimitLog {
    warned: Option<Instant>,
    hits: u64,
}

struct Conn {
    permit: OwnedSemaphorePermit,
    drain: watch::Receiver<()>,
    shed: watch::Receiver<u64>,
    min_age: Duration,
}

impl Conn {
    async fn run(mut self, builder: http1::Builder, stream: TcpStream, router: Router) {
        let _permit = self.permit; // released when this task ends, after the socket is closed
        let born = Instant::now();
        let load = Arc::new(Load::default());
        let service = Tracked { inner: TowerToHyperService::new(router), load: Arc::clone(&load) };
        let mut conn = pin!(builder.serve_connection(TokioIo::new(stream), service));
        let (mut draining, mut shedding) = (false, true);
        loop {
            tokio::select! {
                biased; // poll hyper first, so bytes already received are parsed before deciding
                result = conn.as_mut() => {
                    if let Err(error) = result {
                        debug!(%error, timeout = error.is_timeout(), "connection closed with an error");
                    }
                    return;
                }
                _ = self.drain.changed(), if !draining => {
                    draining = true;
                    if load.is_idle() { return; } // no request in progress: close now
                    conn.as_mut().graceful_shutdown(); // finish the response, then close
                }
                changed = self.shed.changed(), if shedding => {
                    shedding = changed.is_ok();
                    if shedding && born.elapsed() >= self.min_age {
                        if load.is_stalled() { return; }
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    }
}

/// What a connection is doing: requests in the service (until their response body ends) and,
/// of those, requests whose handler still waits for request body bytes.
#[derive(Default)]
struct Load {
    active: AtomicUsize,
    awaiting_body: AtomicUsize,
}

impl Load {
    /// Waiting for a (first or next) request head.
    fn is_idle(&self) -> bool {
        self.active.load(Ordering::Acquire) == 0
    }

    /// Idle, or every request in progress still waits for request body bytes.
    fn is_stalled(&self) -> bool {
        self.active.load(Ordering::Acquire) == self.awaiting_body.load(Ordering::Acquire)
    }
}

#[derive(Clone)]
struct Tracked {
    inner: TowerToHyperService<Router>,
    load: Arc<Load>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let active = Count::new(&self.load, |l| &l.active);
        let request = request.map(|body| {
            let awaiting =
                (!http_body::Body::is_end_stream(&body)).then(|| Count::new(&self.load, |l| &l.awaiting_body));
            Guarded { body, count: awaiting }
        });
        let response = hyper::service::Service::call(&self.inner, request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| Body::new(Guarded { body, count: Some(active) })))
        })
    }
}

/// Adds one to a counter of a connection's [`Load`] while alive.
struct Count(Arc<Load>, fn(&Load) -> &AtomicUsize);

impl Count {
    fn new(load: &Arc<Load>, field: fn(&Load) -> &AtomicUsize) -> Self {
        field(load).fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(load), field)
    }
}

impl Drop for Count {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Ordering::AcqRel);
    }
}

/// A body that holds a [`Count`] until it ends or is dropped.
struct Guarded<B> {
    body: B,
    count: Option<Count>,
}

impl<B: http_body::Body<Data = Bytes> + Unpin> http_body::Body for Guarded<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.count = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The default connection limit: the process's soft open-file limit (`/proc/self/limits`;
/// 1024 where it cannot be read) less a tenth, at least 256, for the store's and the read
/// models' files; never under 64.
pub fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        })
        .unwrap_or(1024)
        .min(1 << 20);
    soft.saturating_sub((soft / 10).max(256)).max(64)
}
