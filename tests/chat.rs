//! The chat example with 100 clients on 127.0.0.1: each sends one line and receives all 99
//! lines of the others (and never its own). Bounded in time.
use futures::{SinkExt, StreamExt};
use robin::net::{TcpListener, TcpStream};
use robin::sync::oneshot;
use robin_test_support::chat::RoomCheck;
use std::time::Duration;
use tokio_util::codec::{Framed, LinesCodec};

#[path = "../examples/chat.rs"]
#[allow(dead_code)]
mod chat;

const CLIENTS: usize = 100;

/// The next line from the server (panics at EOF or on a codec error).
async fn next_line(framed: &mut Framed<TcpStream, LinesCodec>) -> String {
    framed
        .next()
        .await
        .expect("server closed early")
        .expect("a valid line")
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_reaches_every_other_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = robin::spawn(chat::serve(listener, stopped));

    // Everyone connects and waits for its welcome (it is subscribed from then on).
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let mut framed = chat::lines(TcpStream::connect(addr).await.unwrap());
        let welcome = next_line(&mut framed).await;
        let id: u64 = welcome.strip_prefix("* welcome ").unwrap().parse().unwrap();
        clients.push((id, framed));
    }
    let ids: Vec<u64> = clients.iter().map(|(id, _)| *id).collect();

    let mut tasks = robin::task::JoinSet::new();
    for (id, mut framed) in clients {
        let ids = ids.clone();
        tasks.spawn(async move {
            let mut room = RoomCheck::new(&ids, id);
            framed.send(room.hello()).await.unwrap();
            while !room.is_done() {
                room.see(next_line(&mut framed).await);
            }
            room.seen()
        });
    }
    let counts = robin::time::timeout(Duration::from_secs(60), tasks.join_all())
        .await
        .expect("every client got every line in time");
    assert_eq!(counts, vec![CLIENTS - 1; CLIENTS]);

    stop.send(()).unwrap();
    robin::time::timeout(Duration::from_secs(60), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[robin::test]
async fn others_see_joins_and_leaves() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = robin::spawn(chat::serve(listener, stopped));

    let mut a = chat::lines(TcpStream::connect(addr).await.unwrap());
    assert!(next_line(&mut a).await.starts_with("* welcome"));
    let mut b = chat::lines(TcpStream::connect(addr).await.unwrap());
    let b_id = next_line(&mut b).await["* welcome ".len()..].to_owned();
    let bound = Duration::from_secs(30);
    let joined = robin::time::timeout(bound, next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(joined, format!("* {b_id} joined"));
    b.send("bye").await.unwrap();
    drop(b);
    let said = robin::time::timeout(bound, next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(said, format!("{b_id}: bye"));
    let left = robin::time::timeout(bound, next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(left, format!("* {b_id} left"));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[robin::test]
async fn a_line_over_max_line_drops_only_that_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = robin::spawn(chat::serve(listener, stopped));
    let bound = Duration::from_secs(30);

    let mut a = chat::lines(TcpStream::connect(addr).await.unwrap());
    assert!(next_line(&mut a).await.starts_with("* welcome"));
    let mut big = chat::lines(TcpStream::connect(addr).await.unwrap());
    let big_id = next_line(&mut big).await["* welcome ".len()..].to_owned();
    let mut big = big.into_inner(); // Raw bytes from here on.
    let mut other = chat::lines(TcpStream::connect(addr).await.unwrap());
    let line = vec![b'x'; chat::MAX_LINE + 1];
    // The server may drop `big` before it has read everything: a write error is fine.
    let _ = big.write_all(&line).await;
    let _ = big.write_all(b"\n").await;
    // `a` sees `big` leave (and joins), but no line from it.
    loop {
        let seen = robin::time::timeout(bound, next_line(&mut a))
            .await
            .unwrap();
        assert!(
            !seen.starts_with(&format!("{big_id}: ")),
            "over-long line relayed"
        );
        if seen == format!("* {big_id} left") {
            break;
        }
    }
    // The others carry on.
    assert!(next_line(&mut other).await.starts_with("* welcome"));
    other.send("still here").await.unwrap();
    loop {
        let seen = robin::time::timeout(bound, next_line(&mut a))
            .await
            .unwrap();
        if seen.ends_with(": still here") {
            break;
        }
    }

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
