//! A TCP chat server: a line protocol where every line a client sends is broadcast to
//! every *other* client, prefixed with the sender's id. Clients come and go; the others
//! see `* <id> joined` / `* <id> left`.
//!
//! On connect a client first gets `* welcome <id>`: from then on it receives everything.
//! Fan-out is one `robin::sync::broadcast` channel. Each connection is one task around a
//! tokio-util `Framed<TcpStream, LinesCodec>` (robin's `TcpStream` implements tokio's
//! I/O traits): it waits for whichever comes first, a line from its client or one from
//! the channel.
//!
//! ```text
//! cargo run --example chat -- 127.0.0.1:4000     # then: nc 127.0.0.1 4000 (several)
//! ```
//!
//! `tests/chat.rs` includes this file and runs [`serve`] with 100 clients.
use futures::{SinkExt, StreamExt};
use robin::net::{TcpListener, TcpStream};
use robin::sync::broadcast::{self, error::RecvError};
use robin::sync::oneshot;
use std::io;
use std::sync::Arc;
use tokio_util::codec::{Framed, LinesCodec};

/// Longest line accepted (bytes, without the newline); a longer one drops the client.
pub const MAX_LINE: usize = 64 * 1024;

/// How many messages a slow client may fall behind before it misses some.
const BACKLOG: usize = 4096;

/// One chat message: the client it is about (who does not get it back; `None`: everyone
/// gets it) and the line (without its newline: the codec adds it).
#[derive(Debug, Clone)]
struct Message {
    from: Option<u64>,
    line: Arc<str>,
}

/// The line protocol on a stream: `\n`-terminated lines (a `\r` before it is dropped),
/// at most [`MAX_LINE`] bytes. Shared by the server and the tests' clients.
pub fn lines(stream: TcpStream) -> Framed<TcpStream, LinesCodec> {
    Framed::new(stream, LinesCodec::new_with_max_length(MAX_LINE))
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
    let mut framed = lines(stream);
    // Subscribe before saying welcome: the client may send as soon as it sees it, and
    // everything broadcast after this point reaches it.
    let mut rx = tx.subscribe();
    if framed.send(format!("* welcome {id}")).await.is_err() {
        return;
    }
    let _ = tx.send(Message {
        from: Some(id),
        line: format!("* {id} joined").into(),
    });
    loop {
        robin::select! {
            // `Framed::next` is cancel-safe: a partial line stays in its buffer.
            line = framed.next() => match line {
                Some(Ok(line)) => {
                    let _ = tx.send(Message {
                        from: Some(id),
                        line: format!("{id}: {line}").into(),
                    });
                }
                // EOF, a read error, or a line over MAX_LINE: drop the client.
                None | Some(Err(_)) => break,
            },
            msg = rx.recv() => {
                let line = match msg {
                    Ok(msg) if msg.from == Some(id) => continue,
                    Ok(msg) => msg.line.to_string(),
                    Err(RecvError::Lagged(n)) => format!("* you missed {n} messages"),
                    Err(RecvError::Closed) => break,
                };
                if framed.send(line).await.is_err() {
                    break;
                }
            },
        }
    }
    let _ = tx.send(Message {
        from: Some(id),
        line: format!("* {id} left").into(),
    });
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
