//! The chat example with 100 clients on 127.0.0.1: each sends one line and receives all 99
//! lines of the others (and never its own). Bounded in time.
use robin::net::{TcpListener, TcpStream};
use robin::sync::oneshot;
use std::collections::HashSet;
use std::time::Duration;

#[path = "../examples/chat.rs"]
#[allow(dead_code)]
mod chat;

const CLIENTS: usize = 100;

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_reaches_every_other_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = robin::spawn(chat::serve(listener, stopped));

    // Everyone connects and waits for its welcome (it is subscribed from then on).
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut lines = chat::LineReader::default();
        let welcome = lines.next_line(&mut stream).await.unwrap().unwrap();
        let id: u64 = welcome.strip_prefix("* welcome ").unwrap().parse().unwrap();
        clients.push((id, stream, lines));
    }
    let ids: Vec<u64> = clients.iter().map(|(id, _, _)| *id).collect();

    let mut tasks = robin::task::JoinSet::new();
    for (id, mut stream, mut lines) in clients {
        let ids = ids.clone();
        tasks.spawn(async move {
            stream
                .write_all(format!("hello from {id}\n").as_bytes())
                .await
                .unwrap();
            let expected: HashSet<String> = ids
                .iter()
                .filter(|&&other| other != id)
                .map(|other| format!("{other}: hello from {other}"))
                .collect();
            let mut got = HashSet::new();
            while got.len() < expected.len() {
                let line = lines
                    .next_line(&mut stream)
                    .await
                    .unwrap()
                    .expect("server closed early");
                if line.starts_with("* ") {
                    assert!(!line.contains("missed"), "client {id} lagged: {line}");
                    continue; // joins and leaves
                }
                assert!(
                    line != format!("{id}: hello from {id}"),
                    "client {id} got its own line"
                );
                assert!(expected.contains(&line), "client {id}: unexpected {line:?}");
                assert!(got.insert(line), "client {id}: duplicate");
            }
            got.len()
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

    let mut a = TcpStream::connect(addr).await.unwrap();
    let mut a_lines = chat::LineReader::default();
    assert!(a_lines
        .next_line(&mut a)
        .await
        .unwrap()
        .unwrap()
        .starts_with("* welcome"));
    let mut b = TcpStream::connect(addr).await.unwrap();
    let mut b_lines = chat::LineReader::default();
    let b_id = b_lines.next_line(&mut b).await.unwrap().unwrap()["* welcome ".len()..].to_owned();
    let bound = Duration::from_secs(30);
    let joined = robin::time::timeout(bound, a_lines.next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(joined.unwrap().unwrap(), format!("* {b_id} joined"));
    b.write_all(b"bye\n").await.unwrap();
    drop(b);
    let said = robin::time::timeout(bound, a_lines.next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(said.unwrap().unwrap(), format!("{b_id}: bye"));
    let left = robin::time::timeout(bound, a_lines.next_line(&mut a))
        .await
        .unwrap();
    assert_eq!(left.unwrap().unwrap(), format!("* {b_id} left"));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
