//! [`ToSocketAddrs`]: what `bind`, `connect` and `send_to` accept as an address.
//!
//! Literal addresses (`SocketAddr`, `(IpAddr, u16)`, `"127.0.0.1:80"`) are parsed on
//! the spot. Anything that needs name resolution (`"localhost:0"`, `("example", 80)`)
//! goes to std's blocking resolver on the runtime's blocking pool
//! (`Handle::spawn_blocking`), so a slow DNS lookup never blocks an async worker.
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Types that can be turned into one or more socket addresses, possibly after a name
/// lookup (done off the async workers). Sealed: implemented for the same types as
/// `std::net::ToSocketAddrs`.
///
/// ```
/// use robin_net::TcpListener;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     // A literal, a tuple and a name all work.
///     let a = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let b = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await.unwrap();
///     let c = TcpListener::bind("localhost:0").await.unwrap();
///     assert!(a.local_addr().unwrap().ip().is_loopback());
///     assert!(b.local_addr().unwrap().ip().is_loopback());
///     assert!(c.local_addr().unwrap().ip().is_loopback());
/// });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// How an address is obtained: directly, or by a blocking lookup.
    #[derive(Debug)]
    pub enum Resolve {
        /// Already known (a literal), or a parse error.
        Ready(io::Result<Vec<SocketAddr>>),
        /// A host name (`host:port` when the port is `None`) to resolve on the blocking pool.
        Lookup(String, Option<u16>),
    }

    /// The conversion behind [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        /// Starts the conversion.
        fn resolve(&self) -> Resolve;
    }
}

use sealed::{Resolve, Sealed};

/// Resolves `addr` to its socket addresses (blocking lookups on the blocking pool).
pub(crate) async fn resolve<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    match addr.resolve() {
        Resolve::Ready(res) => res,
        Resolve::Lookup(host, port) => {
            // As tokio's (whose lookup runs on `spawn_blocking`): a panic outside a runtime.
            let handle = match robin_runtime::runtime::Handle::try_current() {
                Ok(handle) => handle,
                Err(err) => panic!("robin::net: {err}"),
            };
            let lookup = handle.spawn_blocking(move || -> io::Result<Vec<SocketAddr>> {
                use std::net::ToSocketAddrs as _;
                Ok(match port {
                    Some(port) => (host.as_str(), port).to_socket_addrs()?.collect(),
                    None => host.as_str().to_socket_addrs()?.collect(),
                })
            });
            lookup.await.map_err(io::Error::from)?
        }
    }
}

/// Tries `f` on each address of `addr` in turn: the first success, or the last error.
pub(crate) async fn each_addr<A, T>(
    addr: &A,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T>
where
    A: ToSocketAddrs + ?Sized,
{
    let mut last_err = None;
    for addr in resolve(addr).await? {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(err) => last_err = Some(err),
        }
    }
    Err(last_err.unwrap_or_else(no_addresses))
}

/// The error for a name that resolved to nothing.
pub(crate) fn no_addresses() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}

fn ready(addr: SocketAddr) -> Resolve {
    Resolve::Ready(Ok(vec![addr]))
}

macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl Sealed for $ty {
            fn resolve(&self) -> Resolve {
                ready(SocketAddr::from(*self))
            }
        }
    )*};
}

literal!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for [SocketAddr] {}
impl Sealed for [SocketAddr] {
    fn resolve(&self) -> Resolve {
        Resolve::Ready(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    fn resolve(&self) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(addr) => ready(addr),
            Err(_) => Resolve::Lookup(self.to_owned(), None),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn resolve(&self) -> Resolve {
        self.as_str().resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn resolve(&self) -> Resolve {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => ready(SocketAddr::new(ip, port)),
            Err(_) => Resolve::Lookup(host.to_owned(), Some(port)),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> Sealed for &T {
    fn resolve(&self) -> Resolve {
        (**self).resolve()
    }
}

/// Resolves `host` to its socket addresses, as tokio's `lookup_host`: literals at once,
/// names on the blocking pool (never on an async worker).
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let addrs: Vec<_> = robin_net::lookup_host("127.0.0.1:8080").await.unwrap().collect();
///     assert_eq!(addrs, ["127.0.0.1:8080".parse().unwrap()]);
///     let named = robin_net::lookup_host(("localhost", 80)).await.unwrap();
///     assert!(named.into_iter().all(|a| a.ip().is_loopback() && a.port() == 80));
///     assert!(robin_net::lookup_host("no port here").await.is_err());
/// });
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve(&host).await?.into_iter())
}
