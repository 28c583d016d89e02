//! The PostgreSQL example against a real server (started per test by `pg_server`, on
//! 127.0.0.1): 1000 concurrent queries over the pool, a transaction committed and one
//! rolled back, and a query cut short by `robin::time::timeout` that leaves its
//! connection usable.
use robin::time::timeout;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::Config;

#[path = "../examples/pg.rs"]
#[allow(dead_code)]
mod pg;
mod pg_server;

use pg_server::PgServer;

/// Generous bound on each step; never a measurement.
const BOUND: Duration = Duration::from_secs(60);

fn config() -> Config {
    let mut config = Config::new();
    config.user(pg_server::USER).dbname("postgres");
    config
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_queries_over_a_pool_of_four() {
    let server = PgServer::start();
    let pool = Arc::new(
        timeout(BOUND, pg::Pool::new(server.addr(), &config(), 4))
            .await
            .expect("connected in time")
            .expect("connect"),
    );
    let n = 1000;
    let sum = timeout(BOUND, pg::sum_doubled(&pool, n))
        .await
        .expect("queries answered in time")
        .expect("queries");
    assert_eq!(sum, n * (n + 1)); // 2 * (1 + 2 + ... + n)

    // The pool really multiplexed: the server saw at most 4 of our connections.
    let client = pool.get().await;
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 4);
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_commits_and_rolls_back() {
    let server = PgServer::start();
    timeout(BOUND, async {
        let mut client = pg::connect(server.addr(), &config()).await.unwrap();
        pg::reset_accounts(&client, &[("alice", 100), ("bob", 0)])
            .await
            .unwrap();

        let moved = pg::transfer(&mut client, "alice", "bob", 30).await.unwrap();
        assert_eq!(moved, (70, 30));

        let refused = pg::transfer(&mut client, "alice", "bob", 500).await;
        assert!(
            matches!(
                refused,
                Err(pg::TransferError::InsufficientFunds { balance: 70 })
            ),
            "{refused:?}"
        );
        // The uncommitted update was rolled back, as seen from another connection.
        let other = pg::connect(server.addr(), &config()).await.unwrap();
        let rows = other
            .query("SELECT name, balance FROM accounts ORDER BY name", &[])
            .await
            .unwrap();
        let balances: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(balances, [("alice".to_owned(), 70), ("bob".to_owned(), 30)]);
    })
    .await
    .expect("transactions done in time");
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_out_query_is_cancelled_and_the_connection_stays_usable() {
    let server = PgServer::start();
    timeout(BOUND, async {
        let client = pg::connect(server.addr(), &config()).await.unwrap();
        // An hour of sleep: this test's bound is a minute, so it can only pass if the
        // cancel request really stopped the server-side query. (PostgreSQL drops a cancel
        // that arrives before the query starts; a 1 s limit leaves the query ample time
        // to have started, as the round trip of its prepare step came first.)
        let timed = pg::query_with_timeout(
            &client,
            server.addr(),
            "SELECT pg_sleep(3600)",
            Duration::from_secs(1),
        )
        .await
        .unwrap();
        assert!(matches!(timed, pg::Timed::TimedOut), "{timed:?}");

        let row = client.query_one("SELECT 41 + 1", &[]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);
        assert!(!client.is_closed());

        // A query that finishes in time comes back as rows.
        let timed = pg::query_with_timeout(&client, server.addr(), "SELECT 'ok'", BOUND)
            .await
            .unwrap();
        match timed {
            pg::Timed::Rows(rows) => assert_eq!(rows[0].get::<_, &str>(0), "ok"),
            other => panic!("{other:?}"),
        }
    })
    .await
    .expect("cancel and follow-up done in time");
}

#[robin::test]
async fn connect_to_a_closed_port_is_an_io_error() {
    // Bind then drop: nothing listens there (on 127.0.0.1).
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = pg::connect(addr, &config()).await.unwrap_err();
    assert!(
        matches!(&err, pg::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused),
        "{err}"
    );
}

#[test]
fn the_server_is_stopped_and_removed_even_when_a_test_panics() {
    let (tx, rx) = std::sync::mpsc::channel();
    let failed = std::panic::catch_unwind(move || {
        let server = PgServer::start();
        let running = std::net::TcpStream::connect(server.addr());
        tx.send((server.dir().to_owned(), server.addr(), running.is_ok()))
            .unwrap();
        panic!("a failing test");
    });
    assert!(failed.is_err());
    let (dir, addr, was_running) = rx.recv().unwrap();
    assert!(
        was_running,
        "the server accepted connections while the test ran"
    );
    assert!(!dir.exists(), "{} left behind", dir.display());
    let err = std::net::TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}
