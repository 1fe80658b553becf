//! `nabij-peer`: the team's always-on peer. It holds every case of the team, so devices that
//! are never online at the same time still sync through it.
//!
//! ```text
//! nabij-peer --data-dir DIR --key-file FILE --device-key-file FILE --bind 127.0.0.1:PORT
//!            [--peer DEVICE@IP:PORT]... [--always-on DEVICE]... [--relay http://127.0.0.1:PORT]
//!            [--serve-relay 127.0.0.1:PORT] [--lan] [--join NABIJ-…] [--print-device-id]
//! ```
//!
//! `--join` takes an invitation an admin made in the app (Instellingen → Toestel uitnodigen):
//! with an empty store the peer joins the team with it (as a device of the invited member,
//! labelled "Kantoorpeer"), then runs. An admin then marks it "altijd aan" in the app, so it
//! holds every case.
//!
//! `--peer` takes `DEVICE@IP:PORT`, or `DEVICE` alone for a peer reached through the relay or,
//! with `--lan`, found on the local network. `--lan` switches on LAN discovery: the peer
//! announces its device id and direct addresses with multicast DNS on the local network and
//! finds other devices there the same way (off by default; bind to `0.0.0.0:PORT` so that LAN
//! addresses are announced).
//!
//! The store in `--data-dir` (encrypted with the key in `--key-file`) must hold the team
//! document, listing this device (the public half of `--device-key-file`, created with mode
//! 0600 if missing). Prints `ready device=<id> addr=<ip:port> relay=<url|->` on stdout once it
//! listens; logs go to stderr (`RUST_LOG` filters them). Stops cleanly on SIGTERM or Ctrl-C.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use mimalloc::MiMalloc;
use nabij_crdt::id::DeviceId;
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::sync::EndReason;
use nabij_crdt::transport::key::{device_of, load_or_create};
use nabij_crdt::transport::{Config, LocalRelay, Node, PeerAddr, SyncEvent};

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

#[derive(Debug, Default)]
struct Args {
    data_dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    device_key_file: Option<PathBuf>,
    bind: Option<SocketAddr>,
    peers: Vec<PeerAddr>,
    always_on: Vec<DeviceId>,
    relay: Option<String>,
    serve_relay: Option<SocketAddr>,
    print_device_id: bool,
    lan: bool,
    join: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--print-device-id" => {
                args.print_device_id = true;
                continue;
            }
            "--lan" => {
                args.lan = true;
                continue;
            }
            _ => {}
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--data-dir" => args.data_dir = Some(PathBuf::from(&value)),
            "--key-file" => args.key_file = Some(PathBuf::from(&value)),
            "--device-key-file" => args.device_key_file = Some(PathBuf::from(&value)),
            "--bind" => args.bind = Some(value.parse().map_err(|e| bad(&e))?),
            "--peer" => args.peers.push(value.parse().map_err(|e| bad(&e))?),
            "--always-on" => args
                .always_on
                .push(DeviceId::parse(&value).map_err(|e| bad(&e))?),
            "--relay" => args.relay = Some(value),
            "--serve-relay" => args.serve_relay = Some(value.parse().map_err(|e| bad(&e))?),
            "--join" => args.join = Some(value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,iroh=warn,iroh_relay=warn,noq=warn")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("nabij-peer: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("nabij-peer: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nabij-peer: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let device_key = args
        .device_key_file
        .as_deref()
        .ok_or("--device-key-file is required")?;
    let secret = load_or_create(device_key).map_err(|e| e.to_string())?;
    let me = device_of(&secret);
    if args.print_device_id {
        println!("{me}");
        return Ok(());
    }
    let data_dir = args.data_dir.ok_or("--data-dir is required")?;
    let key_file = args.key_file.ok_or("--key-file is required")?;
    let store = Store::open(&data_dir, &KeySource::File(key_file)).map_err(|e| e.to_string())?;
    let relay_server = match args.serve_relay {
        Some(addr) => Some(LocalRelay::serve(addr).await.map_err(|e| e.to_string())?),
        None => None,
    };
    let relay = match (&args.relay, &relay_server) {
        (Some(url), _) => Some(url.parse().map_err(|e| format!("--relay {url}: {e}"))?),
        (None, Some(server)) => Some(server.url()),
        (None, None) => None,
    };
    if args.bind.is_none() && relay.is_none() {
        return Err("give --bind, --relay or --serve-relay".into());
    }
    let mut always_on: BTreeSet<DeviceId> = args.always_on.into_iter().collect();
    always_on.insert(me);
    let config = Config {
        secret_key: secret,
        bind: args.bind,
        relay: relay.clone(),
        peers: args.peers,
        always_on,
        tick: Duration::from_secs(1),
        dial_team: true,
        lan_discovery: args.lan,
    };
    let node = Node::start(store, config)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(text) = &args.join {
        let has_team = node
            .with_store(|s| s.profile().map(|p| p.is_some()))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        if has_team {
            tracing::info!("--join ignored: this store already belongs to a team");
        } else {
            let invitation =
                nabij_crdt::invite::Invitation::parse(text).map_err(|e| format!("--join: {e}"))?;
            let profile = node
                .join(&invitation, Some("Kantoorpeer".into()))
                .await
                .map_err(|e| format!("--join: {e}"))?;
            tracing::info!(team = %profile.team, member = %profile.member, "joined the team");
        }
    }
    let addr = node
        .bound_addrs()
        .first()
        .map_or_else(|| "-".to_string(), ToString::to_string);
    let relay_text = relay.map_or_else(|| "-".to_string(), |r| r.to_string());
    println!("ready device={me} addr={addr} relay={relay_text}");
    tracing::info!(device = %me, %addr, relay = %relay_text, lan = args.lan, "team peer running");

    let mut events = node.subscribe();
    let logger = tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            match event {
                SyncEvent::Connected(d) => tracing::info!(device = %d, "connected"),
                SyncEvent::CaughtUp(d) => tracing::info!(device = %d, "caught up"),
                SyncEvent::Disconnected(d) => tracing::info!(device = %d, "disconnected"),
                // A team device that sent what it may not (a change not signed by its author,
                // too much waiting for dependencies, a flood): reported for the team's admin.
                SyncEvent::Ended(d, reason @ EndReason::Misbehaved(_)) => {
                    tracing::warn!(device = %d, ?reason, "ended: the device misbehaved")
                }
                SyncEvent::Ended(d, reason) => tracing::info!(device = %d, ?reason, "ended"),
                SyncEvent::Changed(ids) => {
                    let shown: Vec<&String> = ids.iter().take(8).collect();
                    tracing::info!(documents = ids.len(), ids = ?shown, "received");
                }
                SyncEvent::Revoked(d) => tracing::warn!(by = %d, "revoked: team data wiped"),
            }
        }
    });
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: stopping"),
    }
    logger.abort();
    let store = node.shutdown().await.map_err(|e| e.to_string())?;
    drop(store);
    if let Some(server) = relay_server {
        server.shutdown().await.map_err(|e| e.to_string())?;
    }
    tracing::info!("stopped");
    Ok(())
}
