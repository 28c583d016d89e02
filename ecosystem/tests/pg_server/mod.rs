//! A throwaway PostgreSQL server for one test: `initdb` into a fresh temp dir, `pg_ctl
//! start` on 127.0.0.1 and a free port, and a Drop guard that stops it (`-m immediate`)
//! and removes the dir, also when the test panics.
//!
//! PostgreSQL refuses to run as root, and tests here run as root: the server then runs
//! as the `postgres` system user if it exists (Debian's package creates it), else as
//! `nobody`, through `Command::uid`/`gid` (std also drops root's supplementary groups).
//! The binaries are found under `/usr/lib/postgresql/<version>/bin` (Debian's layout,
//! newest version first) or on `PATH`; `ROBIN_PG_BIN` overrides both. Missing binaries
//! fail the test with a message saying what to install: never a silent pass.
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running server; stopped and deleted on drop.
#[derive(Debug)]
pub struct PgServer {
    bin: PathBuf,
    dir: PathBuf,
    owner: Option<(u32, u32)>,
    addr: SocketAddr,
    running: bool,
}

/// The superuser `initdb` creates (trust auth: no password, 127.0.0.1 only).
pub const USER: &str = "postgres";

impl PgServer {
    /// Creates and starts a server; panics with a clear message if it cannot.
    pub fn start() -> PgServer {
        let bin = find_bin().unwrap_or_else(|| {
            panic!(
                "PostgreSQL server binaries (initdb, pg_ctl) not found under \
                 /usr/lib/postgresql/*/bin or on PATH: install Debian's `postgresql` \
                 package (apt-get install postgresql) or set ROBIN_PG_BIN"
            )
        });
        let owner = server_owner();
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        // The server's user must reach the dir: `$TMPDIR` may sit under root's home, so
        // when switching users the dir goes in `/tmp` (world-traversable).
        let base = match owner {
            Some(_) => PathBuf::from("/tmp"),
            None => std::env::temp_dir(),
        };
        let dir = base.join(format!(
            "robin-pg-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the server's temp dir");
        let mut server = PgServer {
            bin,
            dir,
            owner,
            addr: "127.0.0.1:0".parse().unwrap(),
            running: false,
        };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&server.dir, Some(uid), Some(gid))
                .expect("hand the temp dir to the server's user");
        }
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                USER.as_ref(),
                "--auth=trust".as_ref(),
                "--no-locale".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        // A free port: bind :0, note it, release it for the server. Another process
        // could take it in between; then `pg_ctl start` fails and we try another.
        for attempt in 0.. {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("find a free port")
                .port();
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{}' \
                 -c fsync=off -c max_connections=50",
                server.dir.display()
            );
            let log = server.dir.join(format!("server-{attempt}.log"));
            let out = server.try_run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-o".as_ref(),
                    options.as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "start".as_ref(),
                ],
            );
            if out.status.success() {
                server.addr = SocketAddr::from(([127, 0, 0, 1], port));
                server.running = true;
                return server;
            }
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            if attempt == 2 || !log_text.contains("in use") {
                panic!(
                    "pg_ctl start failed ({}):\n{}{}\nserver log:\n{log_text}",
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        unreachable!("the loop returns or panics")
    }

    /// Where the server listens (127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The temp dir holding the cluster, its socket and logs (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self, tool: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(tool));
        cmd.current_dir(&self.dir);
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn try_run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Output {
        self.command(tool)
            .args(args)
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", self.bin.join(tool).display()))
    }

    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) {
        let out = self.try_run(tool, args);
        assert!(
            out.status.success(),
            "{tool} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.running {
            let data = self.dir.join("data");
            let out = self
                .command("pg_ctl")
                .args(["-D".as_ref(), data.as_os_str()])
                .args(["-m", "immediate", "-w", "-t", "60", "stop"])
                .output();
            if !matches!(&out, Ok(out) if out.status.success()) {
                eprintln!("pg_ctl stop failed: {out:?}");
            }
        }
        if let Err(err) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("removing {}: {err}", self.dir.display());
        }
    }
}

/// `ROBIN_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`, else `initdb`'s dir on PATH.
fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ROBIN_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| has_tools(dir))
}

fn has_tools(dir: &Path) -> bool {
    dir.join("initdb").exists() && dir.join("pg_ctl").exists()
}

/// `None` when not root (run as ourselves); else the uid/gid of `postgres` or `nobody`.
fn server_owner() -> Option<(u32, u32)> {
    if id(&["-u"], None).ok()? != 0 {
        return None;
    }
    for user in ["postgres", "nobody"] {
        if let (Ok(uid), Ok(gid)) = (id(&["-u"], Some(user)), id(&["-g"], Some(user))) {
            return Some((uid, gid));
        }
    }
    panic!(
        "running as root, and neither a `postgres` nor a `nobody` user exists to run the server as"
    );
}

/// `id <flag> [user]` as a number.
fn id(flag: &[&str], user: Option<&str>) -> io::Result<u32> {
    let out = Command::new("id").args(flag).args(user).output()?;
    if !out.status.success() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "no such user"));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "id printed no number"))
}
