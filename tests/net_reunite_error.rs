//! `tcp::ReuniteError` and `unix::ReuniteError` are tuple structs at tokio's paths:
//! matched as `Err(ReuniteError(read, write))` and built as `ReuniteError(read, write)`,
//! as tokio programs do. 127.0.0.1 only.
use robin::net::{tcp, unix, TcpListener, TcpStream, UnixStream};
use std::error::Error;

async fn tcp_pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[test]
fn tcp_reunite_error_is_a_tuple_struct_pattern_and_constructor() {
    let rt = robin::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (a, _a_peer) = tcp_pair(&listener).await;
        let (b, _b_peer) = tcp_pair(&listener).await;
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        // Mismatched halves: both come back, in the tuple fields.
        let (a_read, b_write) = match a_read.reunite(b_write) {
            Err(tcp::ReuniteError(read, write)) => (read, write),
            Ok(_) => panic!("halves of two streams reunited"),
        };
        // Built by hand, as a tokio program may (e.g. to return it from its own fn).
        let err: tcp::ReuniteError = tcp::ReuniteError(a_read, b_write);
        assert_eq!(
            err.to_string(),
            "tried to reunite halves that are not from the same socket"
        );
        let _: &dyn Error = &err;
        let tcp::ReuniteError(a_read, b_write) = err;
        // The right halves reunite.
        let a = a_read.reunite(a_write).unwrap();
        let b = b_write.reunite(b_read).unwrap();
        assert_ne!(a.local_addr().unwrap(), b.local_addr().unwrap());
    });
}

#[test]
fn unix_reunite_error_is_a_tuple_struct_pattern_and_constructor() {
    let rt = robin::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (a, _a_peer) = UnixStream::pair().unwrap();
        let (b, _b_peer) = UnixStream::pair().unwrap();
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        let unix::ReuniteError(a_read, b_write) = a_read.reunite(b_write).unwrap_err();
        let err = unix::ReuniteError(a_read, b_write);
        assert!(format!("{err:?}").starts_with("ReuniteError("), "{err:?}");
        let unix::ReuniteError(a_read, b_write) = err;
        a_read.reunite(a_write).unwrap();
        b_read.reunite(b_write).unwrap();
    });
}
