//! The check both chat tests make (the facade's line chat, `examples/chat.rs`, and
//! robin-ecosystem's WebSocket chat): every client says `hello from <id>` and must see
//! that line from every *other* client exactly once, never its own, and never lag.

use std::collections::HashSet;

/// What one client of a chat test has seen so far, checked line by line.
#[derive(Debug)]
pub struct RoomCheck {
    id: u64,
    expected: HashSet<String>,
    got: HashSet<String>,
}

impl RoomCheck {
    /// The check for client `id` of a room whose clients are `ids`.
    pub fn new(ids: &[u64], id: u64) -> RoomCheck {
        let expected = ids
            .iter()
            .filter(|&&other| other != id)
            .map(|other| format!("{other}: hello from {other}"))
            .collect();
        RoomCheck {
            id,
            expected,
            got: HashSet::new(),
        }
    }

    /// The line this client says.
    pub fn hello(&self) -> String {
        format!("hello from {}", self.id)
    }

    /// Whether the client has seen every other client's line.
    pub fn is_done(&self) -> bool {
        self.got.len() >= self.expected.len()
    }

    /// How many lines of others it has seen.
    pub fn seen(&self) -> usize {
        self.got.len()
    }

    /// Checks one line from the room. Server notices (`* ...`: joins and leaves) are
    /// skipped, but one that says the client `missed` lines (it lagged) fails the test, as
    /// do its own line, a line nobody said, and a line seen twice.
    pub fn see(&mut self, line: String) {
        let id = self.id;
        if line.starts_with("* ") {
            assert!(!line.contains("missed"), "client {id} lagged: {line}");
            return;
        }
        assert_ne!(line, self.hello_line(), "client {id} got its own line");
        assert!(
            self.expected.contains(&line),
            "client {id}: unexpected {line:?}"
        );
        assert!(self.got.insert(line), "client {id}: duplicate");
    }

    fn hello_line(&self) -> String {
        format!("{}: hello from {}", self.id, self.id)
    }
}
