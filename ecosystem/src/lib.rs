//! The ecosystem on robin: crates written for tokio's I/O traits, running on robin's
//! runtime with real parts. The programs live in `examples/` and their tests in `tests/`:
//!
//! | example | what runs on robin | tests |
//! |---|---|---|
//! | `axum_app` | axum's `Router` (JSON, state, middleware) through hyper-util's `auto` builder | `tests/axum_app.rs` (hyper client, curl) |
//! | `ws_chat` | a WebSocket chat on hyper's upgrade + tokio-tungstenite, with its page | `tests/ws_chat.rs` (100 clients, headless Chromium) |
//! | `pg` | tokio-postgres over robin's `TcpStream`, a pool on `robin::sync::Semaphore` | `tests/pg.rs` (a real PostgreSQL server) |
//! | `https_server` | tokio-rustls (ring) serving hyper | `tests/https_server.rs` (hyper + rustls, curl) |
//!
//! This library holds only what the examples share: [`Compat`], the adapter between
//! tokio's I/O traits and hyper's, and [`server`], the accept step, graceful stop, Ctrl-C
//! and `main` of the example servers. The crate is a separate workspace member (never
//! published) so that the facade's dev-dependencies stay small.
#![warn(missing_docs)]

mod compat;
pub mod server;

pub use compat::Compat;
