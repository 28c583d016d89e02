//! The README's "robin::sync in your loom models" recipe, verbatim, so it stays runnable.
#[cfg(loom)]
#[test]
fn counter_and_reply() {
    loom::model(|| {
        let total = std::sync::Arc::new(robin_sync::Mutex::new(0));
        let (tx, mut rx) = robin_sync::mpsc::channel::<robin_sync::oneshot::Sender<u32>>(1);
        let t = total.clone();
        let server = loom::thread::spawn(move || {
            loom::future::block_on(async move {
                while let Some(reply) = rx.recv().await {
                    let mut g = t.lock().await;
                    *g += 1;
                    let _ = reply.send(*g);
                }
            })
        });
        let (reply, answer) = robin_sync::oneshot::channel();
        loom::future::block_on(tx.send(reply)).unwrap();
        assert_eq!(loom::future::block_on(answer), Ok(1));
        drop(tx);
        server.join().unwrap();
    });
}
