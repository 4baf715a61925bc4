//! The `kirjuri` binary as an operator runs it: `store check` output and exit codes, `serve`
//! reporting its address and stopping cleanly on SIGTERM.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const KIRJURI: &str = env!("CARGO_BIN_EXE_kirjuri");

/// `kirjuri` with an environment holding only `vars`, so the caller's `KIRJURI_*` cannot leak in.
fn kirjuri(vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(KIRJURI);
    command.env_clear().envs(vars.iter().copied());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("kirjuri runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("kirjuri-cli-").tempdir().expect("a temporary data directory")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

#[test]
fn store_check_on_a_fresh_data_directory_exits_0_and_prints_the_counts() {
    let dir = data_dir();

    let output = run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir.path()))]).args(["store", "check"]));

    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", text(&output.stderr));
    assert!(stdout.contains("events: 0\n"), "{stdout}");
    assert!(stdout.contains("streams: 0\n"), "{stdout}");
    assert!(stdout.contains("problems: none\n"), "{stdout}");
}

#[test]
fn store_check_json_prints_one_object_with_health_and_counts() {
    let dir = data_dir();
    let config = dir.path().join("kirjuri.toml");
    std::fs::write(&config, format!("data_dir = {:?}\n", path_str(dir.path()))).expect("write config");

    let output = run(kirjuri(&[]).args(["store", "check", "--json", "--config", path_str(&config)]));

    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON object");
    assert_eq!(report["healthy"], true);
    assert_eq!(report["events"], 0);
    assert_eq!(report["streams"], 0);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["path"], path_str(&dir.path().join("events.sqlite")));
}

#[test]
fn store_check_without_a_data_directory_exits_2() {
    let dir = data_dir();
    let missing = dir.path().join("missing");

    let output = run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(&missing))]).args(["store", "check"]));

    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("there is no data directory at"), "{}", text(&output.stderr));
    assert!(!missing.exists(), "check must not create the data directory");
}

#[test]
fn an_invalid_setting_exits_2_naming_the_variable_and_the_rule() {
    let output = run(kirjuri(&[("KIRJURI_STORE", "x")]).args(["store", "check"]));

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr).trim(), r#"error: KIRJURI_STORE must be sqlite or kurrentdb, got "x""#);
}

/// A `kirjuri serve` child process, killed if the test ends without stopping it.
struct ServeProcess {
    child: Option<Child>,
    address: SocketAddr,
}

impl ServeProcess {
    /// Starts `kirjuri serve` on a free port and waits (bounded) for it to print its address.
    fn start(data_dir: &Path) -> Self {
        let mut child = kirjuri(&[("KIRJURI_DATA_DIR", path_str(data_dir)), ("KIRJURI_BIND", "127.0.0.1:0")])
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kirjuri serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (address_sender, address_received) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads every line so the child never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("kirjuri listening on http://") {
                    let _ = address_sender.send(url.to_owned());
                }
            }
        });
        let mut process = Self { child: Some(child), address: SocketAddr::from(([127, 0, 0, 1], 0)) };
        let printed = address_received
            .recv_timeout(Duration::from_secs(30))
            .expect("kirjuri serve prints `kirjuri listening on http://…` within 30 s");
        process.address = printed.parse().expect("the printed address is host:port");
        process
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("a running child")
    }

    /// Sends SIGTERM and waits at most `limit` for the process to exit.
    fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("kill runs");
        assert!(sent.success(), "kill -TERM failed");
        let mut child = self.child.take().expect("a running child");
        let (exit_sender, exited) = mpsc::channel();
        let pid = child.id();
        std::thread::spawn(move || {
            let _ = exit_sender.send(child.wait());
        });
        match exited.recv_timeout(limit) {
            Ok(status) => Some(status.expect("waiting for the child")),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                None
            }
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `GET path` over a plain TCP connection; the status line, or `None` if the server does not answer.
fn http_get_status_line(address: SocketAddr, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().next().map(str::to_owned)
}

/// `GET path` with `Authorization: Bearer <token>`: the status line and the body.
fn http_get_as(address: SocketAddr, path: &str, token: &str) -> (String, String) {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).expect("the server answers");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("the request is sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("the response reads");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// Polls `/health/ready` until it answers 200, for at most `limit`.
fn wait_until_ready(address: SocketAddr, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let status = http_get_status_line(address, "/health/ready");
        if status.as_deref().is_some_and(|line| line.starts_with("HTTP/1.1 200")) {
            return;
        }
        assert!(Instant::now() < deadline, "not ready within {limit:?}; last answer: {status:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[cfg(unix)]
#[test]
fn serve_reports_its_address_and_exits_0_promptly_on_sigterm() {
    let dir = data_dir();
    let mut server = ServeProcess::start(dir.path());
    assert_ne!(server.address.port(), 0, "the real port is printed");
    wait_until_ready(server.address, Duration::from_secs(10));

    let started = Instant::now();
    let status = server.terminate(Duration::from_secs(5));

    let status = status.expect("kirjuri serve exits within 5 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(http_get_status_line(server.address, "/health/live").is_none(), "the port still answers after exit");
}

#[cfg(unix)]
#[test]
fn projections_rebuild_refuses_while_a_server_runs_on_the_data_directory_and_works_after() {
    let dir = data_dir();
    let vars = [("KIRJURI_DATA_DIR", path_str(dir.path()))];
    let mut server = ServeProcess::start(dir.path());
    wait_until_ready(server.address, Duration::from_secs(10));

    for command in [&["projections", "rebuild"][..], &["projections", "status"][..]] {
        let refused = run(kirjuri(&vars).args(command));
        assert_eq!(refused.status.code(), Some(1), "{command:?}: {}", text(&refused.stdout));
        assert!(text(&refused.stderr).contains("holds the read models"), "{}", text(&refused.stderr));
    }
    assert!(!dir.path().join("views.rebuild").exists() && dir.path().join("views").exists());

    server.terminate(Duration::from_secs(5)).expect("the server stops");
    let rebuilt = run(kirjuri(&vars).args(["projections", "rebuild", "views"]));
    assert!(rebuilt.status.success(), "stderr: {}", text(&rebuilt.stderr));
    assert!(text(&rebuilt.stdout).contains("rebuilt views"), "{}", text(&rebuilt.stdout));
    let status = run(kirjuri(&vars).args(["projections", "status"]));
    assert!(status.status.success(), "stderr: {}", text(&status.stderr));
    assert!(text(&status.stdout).contains("views    stopped"), "{}", text(&status.stdout));
}

fn events_in_store(dir: &Path) -> u64 {
    let output = run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir))]).args(["store", "check", "--json"]));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("store check prints JSON");
    report["events"].as_u64().expect("an event count")
}

#[test]
fn demo_writes_a_programme_into_an_empty_store_and_refuses_a_non_empty_one() {
    let dir = data_dir();
    let vars = [("KIRJURI_DATA_DIR", path_str(dir.path()))];

    let first = run(kirjuri(&vars).args(["demo", "--seed", "7"]));
    assert!(first.status.success(), "stderr: {}", text(&first.stderr));
    assert!(text(&first.stdout).contains("demo programme written (seed 7, scale 1)"), "{}", text(&first.stdout));
    assert!(text(&first.stdout).contains("municipality Kuopio (297): "), "the ids to make tokens for are printed");
    let written = events_in_store(dir.path());
    assert!(written > 1_000, "a realistic programme holds more than {written} events");

    let second = run(kirjuri(&vars).args(["demo"]));
    assert_eq!(second.status.code(), Some(1));
    assert!(text(&second.stderr).contains("already holds events"), "{}", text(&second.stderr));
    assert_eq!(events_in_store(dir.path()), written, "a refused demo wrote something");
}

#[test]
fn serve_with_demo_leaves_a_store_that_holds_events_alone() {
    let dir = data_dir();
    let vars = [("KIRJURI_DATA_DIR", path_str(dir.path())), ("KIRJURI_BIND", "127.0.0.1:0")];
    assert!(run(kirjuri(&vars).args(["demo", "--seed", "3"])).status.success());
    let before = events_in_store(dir.path());

    let mut child = kirjuri(&vars)
        .args(["serve", "--with-demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        let listening = line.starts_with("kirjuri listening on");
        seen.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.iter().any(|l| l.contains("no demo written")), "{seen:?}");
    assert_eq!(events_in_store(dir.path()), before);
}

const MUNICIPALITY: &str = "0193a0b4-7c1e-7000-8000-000000000297";

fn token_command(dir: &Path, args: &[&str]) -> Output {
    run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir))]).arg("token").args(args))
}

/// `kirjuri municipality register` of [`MUNICIPALITY`] in `dir`.
fn register_municipality(dir: &Path) -> Output {
    let args = ["municipality", "register", "--id", MUNICIPALITY, "--code", "297", "--name", "Kuopio"];
    run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir))]).args(args))
}

/// A data directory in which [`MUNICIPALITY`] is registered, as an instance admin does first.
fn data_dir_with_municipality() -> tempfile::TempDir {
    let dir = data_dir();
    let registered = register_municipality(dir.path());
    assert_eq!(registered.status.code(), Some(0), "stderr: {}", text(&registered.stderr));
    dir
}

#[test]
fn tokens_and_users_are_made_only_for_a_registered_municipality() {
    let dir = data_dir();
    let refused = token_command(dir.path(), &["create", "--tenant", MUNICIPALITY, "--role", "admin"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is not registered"), "{}", text(&refused.stderr));
    let mut user = kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir.path()))]);
    user.args(["user", "create", "--tenant", MUNICIPALITY, "--role", "staff", "--username", "anna"]);
    user.stdin(std::process::Stdio::null());
    let refused = run(&mut user);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is not registered"), "{}", text(&refused.stderr));
    let listed = token_command(dir.path(), &["list", "--json"]);
    assert_eq!(text(&listed.stdout).trim(), "[]", "no token may be made by a refused command");

    let dir = data_dir_with_municipality();
    let again = register_municipality(dir.path());
    assert_eq!(again.status.code(), Some(2), "registered twice");
    assert!(text(&again.stderr).contains("already registered"), "{}", text(&again.stderr));
    let created = token_command(dir.path(), &["create", "--tenant", MUNICIPALITY, "--role", "admin"]);
    assert_eq!(created.status.code(), Some(0), "stderr: {}", text(&created.stderr));
}

#[test]
fn token_create_prints_only_the_token_and_list_shows_it_without_the_secret() {
    let dir = data_dir_with_municipality();

    let created = token_command(
        dir.path(),
        &["create", "--tenant", MUNICIPALITY, "--role", "staff,auditor", "--name", "ci", "--expires", "30d"],
    );

    assert_eq!(created.status.code(), Some(0), "stderr: {}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_owned();
    assert!(token.starts_with("kirjuri_") && !token.contains(char::is_whitespace), "stdout: {token:?}");
    let stderr = text(&created.stderr);
    assert!(stderr.contains("shown only this once"), "{stderr}");
    assert!(!stderr.contains(&token), "the token must not be repeated on stderr");

    let listed = token_command(dir.path(), &["list", "--json"]);
    assert_eq!(listed.status.code(), Some(0), "stderr: {}", text(&listed.stderr));
    assert!(!text(&listed.stdout).contains(&token["kirjuri_".len()..]), "list must not show the secret");
    let tokens: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("one JSON array");
    let tokens = tokens.as_array().expect("an array");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "ci");
    assert_eq!(tokens[0]["tenant"], MUNICIPALITY);
    assert_eq!(tokens[0]["roles"], serde_json::json!(["staff", "auditor"]));
    assert_eq!(tokens[0]["status"], "active");
    assert!(tokens[0]["expires_at"].is_string(), "{}", tokens[0]);

    let table = text(&token_command(dir.path(), &["list"]).stdout);
    assert!(table.contains("ci") && table.contains("staff,auditor") && table.contains("active"), "{table}");
}

#[test]
fn token_revoke_by_name_marks_it_revoked_and_an_unknown_token_exits_1() {
    let dir = data_dir_with_municipality();
    let created = token_command(dir.path(), &["create", "--tenant", MUNICIPALITY, "--role", "admin", "--name", "ops"]);
    assert_eq!(created.status.code(), Some(0), "stderr: {}", text(&created.stderr));

    let revoked = token_command(dir.path(), &["revoke", "ops"]);
    assert_eq!(revoked.status.code(), Some(0), "stderr: {}", text(&revoked.stderr));
    assert!(text(&revoked.stdout).starts_with("revoked API token `ops`"), "{}", text(&revoked.stdout));

    let listed = token_command(dir.path(), &["list", "--json"]);
    let tokens: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("one JSON array");
    assert_eq!(tokens[0]["status"], "revoked");
    assert!(tokens[0]["revoked_at"].is_string());

    let unknown = token_command(dir.path(), &["revoke", "no-such-token"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("no API token has the id or name `no-such-token`"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn token_create_with_a_bad_tenant_role_or_expiry_exits_2_naming_the_argument() {
    let dir = data_dir();
    let cases: [(&[&str], &str); 4] = [
        (&["create", "--tenant", "kuopio", "--role", "staff"], "--tenant"),
        (&["create", "--tenant", MUNICIPALITY, "--role", "janitor"], "is not a role"),
        (&["create", "--tenant", MUNICIPALITY, "--role", "staff", "--expires", "soon"], "--expires"),
        (&["create", "--tenant", MUNICIPALITY], "--role"),
    ];
    for (args, expected) in cases {
        let output = token_command(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains(expected), "{args:?}: {}", text(&output.stderr));
    }
    let listed = token_command(dir.path(), &["list", "--json"]);
    assert_eq!(text(&listed.stdout).trim(), "[]", "no token may be made by a refused command");
}

#[test]
fn a_duplicate_token_name_exits_2() {
    let dir = data_dir_with_municipality();
    let args = ["create", "--tenant", MUNICIPALITY, "--role", "staff", "--name", "twice"];
    assert_eq!(token_command(dir.path(), &args).status.code(), Some(0));

    let again = token_command(dir.path(), &args);

    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("a token named `twice` exists already"), "{}", text(&again.stderr));
}

#[cfg(unix)]
#[test]
fn a_token_made_by_the_cli_beside_a_running_server_works_at_once_and_its_revocation_within_a_second() {
    let dir = data_dir_with_municipality();
    let mut server = ServeProcess::start(dir.path());
    wait_until_ready(server.address, Duration::from_secs(10));

    let created = token_command(
        dir.path(),
        &["create", "--tenant", MUNICIPALITY, "--role", "coach", "--name", "anna", "--person", "hlo-7f3a2c"],
    );
    assert_eq!(created.status.code(), Some(0), "stderr: {}", text(&created.stderr));
    assert!(text(&created.stderr).contains("as person hlo-7f3a2c"), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_owned();

    let (status, body) = http_get_as(server.address, "/api/v1/me", &token);
    assert!(status.starts_with("HTTP/1.1 200"), "the server knows the token at its first request: {status} {body}");
    assert!(body.contains(r#""person":"hlo-7f3a2c""#), "{body}");

    let revoked = token_command(dir.path(), &["revoke", "anna"]);
    assert_eq!(revoked.status.code(), Some(0), "stderr: {}", text(&revoked.stderr));
    let since_revoked = Instant::now();
    loop {
        let (status, body) = http_get_as(server.address, "/api/v1/me", &token);
        if status.starts_with("HTTP/1.1 401") {
            assert!(body.contains("the API token has been revoked"), "{body}");
            break;
        }
        assert!(since_revoked.elapsed() < Duration::from_secs(1), "still accepted after {:?}", since_revoked.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!("the revocation by another process took effect after {:?}", since_revoked.elapsed());

    let listed = token_command(dir.path(), &["list", "--json"]);
    let tokens: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("one JSON array");
    assert_eq!(tokens[0]["status"], "revoked");
    assert_eq!(tokens[0]["person"], "hlo-7f3a2c");
    server.terminate(Duration::from_secs(5)).expect("the server stops");
    let check = run(kirjuri(&[("KIRJURI_DATA_DIR", path_str(dir.path()))]).args(["store", "check", "--json"]));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("store check prints JSON");
    assert_eq!(report["healthy"], true, "two processes writing one store leave it healthy: {report}");
}
