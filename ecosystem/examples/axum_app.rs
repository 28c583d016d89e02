//! axum on robin: a small to-do API served over robin's `TcpListener` through hyper-util's
//! `auto` connection builder (HTTP/1.1 and HTTP/2), with robin as hyper's executor and
//! timer. No tokio runtime anywhere: axum is built without its `tokio` feature (that
//! feature is `axum::serve`, which runs on tokio's runtime).
//!
//! Routes:
//! - `GET /` says hello;
//! - `POST /todos` takes JSON `{"title": ".."}` (axum's `Json` extractor; bad JSON is a
//!   4xx from the extractor) and answers `201` with the stored to-do;
//! - `GET /todos` lists them, `GET /todos/{id}` returns one or `404`;
//! - `GET /stats` says how many requests the middleware has seen.
//!
//! Shared state is an `Arc<AppState>` (a `robin::sync::Mutex` around the list). A
//! middleware layer (`axum::middleware::from_fn_with_state`) counts every request and adds
//! `x-served-by: robin` to every response. Ctrl-C stops accepting, lets in-flight
//! requests finish (each connection's `graceful_shutdown`) and exits.
//!
//! ```text
//! cargo run -p robin-ecosystem --example axum_app -- 127.0.0.1:3000
//! curl -d '{"title":"write tests"}' -H 'content-type: application/json' http://127.0.0.1:3000/todos
//! ```
//!
//! `tests/axum_app.rs` includes this file and drives [`serve`] with hyper's client and curl.
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use robin::hyper_rt::{RobinExecutor, RobinIo, RobinTimer};
use robin::net::TcpListener;
use robin::sync::{watch, Mutex};
use robin::task::JoinSet;
use robin_ecosystem::server::{bind_and_serve, ctrl_c, next_connection, serve_until_stopped};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One to-do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    /// Assigned by the server, from 1.
    pub id: u64,
    /// What to do.
    pub title: String,
    /// Always `false` on creation.
    pub done: bool,
}

/// The body of `POST /todos`.
#[derive(Debug, Deserialize)]
pub struct NewTodo {
    /// What to do.
    pub title: String,
}

/// The body of `GET /stats`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stats {
    /// Requests the middleware has seen, this one included.
    pub requests: u64,
    /// To-dos stored.
    pub todos: usize,
}

/// State shared by every handler and the middleware.
#[derive(Debug, Default)]
pub struct AppState {
    todos: Mutex<Vec<Todo>>,
    requests: AtomicU64,
}

/// The application: routes, state and the middleware layer.
pub fn app() -> Router {
    let state = Arc::new(AppState::default());
    Router::new()
        .route("/", get(|| async { "Hello from axum on robin!\n" }))
        .route("/todos", get(list_todos).post(create_todo))
        .route("/todos/{id}", get(get_todo))
        .route("/stats", get(stats))
        .layer(middleware::from_fn_with_state(state.clone(), count_and_tag))
        .with_state(state)
}

async fn list_todos(State(state): State<Arc<AppState>>) -> Json<Vec<Todo>> {
    Json(state.todos.lock().await.clone())
}

async fn create_todo(
    State(state): State<Arc<AppState>>,
    Json(new): Json<NewTodo>,
) -> (StatusCode, Json<Todo>) {
    let mut todos = state.todos.lock().await;
    let todo = Todo {
        id: todos.len() as u64 + 1,
        title: new.title,
        done: false,
    };
    todos.push(todo.clone());
    (StatusCode::CREATED, Json(todo))
}

async fn get_todo(State(state): State<Arc<AppState>>, Path(id): Path<u64>) -> Response {
    let todos = state.todos.lock().await;
    match todos.iter().find(|t| t.id == id) {
        Some(todo) => Json(todo.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no to-do {id}\n")).into_response(),
    }
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<Stats> {
    Json(Stats {
        requests: state.requests.load(Ordering::Relaxed),
        todos: state.todos.lock().await.len(),
    })
}

/// The middleware: counts the request, runs the rest of the stack, tags the response.
async fn count_and_tag(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert("x-served-by", HeaderValue::from_static("robin"));
    res
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, asks every
/// open connection to finish its in-flight requests and close, and returns once all have.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some(stream) = next_connection(&listener, &mut shutdown).await {
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let mut builder = auto::Builder::new(RobinExecutor::new());
            builder.http1().timer(RobinTimer::new());
            builder.http2().timer(RobinTimer::new());
            let conn = builder.serve_connection(RobinIo::new(stream), service);
            serve_until_stopped(conn, &mut stop).await
        });
        // Reap finished connections so the set stays as small as the open ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while let Some(done) = connections.join_next().await {
        if let Ok(Err(err)) = done {
            // A client that vanished mid-request: worth a line, not a failure.
            eprintln!("connection: {err}");
        }
    }
    Ok(())
}

#[allow(dead_code)] // `tests/axum_app.rs` includes this file and never calls `main`.
fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    bind_and_serve(&addr, "axum on http://", |listener| {
        serve(listener, app(), ctrl_c("finishing in-flight requests"))
    })
}
