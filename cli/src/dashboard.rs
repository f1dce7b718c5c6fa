//! `tael-coord dashboard`: the loopback cluster, an observer on its gossip, and the web page.
//!
//! The page (web/ and its WASM build) is built into the binary (see `build.rs`); `--web-dir`
//! serves it from a folder instead. `/` redirects to `/?poll=/api/view`, so the address it
//! prints opens on the live cluster rather than the page's sample view.
//!
//! # Who may drive it
//!
//! The server listens on 127.0.0.1 only, but every web page the user opens can reach that, so
//! it answers a request only when it can tell the request comes from its own page or from a
//! local tool such as curl (issue #13 §5). Anything else gets 403 and changes nothing:
//!
//! - **Every request** (reads too) must name this server in its `Host` header: `127.0.0.1:<port>`,
//!   `localhost:<port>` or `[::1]:<port>` with the port it listens on (a bare name only when that
//!   port is 80), exactly one `Host`, and the same for the request target when it carries an
//!   authority. A page on another name that was rebound to 127.0.0.1 (DNS rebinding) is
//!   same-origin with itself and could read and post freely; its `Host` is its own name, so it
//!   gets neither the view nor the page.
//! - **Every request that is not GET or HEAD** (the `POST /api/nodes/<id>/kill|revive`) must also
//!   - carry the header `X-Tael-Dashboard: 1`. A page can send a custom header to another origin
//!     only after a CORS preflight, which this server never grants (OPTIONS is refused like any
//!     other unmarked request), so no form, `<img>`, `sendBeacon` or no-cors `fetch` from
//!     another page gets through; and
//!   - have no `Origin` header (curl, scripts) or exactly one naming this server:
//!     `http://127.0.0.1:<port>`, `http://localhost:<port>` or `http://[::1]:<port>`.
//!     `Origin: null` (a sandboxed frame, a `file:` page) and any other origin are refused.
//!
//! Reads (GET, HEAD) carry no `Origin` or header requirement: another page's script cannot read
//! the answer anyway (the server sends no CORS header). The custom header rather than a JSON
//! content type: the actions have no body, and a header check does not depend on how a browser
//! classifies content types. The terminal's `kill`/`revive` commands are not HTTP and are not
//! affected.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chitchat::transport::UdpTransport;
use chitchat::{spawn_chitchat, ChitchatConfig, ChitchatHandle, ChitchatId, ProtocolVersion};
use clap::Args;
use tael_coord::Counters;
use tael_coord_gossip::{counters_of, view_of};

use crate::cluster::{Cluster, Health};
use crate::metrics;
use crate::node::GossipSettings;

/// Arguments of `tael-coord dashboard`.
#[derive(Args, Clone, Debug)]
pub struct DashboardArgs {
    /// Nodes in the replication group.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// HTTP port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Serve the page from this folder (index.html, and the WASM build in pkg/ that
    /// `bash bindings/wasm/build.sh` makes) instead of the copy built into the binary: for
    /// working on web/.
    #[arg(long, value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
    /// Turn the sticky-incumbent policy off in the nodes.
    #[arg(long)]
    pub no_sticky: bool,
    /// Stop after this many seconds (0 runs until `quit` or Ctrl-C).
    #[arg(long, default_value_t = 0)]
    pub duration_s: u64,
    #[command(flatten)]
    pub gossip: GossipSettings,
}

#[derive(Clone)]
struct App {
    cluster: Arc<Mutex<Cluster>>,
    observer: Arc<ChitchatHandle>,
    /// Each node's latest decision of its own view, as it reported it.
    decisions: Arc<Mutex<BTreeMap<String, serde_json::Value>>>,
}

impl App {
    fn act(&self, id: &str, action: &str) -> Result<()> {
        let mut cluster = self
            .cluster
            .lock()
            .map_err(|_| anyhow::anyhow!("cluster lock poisoned"))?;
        match action {
            "kill" => cluster.kill(id),
            "revive" => cluster.restart(id),
            _ => bail!("unknown action {action:?}"),
        }
    }
}

async fn view(State(app): State<App>) -> impl IntoResponse {
    let view = view_of(&*app.observer.chitchat().lock().await);
    ([(header::CONTENT_TYPE, "application/json")], view.to_json())
}

/// Each node's verdict counters as it gossips them (its newest generation's).
fn gossiped_counters(chitchat: &chitchat::Chitchat) -> BTreeMap<String, Counters> {
    let mut newest: BTreeMap<String, (u64, Counters)> = BTreeMap::new();
    for (id, state) in chitchat.node_states() {
        let Some(counters) = counters_of(state) else {
            continue;
        };
        let entry = newest
            .entry(id.node_id.to_string())
            .or_insert((id.generation_id, counters));
        if id.generation_id >= entry.0 {
            *entry = (id.generation_id, counters);
        }
    }
    newest.into_iter().map(|(id, (_, c))| (id, c)).collect()
}

/// `GET /metrics`: the groups and the nodes' verdict counters, in the OpenMetrics text format
/// (the names: `metrics.rs`).
async fn metrics(State(app): State<App>) -> impl IntoResponse {
    let (view, counters) = {
        let chitchat = app.observer.chitchat();
        let guard = chitchat.lock().await;
        (view_of(&guard), gossiped_counters(&guard))
    };
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(&view, &counters),
    )
}

/// `GET /api/nodes`: every node, whether it runs, and the decision it last reported (what each
/// node believes, to hold the dashboard's own decision against).
async fn nodes(State(app): State<App>) -> impl IntoResponse {
    let counters = gossiped_counters(&*app.observer.chitchat().lock().await);
    let decisions = app.decisions.lock().map(|d| d.clone()).unwrap_or_default();
    let nodes: Vec<serde_json::Value> = app
        .cluster
        .lock()
        .map(|c| {
            c.nodes
                .iter()
                .map(|n| {
                    serde_json::json!({
                        "id": n.id,
                        "running": n.health == Health::Running,
                        "decision": decisions.get(&n.id),
                        "counters": counters.get(&n.id).map(|c| {
                            serde_json::from_str::<serde_json::Value>(&c.to_json())
                                .unwrap_or_default()
                        }),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "nodes": nodes }).to_string(),
    )
}

async fn node_action(
    State(app): State<App>,
    Path((id, action)): Path<(String, String)>,
) -> impl IntoResponse {
    match tokio::task::spawn_blocking(move || app.act(&id, &action)).await {
        Ok(Ok(())) => (StatusCode::NO_CONTENT, String::new()),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, format!("{e:#}\n")),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

/// The header a request that changes the cluster must carry, with the value [`MARK_VALUE`].
const MARK: &str = "x-tael-dashboard";
const MARK_VALUE: &str = "1";

/// Whether `authority` (a `Host` header, or the authority of a request target) names this
/// server: a loopback name with `port` (no port means 80).
fn local_authority(authority: &str, port: u16) -> bool {
    let (host, given) = match authority.rsplit_once(':') {
        Some((host, given)) if !given.contains(']') => (host, Some(given)),
        _ => (authority, None),
    };
    let port_ok = match given {
        Some(given) => given == port.to_string(),
        None => port == 80,
    };
    port_ok
        && ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|name| name.eq_ignore_ascii_case(host))
}

/// The one value of header `name`; `None` when absent, an error when repeated or not text.
fn single<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, String> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => value
            .to_str()
            .map(Some)
            .map_err(|_| format!("the {name} header is not text")),
        (Some(_), Some(_)) => Err(format!("more than one {name} header")),
    }
}

/// The rule of the module doc: `Ok` admits the request, `Err` says why it is refused.
fn admit(port: u16, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), String> {
    let ours = format!("127.0.0.1:{port}, localhost:{port} or [::1]:{port}");
    let host = single(headers, header::HOST.as_str())?.ok_or("no Host header")?;
    if !local_authority(host, port) {
        return Err(format!("Host {host:?} is not this dashboard ({ours})"));
    }
    if let Some(authority) = uri.authority() {
        if !local_authority(authority.as_str(), port) {
            return Err(format!("the request target names {authority}, not {ours}"));
        }
    }
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    if let Some(origin) = single(headers, header::ORIGIN.as_str())? {
        let local = origin
            .strip_prefix("http://")
            .is_some_and(|authority| local_authority(authority, port));
        if !local {
            return Err(format!(
                "Origin {origin:?} may not change the cluster (only http://{ours})"
            ));
        }
    }
    if single(headers, MARK)? != Some(MARK_VALUE) {
        return Err(format!(
            "{method} needs the header `X-Tael-Dashboard: {MARK_VALUE}`"
        ));
    }
    Ok(())
}

/// Middleware: answers 403 (with the reason as text) to a request [`admit`] refuses.
async fn guard(State(port): State<u16>, request: Request, next: Next) -> Response {
    match admit(port, request.method(), request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(why) => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("forbidden: {why}\n"),
        )
            .into_response(),
    }
}

/// The page and its WASM build, gathered by `build.rs` (empty when the checkout it was built
/// from had no WASM build: `run` then refuses to start).
#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/web"]
struct Page;

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Fallback: the embedded page's files (`/` is index.html).
async fn embedded(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let path = match uri.path().trim_start_matches('/') {
        "" => "index.html",
        path => path,
    };
    match Page::get(path) {
        Some(file) => ([(header::CONTENT_TYPE, content_type(path))], file.data).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("not found: /{path}\n"),
        )
            .into_response(),
    }
}

/// The page shows the built-in sample unless told to poll: `/` without a `poll` parameter
/// redirects to `/?poll=/api/view` (other parameters kept), the live cluster.
async fn live_root(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let get = request.method() == Method::GET || request.method() == Method::HEAD;
    let query = uri.query().unwrap_or("");
    let polls = query
        .split('&')
        .any(|pair| pair == "poll" || pair.starts_with("poll="));
    if get && uri.path() == "/" && !polls {
        let rest = if query.is_empty() {
            String::new()
        } else {
            format!("&{query}")
        };
        return Redirect::to(&format!("/?poll=/api/view{rest}")).into_response();
    }
    next.run(request).await
}

async fn observer(cluster: &Cluster, settings: &GossipSettings) -> Result<ChitchatHandle> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    let addr = socket.local_addr()?;
    drop(socket);
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let config = ChitchatConfig {
        chitchat_id: ChitchatId::new("dashboard".to_owned(), start.as_micros() as u64, addr),
        cluster_id: "tael-coord-demo".to_owned(),
        gossip_interval: Duration::from_millis(settings.gossip_interval_ms),
        listen_addr: addr,
        seed_nodes: cluster
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.gossip_port))
            .collect(),
        failure_detector_config: chitchat::FailureDetectorConfig {
            phi_threshold: settings.phi,
            initial_interval: Duration::from_millis(settings.initial_interval_ms),
            dead_node_grace_period: Duration::from_millis(settings.dead_grace_ms),
            ..chitchat::FailureDetectorConfig::default()
        },
        marked_for_deletion_grace_period: Duration::from_secs(3600),
        catchup_callback: None,
        extra_liveness_predicate: None,
        protocol_version: ProtocolVersion::V0,
    };
    // No group key: the observer is never a member of any group.
    spawn_chitchat(config, Vec::new(), &UdpTransport).await
}

pub fn run(args: DashboardArgs) -> Result<()> {
    match &args.web_dir {
        Some(dir) if !dir.join("pkg/tael_coord.js").is_file() => bail!(
            "{} has no web build (pkg/tael_coord.js); run `bash bindings/wasm/build.sh` first",
            dir.display()
        ),
        None if Page::get("index.html").is_none() => bail!(
            "this tael-coord was built without the dashboard page (web/pkg had no WASM build): \
             run `bash bindings/wasm/build.sh`, then build it again (or pass --web-dir)"
        ),
        _ => {}
    }
    let mut cluster = Cluster::start(
        args.nodes,
        "wal-0",
        &args.gossip,
        !args.no_sticky,
        args.nodes >= 3,
    )?;
    // The dashboard reads the view from its own observer; of the nodes' reports it keeps each
    // node's latest decision.
    let decisions = Arc::new(Mutex::new(BTreeMap::new()));
    let latest = Arc::clone(&decisions);
    cluster.forward_events(move |event| {
        if event.body["ev"] == "view" {
            if let Ok(mut latest) = latest.lock() {
                latest.insert(event.node, event.body["decision"].clone());
            }
        }
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let observer = Arc::new(observer(&cluster, &args.gossip).await?);
        let app = App {
            cluster: Arc::new(Mutex::new(cluster)),
            observer,
            decisions,
        };
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .route("/api/view", get(view))
            .route("/api/nodes", get(nodes))
            .route("/metrics", get(metrics))
            .route("/api/nodes/{id}/{action}", post(node_action));
        let router = match &args.web_dir {
            Some(dir) => router.fallback_service(tower_http::services::ServeDir::new(dir)),
            None => router.fallback(embedded),
        };
        // The guard goes on last so that it covers every route and the files.
        let router = router
            .with_state(app.clone())
            .layer(axum::middleware::from_fn(live_root))
            .layer(axum::middleware::from_fn_with_state(addr.port(), guard));
        let from = match &args.web_dir {
            Some(dir) => format!("page from {}", dir.display()),
            None => "page built in".to_owned(),
        };
        println!("dashboard: http://{addr}/  (live view; JSON at http://{addr}/api/view; {from})");
        println!(
            "nodes: {}",
            app.cluster
                .lock()
                .map(|c| c
                    .nodes
                    .iter()
                    .map(|n| n.id.clone())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        );
        println!("type `kill <node>`, `revive <node>` or `quit`");

        let (quit_tx, mut quit_rx) = tokio::sync::mpsc::channel::<()>(1);
        let terminal = app.clone();
        std::thread::spawn(move || {
            // End of input (no terminal) is not `quit`: the server runs on.
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { return };
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    ["quit"] => {
                        let _ = quit_tx.blocking_send(());
                        return;
                    }
                    [action @ ("kill" | "revive"), id] => match terminal.act(id, action) {
                        Ok(()) => println!("{action}: {id}"),
                        Err(e) => println!("{e:#}"),
                    },
                    [] => {}
                    _ => println!("type `kill <node>`, `revive <node>` or `quit`"),
                }
            }
        });
        let started = Instant::now();
        let limit = args.duration_s;
        let stop = async move {
            let deadline = async {
                if limit == 0 {
                    std::future::pending::<()>().await;
                } else {
                    tokio::time::sleep_until((started + Duration::from_secs(limit)).into()).await;
                }
            };
            tokio::select! {
                Some(()) = quit_rx.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
                _ = deadline => {}
            }
        };
        axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await?;
        if let Ok(mut cluster) = app.cluster.lock() {
            cluster.stop();
        }
        Ok(())
    })
}
