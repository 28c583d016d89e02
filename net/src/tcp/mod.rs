//! TCP: [`TcpListener`], [`TcpStream`] and the stream's halves ([`ReadHalf`]/[`WriteHalf`]
//! borrowed from a stream by `split`, [`OwnedReadHalf`]/[`OwnedWriteHalf`] by `into_split`).
mod listener;
mod split;
mod split_owned;
pub(crate) mod stream;

pub use listener::TcpListener;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use stream::TcpStream;
