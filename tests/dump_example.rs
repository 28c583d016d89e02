//! Runs the scenario of `examples/dump.rs` (a server with a leaked and a slow handler)
//! and checks what its dump says about each task.
use robin::runtime::dump::{TaskState, WaitSite};

#[path = "../examples/dump.rs"]
mod example;

#[test]
fn the_leaked_handler_is_lost_and_the_slow_one_is_not() {
    let dump = example::run().expect("the scenario runs");
    let task = |name: &str| {
        dump.tasks()
            .iter()
            .find(|t| t.name() == Some(name))
            .unwrap_or_else(|| panic!("no task {name} in\n{dump}"))
    };
    let leaky = task("leaky-handler");
    assert_eq!(leaky.state(), TaskState::Idle);
    assert!(leaky.is_lost(), "{dump}");
    assert_eq!(leaky.waiting_on(), WaitSite::Other);

    let slow = task("slow-handler");
    assert_eq!(slow.state(), TaskState::Idle);
    assert!(!slow.is_lost(), "{dump}");
    assert!(
        matches!(slow.waiting_on(), WaitSite::Timer { .. }),
        "{dump}"
    );

    let accept = task("accept-loop");
    assert!(!accept.is_lost(), "{dump}");
    assert!(
        matches!(accept.waiting_on(), WaitSite::Io { interest } if interest.is_readable()),
        "{dump}"
    );
    let table = dump.to_string();
    assert_eq!(table.matches("LOST").count(), 1, "{table}");
    assert!(table.contains("examples/dump.rs"), "{table}");
}
