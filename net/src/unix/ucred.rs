//! [`UCred`]: the credentials of a Unix socket's peer process (tokio's `UCred`).
use std::io;
use std::os::fd::AsRawFd;

/// The credentials of the process at the other end of a Unix stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    uid: libc::uid_t,
    gid: libc::gid_t,
    pid: Option<libc::pid_t>,
}

impl UCred {
    /// The peer's user id.
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The peer's group id.
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The peer's process id, where the platform reports it.
    pub fn pid(&self) -> Option<libc::pid_t> {
        self.pid
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) fn of(socket: &impl AsRawFd) -> io::Result<UCred> {
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: `cred` and `len` are valid for writes and `len` is `cred`'s size, as
        // `getsockopt(SO_PEERCRED)` requires; the descriptor is borrowed from a live socket.
        let rc = unsafe {
            libc::getsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&mut cred as *mut libc::ucred).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(UCred {
            uid: cred.uid,
            gid: cred.gid,
            pid: Some(cred.pid),
        })
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(crate) fn of(socket: &impl AsRawFd) -> io::Result<UCred> {
        let (mut uid, mut gid) = (0, 0);
        // SAFETY: both out-pointers are valid for writes; the descriptor is live.
        let rc = unsafe { libc::getpeereid(socket.as_raw_fd(), &mut uid, &mut gid) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(UCred {
            uid,
            gid,
            pid: None,
        })
    }
}
