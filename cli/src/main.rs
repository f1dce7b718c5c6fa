//! The `tael-coord` command.

mod chaos;
mod cluster;
mod dashboard;
mod demo;
mod durable_child;
mod metrics;
mod netns;
mod node;
mod offline;
mod watch;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Leader election and epoch fencing for replication groups.
#[derive(Parser, Debug)]
#[command(name = "tael-coord", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decide the leader of every group of a membership view file.
    Elect(offline::ElectArgs),
    /// Check an epoch (or an (epoch, holder) token) against a gate or a registry snapshot.
    Fence(offline::FenceArgs),
    /// Print the offset where a follower's log stops agreeing with its leader's (the length of
    /// the prefix they share).
    Divergence(offline::DivergenceArgs),
    /// Print leader-change events (elected, lost, changed) as JSON lines, from a view URL
    /// polled at an interval or from a file of views (one per line).
    Watch(watch::WatchArgs),
    /// Run a replication group on chitchat gossip over loopback: fail over, fence the deposed
    /// leader, and report.
    Demo(demo::DemoArgs),
    /// Run a replicated log on N nodes in network namespaces under a seeded nemesis
    /// (partitions, loss, delay, duplication, pauses, kills) and check it, Jepsen-style.
    Chaos(chaos::ChaosArgs),
    /// Run the loopback cluster and serve the web dashboard (built into the binary) on its live
    /// view.
    Dashboard(dashboard::DashboardArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to standard output.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output, e.g. `tael-coord man | man -l -`.
    Man,
    /// One cluster member (started by `demo` and `dashboard`).
    #[command(hide = true)]
    Node(node::NodeArgs),
    /// One member of the chaos harness's replicated log (started by `chaos`).
    #[command(hide = true)]
    ChaosNode(chaos::node::ChaosNodeArgs),
    /// Advance a durable gate in a loop, printing each acknowledged epoch (for the crash tests).
    #[command(hide = true)]
    DurableChild(durable_child::DurableChildArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Elect(args) => offline::elect(args),
        Command::Fence(args) => offline::fence(args),
        Command::Divergence(args) => offline::divergence(args),
        Command::Watch(args) => watch::watch(args).map(|()| ExitCode::SUCCESS),
        Command::Completions { shell } => {
            // Generated into memory first: clap_complete panics on a failed write (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tael-coord", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)
                .map(|()| ExitCode::SUCCESS)
                .map_err(anyhow::Error::from)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
        Command::Demo(args) => demo::run(args).map(|passed| {
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        Command::Chaos(args) => chaos::run(args).map(|passed| {
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        Command::ChaosNode(args) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(chaos::node::run(args)))
            .map(|()| ExitCode::SUCCESS),
        Command::Dashboard(args) => dashboard::run(args).map(|()| ExitCode::SUCCESS),
        Command::DurableChild(args) => durable_child::run(args),
        Command::Node(args) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(node::run(args)))
            .map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tael-coord: {e:#}");
            ExitCode::from(2)
        }
    }
}
