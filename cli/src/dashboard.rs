//! `tael-coord dashboard`: the loopback cluster, an observer on its gossip, and the web page.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chitchat::transport::UdpTransport;
use chitchat::{spawn_chitchat, ChitchatConfig, ChitchatHandle, ChitchatId, ProtocolVersion};
use clap::Args;
use tael_coord_gossip::view_of;

use crate::cluster::{Cluster, Health};
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
    /// The dashboard's files (index.html and the web build in pkg/).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../web"))]
    pub web_dir: PathBuf,
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

/// `GET /api/nodes`: every node, whether it runs, and the decision it last reported (what each
/// node believes, to hold the dashboard's own decision against).
async fn nodes(State(app): State<App>) -> impl IntoResponse {
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
    if !args.web_dir.join("pkg/tael_coord.js").is_file() {
        bail!(
            "{} has no web build (pkg/tael_coord.js); run `bash bindings/wasm/build.sh` first",
            args.web_dir.display()
        );
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
        let router = Router::new()
            .route("/api/view", get(view))
            .route("/api/nodes", get(nodes))
            .route("/api/nodes/{id}/{action}", post(node_action))
            .fallback_service(tower_http::services::ServeDir::new(&args.web_dir))
            .with_state(app.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
        let addr = listener.local_addr()?;
        println!("dashboard: http://{addr}/?poll=/api/view  (view JSON at http://{addr}/api/view)");
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
