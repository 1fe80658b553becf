//! Starts what an end-to-end test needs, each by its own pid and stopped by it (SIGTERM first):
//! a desktop session (an Xvfb display, a D-Bus session bus and a gnome-keyring Secret Service in
//! a temporary home), a WebKitWebDriver, and through the driver the real Nabij app binary, which
//! keeps its database key in that keyring exactly as on a worker's laptop.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// How long a test waits for something to appear in the app.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The repository root (screenshots go under its `target/`, whatever CARGO_TARGET_DIR is).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The app binary, built by `cargo build -p nabij-app` next to this test binary.
pub(crate) fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NABIJ_APP_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/e2e-<hash> -> target/<profile>/nabij
    let path = exe.parent().unwrap().parent().unwrap().join("nabij");
    assert!(
        path.is_file(),
        "app binary {path:?} missing: run `cargo build -p nabij-app` first"
    );
    path
}

/// A child process stopped by pid on drop: SIGTERM to its children and to it, then SIGKILL
/// after a grace period if it is still there.
struct Guarded {
    child: Child,
    name: &'static str,
}

impl Guarded {
    fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }
}

/// Direct children of `parent`, read from /proc.
fn children_of(parent: Pid) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Fields after the ")" that closes the command name: state, ppid, ...
            let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
            after.split_whitespace().nth(1) == Some(&parent.as_raw().to_string())
        })
        .map(Pid::from_raw)
        .collect()
}

fn stop(pid: Pid, waiter: impl Fn() -> bool) {
    if waiter() {
        return;
    }
    let _ = kill(pid, Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if waiter() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = kill(pid, Signal::SIGKILL);
}

impl Drop for Guarded {
    fn drop(&mut self) {
        for grandchild in children_of(self.pid()) {
            stop(grandchild, || kill(grandchild, None).is_err());
        }
        let pid = self.pid();
        let child = std::cell::RefCell::new(&mut self.child);
        stop(pid, || matches!(child.borrow_mut().try_wait(), Ok(Some(_))));
        let _ = self.child.wait();
        let _ = self.name;
    }
}

/// A desktop session of its own: display, session bus, unlocked keyring, temporary home.
pub(crate) struct Desktop {
    // Dropped in this order: display, keyring, then the bus the keyring talks to.
    /// The display.
    pub(crate) display: Display,
    #[allow(dead_code)]
    keyring: Guarded,
    #[allow(dead_code)]
    bus: Guarded,
    /// The D-Bus session bus address.
    pub(crate) bus_address: String,
    /// XDG_DATA_HOME of the session (keyrings, WebKit data).
    pub(crate) home: tempfile::TempDir,
}

/// How long one keyring start may take before it is given up and started again.
const KEYRING_START: Duration = Duration::from_secs(10);
/// How many times a keyring start is tried.
const KEYRING_ATTEMPTS: u32 = 5;

impl Desktop {
    /// Start Xvfb, a session bus and an unlocked gnome-keyring.
    pub(crate) fn start() -> Self {
        // Sessions start one after another (the tests still run side by side afterwards).
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let display = Display::start();
        let home = tempfile::tempdir().unwrap();
        // A gnome-keyring-daemon sometimes starts believing "another secret service is running"
        // and never serves its login collection (seen when several start close together, even
        // on separate buses). Such a start is stopped (by pid) and made again, with a new bus.
        for attempt in 1..=KEYRING_ATTEMPTS {
            let (bus, bus_address) = start_bus();
            let keyring = start_keyring(&bus_address, home.path());
            let probe = Probe {
                bus_address: &bus_address,
                home: home.path(),
                display: &display.name,
            };
            if probe.wait(KEYRING_START) {
                return Self {
                    display,
                    keyring,
                    bus,
                    bus_address,
                    home,
                };
            }
            eprintln!("keyring start {attempt} did not answer; starting it again");
            drop(keyring);
            drop(bus);
            let _ = std::fs::remove_dir_all(home.path().join("keyrings"));
        }
        panic!("the Secret Service did not start in {KEYRING_ATTEMPTS} attempts");
    }

    /// A command that runs inside this desktop session.
    pub(crate) fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("DISPLAY", &self.display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("XDG_DATA_HOME", self.home.path())
            .env("XDG_RUNTIME_DIR", self.home.path())
            .env("NO_AT_BRIDGE", "1");
        command
    }

    /// The database key Nabij keeps in this session's keyring for `data_dir`, if any.
    pub(crate) fn stored_key(&self, data_dir: &Path) -> Option<String> {
        let out = self
            .command("secret-tool")
            .args(["lookup", "service", "nabij", "username"])
            .arg(data_dir)
            .output()
            .unwrap();
        let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
        (out.status.success() && !key.is_empty()).then_some(key)
    }

    /// The device key the app keeps in this session's keyring for `data_dir` (to write to its
    /// store from a test as that device: every change is signed with it).
    pub(crate) fn stored_device_key(&self, data_dir: &Path) -> nabij_crdt::transport::DeviceKey {
        let out = self
            .command("secret-tool")
            .args(["lookup", "service", "nabij-device", "username"])
            .arg(data_dir)
            .output()
            .unwrap();
        let hex = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(out.status.success() && !hex.is_empty(), "no device key");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.key");
        std::fs::write(&path, hex).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        nabij_crdt::transport::key::from_source(&nabij_crdt::store::KeySource::File(path)).unwrap()
    }
}

fn start_bus() -> (Guarded, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    let child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(writer)
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon not found: run scripts/setup");
    let bus = Guarded {
        child,
        name: "dbus-daemon",
    };
    let mut address = String::new();
    BufReader::new(reader).read_line(&mut address).unwrap();
    let address = address.trim().to_string();
    assert!(address.starts_with("unix:"), "dbus-daemon gave no address");
    (bus, address)
}

fn start_keyring(bus_address: &str, home: &Path) -> Guarded {
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("XDG_DATA_HOME", home)
        .env("XDG_RUNTIME_DIR", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon not found: run scripts/setup");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"e2e-keyring-password").unwrap();
    }
    Guarded {
        child,
        name: "gnome-keyring-daemon",
    }
}

/// Checks that a session's Secret Service stores and returns a secret.
struct Probe<'a> {
    bus_address: &'a str,
    home: &'a Path,
    display: &'a str,
}

impl Probe<'_> {
    fn wait(&self, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            let stored = Command::new("sh")
                .args([
                    "-c",
                    "printf ok | timeout 3 secret-tool store --label=probe service nabij-e2e-probe \
                     && timeout 3 secret-tool lookup service nabij-e2e-probe",
                ])
                .env("DISPLAY", self.display)
                .env("DBUS_SESSION_BUS_ADDRESS", self.bus_address)
                .env("XDG_DATA_HOME", self.home)
                .env("XDG_RUNTIME_DIR", self.home)
                .stderr(Stdio::null())
                .output()
                .expect("sh or secret-tool missing: run scripts/setup");
            if stored.stdout.starts_with(b"ok") {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

/// An Xvfb display of its own.
pub(crate) struct Display {
    process: Guarded,
    /// The DISPLAY value, e.g. `:99`.
    pub(crate) name: String,
}

impl Display {
    /// Start Xvfb on the first free display number.
    pub(crate) fn start() -> Self {
        let (reader, writer) = std::io::pipe().unwrap();
        let child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x860x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(writer)
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb not found: run scripts/setup");
        let process = Guarded {
            child,
            name: "Xvfb",
        };
        let mut line = String::new();
        BufReader::new(reader).read_line(&mut line).unwrap();
        let number: u32 = line
            .trim()
            .parse()
            .expect("Xvfb did not report its display");
        Self {
            process,
            name: format!(":{number}"),
        }
    }

    /// The pid of the Xvfb process.
    #[allow(dead_code)]
    pub(crate) fn pid(&self) -> u32 {
        self.process.child.id()
    }
}

/// A running Nabij app under WebDriver, on its own data directory.
pub(crate) struct App {
    /// The WebDriver session.
    pub(crate) client: Client,
    driver: Guarded,
}

impl App {
    /// Start WebKitWebDriver and through it the app in `desktop`, with `NABIJ_DATA_DIR=data_dir`
    /// and LAN discovery off (`NABIJ_LAN=off`: no multicast DNS on a real interface in tests;
    /// apps in a test find each other through invitations, on loopback).
    pub(crate) async fn launch(desktop: &Desktop, data_dir: &Path) -> Self {
        Self::launch_with(desktop, data_dir, &[]).await
    }

    /// [`App::launch`] with more environment variables for the app (`(name, value)`).
    pub(crate) async fn launch_with(
        desktop: &Desktop,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> Self {
        let (driver, port) = Self::start_driver(desktop, data_dir, env);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({ "binary": app_binary(), "args": [] }),
        );
        // Two rustls crypto providers are linked in (see Cargo.toml): choose one, once.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session did not start");
        Self { client, driver }
    }

    /// Start WebKitWebDriver on a port that it, and nothing else, listens on. A port found free
    /// can be taken by another process before the driver binds it (tests run side by side):
    /// the driver then fails to bind, or a stranger answers on it. So the port counts only once
    /// the listening socket is one of the driver's own file descriptors; otherwise the driver is
    /// stopped and another port tried.
    fn start_driver(desktop: &Desktop, data_dir: &Path, env: &[(&str, &str)]) -> (Guarded, u16) {
        for _ in 0..20 {
            let port = free_port();
            let mut command = desktop.command("WebKitWebDriver");
            command.envs(env.iter().copied());
            let child = command
                .arg(format!("--port={port}"))
                .arg("--host=127.0.0.1")
                .env("TAURI_WEBVIEW_AUTOMATION", "true")
                .env("NABIJ_DATA_DIR", data_dir)
                .env("NABIJ_LAN", "off")
                .env_remove("NABIJ_KEY_FILE")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("WebKitWebDriver not found: run scripts/setup");
            let mut driver = Guarded {
                child,
                name: "WebKitWebDriver",
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if driver.child.try_wait().unwrap().is_some() {
                    break; // it could not bind: the port was taken
                }
                if listens_on(driver.pid(), port) {
                    return (driver, port);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            // Dropping the guard stops a driver that neither listened nor exited.
        }
        panic!("WebKitWebDriver did not get a port of its own in 20 tries");
    }

    /// Wait for an element by CSS selector.
    pub(crate) async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Wait until the element at `css` has exactly `expected` as its text; return that text.
    /// Fails the test when it does not within [`PATIENCE`].
    pub(crate) async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text(css).await;
            if text == expected {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} did not come to read {expected:?} in {PATIENCE:?}; it reads {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of the element at `css` (waiting for it to appear).
    pub(crate) async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Save a PNG screenshot as `target/e2e-screenshots/<name>.png` under the repository root.
    pub(crate) async fn screenshot(&self, name: &str) -> PathBuf {
        // A screenshot can lag the DOM by a frame.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        let dir = repo_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The value of the environment variable `name` in the running app process (a child of
    /// the driver), read from /proc; `None` when the app does not have it.
    pub(crate) fn app_env(&self, name: &str) -> Option<String> {
        let app = children_of(self.driver.pid())
            .into_iter()
            .find(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.file_name() == app_binary().file_name())
            })
            .expect("the app process is not running under the driver");
        let environ = std::fs::read(format!("/proc/{app}/environ")).unwrap();
        let prefix = format!("{name}=");
        environ
            .split(|b| *b == 0)
            .filter_map(|entry| std::str::from_utf8(entry).ok())
            .find_map(|entry| entry.strip_prefix(&prefix).map(str::to_string))
    }

    /// End the WebDriver session (closing the app), then stop the driver.
    pub(crate) async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether process `pid` holds the socket listening on 127.0.0.1:`port` (read from /proc:
/// the socket's inode in /proc/net/tcp, then among the process's file descriptors).
fn listens_on(pid: Pid, port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    // Columns: sl local_address rem_address st ... inode (the 10th).
    let local = format!("0100007F:{port:04X}");
    let inodes: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A"))
                .then(|| fields.get(9).map(|inode| format!("socket:[{inode}]")))
                .flatten()
        })
        .collect();
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok).any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| inodes.iter().any(|i| target.as_os_str() == i.as_str()))
    })
}
