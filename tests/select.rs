//! `robin::select!` through the facade.
use robin::sync::{mpsc, oneshot};
use std::collections::HashSet;
use std::time::Duration;

#[robin::test]
async fn first_ready_branch_wins_and_the_rest_are_dropped() {
    let (tx, rx) = oneshot::channel::<u32>();
    let (_keep, never) = oneshot::channel::<u32>();
    tx.send(5).unwrap();
    let out = robin::select! {
        v = rx => v.unwrap() + 1,
        v = never => v.unwrap(),
    };
    assert_eq!(out, 6);
}

#[robin::test(start_paused = true)]
async fn timeout_branch_with_the_paused_clock() {
    let (_tx, rx) = oneshot::channel::<u32>();
    let start = robin::time::Instant::now();
    let out = robin::select! {
        _ = rx => "message",
        _ = robin::time::sleep(Duration::from_secs(30)) => "timeout",
    };
    assert_eq!(out, "timeout");
    assert_eq!(start.elapsed(), Duration::from_secs(30));
}

#[robin::test]
async fn biased_polls_in_order() {
    for _ in 0..50 {
        let out = robin::select! {
            biased;
            a = async { 1 } => a,
            b = async { 2 } => b,
            c = async { 3 } => c,
        };
        assert_eq!(out, 1);
    }
}

#[robin::test]
async fn unbiased_picks_every_ready_branch_sometimes() {
    let mut seen = HashSet::new();
    for _ in 0..500 {
        let out = robin::select! {
            a = async { 0 } => a,
            b = async { 1 } => b,
            c = async { 2 } => c,
        };
        seen.insert(out);
        if seen.len() == 3 {
            break;
        }
    }
    assert_eq!(seen.len(), 3, "seen {seen:?}");
}

#[robin::test]
async fn non_matching_output_disables_the_branch_and_waits_on() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    drop(tx);
    let (otx, orx) = oneshot::channel::<&str>();
    robin::spawn(async move {
        robin::task::yield_now().await;
        otx.send("later").unwrap();
    });
    // `rx.recv()` completes with `None` first: that does not match `Some(_)`, so
    // select! keeps waiting on the other branch.
    let out = robin::select! {
        Some(v) = rx.recv() => format!("got {v}"),
        msg = orx => msg.unwrap().to_string(),
    };
    assert_eq!(out, "later");
}

#[robin::test]
async fn else_runs_when_every_branch_is_disabled() {
    let out = robin::select! {
        Some(v) = async { None::<u8> } => v as i32,
        Ok(v) = async { Err::<u8, ()>(()) } => v as i32,
        else => -1,
    };
    assert_eq!(out, -1);
}

#[robin::test]
async fn precondition_false_disables_a_branch() {
    let mut polled = false;
    let out = robin::select! {
        v = async { polled = true; 1 }, if 1 + 1 == 3 => v,
        v = async { 2 } => v,
    };
    assert_eq!(out, 2);
    assert!(!polled, "a disabled branch's future is never polled");
    let out = robin::select! {
        _ = async {}, if false => 0,
        else => 7,
    };
    assert_eq!(out, 7);
}

#[robin::test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
async fn all_disabled_without_else_panics() {
    robin::select! {
        Some(v) = async { None::<u8> } => { let _ = v; }
    }
}

#[robin::test]
async fn in_a_loop_with_break_continue_and_borrowed_state() {
    let (tx, mut rx) = mpsc::channel::<u32>(16);
    for i in 0..10 {
        tx.send(i).await.unwrap();
    }
    drop(tx);
    let mut sum = 0;
    let mut odd_skipped = 0;
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 100);
        robin::select! {
            v = rx.recv() => match v {
                Some(v) if v % 2 == 1 => { odd_skipped += 1; continue; }
                Some(v) => sum += v,
                None => break,
            },
        }
        // The handler ran after the `rx.recv()` future was dropped: `rx` is free again.
        let _free_again: &mut mpsc::Receiver<u32> = &mut rx;
    }
    assert_eq!((sum, odd_skipped), (20, 5));
}

#[robin::test]
async fn handlers_may_await_and_use_question_mark() {
    async fn run() -> Result<u32, &'static str> {
        let v = robin::select! {
            r = async { Err::<u32, _>("bad") } => r?,
        };
        Ok(v)
    }
    assert_eq!(run().await, Err("bad"));
    let v = robin::select! {
        x = async { 2 } => { robin::task::yield_now().await; x * 10 }
    };
    assert_eq!(v, 20);
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_over_messages_from_other_threads() {
    let (tx1, mut rx1) = mpsc::channel::<u32>(8);
    let (tx2, mut rx2) = mpsc::channel::<u32>(8);
    let t1 = std::thread::spawn(move || {
        for i in 0..20 {
            tx1.blocking_send(i).unwrap();
        }
    });
    let t2 = std::thread::spawn(move || {
        for i in 100..120 {
            tx2.blocking_send(i).unwrap();
        }
    });
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut open1, mut open2) = (true, true);
    for _ in 0..1000 {
        if !open1 && !open2 {
            break;
        }
        robin::select! {
            v = rx1.recv(), if open1 => match v { Some(v) => a.push(v), None => open1 = false },
            v = rx2.recv(), if open2 => match v { Some(v) => b.push(v), None => open2 = false },
        }
    }
    t1.join().unwrap();
    t2.join().unwrap();
    assert_eq!(a, (0..20).collect::<Vec<_>>());
    assert_eq!(b, (100..120).collect::<Vec<_>>());
}

#[robin::test]
async fn user_names_do_not_clash_with_internals() {
    // Names the expansion uses internally, as the caller's own.
    let disabled = 3;
    let output = 4;
    let cx = 5;
    let start = 6;
    let fut0 = async { 7 };
    let (futures, futures_init, pending, branch, offset) = (1, 1, 1, 1, 1);
    let v = robin::select! {
        v = fut0, if disabled + futures == 4 => v + disabled + output + cx + start,
    };
    assert_eq!(v, 25);
    assert_eq!(futures + futures_init + pending + branch + offset, 5);
}

#[robin::test]
async fn select_with_only_an_else_branch_runs_it() {
    let v = robin::select! { else => 7 };
    assert_eq!(v, 7);
    let w = robin::select! { biased; else => { "else" }, };
    assert_eq!(w, "else");
}

#[robin::test]
async fn mut_and_ref_mut_bindings_in_branch_patterns() {
    let out = robin::select! {
        mut v = async { vec![1, 2] } => { v.push(3); v }
    };
    assert_eq!(out, [1, 2, 3]);
    let out = robin::select! {
        (ref mut a, mut b) = async { (String::from("x"), 1) } => { a.push('y'); b += 1; (a.clone(), b) }
    };
    assert_eq!(out, ("xy".to_string(), 2));
    let out = robin::select! {
        Some(mut n) = async { Some(4) } => { n *= 2; n }
        else => 0,
    };
    assert_eq!(out, 8);
}

#[robin::test(start_paused = true)]
async fn mut_ref_of_a_temporary_future() {
    // `&mut` of a future created in the branch expression itself: the temporary lives
    // as long as the `select!`.
    let out = robin::select! {
        _ = &mut robin::time::sleep(Duration::from_secs(1)) => "slept",
        _ = &mut std::future::pending::<()>() => "never",
    };
    assert_eq!(out, "slept");
}

#[robin::test(start_paused = true)]
async fn one_future_survives_several_selects_by_mut_ref() {
    let deadline = robin::time::sleep(Duration::from_secs(5));
    robin::pin!(deadline);
    let mut ticks = 0;
    loop {
        robin::select! {
            _ = &mut deadline => break,
            _ = robin::time::sleep(Duration::from_secs(1)) => ticks += 1,
        }
    }
    // Ticks at 1, 2, 3, 4 s; at 5 s the deadline and the fifth tick are both due.
    assert!((4..=5).contains(&ticks), "{ticks}");
}

#[robin::test]
async fn select_yields_when_the_coop_budget_is_spent() {
    // A loop over a budget-aware branch (a channel with messages) and an always-ready,
    // budget-unaware one. Once the budget is spent the channel returns `Pending`, and
    // without select!'s own budget check the ready branch would win forever: the loop
    // would never yield and the spawned task (on this same thread) would never run.
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    for i in 0..1000 {
        tx.send(i).unwrap();
    }
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let local = robin::task::LocalSet::new();
    let set = ran.clone();
    local.spawn_local(async move { set.set(true) });
    local
        .run_until(async {
            let mut spins = 0u32;
            while !ran.get() {
                robin::select! {
                    biased;
                    Some(_) = rx.recv() => {}
                    _ = std::future::ready(()) => {}
                }
                spins += 1;
                assert!(
                    spins < 100_000,
                    "select! never yielded: the other task never ran"
                );
            }
        })
        .await;
}
