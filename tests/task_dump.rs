//! Task dumps (`Handle::dump`): states, wait sites, and exact lost-waker detection.
//!
//! The runtime keeps running while a dump is taken, so each test waits (bounded) until
//! the task it looks at has reached the state under test, then asserts on that dump.
use robin::runtime::dump::{Dump, TaskDump, TaskState, WaitSite};
use robin::runtime::{Builder, Handle, Runtime};
use robin::task::Id;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

fn multi() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn find(dump: &Dump, id: Id) -> Option<&TaskDump> {
    dump.tasks().iter().find(|t| t.id() == id)
}

/// Dumps until task `id` is idle (bounded: 10 s, then panics with the last dump).
fn wait_idle(handle: &Handle, id: Id) -> TaskDump {
    let start = Instant::now();
    loop {
        let dump = handle.dump();
        if let Some(t) = find(&dump, id) {
            if t.state() == TaskState::Idle {
                return t.clone();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "task {id} never went idle:\n{dump}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Pending forever; on its first poll hands a clone of its waker to `keep`.
struct Stash<K: FnMut(Waker) + Unpin>(Option<K>);
impl<K: FnMut(Waker) + Unpin> Future for Stash<K> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(mut keep) = self.0.take() {
            keep(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[test]
fn waker_dropped_inside_poll_is_lost() {
    let rt = multi();
    let join = rt.spawn(Stash(Some(drop::<Waker>)));
    let t = wait_idle(rt.handle(), join.id());
    assert!(t.is_lost(), "no waker exists: {t:?}");
    assert_eq!(t.waiting_on(), WaitSite::Other);
    assert!(t.idle_for().is_some());
    assert!(rt.dump().to_string().contains("LOST"));
    join.abort();
    assert!(rt.block_on(join).unwrap_err().is_cancelled());
}

#[test]
fn waker_moved_to_another_thread_is_lost_once_dropped_there() {
    let rt = multi();
    let (waker_tx, waker_rx) = std_mpsc::channel::<Waker>();
    let (drop_tx, drop_rx) = std_mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let waker = waker_rx.recv().unwrap();
        drop_rx.recv().unwrap();
        drop(waker);
    });
    let join = rt.spawn(Stash(Some(move |w| waker_tx.send(w).unwrap())));
    let t = wait_idle(rt.handle(), join.id());
    assert!(!t.is_lost(), "the other thread holds a waker: {t:?}");
    drop_tx.send(()).unwrap();
    holder.join().unwrap();
    let dump = rt.dump();
    let t = find(&dump, join.id()).unwrap();
    assert_eq!(t.state(), TaskState::Idle);
    assert!(
        t.is_lost(),
        "its only waker was dropped on another thread: {t:?}"
    );
    join.abort();
}

#[test]
fn cloned_wakers_kept_in_a_vec_are_not_lost_until_all_are_gone() {
    let rt = multi();
    let wakers = Arc::new(Mutex::new(Vec::new()));
    let keep = wakers.clone();
    let join = rt.spawn(Stash(Some(move |w: Waker| {
        let mut v = keep.lock().unwrap();
        v.push(w.clone());
        v.push(w.clone());
        v.push(w);
    })));
    let t = wait_idle(rt.handle(), join.id());
    assert!(!t.is_lost(), "{t:?}");
    // Dropping two of the three clones leaves one: still not lost.
    wakers.lock().unwrap().truncate(1);
    assert!(!find(&rt.dump(), join.id()).unwrap().is_lost());
    wakers.lock().unwrap().clear();
    let dump = rt.dump();
    assert!(find(&dump, join.id()).unwrap().is_lost(), "{dump}");
    join.abort();
}

#[test]
fn a_woken_task_is_not_lost_and_runs_again() {
    let rt = multi();
    let slot = Arc::new(Mutex::new(None::<Waker>));
    let keep = slot.clone();
    let (ran_tx, ran_rx) = std_mpsc::channel();
    let join = rt.spawn(async move {
        let mut polls = 0;
        poll_fn(|cx| {
            polls += 1;
            if polls == 1 {
                *keep.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        ran_tx.send(()).unwrap();
    });
    let t = wait_idle(rt.handle(), join.id());
    assert!(!t.is_lost());
    slot.lock().unwrap().take().unwrap().wake();
    ran_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    rt.block_on(join).unwrap();
}

#[test]
fn waiting_on_a_timer_is_not_lost() {
    let rt = multi();
    let join = rt.spawn(async { robin::time::sleep(Duration::from_secs(600)).await });
    let t = wait_idle(rt.handle(), join.id());
    assert!(!t.is_lost(), "{t:?}");
    match t.waiting_on() {
        WaitSite::Timer { deadline } => {
            assert!(deadline > Instant::now() + Duration::from_secs(500));
        }
        other => panic!("expected a timer, got {other:?}"),
    }
    assert!(rt.dump().to_string().contains("timer (in"));
    join.abort();
}

#[test]
fn waiting_on_a_socket_is_not_lost() {
    let rt = multi();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let join = rt.spawn(async move {
        let mut stream = robin::net::TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 8];
        stream.read(&mut buf).await
    });
    let (_peer, _) = listener.accept().unwrap();
    // Connecting waits on writability first; wait for the read.
    let start = Instant::now();
    let t = loop {
        let t = wait_idle(rt.handle(), join.id());
        if matches!(t.waiting_on(), WaitSite::Io { interest } if interest.is_readable()) {
            break t;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{t:?}");
        std::thread::sleep(Duration::from_millis(1));
    };
    assert!(!t.is_lost(), "{t:?}");
    join.abort();
}

#[test]
fn waiting_on_a_channel_is_not_lost() {
    let rt = multi();
    let (tx, mut rx) = robin::sync::mpsc::channel::<u8>(1);
    let join = rt.spawn(async move { rx.recv().await });
    let t = wait_idle(rt.handle(), join.id());
    assert!(!t.is_lost(), "{t:?}");
    // robin::sync primitives are not tagged (see the dump module docs).
    assert_eq!(t.waiting_on(), WaitSite::Other);
    rt.block_on(tx.send(7)).unwrap();
    assert_eq!(rt.block_on(join).unwrap(), Some(7));
}

#[test]
fn waiting_on_a_join_handle_is_not_lost_and_names_the_task() {
    let rt = multi();
    let (tx, rx) = robin::sync::oneshot::channel::<()>();
    let inner = rt.spawn(async move {
        let _ = rx.await;
    });
    let inner_id = inner.id();
    let outer = rt.spawn(async move { inner.await.unwrap() });
    let t = wait_idle(rt.handle(), outer.id());
    assert!(!t.is_lost(), "{t:?}");
    assert_eq!(t.waiting_on(), WaitSite::JoinHandle { task: inner_id });
    tx.send(()).unwrap();
    rt.block_on(outer).unwrap();
}

#[test]
fn running_task_sees_itself_running_with_its_name_and_location() {
    let rt = multi();
    let line = line!() + 3;
    let join = robin::task::Builder::new()
        .name("dumper")
        .spawn_on(async { Handle::current().dump() }, rt.handle())
        .unwrap();
    let id = join.id();
    let dump = rt.block_on(join).unwrap();
    let me = find(&dump, id).expect("the dumping task is live");
    assert_eq!(me.state(), TaskState::Running);
    assert_eq!(me.name(), Some("dumper"));
    assert_eq!(me.location().file(), file!());
    assert_eq!(me.location().line(), line);
    assert!(me.idle_for().is_none());
    assert!(!me.is_lost());
    let table = dump.to_string();
    assert!(
        table.contains("dumper") && table.contains("Running"),
        "{table}"
    );
}

#[test]
fn completed_tasks_leave_the_dump() {
    let rt = multi();
    let join = rt.spawn(async { 1 });
    let id = join.id();
    assert_eq!(rt.block_on(join).unwrap(), 1);
    assert!(find(&rt.dump(), id).is_none());
}

#[test]
fn current_thread_runtime_dumps_from_inside_block_on() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    let lost = rt.spawn(Stash(Some(drop::<Waker>)));
    let timer = rt.spawn(async { robin::time::sleep(Duration::from_secs(600)).await });
    let dump = rt.block_on(async {
        // Let the two tasks run once on this thread.
        for _ in 0..3 {
            robin::task::yield_now().await;
        }
        Handle::current().dump()
    });
    let l = find(&dump, lost.id()).unwrap();
    assert_eq!(l.state(), TaskState::Idle, "{dump}");
    assert!(l.is_lost(), "{dump}");
    let t = find(&dump, timer.id()).unwrap();
    assert!(!t.is_lost(), "{dump}");
    assert!(matches!(t.waiting_on(), WaitSite::Timer { .. }), "{dump}");
}
