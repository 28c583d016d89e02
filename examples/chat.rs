//! A TCP chat server: a line protocol where every line a client sends is broadcast to
//! every *other* client, prefixed with the sender's id. Clients come and go; the others
//! see `* <id> joined` / `* <id> left`.
//!
//! On connect a client first gets `* welcome <id>`: from then on it receives everything.
//! Fan-out is one `robin::sync::broadcast` channel; each connection is a reader task (the
//! connection's own) and a writer task draining its broadcast receiver into the socket.
//!
//! ```text
//! cargo run --example chat -- 127.0.0.1:4000     # then: nc 127.0.0.1 4000 (several)
//! ```
//!
//! `tests/chat.rs` includes this file and runs [`serve`] with 100 clients.
use robin::net::tcp::OwnedWriteHalf;
use robin::net::{TcpListener, TcpStream};
use robin::sync::broadcast::{self, error::RecvError};
use robin::sync::oneshot;
use std::io;
use std::sync::Arc;

/// Longest line accepted (bytes, without the newline); a longer one drops the client.
pub const MAX_LINE: usize = 64 * 1024;

/// How many messages a slow client may fall behind before it misses some.
const BACKLOG: usize = 4096;

/// One chat message: the client it is about (who does not get it back; `None`: everyone
/// gets it) and the line (with its newline).
#[derive(Debug, Clone)]
struct Message {
    from: Option<u64>,
    line: Arc<str>,
}

/// Splits a byte stream into lines. Shared by the server and the tests' clients.
#[derive(Debug, Default)]
pub struct LineReader {
    buf: Vec<u8>,
}

impl LineReader {
    /// The next line without its `\n`; `Ok(None)` at EOF (a partial last line is dropped).
    pub async fn next_line(
        &mut self,
        read: &mut (impl ReadSome + ?Sized),
    ) -> io::Result<Option<String>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(pos + 1);
                let mut line = std::mem::replace(&mut self.buf, rest);
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            if self.buf.len() > MAX_LINE {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            let mut chunk = [0u8; 4096];
            let n = read.read_some(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// What [`LineReader`] reads from: a whole stream or its read half.
#[allow(async_fn_in_trait)] // Only used in this example, never across threads generically.
pub trait ReadSome {
    /// Reads what is available (`Ok(0)` is EOF).
    async fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize>;
}

impl ReadSome for TcpStream {
    async fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read(buf).await
    }
}

impl ReadSome for robin::net::tcp::OwnedReadHalf {
    async fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read(buf).await
    }
}

/// Accepts clients until `shutdown` fires (or its sender is dropped), then closes them all.
pub async fn serve(listener: TcpListener, mut shutdown: oneshot::Receiver<()>) -> io::Result<()> {
    let (tx, _) = broadcast::channel::<Message>(BACKLOG);
    let mut clients = robin::task::JoinSet::new();
    let mut next_id = 0u64;
    loop {
        let stream = robin::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    eprintln!("accept: {err}");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        next_id += 1;
        clients.spawn(client(next_id, stream, tx.clone()));
        while clients.try_join_next().is_some() {}
    }
    clients.shutdown().await;
    Ok(())
}

async fn client(id: u64, stream: TcpStream, tx: broadcast::Sender<Message>) {
    let (mut read, write) = stream.into_split();
    // Subscribe before saying welcome: the client may send as soon as it sees it, and
    // everything broadcast after this point reaches it.
    let rx = tx.subscribe();
    let writer = robin::spawn(writer(id, write, rx));
    let _ = tx.send(Message {
        from: Some(id),
        line: format!("* {id} joined\n").into(),
    });
    let mut lines = LineReader::default();
    while let Ok(Some(line)) = lines.next_line(&mut read).await {
        let _ = tx.send(Message {
            from: Some(id),
            line: format!("{id}: {line}\n").into(),
        });
    }
    let _ = tx.send(Message {
        from: Some(id),
        line: format!("* {id} left\n").into(),
    });
    writer.abort();
}

async fn writer(id: u64, mut write: OwnedWriteHalf, mut rx: broadcast::Receiver<Message>) {
    if write
        .write_all(format!("* welcome {id}\n").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    loop {
        let msg = match rx.recv().await {
            Ok(msg) => msg,
            Err(RecvError::Lagged(n)) => Message {
                from: None,
                line: format!("* you missed {n} messages\n").into(),
            },
            Err(RecvError::Closed) => return,
        };
        if msg.from == Some(id) {
            continue;
        }
        if write.write_all(msg.line.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[allow(dead_code)] // `tests/chat.rs` includes this file; `main` is unused there.
#[robin::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4000".to_owned());
    let listener = TcpListener::bind(&*addr).await?;
    println!("chat on {}", listener.local_addr()?);
    // No shutdown signal: run until killed (the sender lives as long as `main`).
    let (_keep, rx) = oneshot::channel::<()>();
    serve(listener, rx).await
}
