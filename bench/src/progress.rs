//! A hand-written progress bar on stderr: `[=====>    ] 12/40  io/robin  (8.1 s)`.
//!
//! On a terminal the bar redraws in place; otherwise (CI, tests) it prints one line per step.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Progress over a known number of steps.
#[derive(Debug)]
pub struct Progress {
    total: usize,
    done: usize,
    start: Instant,
    tty: bool,
    enabled: bool,
}

impl Progress {
    /// A bar over `total` steps; `enabled = false` makes it silent.
    pub fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            total: total.max(1),
            done: 0,
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            enabled,
        }
    }

    /// Announces the step about to run.
    pub fn begin(&mut self, label: &str) {
        self.draw(label);
    }

    /// Marks one step done.
    pub fn step(&mut self) {
        self.done = (self.done + 1).min(self.total);
    }

    /// Clears the bar (ends the line).
    pub fn finish(&mut self) {
        self.done = self.total;
        self.draw("done");
        if self.enabled && self.tty {
            eprintln!();
        }
    }

    fn draw(&self, label: &str) {
        if !self.enabled {
            return;
        }
        const WIDTH: usize = 30;
        let filled = self.done * WIDTH / self.total;
        let mut bar = "=".repeat(filled);
        if filled < WIDTH {
            bar.push('>');
            bar.push_str(&" ".repeat(WIDTH - filled - 1));
        }
        let line = format!(
            "[{bar}] {:>3}/{:<3} {:<40} ({:.1} s)",
            self.done,
            self.total,
            label,
            self.start.elapsed().as_secs_f64()
        );
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }
}
