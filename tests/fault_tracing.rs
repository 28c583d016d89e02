//! Feature `tracing`: every task poll runs inside a `runtime.spawn` span carrying the
//! task's id, name and spawn location. A hand-written subscriber (installed as the
//! global default, so the worker threads see it) records the spans.
//! Run: `cargo test -p robin --features tracing --test fault_tracing`.
#![cfg(feature = "tracing")]

use robin::runtime::Builder;
use robin::task;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One span as created: its name and fields (as strings).
#[derive(Debug, Default, Clone)]
struct SpanRecord {
    name: &'static str,
    fields: HashMap<&'static str, String>,
    enters: u64,
}

struct Fields<'a>(&'a mut HashMap<&'static str, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name(), value.to_string());
    }
}

#[derive(Clone, Default)]
struct Recorder {
    next: Arc<AtomicU64>,
    spans: Arc<Mutex<HashMap<u64, SpanRecord>>>,
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, SeqCst) + 1;
        let mut rec = SpanRecord {
            name: attrs.metadata().name(),
            ..SpanRecord::default()
        };
        attrs.record(&mut Fields(&mut rec.fields));
        self.spans.lock().unwrap().insert(id, rec);
        Id::from_u64(id)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        if let Some(rec) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            rec.enters += 1;
        }
    }
    fn exit(&self, _: &Id) {}
}

#[test]
fn every_poll_runs_in_a_runtime_spawn_span() {
    let recorder = Recorder::default();
    tracing::subscriber::set_global_default(recorder.clone()).unwrap();

    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let first_line = line!();
    let (named_id, plain_id) = rt.block_on(async {
        let named = task::Builder::new()
            .name("traced")
            .spawn(async {
                // Two polls: one before the yield, one after.
                task::yield_now().await;
                5
            })
            .unwrap();
        let plain = robin::spawn(async { 6 });
        let ids = (named.id().as_u64(), plain.id().as_u64());
        assert_eq!(named.await.unwrap() + plain.await.unwrap(), 11);
        ids
    });
    let last_line = line!();
    drop(rt);

    let spans = recorder.spans.lock().unwrap();
    let of = |id: u64| -> Vec<SpanRecord> {
        spans
            .values()
            .filter(|s| s.name == "runtime.spawn")
            .filter(|s| s.fields.get("task.id") == Some(&id.to_string()))
            .cloned()
            .collect()
    };
    let named = of(named_id);
    assert!(named.len() >= 2, "a span per poll: {named:?}");
    for s in &named {
        assert_eq!(s.enters, 1, "{s:?}");
        assert_eq!(s.fields["task.name"], "traced");
        assert_eq!(s.fields["loc.file"], file!());
        let line: u32 = s.fields["loc.line"].parse().unwrap();
        assert!((first_line..=last_line).contains(&line), "{s:?}");
        assert!(s.fields["loc.col"].parse::<u32>().unwrap() > 0);
    }
    let plain = of(plain_id);
    assert!(!plain.is_empty(), "{spans:?}");
    assert!(
        !plain[0].fields.contains_key("task.name"),
        "an unnamed task records no name: {plain:?}"
    );
}
