//! [`SocketAddr`]: tokio's wrapper around std's Unix socket address, and the parsing
//! of the paths robin's Unix sockets accept, abstract names (`"\0name"`) included.
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The address of a Unix domain socket: a path, an abstract name (Linux), or unnamed.
///
/// ```
/// use robin_net::UnixListener;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let name = format!("\0robin-doc-addr-{}", std::process::id());
///     let listener = UnixListener::bind(&name).unwrap();
///     let addr = listener.local_addr().unwrap();
///     assert!(!addr.is_unnamed());
///     assert_eq!(addr.as_pathname(), None);
///     assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
/// });
/// ```
#[derive(Clone)]
pub struct SocketAddr(std::os::unix::net::SocketAddr);

impl SocketAddr {
    /// Whether the address is unnamed (e.g. a `socketpair` end or an unbound socket).
    pub fn is_unnamed(&self) -> bool {
        self.0.is_unnamed()
    }

    /// The path, if the address is a filesystem path.
    pub fn as_pathname(&self) -> Option<&Path> {
        self.0.as_pathname()
    }

    /// The abstract name (without the leading NUL), if the address is in the abstract
    /// namespace (Linux and Android).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        self.0.as_abstract_name()
    }
}

impl fmt::Debug for SocketAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<std::os::unix::net::SocketAddr> for SocketAddr {
    fn from(addr: std::os::unix::net::SocketAddr) -> SocketAddr {
        SocketAddr(addr)
    }
}

impl From<SocketAddr> for std::os::unix::net::SocketAddr {
    fn from(addr: SocketAddr) -> std::os::unix::net::SocketAddr {
        addr.0
    }
}

/// The std address for `path`: a path starting with a NUL byte names a socket in the
/// abstract namespace (Linux and Android), as in tokio; anything else is a filesystem
/// path.
pub(crate) fn to_std(path: &Path) -> io::Result<std::os::unix::net::SocketAddr> {
    let bytes = path.as_os_str().as_bytes();
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = bytes.strip_prefix(b"\0") {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        return std::os::unix::net::SocketAddr::from_abstract_name(name);
    }
    let _ = bytes;
    std::os::unix::net::SocketAddr::from_pathname(path)
}
