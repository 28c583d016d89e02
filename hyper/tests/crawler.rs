//! The crawler example against the server example's 1000-page site on 127.0.0.1.
use robin::net::TcpListener;
use robin::sync::oneshot;
use std::time::Duration;

#[path = "../../examples/http_server.rs"]
#[allow(dead_code)]
mod http_server;

#[path = "../../examples/crawler.rs"]
#[allow(dead_code)]
mod crawler;

const BOUND: Duration = Duration::from_secs(120);

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_all_thousand_pages_exactly_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = robin::spawn(http_server::serve(listener, Default::default(), stopped));

    let config = crawler::Config {
        concurrency: 8,
        timeout: Duration::from_secs(30),
        ..Default::default()
    };
    let report = robin::time::timeout(BOUND, crawler::crawl(&addr.to_string(), "/site/0", config))
        .await
        .expect("crawl finished in time");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.fetches.len(), http_server::SITE_PAGES);
    for n in 0..http_server::SITE_PAGES {
        assert_eq!(
            report.fetches.get(&format!("/site/{n}")),
            Some(&1),
            "page {n}"
        );
    }
    assert!(
        report.max_in_flight >= 1 && report.max_in_flight <= 8,
        "{}",
        report.max_in_flight
    );

    stop.send(()).unwrap();
    robin::time::timeout(BOUND, server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[robin::test]
async fn a_silent_server_times_out() {
    // Accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let holder = robin::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let config = crawler::Config {
        concurrency: 2,
        timeout: Duration::from_millis(200),
        ..Default::default()
    };
    let report = robin::time::timeout(BOUND, crawler::crawl(&addr.to_string(), "/", config))
        .await
        .expect("the per-request timeout bounded the crawl");
    assert_eq!(report.fetches.len(), 1);
    assert!(
        report.errors["/"].contains("timed out"),
        "{:?}",
        report.errors
    );
    holder.abort();
}

#[test]
fn links_are_extracted() {
    let html = r#"<a href="/a">a</a> <a href="http://x/b">b</a> <a href="/c?d">c</a>"#;
    assert_eq!(crawler::links(html), ["/a", "/c?d"]);
}
