//! PostgreSQL on robin with tokio-postgres: each connection is a robin `TcpStream` handed
//! to `Config::connect_raw`, its `Connection` driven as a robin task. No tokio runtime:
//! tokio-postgres is built without its `runtime` feature (the one whose `connect` uses
//! tokio's sockets and timers).
//!
//! - [`Pool`]: a fixed set of connections behind a `robin::sync::Semaphore` (one permit
//!   per idle connection); [`Pool::get`] waits for one and hands it back on drop.
//! - [`sum_doubled`]: many concurrent queries over the pool (tokio-postgres also pipelines
//!   the queries of one connection).
//! - [`transfer`]: a transaction that moves money between two accounts, rolled back (by
//!   dropping it uncommitted) when the payer would go below zero.
//! - [`query_with_timeout`]: a query given up by `robin::time::timeout`; giving up only
//!   drops our future, so it also sends PostgreSQL a cancel request (on a fresh robin
//!   socket, `CancelToken::cancel_query_raw`), which stops the server-side work, and the
//!   connection stays usable.
//!
//! ```text
//! cargo run -p robin-ecosystem --example pg -- 127.0.0.1:5432 postgres
//! ```
//!
//! `tests/pg.rs` starts a real PostgreSQL server and drives these functions.
use robin::net::TcpStream;
use robin::sync::{Semaphore, SemaphorePermit};
use robin::time::timeout;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls, Row};

/// A failure to talk to the server: the socket, or PostgreSQL.
#[derive(Debug)]
pub enum Error {
    /// Connecting the TCP socket failed.
    Io(io::Error),
    /// tokio-postgres reported an error (protocol, SQL, closed connection...).
    Pg(tokio_postgres::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(err) => write!(f, "connect: {err}"),
            Error::Pg(err) => write!(f, "postgres: {err}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::Io(err)
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(err: tokio_postgres::Error) -> Error {
        Error::Pg(err)
    }
}

/// Opens one connection: a robin socket, the startup handshake over it, and the
/// connection's I/O as a robin task (it ends when the `Client` is dropped).
pub async fn connect(addr: SocketAddr, config: &Config) -> Result<Client, Error> {
    let stream = TcpStream::connect(addr).await?;
    let _ = stream.set_nodelay(true);
    let (client, connection) = config.connect_raw(stream, NoTls).await?;
    robin::spawn(async move {
        if let Err(err) = connection.await {
            eprintln!("postgres connection: {err}");
        }
    });
    Ok(client)
}

/// A fixed-size pool: `Semaphore` permits count the idle connections.
#[derive(Debug)]
pub struct Pool {
    addr: SocketAddr,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
}

impl Pool {
    /// Opens `size` connections to the server at `addr`.
    pub async fn new(addr: SocketAddr, config: &Config, size: usize) -> Result<Pool, Error> {
        let mut idle = Vec::with_capacity(size);
        for _ in 0..size {
            idle.push(connect(addr, config).await?);
        }
        Ok(Pool {
            addr,
            idle: Mutex::new(idle),
            permits: Semaphore::new(size),
        })
    }

    /// Waits for an idle connection.
    pub async fn get(&self) -> Pooled<'_> {
        let permit = self
            .permits
            .acquire()
            .await
            .expect("the pool never closes its semaphore");
        let client = self
            .idle
            .lock()
            .unwrap()
            .pop()
            .expect("a permit means an idle connection");
        Pooled {
            client: Some(client),
            pool: self,
            _permit: permit,
        }
    }

    /// The server's address (for cancel requests).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// A connection on loan from a [`Pool`]; derefs to the `Client`.
#[derive(Debug)]
pub struct Pooled<'a> {
    client: Option<Client>,
    pool: &'a Pool,
    // Dropped after `Drop::drop` has put the client back: the next waiter finds it.
    _permit: SemaphorePermit<'a>,
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until drop")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        // A real pool would check `client.is_closed()` here and reconnect.
        if let Some(client) = self.client.take() {
            self.pool.idle.lock().unwrap().push(client);
        }
    }
}

/// Runs `n` queries at once (`SELECT $1::int8 * 2` for 1..=n), each on a pooled
/// connection, and returns the sum of the answers.
pub async fn sum_doubled(pool: &Arc<Pool>, n: i64) -> Result<i64, tokio_postgres::Error> {
    let mut tasks = robin::task::JoinSet::new();
    for i in 1..=n {
        let pool = pool.clone();
        tasks.spawn(async move {
            let client = pool.get().await;
            let row = client.query_one("SELECT $1::int8 * 2", &[&i]).await?;
            Ok::<i64, tokio_postgres::Error>(row.get(0))
        });
    }
    let mut sum = 0;
    while let Some(done) = tasks.join_next().await {
        sum += done.expect("query task panicked")?;
    }
    Ok(sum)
}

/// Creates (or resets) `accounts(name text primary key, balance int8)` with the given rows.
pub async fn reset_accounts(
    client: &Client,
    accounts: &[(&str, i64)],
) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "DROP TABLE IF EXISTS accounts;
             CREATE TABLE accounts (name text PRIMARY KEY, balance int8 NOT NULL)",
        )
        .await?;
    for (name, balance) in accounts {
        client
            .execute(
                "INSERT INTO accounts (name, balance) VALUES ($1, $2)",
                &[name, balance],
            )
            .await?;
    }
    Ok(())
}

/// Why [`transfer`] did not move the money.
#[derive(Debug)]
pub enum TransferError {
    /// The payer's balance would go below zero; nothing changed.
    InsufficientFunds {
        /// The payer's balance (unchanged).
        balance: i64,
    },
    /// The database said no.
    Db(tokio_postgres::Error),
}

impl From<tokio_postgres::Error> for TransferError {
    fn from(err: tokio_postgres::Error) -> TransferError {
        TransferError::Db(err)
    }
}

/// Moves `amount` from `from` to `to` in one transaction; returns the new balances.
pub async fn transfer(
    client: &mut Client,
    from: &str,
    to: &str,
    amount: i64,
) -> Result<(i64, i64), TransferError> {
    let tx = client.transaction().await?;
    let update = "UPDATE accounts SET balance = balance + $2 WHERE name = $1 RETURNING balance";
    let payer: i64 = tx.query_one(update, &[&from, &-amount]).await?.get(0);
    if payer < 0 {
        // Dropping `tx` uncommitted rolls it back.
        return Err(TransferError::InsufficientFunds {
            balance: payer + amount,
        });
    }
    let payee: i64 = tx.query_one(update, &[&to, &amount]).await?.get(0);
    tx.commit().await?;
    Ok((payer, payee))
}

/// What [`query_with_timeout`] got.
#[derive(Debug)]
pub enum Timed {
    /// The query finished in time.
    Rows(Vec<Row>),
    /// Time ran out; the query was cancelled on the server.
    TimedOut,
}

/// Runs `sql`, giving up after `limit`: then also cancels it on the server, so the
/// connection is free for the next query instead of waiting for the abandoned one.
///
/// Cancelling is best-effort, as in PostgreSQL itself: a cancel request that reaches the
/// server before the query has started is ignored.
pub async fn query_with_timeout(
    client: &Client,
    addr: SocketAddr,
    sql: &str,
    limit: Duration,
) -> Result<Timed, Error> {
    match timeout(limit, client.query(sql, &[])).await {
        Ok(rows) => Ok(Timed::Rows(rows?)),
        Err(_elapsed) => {
            let stream = TcpStream::connect(addr).await?;
            client
                .cancel_token()
                .cancel_query_raw(stream, NoTls)
                .await?;
            Ok(Timed::TimedOut)
        }
    }
}

#[allow(dead_code)] // `tests/pg.rs` includes this file and never calls `main`.
#[robin::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:5432").parse()?;
    let user = args.next().unwrap_or_else(|| "postgres".to_owned());
    let mut config = Config::new();
    config.user(&user).dbname("postgres");
    let pool = Arc::new(Pool::new(addr, &config, 4).await?);
    println!(
        "sum of 2i for i in 1..=1000: {}",
        sum_doubled(&pool, 1000).await?
    );

    let mut client = pool.get().await;
    reset_accounts(&client, &[("alice", 100), ("bob", 0)]).await?;
    println!(
        "alice -> bob 30: {:?}",
        transfer(&mut client, "alice", "bob", 30).await
    );
    println!(
        "alice -> bob 500: {:?}",
        transfer(&mut client, "alice", "bob", 500).await
    );
    let slow = "SELECT pg_sleep(60)";
    let timed = query_with_timeout(&client, addr, slow, Duration::from_millis(200)).await?;
    println!("{slow} with a 200 ms limit: {timed:?}");
    let one: i32 = client.query_one("SELECT 1", &[]).await?.get(0);
    println!("then SELECT 1 on the same connection: {one}");
    Ok(())
}
